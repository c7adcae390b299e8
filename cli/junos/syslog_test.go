package junos

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
)

// TestSyslogCommit: an operator on the JunOS persona says where logs go
// (and adds a login, turns SSH off);
// the commit is the IOS running-config's logging lines, `show
// configuration` shows it both ways, each host with its own level, and
// rollback takes it back.
func TestSyslogCommit(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(f, "ops")
	run := func(line string) string { return s.Exec(line) }
	run("configure")
	for _, l := range []string{
		"set system syslog host 192.0.2.50 any notice",
		"set system syslog host 192.0.2.50 port 5514",
		"set system syslog host 192.0.2.50 facility-override local5",
		"set system syslog host 192.0.2.51 any notice",
		"set system login user noc class super-user",
		"delete system services ssh",
	} {
		if out := run(l); out != "" {
			t.Fatalf("%s: %q", l, out)
		}
	}
	if out := run("set system syslog host 192.0.2.51 any error"); out != "" {
		t.Errorf("a per-host level: %q", out)
	}
	if out := run(`set system login user noc authentication encrypted-password "$6$salt$hash"`); !strings.Contains(out, "error:") || !strings.Contains(out, "SHA-512 crypt") {
		t.Errorf("a $6$ hash: %q", out)
	}
	if out := run("set system syslog host 192.0.2.51 any loud"); !strings.Contains(out, "syntax error") {
		t.Errorf("a bad level: %q", out)
	}
	if out := run("commit"); !strings.Contains(out, "commit complete") {
		t.Fatalf("commit: %q", out)
	}
	if len(f.history) != 2 {
		t.Fatalf("%d commits", len(f.history)-1)
	}
	r := ios.RunningConfig(f.history[1])
	for _, want := range []string{"logging host 192.0.2.50 transport udp port 5514\n", "logging host 192.0.2.51\n", "logging trap notifications\n", "logging facility local5\n", "username noc privilege 15\n", " transport input none\n"} {
		if !strings.Contains(r, want) {
			t.Errorf("IOS running-config lacks %q:\n%s", want, r)
		}
	}
	run("exit")
	set := run("show configuration | display set")
	if !strings.Contains(set, "set system syslog host 192.0.2.50 any notice\n") || !strings.Contains(set, "set system syslog host 192.0.2.51 any error\n") || !strings.Contains(set, "set system syslog host 192.0.2.50 port 5514\n") {
		t.Errorf("display set:\n%s", set)
	}
	braces := run("show configuration")
	if !strings.Contains(braces, "syslog {") || !strings.Contains(braces, "facility-override local5;") {
		t.Errorf("show configuration:\n%s", braces)
	}
	run("configure")
	run("rollback 1")
	if out := run("commit"); !strings.Contains(out, "commit complete") {
		t.Fatalf("commit: %q", out)
	}
	if l := f.history[len(f.history)-1].Logging; len(l.Hosts) != 0 || l.Trap != "" || l.Facility != "" || len(f.history[len(f.history)-1].Users) != 0 {
		t.Errorf("after rollback 1: %+v", l)
	}
}
