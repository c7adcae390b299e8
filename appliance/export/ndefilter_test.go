package export_test

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/platform"
)

// A PFC's `mls nde flow include destination 192.0.2.0 255.255.255.0
// protocol tcp` with `mls nde flow exclude dest-port 22`: only TCP flows
// to 192.0.2.0/24 that are not to port 22 reach the collector, each
// record as metered; the others are counted as filtered, with their
// packets, and sent nowhere (nothing lost: exported or counted).
func TestNDEFlowFilters(t *testing.T) {
	conn, addr := listenUDP(t, "udp4", "127.0.0.1:0")
	d := destination(addr, export.EncoderConfig{Version: export.V5})
	d.NDEFilters = platform.NDEFilters{
		Include: platform.NDEFlowFilter{Destination: netip.MustParsePrefix("192.0.2.0/24"), Protocol: 6},
		Exclude: platform.NDEFlowFilter{DestPort: 22},
	}
	e, err := export.NewExporter(d)
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, e)
	type rec struct {
		dst     string
		dport   uint16
		proto   uint8
		packets uint64
	}
	var want []rec
	for _, c := range []struct {
		rec
		exported bool
	}{
		{rec{"192.0.2.10", 80, 6, 1}, true},
		{rec{"192.0.2.200", 443, 6, 2}, true},
		{rec{"192.0.2.10", 22, 6, 4}, false},    // excluded port
		{rec{"192.0.2.10", 53, 17, 8}, false},   // not tcp
		{rec{"198.51.100.1", 80, 6, 16}, false}, // outside the destination
		{rec{"192.0.2.255", 8080, 6, 32}, true},
	} {
		r := tcpRecord()
		r.DstAddr, r.DstPort, r.Proto, r.Packets = netip.MustParseAddr(c.dst), c.dport, c.proto, c.packets
		e.Export(&r)
		if c.exported {
			want = append(want, c.rec)
		}
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	p, ok := readPacket(t, conn, 2*time.Second)
	if !ok {
		t.Fatal("no export packet")
	}
	if n := int(binary.BigEndian.Uint16(p[2:])); n != len(want) || len(p) != 24+48*len(want) {
		t.Fatalf("v5 count %d (%d bytes), want %d records", n, len(p), len(want))
	}
	for i, w := range want {
		r := p[24+48*i:]
		got := rec{netip.AddrFrom4([4]byte(r[4:8])).String(), binary.BigEndian.Uint16(r[34:]), r[38], uint64(binary.BigEndian.Uint32(r[16:]))}
		if got != w {
			t.Errorf("record %d: %+v, want %+v", i, got, w)
		}
		if src := netip.AddrFrom4([4]byte(r[0:4])); src != netip.MustParseAddr("10.0.0.1") {
			t.Errorf("record %d: source %s", i, src)
		}
	}
	s := e.Stats()
	if s.NDEFiltered != 3 || s.NDEFilteredPackets != 4+8+16 {
		t.Errorf("stats: %d flows (%d packets) filtered; want 3 (28)", s.NDEFiltered, s.NDEFilteredPackets)
	}
}

// The filters' own matching: every field set must match, a zero field
// matches anything, IPv6 flows never match an address field, and the
// filter prints as the command line spells it.
func TestNDEFlowFilterMatch(t *testing.T) {
	f := platform.NDEFlowFilter{Source: netip.MustParsePrefix("10.1.0.0/16"), SrcPort: 1024, Protocol: 17}
	a := netip.MustParseAddr
	for _, c := range []struct {
		src   string
		sport uint16
		proto uint8
		want  bool
	}{
		{"10.1.2.3", 1024, 17, true}, {"10.2.2.3", 1024, 17, false}, {"10.1.2.3", 1025, 17, false},
		{"10.1.2.3", 1024, 6, false}, {"2001:db8::1", 1024, 17, false},
	} {
		if got := f.Matches(a(c.src), a("192.0.2.1"), c.sport, 53, c.proto); got != c.want {
			t.Errorf("%s %d %d: %v, want %v", c.src, c.sport, c.proto, got, c.want)
		}
	}
	if s := f.String(); s != "source 10.1.0.0 255.255.0.0 src-port 1024 protocol udp" {
		t.Errorf("String %q", s)
	}
	n := platform.NDEFilters{Exclude: f}
	if n.Exports(a("10.1.2.3"), a("192.0.2.1"), 1024, 53, 17) || !n.Exports(a("10.9.2.3"), a("192.0.2.1"), 1024, 53, 17) {
		t.Error("exclude filter does not decide")
	}
}
