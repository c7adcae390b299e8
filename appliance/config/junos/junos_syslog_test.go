package junos

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
)

// TestSyslogRoundTrip: the syslog hosts, their port, the one level and
// facility go through both renderings and parse back equal, and the IOS
// running-config shows them as logging lines.
func TestSyslogRoundTrip(t *testing.T) {
	c, err := Parse("t", []byte(`set system host-name jr
set system syslog host 192.0.2.9 any warning
set system syslog host 192.0.2.9 port 1514
set system syslog host 192.0.2.9 facility-override local3
set system syslog host 2001:db8::9 any warning
set system syslog host 192.0.2.10
`))
	if err != nil {
		t.Fatal(err)
	}
	l := c.Logging
	want := []netip.Addr{netip.MustParseAddr("192.0.2.9"), netip.MustParseAddr("2001:db8::9"), netip.MustParseAddr("192.0.2.10")}
	if len(l.Hosts) != 3 || l.Hosts[0] != want[0] || l.Hosts[1] != want[1] || l.Hosts[2] != want[2] {
		t.Fatalf("hosts %v", l.Hosts)
	}
	if l.Trap != "warnings" || l.Facility != "local3" || l.HostPort(want[0]) != 1514 || l.HostPort(want[2]) != 514 {
		t.Fatalf("logging %+v", l)
	}
	set := RenderSet(c)
	for _, s := range []string{
		"set system syslog host 192.0.2.9 any warning\n",
		"set system syslog host 192.0.2.9 port 1514\n",
		"set system syslog host 192.0.2.9 facility-override local3\n",
		"set system syslog host 192.0.2.10 any warning\n",
	} {
		if !strings.Contains(set, s) {
			t.Errorf("display set lacks %q:\n%s", s, set)
		}
	}
	for name, text := range map[string]string{"set": set, "braces": Render(c)} {
		back, err := Parse("back", []byte(text))
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, text)
		}
		if d := config.Diff(c, back); len(d) != 0 {
			t.Errorf("%s: parse back differs: %v\n%s", name, d, text)
		}
	}
	if u := Unmapped(c); len(u) != 0 {
		t.Errorf("unmapped %v", u)
	}
	run := ios.RunningConfig(c)
	for _, s := range []string{"logging host 192.0.2.9 transport udp port 1514\n", "logging host 192.0.2.10\n", "logging trap warnings\n", "logging facility local3\n"} {
		if !strings.Contains(run, s) {
			t.Errorf("IOS running-config lacks %q:\n%s", s, run)
		}
	}
}

