package junos

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/cli/show"
)

// acctBackend gives every number on the accounting screen a distinct
// value, so a swapped field shows.
type acctBackend struct{ *fakeBackend }

func (acctBackend) Accounting() show.AccountingView {
	v := (&fakeBackend{}).Accounting()
	v.Cache.Stats.Expired[flow.EndIdle] = 5
	v.Cache.Stats.Expired[flow.EndNoResource] = 1
	v.Cache.Stats.Expired[flow.EndActive] = 3
	v.Cache.Stats.Protocols = []show.ProtocolStats{{Packets: 1000, Bytes: 64000}}
	v.Cache.Flows = []flow.Record{{Packets: 70, Bytes: 7000}}
	v.Exports = []show.ExportStats{{Records: 8, Packets: 4}, {Records: 11, Packets: 6}}
	// The cache's flows, each once: not the destinations' 19.
	v.CacheExport = show.CacheExport{Exported: 11}
	v.Packets10s, v.Bytes10s = 120, 96000
	return v
}

func TestDisplayJSONAccountingFlow(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(acctBackend{&fakeBackend{history: []config.Config{base}}}, "ops")
	out := s.Exec("show services accounting flow | display json")
	var got map[string]uint64
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	text := s.Exec("show services accounting flow")
	for label, key := range map[string]string{
		"Flow packets": "flow_packets", "Flow bytes": "flow_bytes",
		"Flow packets 10-second rate": "flow_packets10s_rate", "Flow bytes 10-second rate": "flow_bytes10s_rate",
		"Active flows": "active_flows", "Total flows": "total_flows",
		"Flows exported": "flows_exported", "Flows packets exported": "flows_packets_exported",
		"Flows inactive timed out": "flows_inactive_timed_out", "Flows active timed out": "flows_active_timed_out",
	} {
		m := regexp.MustCompile(`(?:^|, |\s)` + regexp.QuoteMeta(label) + `: (\d+)`).FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("%q not on the screen:\n%s", label, text)
		}
		n, _ := strconv.ParseUint(m[1], 10, 64)
		if v, ok := got[key]; !ok || v != n {
			t.Errorf("%s = %d on the screen, %s = %d (present %v) in JSON", label, n, key, v, ok)
		}
	}
	if got["flows_exported"] != 11 || got["flows_inactive_timed_out"] != 6 || got["flow_packets10s_rate"] != 12 ||
		got["flow_packets"] != 1070 || got["flow_bytes"] != 71000 {
		t.Errorf("JSON = %v", got)
	}
	if got, want := s.Exec("show configuration | display json"), "error: display json is not supported for this command\n"; got != want {
		t.Errorf("show configuration | display json = %q, want %q", got, want)
	}
	// A command with no JSON form is refused before it runs.
	f := &fakeBackend{history: []config.Config{base}}
	s = NewSession(acctBackend{f}, "ops")
	s.Exec("configure")
	s.Exec("set system host-name other")
	if got, want := s.Exec("commit | display json"), "error: display json is not supported for this command\n"; got != want || len(f.history) != 1 {
		t.Errorf("commit | display json = %q with %d commits, want %q and none", got, len(f.history)-1, want)
	}
}

// tableBackend has live flows, export errors and a filter, so every
// other accounting screen has numbers to compare.
type tableBackend struct{ acctBackend }

func (b tableBackend) Accounting() show.AccountingView {
	v := b.acctBackend.Accounting()
	mk := func(src string, proto uint8, dport uint16, pk, by uint64) flow.Record {
		return flow.Record{Key: flow.Key{SrcAddr: netip.MustParseAddr(src), DstAddr: netip.MustParseAddr("192.0.2.1"), Proto: proto, DstPort: dport},
			Packets: pk, Bytes: by, Start: v.Cache.Now.Add(-42 * time.Second)}
	}
	v.Cache.Flows = []flow.Record{mk("10.0.0.1", 6, 443, 30, 40000), mk("10.0.0.2", 6, 443, 12, 9000), mk("10.0.0.3", 17, 53, 50, 4000)}
	v.Cache.Stats.AllocFailures, v.Cache.Stats.HarvestErrors = 7, 2
	v.Exports[0].Errors, v.Exports[1].Dropped, v.Exports[1].NotExportable = 3, 4, 5
	v.Status = show.AccountingStatus{ExportFormat: "cflowd v9", RouteRecordCount: 812, ASCount: 37, RouteRecordSet: true}
	return v
}

func (tableBackend) FirewallFilter(name string) ([]show.FirewallCounter, error) {
	return []show.FirewallCounter{{Name: "web", Bytes: 123456, Packets: 321}, {Name: "rest", Bytes: 77, Packets: 1}}, nil
}

