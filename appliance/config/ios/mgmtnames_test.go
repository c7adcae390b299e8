package ios

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/internal/dnsmasq"
)

// TestManagementHostNames: `logging host`, `ntp server` and `snmp-server
// host` take a host name as IOS does, resolved once when the line is
// entered (the ip host table first, then the name servers: a real
// dnsmasq here), and the running-config keeps the address, as IOS
// 12.4(25) shows `ntp server NAME`. `no` resolves the name too, and a
// name nobody resolves is invalid input at the name, nothing changed.
func TestManagementHostNames(t *testing.T) {
	ns := dnsmasq.Addr(13)
	dnsmasq.Start(t, ns, "flowtap.test", map[string]netip.Addr{
		"syslog.flowtap.test": netip.MustParseAddr("192.0.2.51"),
		"ntp1.flowtap.test":   netip.MustParseAddr("192.0.2.52"),
		"nms.flowtap.test":    netip.MustParseAddr("2001:db8::53"),
	})
	s := NewSession(config.Config{}, "console")
	exec := func(l string) {
		t.Helper()
		if err := s.Exec(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	exec("ip name-server " + ns.String())
	exec("ip domain name flowtap.test")
	exec("ip host spare 198.51.100.7")
	exec("logging host syslog transport udp port 5514")
	exec("logging SPARE") // the old form, the host table
	exec("ntp server ntp1 prefer")
	exec("ntp server spare")
	exec("snmp-server host nms.flowtap.test version 2c public")
	// `?` after a name asks no server.
	if h := strings.Join(s.Help("ntp server elsewhere "), "|"); !strings.Contains(h, "prefer") {
		t.Errorf("? after a host name: %q", h)
	}
	run := RunningConfig(s.Config())
	for _, l := range []string{"logging host 192.0.2.51 transport udp port 5514", "logging host 198.51.100.7",
		"ntp server 192.0.2.52 prefer", "ntp server 198.51.100.7", "snmp-server host 2001:db8::53 version 2c public"} {
		if !strings.Contains(run, "\n"+l+"\n") {
			t.Errorf("running-config lacks %q:\n%s", l, run)
		}
	}
	for _, l := range []string{"logging host nosuch", "ntp server nosuch", "snmp-server host nosuch public"} {
		err := s.Exec(l)
		var le *config.LineError
		if !errors.As(err, &le) || len(le.Lines()) < 2 || le.Lines()[1] != `Translating "nosuch"...domain server (`+ns.String()+")" {
			t.Errorf("%s: %v", l, err)
		}
	}
	if after := RunningConfig(s.Config()); after != run {
		t.Errorf("refused lines changed the running-config:\n%s", after)
	}
	exec("no logging host syslog")
	exec("no ntp server ntp1")
	exec("no snmp-server host nms public")
	run = RunningConfig(s.Config())
	for _, l := range []string{"192.0.2.51", "192.0.2.52", "2001:db8::53"} {
		if strings.Contains(run, l) {
			t.Errorf("no ... NAME left %s:\n%s", l, run)
		}
	}
}

// TestBootManagementNameUnknown: a startup-config whose logging host
// nobody resolves reports that line with its file:line and why (flowtapd
// then applies the other lines: TestBootManagementNames).
func TestBootManagementNameUnknown(t *testing.T) {
	ns := dnsmasq.Addr(14)
	dnsmasq.Start(t, ns, "flowtap.test", map[string]netip.Addr{"ntp1.flowtap.test": netip.MustParseAddr("192.0.2.52")})
	src := "ip domain name flowtap.test\nip name-server " + ns.String() + "\nlogging host nosuch\nntp server ntp1\n"
	_, err := Parse("startup-config", []byte(src))
	var le *config.LineError
	if !errors.As(err, &le) || le.Line != 3 || !strings.HasPrefix(err.Error(), "startup-config:3:") || !strings.Contains(err.Error(), "unknown host nosuch") {
		t.Fatalf("boot error %v, want startup-config:3 unknown host nosuch", err)
	}
}
