package junos

import (
	"encoding/json"
	"regexp"
	"strconv"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/appliance/export"
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
	v.Cache.Stats.Protocols[0].Packets, v.Cache.Stats.Protocols[0].Bytes = 1000, 64000
	v.Cache.Flows = []flow.Record{{Packets: 70, Bytes: 7000}}
	v.Exports = []export.Stats{{Records: 8, Packets: 4}, {Records: 11, Packets: 6}}
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
	if got["flows_exported"] != 19 || got["flows_inactive_timed_out"] != 6 || got["flow_packets10s_rate"] != 12 ||
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
