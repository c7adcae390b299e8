package junos

import (
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/cli/show"
)

func (f *fakeBackend) Inventory() []show.InventoryItem {
	return []show.InventoryItem{{Name: "Chassis", Descr: "flowtap NetFlow probe, Juniper cflowd persona", PID: "FLOWTAP-CFLOWD", SN: "SN42"},
		{Name: "ge-0/0/1", Descr: "Metered port ge-0/0/1 (XDP native)", Contained: true}}
}

func (f *fakeBackend) RoutingEngine() show.RoutingEngineView {
	return show.RoutingEngineView{MemoryMB: 2048, MemoryUtil: 40, CPU: show.CPUSplit{User: 30, Kernel: 10, Idle: 60},
		Model: "FLOWTAP-CFLOWD", Serial: "SN42", Start: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Uptime: 90 * time.Second,
		Load: [3]float64{1, 0.5, 0.25}}
}

// TestShowChassis: operational mode's `show chassis hardware` and `show
// chassis routing-engine` print the backend's inventory and routing
// engine (the layouts are cli/show's goldens); `?` after show chassis
// lists both, and run reaches them from configuration mode.
func TestShowChassis(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(f, "ops")
	if h := strings.Join(shell{s}.Help("show chassis "), "\n"); h != "Possible completions:\n"+
		"  hardware             Show installed hardware components\n"+
		"  routing-engine       Show Routing Engine information" {
		t.Errorf("show chassis ?:\n%s", h)
	}
	var hw, re strings.Builder
	show.ChassisHardware(&hw, f.Inventory())
	show.RoutingEngine(&re, f.RoutingEngine())
	if got := s.Exec("show chassis hardware"); got != hw.String() || !strings.Contains(got, "\n  ge-0/0/1 ") {
		t.Errorf("show chassis hardware:\n%s\nwant:\n%s", got, hw.String())
	}
	if got := s.Exec("show chassis routing-engine | match Uptime"); got != "    Uptime                         1 minute, 30 seconds\n" {
		t.Errorf("show chassis routing-engine | match Uptime: %q", got)
	}
	s.Exec("configure")
	if got := s.Exec("run show chassis routing-engine"); got != re.String() {
		t.Errorf("run show chassis routing-engine:\n%s\nwant:\n%s", got, re.String())
	}
}
