package ios

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/cli/show"
)

// jsonBackend adds an export destination with counters to the fake, so
// `show ip flow export | json` has numbers to compare.
type jsonBackend struct{ *fakeBackend }

func (jsonBackend) ExportView() show.ExportView {
	return show.ExportView{Version: 9, Destinations: []show.ExportStats{{
		Collector: netip.MustParseAddrPort("192.0.2.9:2055"), Version: 9,
		Packets: 31, Records: 437, Bytes: 21877, Errors: 2, ErrorRecords: 29,
		LastError: errors.New("connection refused"),
	}}, Cache: show.CacheExport{Exported: 437, ExportedPackets: 5000}}
}

func (jsonBackend) SNMP() show.SNMPView {
	return show.SNMPView{Enabled: true, Contact: "noc@example.net", Location: "rack 4", InPkts: 141, InBadVersions: 1,
		InBadCommunityNames: 2, InBadCommunityUses: 3, InUnknownUserNames: 14, InUserACLRefused: 15, InASNParseErrs: 4, InTotalReqVars: 250, InTotalSetVars: 5, InGetRequests: 120,
		InGetNexts: 11, InSetRequests: 6, InputQueueDrops: 7, OutPkts: 133, OutTooBigs: 8, OutNoSuchNames: 9, OutBadValues: 10,
		OutGenErrs: 12, OutGetResponses: 125, OutTraps: 13,
		Logging: []show.SNMPLogging{{Host: netip.MustParseAddrPort("192.0.2.10:162"), Sent: 16, Dropped: 17}}}
}

func jsonOf(t *testing.T, s *Session, line string) any {
	t.Helper()
	out := s.Exec(line)
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", line, err, out)
	}
	return v
}

// numbers are the integers a screen prints, in order.
func numbers(text string) []string { return regexp.MustCompile(`\d+`).FindAllString(text, -1) }

func TestJSONDatapath(t *testing.T) {
	s := NewSession(jsonBackend{&fakeBackend{cfg: config.Config{Hostname: "tap1"}}}, false)
	v := jsonOf(t, s, "show ip flow datapath | json").(map[string]any)
	text := s.Exec("show ip flow datapath")
	if !strings.Contains(text, "10 frames seen") {
		t.Fatalf("text screen changed:\n%s", text)
	}
	for key, want := range map[string]float64{"frames": 10, "ipv4": 10, "metered_packets": 10, "flows_created": 2, "capture_full": 3} {
		if v[key] != want {
			t.Errorf("%s = %v, want %v (text: %v)\n%v", key, v[key], want, numbers(text), v)
		}
	}
}

func TestJSONExport(t *testing.T) {
	s := NewSession(jsonBackend{&fakeBackend{cfg: config.Config{Hostname: "tap1"}}}, false)
	v := jsonOf(t, s, "show ip flow export | json").(map[string]any)
	text := s.Exec("show ip flow export")
	dests := v["TABLE_destination"].(map[string]any)["ROW_destination"].([]any)
	if len(dests) != 1 {
		t.Fatalf("destinations = %v", v["TABLE_destination"])
	}
	d := dests[0].(map[string]any)
	if d["collector"] != "192.0.2.9:2055" || d["last_error"] != "connection refused" {
		t.Errorf("collector = %v, last_error = %v", d["collector"], d["last_error"])
	}
	// The counters the text screen prints are the JSON's.
	for _, key := range []string{"packets", "records", "errors"} {
		n, ok := d[key].(float64)
		if !ok {
			t.Fatalf("%s missing: %v", key, d)
		}
		if !regexp.MustCompile(`\b` + regexp.QuoteMeta(strconv.FormatFloat(n, 'f', -1, 64)) + `\b`).MatchString(text) {
			t.Errorf("%s = %v is not on the text screen:\n%s", key, n, text)
		}
	}
	if d["packets"] != 31.0 || d["records"] != 437.0 || d["bytes"] != 21877.0 {
		t.Errorf("counters = %v", d)
	}
}

func TestJSONInterfaces(t *testing.T) {
	s := NewSession(jsonBackend{&fakeBackend{cfg: config.Config{Hostname: "tap1"}}}, false)
	ifs := jsonOf(t, s, "show interfaces eth1 | json").(map[string]any)["TABLE_interface"].(map[string]any)["ROW_interface"].([]any)
	if len(ifs) != 1 {
		t.Fatalf("got %d interfaces", len(ifs))
	}
	i := ifs[0].(map[string]any)
	text := s.Exec("show interfaces eth1")
	if i["name"] != "eth1" || i["mac"] != "aabb.cc00.0100" || i["rx_packets"] != 5000.0 || i["rx_bytes"] != 4000000.0 ||
		i["xdp_drops"] != 5000.0 || i["mtu"] != 1500.0 {
		t.Errorf("eth1 = %v", i)
	}
	for _, want := range []string{"aabb.cc00.0100", "5000 packets input, 4000000 bytes", "MTU 1500"} {
		if !strings.Contains(text, want) {
			t.Errorf("text screen lacks %q:\n%s", want, text)
		}
	}
}

