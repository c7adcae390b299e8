package daemon

import (
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/platform"
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
