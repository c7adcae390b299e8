package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestShowFlowExporterTemplates: an operator whose collector shows a
// template it does not expect asks the box what it sends. `show flow
// exporter NAME templates` was invalid input; it lists each template
// the exporter's destination sends, with its client, id, source id,
// record size and fields, and the ids, types and sizes are those tshark
// decodes from the templates flowtap exported.
func TestShowFlowExporterTemplates(t *testing.T) {
	v := testnet.Enter(t)
	tsPort, tsStop := listenUDP(t)
	d := startDaemon(t, fmt.Sprintf(`hostname fnft
username admin privilege 15 secret letmein
flow exporter TSHARK
 destination 127.0.0.1
 transport udp %d
 option interface-table
 option exporter-stats
!
flow exporter IDLE
 destination 127.0.0.2
!
flow monitor FNF-MON
 exporter TSHARK
 cache timeout inactive 10
 cache timeout active 60
 record netflow ipv4 original-input
!
interface %s
 ip flow monitor FNF-MON input
!
`, tsPort, v.Mon))
	const n = 3
	if got := startTrafgen(t, v, trafgenFlows, n, 100).wait(t); got != n {
		t.Fatalf("trafgen sent %d frames, want %d", got, n)
	}
	d.cliUntil(t, "ios", "show ip cache flow | include added\n", fmt.Sprintf("  %d active, %d inactive, %d added\n", n, 4096-n, n))
	d.cli(t, "ios", "clear mls netflow\n")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if st := d.cli(t, "ios", "show flow exporter TSHARK statistics\n"); strings.Contains(st, fmt.Sprintf("        - sent:              %d\n", n)) {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the flows were not exported:\n%s", st)
		}
	}
	got := d.cli(t, "ios", "show flow exporter TSHARK templates\n")
	if got != wantTemplates {
		t.Errorf("show flow exporter TSHARK templates:\n%s\nwant:\n%s", got, wantTemplates)
	}
	// Every exporter: the idle one (no monitor) has no template.
	if all, want := d.cli(t, "ios", "show flow exporter templates\n"), got+"Flow Exporter IDLE:\n"; all != want {
		t.Errorf("show flow exporter templates:\n%s\nwant:\n%s", all, want)
	}
	if name := d.cli(t, "ios", "show flow exporter name TSHARK templates\n"); name != got {
		t.Errorf("show flow exporter name TSHARK templates:\n%s", name)
	}

	// | json: the same templates, each exporter's by name.
	var js []struct {
		Name      string
		Templates []struct {
			ID     int
			Fields []struct{ IE, Length int }
		}
	}
	if out := d.cli(t, "ios", "show flow exporter templates | json\n"); json.Unmarshal([]byte(out), &js) != nil ||
		len(js) != 2 || js[0].Name != "TSHARK" || len(js[0].Templates) != 4 || js[0].Templates[3].ID != 510 ||
		len(js[0].Templates[0].Fields) != 20 || js[0].Templates[0].Fields[0].IE != 8 || js[1].Name != "IDLE" || len(js[1].Templates) != 0 {
		t.Errorf("show flow exporter templates | json:\n%s", out)
	}

	// What tshark decodes of the templates flowtap sent: each template's
	// id, source id and (type, size) fields, against the screen's rows.
	time.Sleep(300 * time.Millisecond)
	wire := map[int][]string{}
	var order []int
	for _, p := range collector.TsharkCflow(t, tsStop(), tsPort, "cflow.source_id", "cflow.template_id", "cflow.template_field_count",
		"cflow.template_field_type", "cflow.template_field_length", "cflow.scope_field_type", "cflow.option_scope_length", "cflow.option_length") {
		if len(p["cflow.template_id"]) == 0 {
			continue
		}
		if src := p["cflow.source_id"]; len(src) != 1 || src[0] != "0" {
			t.Errorf("tshark: source id %v, want 0", src)
		}
		// Data templates come first in flowtap's packets, then the
		// options templates; v9 gives the options' sizes in bytes.
		counts := atoiAll(t, p["cflow.template_field_count"])
		for _, n := range atoiAll(t, p["cflow.option_length"]) {
			counts = append(counts, n/4)
		}
		scopes := atoiAll(t, p["cflow.option_scope_length"])
		types, lens := p["cflow.template_field_type"], p["cflow.template_field_length"]
		scopeTypes := p["cflow.scope_field_type"]
		for i, id := range atoiAll(t, p["cflow.template_id"]) {
			var fields []string
			if i >= len(p["cflow.template_field_count"]) {
				j := i - len(p["cflow.template_field_count"])
				for k := 0; k < scopes[j]/4; k++ {
					fields = append(fields, scopeTypes[0]+"/"+lens[0])
					scopeTypes, lens = scopeTypes[1:], lens[1:]
				}
			}
			for k := 0; k < counts[i]; k++ {
				fields = append(fields, types[0]+"/"+lens[0])
				types, lens = types[1:], lens[1:]
			}
			if _, seen := wire[id]; !seen {
				order = append(order, id)
				wire[id] = fields
			}
		}
	}
	shown := map[int][]string{}
	var shownOrder []int
	id := 0
	for _, l := range strings.Split(got, "\n") {
		if f := strings.Fields(l); len(f) == 4 && f[0] == "Template" && f[1] == "ID" {
			id, _ = strconv.Atoi(f[3])
			shownOrder = append(shownOrder, id)
			continue
		}
		if c := strings.Split(l, "|"); len(c) == 6 && strings.TrimSpace(c[2]) != "Type" {
			shown[id] = append(shown[id], strings.TrimSpace(c[2])+"/"+strings.TrimSpace(c[4]))
		}
	}
	if fmt.Sprint(order) != fmt.Sprint(shownOrder) {
		t.Errorf("tshark decoded templates %v, the screen shows %v", order, shownOrder)
	}
	for _, id := range order {
		if fmt.Sprint(wire[id]) != fmt.Sprint(shown[id]) {
			t.Errorf("template %d: tshark decodes type/size %v, the screen shows %v", id, wire[id], shown[id])
		}
	}
}