func TestJSONRefused(t *testing.T) {
	s := NewSession(jsonBackend{&fakeBackend{cfg: config.Config{Hostname: "tap1"}}}, false)
	for line, want := range map[string]string{
		"show version | json":               "% JSON output is not supported for this command\n",
		"show ip flow datapath | json x":    strings.Repeat(" ", 34) + "^\n% Invalid input detected at '^' marker.\n",
		"show interfaces eth9 | json":       "                     ^\n% Invalid input detected at '^' marker.\n",
		"show ip flow datapath | include x": "",
	} {
		if got := s.Exec(line); got != want {
			t.Errorf("%s:\ngot  %q\nwant %q", line, got, want)
		}
	}
	// A command with no JSON form is refused before it runs.
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	s = NewSession(jsonBackend{f}, true)
	if got := s.Exec("clear ip flow stats | json"); got != "% JSON output is not supported for this command\n" || f.cleared != 0 {
		t.Errorf("clear ip flow stats | json: %q, cleared %d times, want refused and nothing cleared", got, f.cleared)
	}
}

// TestJSONTables: every IOS table screen has `| json`, the JSON parses,
// and it holds the numbers the screen prints at the same moment.
func TestJSONTables(t *testing.T) {
	s := NewSession(jsonBackend{&fakeBackend{cfg: config.Config{Hostname: "tap1"}}}, false)
	type flows struct {
		Table struct {
			Rows []struct {
				SrcAddr string `json:"src_addr"`
				Packets uint64
				Bytes   uint64
			} `json:"ROW_flow"`
		} `json:"TABLE_flow"`
	}
	for _, line := range []string{"show ip cache flow", "show ip cache verbose flow", "show mls netflow ip"} {
		var f flows
		if err := json.Unmarshal([]byte(s.Exec(line+" | json")), &f); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if len(f.Table.Rows) != 1 || f.Table.Rows[0].SrcAddr != "10.0.0.1" || f.Table.Rows[0].Packets != 7 || f.Table.Rows[0].Bytes != 900 {
			t.Errorf("%s | json: %+v", line, f)
		}
		if text := s.Exec(line); !regexp.MustCompile(`10\.0\.0\.1 .* 7\n|(?m)^7 +900 `).MatchString(text) {
			t.Errorf("%s: the flow's 7 packets are not on the screen:\n%s", line, text)
		}
	}

	var agg struct {
		Scheme string
		Active int
		Table  struct {
			Rows []struct {
				SrcPrefix      string `json:"src_prefix"`
				Flows, Packets uint64
				BytesPerPacket uint64 `json:"bytes_per_packet"`
			} `json:"ROW_aggregate"`
		} `json:"TABLE_aggregate"`
	}
	for _, line := range []string{"show ip cache flow aggregation prefix", "show ip cache verbose flow aggregation prefix"} {
		if err := json.Unmarshal([]byte(s.Exec(line+" | json")), &agg); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if agg.Scheme != "prefix" || agg.Active != 1 || len(agg.Table.Rows) != 1 || agg.Table.Rows[0].Packets != 7 || agg.Table.Rows[0].BytesPerPacket != 128 {
			t.Errorf("%s | json = %+v", line, agg)
		}
		if text := s.Exec(line); !regexp.MustCompile(`(?m)^eth1 +0\.0\.0\.0 +/0 +Null +0\.0\.0\.0 +/0 +1 +7 +128 `).MatchString(text) {
			t.Errorf("%s:\n%s", line, text)
		}
	}
	if got := s.Exec("show ip cache flow aggregation as"); got != "% Aggregation cache as is not configured\n" {
		t.Errorf("unconfigured scheme: %q", got)
	}

	var top struct {
		Shown, Matched, Processed int
		Table                     struct {
			Rows []struct {
				Aggregate             string
				Bytes, Packets, Flows uint64
			} `json:"ROW_top_talker"`
		} `json:"TABLE_top_talker"`
	}
	line := "show ip flow top 5 aggregate destination-port sorted-by packets descending match protocol tcp"
	if err := json.Unmarshal([]byte(s.Exec(line+" | json")), &top); err != nil {
		t.Fatal(err)
	}
	text := s.Exec(line)
	if top.Shown != 1 || top.Matched != 1 || len(top.Table.Rows) != 1 || top.Table.Rows[0].Aggregate != "80" || top.Table.Rows[0].Bytes != 900 {
		t.Errorf("top | json = %+v", top)
	}
	if !strings.Contains(text, "There are 1 top talkers:") || !regexp.MustCompile(`(?m)^80 +900 +100\.0 +7 +100\.0 +1 +100\.0$`).MatchString(text) ||
		!strings.Contains(text, "1 of 1 flows matched.") {
		t.Errorf("%s:\n%s", line, text)
	}
	for bad, want := range map[string]string{
		"show ip flow top 5 aggregate protocol match colour 3":             "^\n% Invalid input",
		"show ip flow top 500 aggregate protocol":                          "^\n% Invalid input",
		"show ip flow top aggregate protocol match destination-port 99999": "% Invalid value \"99999\"",
	} {
		if got := s.Exec(bad); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", bad, got, want)
		}
	}

	var ifs struct {
		Table struct {
			Rows []struct {
				Name    string
				Ingress bool
			} `json:"ROW_interface"`
		} `json:"TABLE_interface"`
	}
	if err := json.Unmarshal([]byte(s.Exec("show ip flow interface | json")), &ifs); err != nil || len(ifs.Table.Rows) != 1 || ifs.Table.Rows[0].Name != "eth1" || !ifs.Table.Rows[0].Ingress {
		t.Errorf("show ip flow interface | json: %+v %v", ifs, err)
	}
	for _, line := range []string{"show ip flow applications", "show flow-sampler", "show flowtap taps", "show access-lists", "show ipv6 flow cache",
		"show ip cache biflow", "show ip interface brief"} {
		var v map[string]any
		if err := json.Unmarshal([]byte(s.Exec(line+" | json")), &v); err != nil {
			t.Errorf("%s | json: %v", line, err)
		}
	}
}

