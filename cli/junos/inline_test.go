package junos

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/cli/show"
)

// TestInlineJflowScreens: an MX operator's `show services accounting
// flow|errors|status inline-jflow fpc-slot N` give the per-FPC layouts
// for the slot the sampling instance is bound to, and refuse a slot
// with none. Before, each was a syntax error.
func TestInlineJflowScreens(t *testing.T) {
	base, err := junosconf.Parse("base", []byte(`set system host-name mx1
set flowtap platform cflowd
set chassis fpc 0 sampling-instance S1
set services flow-monitoring version9 template T1 ipv4-template
set forwarding-options sampling instance S1 input rate 1
set forwarding-options sampling instance S1 family inet output flow-server 192.0.2.7 port 2055
set forwarding-options sampling instance S1 family inet output flow-server 192.0.2.7 version9 template T1
`))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(v9Backend{f}, "ops")
	got := transcript(s, `
show services accounting flow inline-jflow fpc-slot 0
show services accounting errors inline-jflow fpc-slot 0
show services accounting status inline-jflow fpc-slot 0
show services accounting flow inline-jflow fpc-slot 1
show services accounting flow inline-jflow fpc-slot 0 | match Active`)
	want := `ops@mx1> show services accounting flow inline-jflow fpc-slot 0
  Flow information
    FPC Slot: 0
    Flow Packets: 0, Flow Bytes: 0
    Active Flows: 2, Total Flows: 9
    Flows Exported: 0, Flow Packets Exported: 0
    Flows Inactive Timed Out: 0, Flows Active Timed Out: 0
ops@mx1> show services accounting errors inline-jflow fpc-slot 0
  Error information
    FPC Slot: 0
    Flow Creation Failures: 0
    Export Packet Failures: 0
    Memory Overload: No
ops@mx1> show services accounting status inline-jflow fpc-slot 0
  Status information
    FPC Slot: 0
    Export format: cflowd v9
    Route Record Count: 0, AS count: 0
    Route-Records Set: No, Config Set: Yes
ops@mx1> show services accounting flow inline-jflow fpc-slot 1
error: FPC 1 has no sampling instance (set chassis fpc 1 sampling-instance NAME)
ops@mx1> show services accounting flow inline-jflow fpc-slot 0 | match Active
    Active Flows: 2, Total Flows: 9
    Flows Inactive Timed Out: 0, Flows Active Timed Out: 0
`
	if got != want {
		t.Fatalf("screen:\n%s\nwant:\n%s", got, want)
	}
	// The clear, for the bound slot or all; another slot is refused.
	if out := s.Exec("clear services accounting statistics inline-jflow fpc-slot 1"); out != "error: FPC 1 has no sampling instance (set chassis fpc 1 sampling-instance NAME)\n" {
		t.Errorf("clear on an unbound slot: %q", out)
	}
	if out := s.Exec("clear services accounting statistics inline-jflow fpc-slot 0") + s.Exec("clear services accounting statistics"); out != "" {
		t.Errorf("clear printed %q", out)
	}
	if f.cleared != 2 {
		t.Errorf("%d clears reached the backend, want 2", f.cleared)
	}
}

// v9Backend is the fake whose flow-servers get v9, as the daemon's
// status says.
type v9Backend struct{ *fakeBackend }

func (b v9Backend) Accounting() show.AccountingView {
	v := b.fakeBackend.Accounting()
	v.Status.ExportFormat = "cflowd v9"
	return v
}
