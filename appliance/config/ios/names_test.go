package ios

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/internal/dnsmasq"
)

// TestDestinationHostName: `ip flow-export destination HOST PORT` takes a
// host name, as IOS does, and resolves it once, when the line is entered:
// the `ip host` table first, then the `ip name-server`s (a real dnsmasq
// here), with `ip domain name` appended to a name without a dot. The
// running-config keeps the address. A name nobody resolves is invalid
// input at the name, after IOS's "Translating" line saying whom it
// asked; `no ip domain lookup` leaves the host table alone.
func TestDestinationHostName(t *testing.T) {
	ns := dnsmasq.Addr(11)
	dnsmasq.Start(t, ns, "flowtap.test", map[string]netip.Addr{
		"collector.flowtap.test": netip.MustParseAddr("192.0.2.77"),
		"v6only.flowtap.test":    netip.MustParseAddr("2001:db8::77"),
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
	exec("ip host nfc 198.51.100.9 198.51.100.10")
	exec("ip flow-export destination collector 2055")           // domain appended
	exec("ip flow-export destination v6only.flowtap.test 4739") // AAAA only
	exec("ip flow-export destination NFC 9995")                 // the host table, any case
	// An aggregation cache's destination resolves alike.
	exec("ip flow-aggregation cache prefix")
	exec(" export destination collector 9996")
	exec("exit")
	// `?` after a name looks nothing up (it would at each keystroke).
	if h := strings.Join(s.Help("ip flow-export destination elsewhere "), "|"); !strings.Contains(h, "<1-65535>") {
		t.Errorf("? after a host name: %q", h)
	}

	var want []netip.AddrPort
	for _, a := range []string{"192.0.2.77:2055", "[2001:db8::77]:4739", "198.51.100.9:9995"} {
		want = append(want, netip.MustParseAddrPort(a))
	}
	cfg := s.Config()
	if len(cfg.Export.Destinations) != 3 {
		t.Fatalf("destinations %+v", cfg.Export.Destinations)
	}
	for i, d := range cfg.Export.Destinations {
		if d.Addr != want[i] {
			t.Errorf("destination %d is %v, want %v", i+1, d.Addr, want[i])
		}
	}
	if a := cfg.Aggregations; len(a) != 1 || len(a[0].Destinations) != 1 || a[0].Destinations[0] != netip.MustParseAddrPort("192.0.2.77:9996") {
		t.Errorf("aggregation cache %+v", a)
	}
	run := RunningConfig(cfg)
	for _, l := range []string{"ip domain name flowtap.test", "ip host nfc 198.51.100.9 198.51.100.10", "ip name-server " + ns.String(),
		"ip flow-export destination 192.0.2.77 2055", "ip flow-export destination 2001:db8::77 4739", "ip flow-export destination 198.51.100.9 9995"} {
		if !strings.Contains(run, "\n"+l+"\n") {
			t.Errorf("running-config lacks %q:\n%s", l, run)
		}
	}
	if back, err := Parse("back", []byte(run)); err != nil || !slicesEqual(back.Names, cfg.Names) {
		t.Errorf("read back: %+v, %v", back.Names, err)
	}

	// A name the server does not know: nothing changes.
	err := s.Exec("ip flow-export destination nosuch 2056")
	var le *config.LineError
	if !errors.As(err, &le) {
		t.Fatalf("nosuch: %v", err)
	}
	wantLines := []string{
		"ip flow-export destination nosuch 2056",
		`Translating "nosuch"...domain server (` + ns.String() + ")",
		"                           ^",
		"% Invalid input detected at '^' marker.",
	}
	if got := le.Lines(); strings.Join(got, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("unknown host:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantLines, "\n"))
	}
	if n := len(s.Config().Export.Destinations); n != 3 {
		t.Errorf("%d destinations after a refused line", n)
	}

	// Without lookups only the host table resolves.
	exec("no ip domain lookup")
	exec("ip flow-export destination nfc 9996")
	err = s.Exec("ip flow-export destination collector 2057")
	if !errors.As(err, &le) || le.Lines()[1] != `Translating "collector"` {
		t.Errorf("collector with no ip domain lookup: %v", err)
	}
	if !strings.Contains(RunningConfig(s.Config()), "\nno ip domain lookup\n") {
		t.Errorf("running-config lacks no ip domain lookup")
	}
	// A name server that does not answer: the lookup fails, it does not hang.
	exec("ip domain lookup")
	exec("no ip name-server " + ns.String())
	exec("ip name-server " + dnsmasq.Addr(12).String())
	if err := s.Exec("ip flow-export destination collector 2058"); err == nil {
		t.Errorf("a name resolved with no server answering")
	}
}

// TestDestinationLinkLocalZone: a link-local collector names its link
// (fe80::1%eth0), which the running-config keeps; a zone on another
// address is invalid input.
func TestDestinationLinkLocalZone(t *testing.T) {
	c, err := Parse("t", []byte("ip flow-export destination fe80::1%eth1 2055\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Export.Destinations; len(d) != 1 || d[0].Addr != netip.MustParseAddrPort("[fe80::1%eth1]:2055") {
		t.Fatalf("destinations %+v", d)
	}
	if run := RunningConfig(c); !strings.Contains(run, "\nip flow-export destination fe80::1%eth1 2055\n") {
		t.Errorf("running-config:\n%s", run)
	}
	for _, l := range []string{"ip flow-export destination 2001:db8::1%eth1 2055", "ip flow-export destination fe80::1%a/b 2055",
		// SNMP's collector tables index by address and port: one row.
		"ip flow-export destination fe80::1%eth1 2055\nip flow-export destination fe80::1%eth2 2055"} {
		if _, err := Parse("t", []byte(l+"\n")); err == nil {
			t.Errorf("%s: taken", l)
		}
	}
}

func slicesEqual(a, b config.Names) bool {
	return RunningConfig(config.Config{Names: a}) == RunningConfig(config.Config{Names: b})
}