// TestJSONSNMP: `show snmp | json` carries every number the screen
// prints, each under the counter that line names.
func TestJSONSNMP(t *testing.T) {
	s := NewSession(jsonBackend{&fakeBackend{cfg: config.Config{Hostname: "tap1"}}}, false)
	v := jsonOf(t, s, "show snmp | json").(map[string]any)
	text := s.Exec("show snmp")
	// The screen's lines in order, and the key each one's number is under.
	keys := []string{"in_pkts", "in_bad_versions", "in_bad_community_names", "in_bad_community_uses", "in_unknown_user_names", "in_user_acl_refused", "in_asn_parse_errs",
		"in_total_req_vars", "in_total_set_vars", "in_get_requests", "in_get_nexts", "in_set_requests", "input_queue_drops",
		"out_pkts", "out_too_bigs", "out_no_such_names", "out_bad_values", "out_gen_errs", "out_get_responses", "out_traps"}
	var counts []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "    Logging to ") {
			continue // the hosts' counts, below
		}
		if m := regexp.MustCompile(`^ *(\d+) `).FindStringSubmatch(l); m != nil {
			counts = append(counts, m[1])
		}
	}
	if len(counts) != len(keys) {
		t.Fatalf("show snmp prints %d counters, want %d:\n%s", len(counts), len(keys), text)
	}
	for i, k := range keys {
		n, ok := v[k].(float64)
		if !ok || strconv.FormatFloat(n, 'f', -1, 64) != counts[i] {
			t.Errorf("%s = %v in the JSON; the screen's line %d says %s", k, v[k], i+1, counts[i])
		}
	}
	logging, _ := v["logging"].([]any)
	if len(logging) != 1 || fmt.Sprint(logging[0]) != "map[dropped:17 host:192.0.2.10:162 sent:16]" ||
		!strings.Contains(text, "\nSNMP logging: enabled\n    Logging to 192.0.2.10.162, 0/10, 16 sent, 17 dropped.\n") {
		t.Errorf("show snmp | json logging = %v\ntext:\n%s", v["logging"], text)
	}
	if len(v) != len(keys)+4 || v["contact"] != "noc@example.net" || v["location"] != "rack 4" || v["enabled"] != true ||
		!strings.HasPrefix(text, "Contact: noc@example.net\nLocation: rack 4\n141 SNMP packets input\n") {
		t.Errorf("show snmp | json = %v\ntext:\n%s", v, text)
	}
	// No agent: the screen says so, and the JSON says only that.
	s = NewSession(&fakeBackend{cfg: config.Config{Hostname: "tap1"}}, false)
	if got := s.Exec("show snmp | json"); got != "{\n  \"enabled\": false\n}\n" {
		t.Errorf("show snmp | json without an agent: %q", got)
	}
	if got := s.Exec("show snmp"); got != "%SNMP agent not enabled\n" {
		t.Errorf("show snmp without an agent: %q", got)
	}
	if got := s.Exec("show snmp | json brief"); got != strings.Repeat(" ", 22)+"^\n% Invalid input detected at '^' marker.\n" {
		t.Errorf("show snmp | json brief: %q", got)
	}
}
