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

func (f *fakeBackend) System() show.JunosSystemView {
	now := time.Date(2026, 12, 7, 13, 10, 30, 0, time.UTC)
	return show.JunosSystemView{Hostname: f.Hostname(), Model: "flowtap-cflowd", Version: "1.4.0", Arch: "amd64", GoVersion: "go1.24.1",
		Now: now, Booted: now.Add(-2 * time.Hour), Started: now.Add(-time.Hour)}
}

// TestShowVersionUptimeUsers: `show version`, `show system uptime` and
// `show system users` print the backend's view of the box and the
// session's table of lines (those with someone logged in counted as
// users); `?` after show system lists uptime and users.
func TestShowVersionUptimeUsers(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	lines := []show.UserLine{{Number: 0, Name: "con 0"}, {Number: 1, Name: "vty 0", User: "ops", Location: "192.0.2.10", Self: true,
		Since: time.Date(2026, 12, 7, 13, 0, 0, 0, time.UTC)}}
	s := NewSessionWith(f, Options{User: "ops", Users: func() []show.UserLine { return lines }})
	help := strings.Join(shell{s}.Help("show system "), "\n")
	for _, w := range []string{"  uptime               Show time since the system rebooted and protocols started",
		"  users                Show users who are currently logged in"} {
		if !strings.Contains(help, w) {
			t.Errorf("show system ? lacks %q:\n%s", w, help)
		}
	}
	var ver, up, users strings.Builder
	show.JunosVersion(&ver, f.System())
	show.JunosSystemUptime(&up, f.System(), 1)
	show.JunosSystemUsers(&users, f.System(), lines)
	for cmd, want := range map[string]string{"show version": ver.String(), "show system uptime": up.String(), "show system users": users.String()} {
		if got := s.Exec(cmd); got != want {
			t.Errorf("%s:\n%s\nwant:\n%s", cmd, got, want)
		}
	}
	if got := s.Exec("show system uptime | match load"); got != " 1:10PM  up 2:00, 1 user, load averages: 0.00, 0.00, 0.00\n" {
		t.Errorf("show system uptime's users: %q", got)
	}
	if got := s.Exec("show system users | except USER"); !strings.HasPrefix(got, " 1:10PM") || !strings.Contains(got, "\nops      vty0     192.0.2.10 ") || strings.Contains(got, "con0") {
		t.Errorf("show system users: %q", got)
	}
}

func (f *fakeBackend) ProcessesSummary() show.ProcessesSummaryView {
	return show.ProcessesSummaryView{LastPID: 900, Up: time.Hour, Now: time.Date(2026, 12, 7, 13, 10, 30, 0, time.UTC), States: map[byte]int{'R': 1, 'S': 9},
		Process: show.TopProcess{PID: 812, User: "root", Threads: 3, State: 'S', Command: "flowtapd"}}
}

// TestShowSystemProcessesSummary: the command prints the backend's
// summary; `show system processes` wants its summary.
func TestShowSystemProcessesSummary(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(f, "ops")
	var want strings.Builder
	show.ProcessesSummary(&want, f.ProcessesSummary())
	if got := s.Exec("show system processes summary"); got != want.String() || !strings.HasPrefix(got, "last pid:   900;") {
		t.Errorf("show system processes summary:\n%s\nwant:\n%s", got, want.String())
	}
	if got := s.Exec("show system processes"); !strings.Contains(got, "syntax error") {
		t.Errorf("show system processes: %q", got)
	}
}

func (f *fakeBackend) Alarms() []show.Alarm { return nil }

func (f *fakeBackend) SystemStorage() []show.Filesystem {
	return []show.Filesystem{{Name: "/dev/vda1", MountedOn: "/", Size: 8 << 30, Used: 3 << 30, Avail: 4 << 30}}
}

func (f *fakeBackend) SystemMemory() show.SystemMemoryView {
	return show.SystemMemoryView{Total: 1000, Active: 250, Free: 500}
}

// TestShowSystemMemory: the command prints the backend's memory lists.
func TestShowSystemMemory(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	var want strings.Builder
	show.SystemMemory(&want, f.SystemMemory())
	if got := NewSession(f, "ops").Exec("show system memory"); got != want.String() || !strings.Contains(got, "\n      Active memory:      250 Kbytes ( 25%)\n") {
		t.Errorf("show system memory:\n%s\nwant:\n%s", got, want.String())
	}
}

func (f *fakeBackend) LogMessages() show.LogMessagesView { return show.LogMessagesView{} }
