package junos

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
)

// TestSSHInactive: an operator turns SSH off with `deactivate system
// services ssh` and sees why it is off in `show configuration` (the
// statement inactive) and `| display set`; the IOS running-config says
// transport input none, and `activate` takes SSH back.
func TestSSHInactive(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\nset system services ssh\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(f, "ops")
	run := func(line string) string { return s.Exec(line) }
	run("configure")
	if out := strings.Join(shell{s}.Help("deactivate system services "), "\n"); !strings.Contains(out, "  ssh ") || !strings.Contains(out, "transport input none") {
		t.Errorf("deactivate system services ?\n%s", out)
	}
	if out := run("deactivate system services telnet"); !strings.Contains(out, "syntax error") {
		t.Errorf("deactivate system services telnet: %q", out)
	}
	if out := run("deactivate system services ssh"); out != "" {
		t.Fatalf("deactivate: %q", out)
	}
	if out := run("show | compare"); !strings.Contains(out, "[edit system services]\n!   inactive: ssh;\n") {
		t.Errorf("show | compare:\n%s", out)
	}
	if out := run("commit"); !strings.Contains(out, "commit complete") {
		t.Fatalf("commit: %q", out)
	}
	if r := ios.RunningConfig(f.history[len(f.history)-1]); !strings.Contains(r, " transport input none\n") {
		t.Errorf("IOS running-config:\n%s", r)
	}
	run("exit")
	if out := run("show configuration"); !strings.Contains(out, "    services {\n        inactive: ssh;\n    }\n") {
		t.Errorf("show configuration:\n%s", out)
	}
	if out := run("show configuration system services | display set"); out != "set system services ssh\ndeactivate system services ssh\n" {
		t.Errorf("show configuration system services | display set:\n%q", out)
	}
	run("configure")
	if out := run("activate system services ssh"); out != "" {
		t.Fatalf("activate: %q", out)
	}
	if out := run("commit"); !strings.Contains(out, "commit complete") {
		t.Fatalf("commit: %q", out)
	}
	if r := ios.RunningConfig(f.history[len(f.history)-1]); !strings.Contains(r, " transport input ssh\n") {
		t.Errorf("IOS running-config after activate:\n%s", r)
	}
	run("exit")
	if out := run("show configuration system services"); out != "ssh;\n" {
		t.Errorf("show configuration system services after activate:\n%q", out)
	}
}