// TestSyslogRefusals: what the model cannot hold is refused with its
// reason, and bad words get JunOS's syntax errors.
func TestSyslogRefusals(t *testing.T) {
	base, err := Parse("t", []byte("set system syslog host 192.0.2.9 any warning\nset system syslog host 192.0.2.10\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ line, want string }{
		{"set system syslog host 192.0.2.10 facility-override local1", "flowtap sends every host the same facility"},
		{"set system syslog host 192.0.2.10 any verbose", "syntax error"},
		{"set system syslog host 192.0.2.10 facility-override daemon", "syntax error"},
		{"set system syslog host 192.0.2.10 port 70000", "value 70000 is not within range (1..65535)"},
		{"set system syslog host bogus", "syntax error"},
	} {
		s := NewSession(base, "terminal")
		err := s.Exec(tc.line)
		var le *config.LineError
		if !errors.As(err, &le) {
			t.Errorf("%s: %v, want a line error", tc.line, err)
			continue
		}
		if got := le.Error(); !strings.Contains(got, tc.want) || strings.Contains(got, "%") {
			t.Errorf("%s: %q, want %q", tc.line, got, tc.want)
		}
	}
	// The same level on every host is taken, and so is a change once the
	// host is the only one.
	s := NewSession(base, "terminal")
	for _, l := range []string{"set system syslog host 192.0.2.10 any warning", "delete system syslog host 192.0.2.10", "set system syslog host 192.0.2.9 any critical", "set system syslog host 192.0.2.9 port 514"} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	c, err := s.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if l := c.Logging; len(l.Hosts) != 1 || l.Trap != "critical" || l.Ports != nil {
		t.Errorf("logging %+v", l)
	}
	// Deleting the last host takes its level and facility with it.
	s = NewSession(c, "terminal")
	if err := s.Exec("delete system syslog"); err != nil {
		t.Fatal(err)
	}
	if c, err = s.Commit(); err != nil || len(c.Logging.Hosts) != 0 || c.Logging.Trap != "" {
		t.Errorf("after delete system syslog: %+v %v", c.Logging, err)
	}
}

// TestSyslogHostLevels: each host keeps a level of its own (`any LEVEL`),
// the hosts without one take the first host's; both renderings parse
// back to the same model; deleting a host's level gives it the default;
// IOS `logging trap` is one level for every host again.
func TestSyslogHostLevels(t *testing.T) {
	a, b, c3 := netip.MustParseAddr("192.0.2.9"), netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("192.0.2.11")
	c, err := Parse("t", []byte(`set system syslog host 192.0.2.9 any warning
set system syslog host 192.0.2.10 any error
set system syslog host 192.0.2.11
`))
	if err != nil {
		t.Fatal(err)
	}
	l := c.Logging
	if l.HostLevel(a) != "warnings" || l.HostLevel(b) != "errors" || l.HostLevel(c3) != "warnings" || l.Trap != "warnings" || len(l.HostLevels) != 1 {
		t.Fatalf("levels %+v", l)
	}
	set := RenderSet(c)
	if !strings.Contains(set, "set system syslog host 192.0.2.9 any warning\nset system syslog host 192.0.2.10 any error\nset system syslog host 192.0.2.11 any warning\n") {
		t.Errorf("display set:\n%s", set)
	}
	for name, text := range map[string]string{"set": set, "braces": Render(c)} {
		back, err := Parse("back", []byte(text))
		if err != nil || len(config.Diff(c, back)) != 0 {
			t.Errorf("%s: parse back: %v %v\n%s", name, err, config.Diff(c, back), text)
		}
	}
	// IOS says the levels with flowtap's own line, and reads them back.
	rc := ios.RunningConfig(c)
	if !strings.Contains(rc, "\nlogging trap warnings\nlogging host 192.0.2.9\nlogging host 192.0.2.10\nlogging host 192.0.2.11\nflowtap logging host 192.0.2.10 level errors\n") {
		t.Errorf("IOS running-config:\n%s", rc)
	}
	if back, err := ios.Parse("ios", []byte(ios.Render(c))); err != nil || !config.Equal(back, c) {
		t.Errorf("IOS round trip: %v %v", err, config.Diff(c, back))
	}
	is := ios.NewSession(c, "terminal")
	if err := is.Exec("flowtap logging host 192.0.2.99 level errors"); err == nil || !strings.Contains(err.Error(), "not a logging host") {
		t.Errorf("a level for a host that is not configured: %v", err)
	}
	if err := is.Exec("no flowtap logging host 192.0.2.10 level"); err != nil || is.Config().Logging.HostLevel(b) != "warnings" {
		t.Errorf("no flowtap logging host: %v %+v", err, is.Config().Logging)
	}
	// The first host back to the default: the others keep theirs, and
	// the default shows where it is not the first host's.
	s := NewSession(c, "terminal")
	if err := s.Exec("set system syslog host 192.0.2.11 any info"); err != nil {
		t.Fatal(err)
	}
	if err := s.Exec("delete system syslog host 192.0.2.9 any"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if l := got.Logging; l.HostLevel(a) != "informational" || l.HostLevel(b) != "errors" || l.HostLevel(c3) != "informational" || l.Trap != "" {
		t.Errorf("after the changes: %+v", l)
	}
	if back, err := Parse("back", []byte(RenderSet(got))); err != nil || len(config.Diff(got, back)) != 0 {
		t.Errorf("parse back: %v %v\n%s", err, config.Diff(got, back), RenderSet(got))
	}
	// IOS's logging trap: one level for every host.
	i := ios.NewSession(c, "terminal")
	if err := i.Exec("logging trap notifications"); err != nil {
		t.Fatal(err)
	}
	if l := i.Config().Logging; l.HostLevel(a) != "notifications" || l.HostLevel(b) != "notifications" || l.HostLevels != nil {
		t.Errorf("after logging trap: %+v", l)
	}
}