func atoiAll(t *testing.T, s []string) []int {
	out := make([]int, len(s))
	for i, v := range s {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("tshark: %q: %v", v, err)
		}
		out[i] = n
	}
	return out
}

// wantTemplates is the TSHARK exporter's screen: the main cache's IPv4
// and IPv6 templates (the traditional ones, whatever the record names)
// and the interface-table and exporter-stats options templates.
const wantTemplates = `Flow Exporter TSHARK:
  Client: Flow Monitor FNF-MON
  Exporter Format: NetFlow Version 9
  Template ID    : 256
  Source ID      : 0
  Record Size    : 64
  Template layout
  _____________________________________________________________________
  |                 Field                   |  Type | Offset |  Size  |
  ---------------------------------------------------------------------
  | ipv4 source address                     |     8 |     0  |     4  |
  | ipv4 destination address                |    12 |     4  |     4  |
  | routing next-hop address ipv4           |    15 |     8  |     4  |
  | interface input snmp                    |    10 |    12  |     4  |
  | interface output snmp                   |    14 |    16  |     4  |
  | counter packets long                    |     2 |    20  |     8  |
  | counter bytes long                      |     1 |    28  |     8  |
  | timestamp sys-uptime first              |    22 |    36  |     4  |
  | timestamp sys-uptime last               |    21 |    40  |     4  |
  | transport source-port                   |     7 |    44  |     2  |
  | transport destination-port              |    11 |    46  |     2  |
  | transport tcp flags                     |     6 |    48  |     1  |
  | ipv4 protocol                           |     4 |    49  |     1  |
  | ipv4 tos                                |     5 |    50  |     1  |
  | routing source as                       |    16 |    51  |     4  |
  | routing destination as                  |    17 |    55  |     4  |
  | ipv4 source mask                        |     9 |    59  |     1  |
  | ipv4 destination mask                   |    13 |    60  |     1  |
  | flow end-reason                         |   136 |    61  |     1  |
  | ICMP_TYPE                               |    32 |    62  |     2  |
  ---------------------------------------------------------------------

  Client: Flow Monitor FNF-MON
  Exporter Format: NetFlow Version 9
  Template ID    : 257
  Source ID      : 0
  Record Size    : 100
  Template layout
  _____________________________________________________________________
  |                 Field                   |  Type | Offset |  Size  |
  ---------------------------------------------------------------------
  | ipv6 source address                     |    27 |     0  |    16  |
  | ipv6 destination address                |    28 |    16  |    16  |
  | routing next-hop address ipv6           |    62 |    32  |    16  |
  | interface input snmp                    |    10 |    48  |     4  |
  | interface output snmp                   |    14 |    52  |     4  |
  | counter packets long                    |     2 |    56  |     8  |
  | counter bytes long                      |     1 |    64  |     8  |
  | timestamp sys-uptime first              |    22 |    72  |     4  |
  | timestamp sys-uptime last               |    21 |    76  |     4  |
  | transport source-port                   |     7 |    80  |     2  |
  | transport destination-port              |    11 |    82  |     2  |
  | transport tcp flags                     |     6 |    84  |     1  |
  | ipv6 protocol                           |     4 |    85  |     1  |
  | ipv6 traffic-class                      |     5 |    86  |     1  |
  | routing source as                       |    16 |    87  |     4  |
  | routing destination as                  |    17 |    91  |     4  |
  | ipv6 source mask                        |    29 |    95  |     1  |
  | ipv6 destination mask                   |    30 |    96  |     1  |
  | flow end-reason                         |   136 |    97  |     1  |
  | ICMP_TYPE                               |    32 |    98  |     2  |
  ---------------------------------------------------------------------

  Client: Option options interface-table
  Exporter Format: NetFlow Version 9
  Template ID    : 259
  Source ID      : 0
  Record Size    : 40
  Template layout
  _____________________________________________________________________
  |                 Field                   |  Type | Offset |  Size  |
  ---------------------------------------------------------------------
  | scope system                            |     1 |     0  |     4  |
  | interface input snmp                    |    10 |     4  |     4  |
  | interface name                          |    82 |     8  |    32  |
  ---------------------------------------------------------------------

  Client: Option options exporter-stats
  Exporter Format: NetFlow Version 9
  Template ID    : 510
  Source ID      : 0
  Record Size    : 56
  Template layout
  _____________________________________________________________________
  |                 Field                   |  Type | Offset |  Size  |
  ---------------------------------------------------------------------
  | scope system                            |     1 |     0  |     4  |
  | exporterIPv4Address                     |   130 |     4  |     4  |
  | exporterTransportPort                   |   217 |     8  |     2  |
  | collectorIPv4Address                    |   211 |    10  |     4  |
  | collectorTransportPort                  |   216 |    14  |     2  |
  | exportedMessageTotalCount               |    41 |    16  |     8  |
  | exportedOctetTotalCount                 |    40 |    24  |     8  |
  | exportedFlowRecordTotalCount            |    42 |    32  |     8  |
  | notSentFlowTotalCount                   |   166 |    40  |     8  |
  | notSentPacketTotalCount                 |   167 |    48  |     8  |
  ---------------------------------------------------------------------

`