// TestDisplayJSONTables: flow-detail, aggregation, errors and firewall
// filter carry in JSON the numbers their screens print.
func TestDisplayJSONTables(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(tableBackend{acctBackend{&fakeBackend{history: []config.Config{base}}}}, "ops")
	doc := func(line string, v any) string {
		t.Helper()
		out := s.Exec(line + " | display json")
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", line, err, out)
		}
		return s.Exec(line)
	}

	var detail struct {
		Flows []struct {
			SourceAddress string `json:"source_address"`
			PacketCount   uint64 `json:"packet_count"`
			ByteCount     uint64 `json:"byte_count"`
			Since         int    `json:"time_since_last_active_timeout"`
		}
	}
	text := doc("show services accounting flow-detail order bytes limit 2", &detail)
	blocks := regexp.MustCompile(`Source address: (\S+),[^\n]*\n[^\n]*\n[^\n]*\n\s*Packet count: (\d+), Byte count: (\d+)\n\s*Time since last active timeout: (\d+) seconds`).FindAllStringSubmatch(text, -1)
	if len(detail.Flows) != 2 || len(blocks) != 2 {
		t.Fatalf("flow-detail: %d JSON flows, %d blocks:\n%s", len(detail.Flows), len(blocks), text)
	}
	for i, f := range detail.Flows {
		b := blocks[i]
		if b[1] != f.SourceAddress || b[2] != strconv.FormatUint(f.PacketCount, 10) || b[3] != strconv.FormatUint(f.ByteCount, 10) || b[4] != strconv.Itoa(f.Since) {
			t.Errorf("flow %d: JSON %+v, screen %v", i, f, b[1:])
		}
	}
	if detail.Flows[0].SourceAddress != "10.0.0.1" || detail.Flows[0].Since != 42 {
		t.Errorf("flow-detail order: %+v", detail.Flows)
	}

	var agg struct {
		Aggregations []struct {
			Protocol        int
			DestinationPort int    `json:"destination_port"`
			FlowCount       uint64 `json:"flow_count"`
			PacketCount     uint64 `json:"packet_count"`
			ByteCount       uint64 `json:"byte_count"`
		}
	}
	text = doc("show services accounting aggregation", &agg)
	if len(agg.Aggregations) != 2 {
		t.Fatalf("aggregation: %+v", agg)
	}
	for _, a := range agg.Aggregations {
		re := regexp.MustCompile(fmt.Sprintf(`(?m)^  %d +%d +%d +%d +%d$`, a.Protocol, a.DestinationPort, a.FlowCount, a.PacketCount, a.ByteCount))
		if !re.MatchString(text) {
			t.Errorf("no line for %+v:\n%s", a, text)
		}
	}
	if a := agg.Aggregations[0]; a.Protocol != 6 || a.FlowCount != 2 || a.ByteCount != 49000 {
		t.Errorf("first aggregation = %+v", a)
	}

	var errs map[string]uint64
	text = doc("show services accounting errors", &errs)
	for label, key := range map[string]string{
		"Flow creation failures": "flow_creation_failures", "Export packet send errors": "export_send_errors",
		"Export packets dropped (queue full)": "export_queue_drops", "Flows not exportable in the configured version": "flows_not_exportable",
		"Harvest errors": "harvest_errors",
	} {
		m := regexp.MustCompile(regexp.QuoteMeta(label) + `: (\d+)`).FindStringSubmatch(text)
		if m == nil || m[1] != strconv.FormatUint(errs[key], 10) {
			t.Errorf("%s: screen %v, JSON %s = %d", label, m, key, errs[key])
		}
	}
	if errs["flow_creation_failures"] != 7 || errs["export_queue_drops"] != 4 {
		t.Errorf("errors JSON = %v", errs)
	}

	var st struct {
		ExportFormat     string `json:"export_format"`
		RouteRecordCount int    `json:"route_record_count"`
		ASCount          int    `json:"as_count"`
		TimeSet          bool   `json:"time_set"`
		RouteRecordSet   bool   `json:"route_record_set"`
	}
	text = doc("show services accounting status", &st)
	if want := fmt.Sprintf("    Export format: %s\n    Route record count: %d, AS count: %d\n    Time set: No, Route record set: Yes\n",
		st.ExportFormat, st.RouteRecordCount, st.ASCount); !strings.HasSuffix(text, want) || st.ASCount != 37 || st.TimeSet || !st.RouteRecordSet {
		t.Errorf("status JSON %+v; screen:\n%s", st, text)
	}

	var fw struct {
		FilterName string `json:"filter_name"`
		Counters   []struct {
			Name           string
			Bytes, Packets uint64
		}
	}
	text = doc("show firewall filter f1", &fw)
	if fw.FilterName != "f1" || len(fw.Counters) != 2 {
		t.Fatalf("firewall JSON = %+v", fw)
	}
	for _, c := range fw.Counters {
		if !regexp.MustCompile(fmt.Sprintf(`(?m)^%s +%d +%d$`, c.Name, c.Bytes, c.Packets)).MatchString(text) {
			t.Errorf("no line for %+v:\n%s", c, text)
		}
	}
}
