package junos

import (
	"encoding/json"
	"net/netip"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/cli/show"
)

// aggBackend runs a protocol-port and a prefix cache.
type aggBackend struct{ *fakeBackend }

func (aggBackend) Aggregations() []show.AggregationView {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	name := func(i uint32) string { return map[uint32]string{2: "eth1", 3: "eth2"}[i] }
	pp := show.AggregationView{Now: now, Config: show.AggregationConfig{Scheme: platform.SchemeProtocolPort}, IfName: name,
		Aggregates: []show.Aggregate{
			{Record: flow.Record{Key: flow.Key{Proto: 17, SrcPort: 4000, DstPort: 53}, Packets: 8, Bytes: 900}, Flows: 2},
			{Record: flow.Record{Key: flow.Key{Proto: 6, SrcPort: 33000, DstPort: 443}, Packets: 30, Bytes: 40000}, Flows: 1},
			{Record: flow.Record{Key: flow.Key{Proto: 1}, Packets: 100, Bytes: 6400}, Flows: 4},
		}}
	pfx := show.AggregationView{Now: now, Config: show.AggregationConfig{Scheme: platform.SchemePrefix}, IfName: name,
		Aggregates: []show.Aggregate{
			{Record: flow.Record{Key: flow.Key{SrcAddr: netip.MustParseAddr("10.0.0.0"), DstAddr: netip.MustParseAddr("192.0.2.0"), InputIf: 2},
				OutputIf: 3, SrcMask: 24, DstMask: 24, Packets: 11, Bytes: 2108}, Flows: 3},
		}}
	return []show.AggregationView{pp, pfx}
}

func TestAggregationTypes(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(aggBackend{&fakeBackend{history: []config.Config{base}}}, "ops")
	head := "  Service Accounting interface: xdp-0/0/0, Local interface index: 0\n  Service name: (default sampling)\n  Interface state: Accounting\n"
	for line, want := range map[string]string{
		"show services accounting aggregation protocol-port": head +
			"  Protocol Source port Destination port Flow count Packet count Byte count\n" +
			"  6        33000       443              1          30           40000\n" +
			"  1        0           0                4          100          6400\n" +
			"  17       4000        53               2          8            900\n",
		"show services accounting aggregation source-destination-prefix": head +
			"  Source prefix Destination prefix Input interface Output interface Flow count Packet count Byte count\n" +
			"  10.0.0.0/24   192.0.2.0/24       eth1            eth2             3          11           2108\n",
		"show services accounting aggregation as": "error: no as aggregation is running (ip flow-aggregation cache as)\n",
		"show services accounting aggregation protocol-port order packets limit 2": head +
			"  Protocol Source port Destination port Flow count Packet count Byte count\n" +
			"  1        0           0                4          100          6400\n" +
			"  6        33000       443              1          30           40000\n",
		"show services accounting aggregation protocol-port limit 1 order bytes": head +
			"  Protocol Source port Destination port Flow count Packet count Byte count\n" +
			"  6        33000       443              1          30           40000\n",
		"show services accounting aggregation protocol-port limit 0": "show services accounting aggregation protocol-port limit 0\n" +
			"                                                         ^\nsyntax error, expecting <command>.\n",
	} {
		if got := s.Exec(line); got != want {
			t.Errorf("%s:\n%s\nwant\n%s", line, got, want)
		}
	}
	var doc struct {
		Aggregations []map[string]any `json:"aggregations"`
	}
	out := s.Exec("show services accounting aggregation source-destination-prefix | display json")
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(doc.Aggregations) != 1 || doc.Aggregations[0]["source_prefix"] != "10.0.0.0/24" || doc.Aggregations[0]["byte_count"] != 2108.0 ||
		doc.Aggregations[0]["flow_count"] != 3.0 || doc.Aggregations[0]["output_interface"] != "eth2" {
		t.Errorf("JSON:\n%s", out)
	}
}
