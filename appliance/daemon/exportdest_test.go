package daemon

import (
	"net/netip"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestUndialableDestinationLeavesOthers: `ip flow-export destination
// fe80::1 2055` (a link-local collector the socket cannot connect to
// without its link) used to fail the whole apply: the running config
// kept the line, the CLI printed the Go dial error, and every later
// export change (a second destination added after it) silently did not
// take effect. It is a destination like one without a route: made,
// counting what it loses, and the others apply and export.
func TestUndialableDestinationLeavesOthers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test loads BPF programs: run it as root (make test does)")
	}
	a, b := listenV5(t), listenV5(t)
	ll := a.dest(t)
	ll.Collector = netip.MustParseAddrPort("[fe80::1]:2055")
	s := Settings{CacheEntries: 1024, Mask: platform.MaskSevenTuple, Aging: flowcache.Aging{Inactive: time.Hour},
		Exports: []export.DestinationConfig{a.dest(t)}}
	d, err := New(Options{}, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	defer d.Close(false)
	s.Exports = []export.DestinationConfig{a.dest(t), ll}
	if err := d.Apply(s); err != nil {
		t.Errorf("adding a link-local destination: %v", err)
	}
	s.Exports = []export.DestinationConfig{a.dest(t), ll, b.dest(t)}
	if err := d.Apply(s); err != nil {
		t.Errorf("adding a destination after the link-local one: %v", err)
	}
	if n := len(d.Exporters()); n != 3 {
		t.Fatalf("%d exporters for 3 destinations", n)
	}
	feed(t, d, 1, 3)
	if err := d.Purge(); err != nil {
		t.Fatal(err)
	}
	waitPackets(t, a, 3)
	waitPackets(t, b, 3)
	deadline := time.Now().Add(5 * time.Second)
	for d.ExportStats()[1].LostRecords != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("the link-local destination's counters: %+v", d.ExportStats()[1])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestExportSourceByFamily: `ip flow-export source IF` sources an IPv6
// collector's export from the interface's IPv6 address (it used to go by
// the routing table, from whatever address that picked, so a collector
// that knows its exporters by address saw a stranger) and an IPv4
// collector's from its IPv4 address. An interface with an IPv6 address
// only serves IPv6 collectors without a warning.
func TestExportSourceByFamily(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("needs root: makes a veth pair")
	}
	ip := func(args ...string) {
		t.Helper()
		if out, err := testproc.CombinedOutput(exec.Command("ip", args...)); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	testproc.Run(exec.Command("ip", "link", "del", "qaexsrc0"))
	ip("link", "add", "qaexsrc0", "type", "veth", "peer", "name", "qaexsrc1")
	t.Cleanup(func() { testproc.Run(exec.Command("ip", "link", "del", "qaexsrc0")) })
	ip("addr", "add", "fe80::77/64", "dev", "qaexsrc0", "nodad")
	ip("addr", "add", "2001:db8:203::1/64", "dev", "qaexsrc0", "nodad")
	parse := func(dests string) config.Config {
		t.Helper()
		c, err := ios.Parse("t", []byte("ip flow-export source qaexsrc0\n"+dests))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := parse("ip flow-export destination 2001:db8::9 2055\n")
	out, srcErr := destinations(c, export.Sampler{}, nil, time.Now())
	if srcErr != nil || len(out) != 1 || out[0].Source.Addr() != netip.MustParseAddr("2001:db8:203::1") {
		t.Errorf("IPv6 collector, interface with IPv6 only: %v, sources %v", srcErr, out)
	}

	ip("addr", "add", "10.203.0.1/24", "dev", "qaexsrc0")
	c = parse("ip flow-export destination 192.0.2.1 2055\nip flow-export destination 2001:db8::9 2055\n")
	out, srcErr = destinations(c, export.Sampler{}, nil, time.Now())
	if srcErr != nil || len(out) != 2 || out[0].Source.Addr() != netip.MustParseAddr("10.203.0.1") ||
		out[1].Source.Addr() != netip.MustParseAddr("2001:db8:203::1") {
		t.Errorf("both families: %v, sources %v", srcErr, out)
	}
	if st, err := sourceState(c); err != nil || st != "10.203.0.1 2001:db8:203::1" {
		t.Errorf("source state %q, %v: want both addresses, so that either changing reopens its exporters", st, err)
	}
}

// `ip flow-export template options refresh-rate` reaches each
// destination's encoder; without it the options follow the template's
// refresh-rate, as IOS's do.
func TestOptionsRefreshReachesTheEncoder(t *testing.T) {
	for _, tc := range []struct {
		lines string
		want  int
	}{
		{"ip flow-export template refresh-rate 40\nip flow-export template options refresh-rate 5\n", 5},
		{"ip flow-export template refresh-rate 40\n", 40},
	} {
		c, err := ios.Parse("t", []byte("ip flow-export version 9\nip flow-export destination 192.0.2.9 2055\n"+tc.lines))
		if err != nil {
			t.Fatal(err)
		}
		out, _ := destinations(c, export.Sampler{}, nil, time.Now())
		if len(out) != 1 || out[0].Encoder.OptionsRefreshPackets != tc.want || out[0].Encoder.TemplateRefreshPackets != 40 {
			t.Errorf("%q: encoders %+v, want options refresh %d", tc.lines, out, tc.want)
		}
	}
}
