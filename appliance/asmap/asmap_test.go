package asmap

import (
	"errors"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/flow"
)

const sample = `# prefix        origin  peer
0.0.0.0/0        0
10.0.0.0/8       64500   64510
10.1.0.0/16      64501   64510   # nested, more specific
10.1.2.0/24      AS64502 as1.10
10.255.0.0/16    64503           # shares its last address with 10/8
192.0.2.1/32     64504   64511
255.255.255.255/32 64505
2001:db8::/32    1.0     64520
2001:db8:1::/48  4200000000
::ffff:0:0/96    64530
ffff::/16        64531
`

func mustParse(t testing.TB, s string) *Table {
	t.Helper()
	tb, err := Parse(strings.NewReader(s), "sample")
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func TestLookup(t *testing.T) {
	tb := mustParse(t, sample)
	if tb.Len() != 11 {
		t.Fatalf("Len = %d, want 11", tb.Len())
	}
	tests := []struct {
		addr       string
		wantPrefix string // "" for no route
		origin     uint32
		peer       uint32
	}{
		{"0.0.0.0", "0.0.0.0/0", 0, 0},
		{"9.255.255.255", "0.0.0.0/0", 0, 0},
		{"10.0.0.0", "10.0.0.0/8", 64500, 64510},
		{"10.1.0.0", "10.1.0.0/16", 64501, 64510},
		{"10.1.2.255", "10.1.2.0/24", 64502, 65546},
		{"10.1.3.0", "10.1.0.0/16", 64501, 64510},
		{"10.2.0.0", "10.0.0.0/8", 64500, 64510},
		{"10.254.255.255", "10.0.0.0/8", 64500, 64510},
		{"10.255.255.255", "10.255.0.0/16", 64503, 0},
		{"11.0.0.0", "0.0.0.0/0", 0, 0},
		{"192.0.2.0", "0.0.0.0/0", 0, 0},
		{"192.0.2.1", "192.0.2.1/32", 64504, 64511},
		{"192.0.2.2", "0.0.0.0/0", 0, 0},
		{"255.255.255.254", "0.0.0.0/0", 0, 0},
		{"255.255.255.255", "255.255.255.255/32", 64505, 0},
		{"::ffff:10.1.2.3", "10.1.2.0/24", 64502, 65546}, // mapped: looked up as IPv4
		{"2001:db8::1", "2001:db8::/32", 65536, 64520},
		{"2001:db8:1:ffff:ffff:ffff:ffff:ffff", "2001:db8:1::/48", 4200000000, 0},
		{"2001:db8:2::", "2001:db8::/32", 65536, 64520},
		{"2001:db9::", "", 0, 0},
		{"::", "", 0, 0},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff::/16", 64531, 0},
	}
	for _, tc := range tests {
		rt, ok := tb.Lookup(netip.MustParseAddr(tc.addr))
		if tc.wantPrefix == "" {
			if ok {
				t.Errorf("Lookup(%s) = %v, want no route", tc.addr, rt.Prefix)
			}
			continue
		}
		want := Route{Prefix: netip.MustParsePrefix(tc.wantPrefix), OriginAS: tc.origin, PeerAS: tc.peer}
		if !ok || rt != want {
			t.Errorf("Lookup(%s) = %+v, %v; want %+v", tc.addr, rt, ok, want)
		}
	}
	if _, ok := tb.Lookup(netip.Addr{}); ok {
		t.Error("the zero Addr has a route")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		text, want string
	}{
		{"10.0.0.0/8\n", "f.txt:1: got 1 fields, want PREFIX ORIGIN-AS [PEER-AS [NEXT-HOP]]"},
		{"# ok\n\n10.0.0.0/8 1 2 3\n", "f.txt:3: next hop \"3\": want an address"},
		{"10.0.0.0 1\n", `f.txt:1: prefix "10.0.0.0": want ADDRESS/LENGTH, IPv4 or IPv6`},
		{"10.0.0.0/33 1\n", `f.txt:1: prefix "10.0.0.0/33": want ADDRESS/LENGTH, IPv4 or IPv6`},
		{"10.1.0.0/8 1\n", `f.txt:1: prefix "10.1.0.0/8" has bits set past /8: did you mean 10.0.0.0/8?`},
		{"10.0.0.0/8 x\n", `f.txt:1: origin AS: "x": want a number 0-4294967295, or asdot 0-65535.0-65535, optionally after AS`},
		{"10.0.0.0/8 1 4294967296\n", `f.txt:1: peer AS: "4294967296": want a number 0-4294967295, or asdot 0-65535.0-65535, optionally after AS`},
		{"10.0.0.0/8 1 65536.1\n", `f.txt:1: peer AS: "65536.1": want a number 0-4294967295, or asdot 0-65535.0-65535, optionally after AS`},
		{"10.0.0.0/8 1\n10.0.0.0/8 2\n", "f.txt:2: prefix 10.0.0.0/8 already given on line 1"},
		{"fe80::%eth0/64 1\n", `f.txt:1: prefix "fe80::%eth0/64": want ADDRESS/LENGTH, IPv4 or IPv6`},
	}
	for _, tc := range tests {
		_, err := Parse(strings.NewReader(tc.text), "f.txt")
		var pe *ParseError
		if !errors.As(err, &pe) || err.Error() != tc.want {
			t.Errorf("Parse(%q) = %v\nwant %s", tc.text, err, tc.want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "as.txt")
	if err := os.WriteFile(good, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	if tb, err := Load(good); err != nil || tb.Len() != 11 {
		t.Fatalf("Load = %v, %v", tb, err)
	}
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("# x\n10.0.0.0/8 AS\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || !strings.HasPrefix(err.Error(), bad+":2: origin AS") {
		t.Errorf("Load(bad) = %v, want an error at %s:2", err, bad)
	}
	if _, err := Load(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want ErrNotExist", err)
	}
}

func TestFill(t *testing.T) {
	tb := mustParse(t, sample)
	rec := func() flow.Record {
		return flow.Record{Key: flow.Key{
			SrcAddr: netip.MustParseAddr("10.1.2.3"), DstAddr: netip.MustParseAddr("192.0.2.1"),
		}, SrcAS: 9, DstAS: 9}
	}
	tests := []struct {
		mode             Mode
		srcAS, dstAS     uint32
		srcMask, dstMask uint8
	}{
		{ModeNone, 0, 0, 24, 32},
		{ModeOrigin, 64502, 64504, 24, 32},
		{ModePeer, 65546, 64511, 24, 32},
	}
	for _, tc := range tests {
		r := rec()
		Filler{tb, tc.mode}.Annotate(&r)
		if r.SrcAS != tc.srcAS || r.DstAS != tc.dstAS || r.SrcMask != tc.srcMask || r.DstMask != tc.dstMask {
			t.Errorf("%v: AS %d->%d mask /%d->/%d; want %d->%d /%d->/%d", tc.mode,
				r.SrcAS, r.DstAS, r.SrcMask, r.DstMask, tc.srcAS, tc.dstAS, tc.srcMask, tc.dstMask)
		}
	}
	r := flow.Record{Key: flow.Key{SrcAddr: netip.MustParseAddr("2001:db9::1"), DstAddr: netip.MustParseAddr("2001:db8::1")}, SrcAS: 7, SrcMask: 7}
	tb.Fill(&r, ModeOrigin)
	if r.SrcAS != 0 || r.SrcMask != 0 || r.DstAS != 65536 || r.DstMask != 32 {
		t.Errorf("IPv6: %+v", r)
	}
	for _, s := range []string{"", "origin-as", "peer-as"} {
		if m, err := ParseMode(s); err != nil || (s != "" && m.String() != s) {
			t.Errorf("ParseMode(%q) = %v, %v", s, m, err)
		}
	}
	if _, err := ParseMode("bgp-nexthop"); err == nil {
		t.Error("ParseMode accepted bgp-nexthop")
	}
}

// naive is the obvious longest-prefix match to check the flattening with.
func naive(routes []Route, a netip.Addr) (Route, bool) {
	best, found := Route{}, false
	for _, r := range routes {
		if r.Prefix.Contains(a) && (!found || r.Prefix.Bits() > best.Prefix.Bits()) {
			best, found = r, true
		}
	}
	return best, found
}

// randomRoutes draws nested, overlapping prefixes from a small corner of
// the address space, so that most lookups hit several of them.
func randomRoutes(rng *rand.Rand, n int, v6 bool) []Route {
	seen := map[netip.Prefix]bool{}
	var routes []Route
	for len(routes) < n {
		var p netip.Prefix
		if v6 {
			var b [16]byte
			b[0], b[1], b[2] = 0x20, 0x01, byte(rng.IntN(4))
			for i := 3; i < 16; i++ {
				b[i] = byte(rng.Uint32())
			}
			p = netip.PrefixFrom(netip.AddrFrom16(b), 8+rng.IntN(121)).Masked()
		} else {
			b := [4]byte{10, byte(rng.IntN(4)), byte(rng.Uint32()), byte(rng.Uint32())}
			p = netip.PrefixFrom(netip.AddrFrom4(b), 8+rng.IntN(25)).Masked()
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		routes = append(routes, Route{Prefix: p, OriginAS: uint32(len(routes)), PeerAS: rng.Uint32()})
	}
	return routes
}

func randomAddr(rng *rand.Rand, v6 bool) netip.Addr {
	if v6 {
		var b [16]byte
		b[0], b[1], b[2] = 0x20, 0x01, byte(rng.IntN(5))
		for i := 3; i < 16; i++ {
			b[i] = byte(rng.Uint32())
		}
		return netip.AddrFrom16(b)
	}
	return netip.AddrFrom4([4]byte{10, byte(rng.IntN(5)), byte(rng.Uint32()), byte(rng.Uint32())})
}

func TestLookupMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, v6 := range []bool{false, true} {
		routes := randomRoutes(rng, 300, v6)
		tb, err := New(routes)
		if err != nil {
			t.Fatal(err)
		}
		probe := func(a netip.Addr) {
			got, gok := tb.Lookup(a)
			want, wok := naive(routes, a)
			if got != want || gok != wok {
				t.Fatalf("Lookup(%v) = %v %v, want %v %v", a, got.Prefix, gok, want.Prefix, wok)
			}
		}
		for range 5000 {
			probe(randomAddr(rng, v6))
		}
		// Every prefix's first and last address, and the ones either side.
		for _, r := range routes {
			first := r.Prefix.Addr()
			last := lastOf(r.Prefix)
			for _, a := range []netip.Addr{first, first.Prev(), last, last.Next()} {
				if a.IsValid() {
					probe(a)
				}
			}
		}
	}
}

func lastOf(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func TestLookupDoesNotAllocate(t *testing.T) {
	tb := mustParse(t, sample)
	v4, v6 := netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("2001:db8::1")
	r := flow.Record{Key: flow.Key{SrcAddr: v4, DstAddr: v6}}
	if n := testing.AllocsPerRun(100, func() {
		tb.Lookup(v4)
		tb.Lookup(v6)
		tb.Fill(&r, ModePeer)
	}); n != 0 {
		t.Errorf("%v allocations per lookup", n)
	}
}

func TestNewRejects(t *testing.T) {
	p := netip.MustParsePrefix
	if _, err := New([]Route{{Prefix: p("10.0.0.0/8")}, {Prefix: p("10.0.0.0/8")}}); err == nil {
		t.Error("New accepted a duplicate prefix")
	}
	if _, err := New([]Route{{Prefix: netip.PrefixFrom(netip.MustParseAddr("10.1.0.0"), 8)}}); err == nil {
		t.Error("New accepted a non-canonical prefix")
	}
	if _, err := New([]Route{{}}); err == nil {
		t.Error("New accepted the zero prefix")
	}
	empty, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := empty.Lookup(netip.MustParseAddr("10.0.0.1")); ok {
		t.Error("empty table has a route")
	}
}

// TestNextHopColumn: a fourth column is the route's BGP next hop, in the
// prefix's family; Fill gives a record its destination's.
func TestNextHopColumn(t *testing.T) {
	tb := mustParse(t, "10.0.0.0/8 64500 64510 192.0.2.1\n2001:db8::/32 64520 0 2001:db8::1\n192.168.0.0/16 64530\n")
	if !tb.HasNextHops() || mustParse(t, "10.0.0.0/8 64500\n").HasNextHops() {
		t.Fatal("HasNextHops")
	}
	r := flow.Record{Key: flow.Key{SrcAddr: netip.MustParseAddr("192.168.1.1"), DstAddr: netip.MustParseAddr("10.1.2.3")}}
	tb.Fill(&r, ModeOrigin)
	if r.BGPNextHop != netip.MustParseAddr("192.0.2.1") || r.DstAS != 64500 || r.SrcAS != 64530 {
		t.Errorf("filled %+v", r)
	}
	r.DstAddr = netip.MustParseAddr("192.168.9.9")
	tb.Fill(&r, ModeOrigin)
	if r.BGPNextHop.IsValid() {
		t.Errorf("a route without a next hop gave %v", r.BGPNextHop)
	}
	for _, bad := range []string{"10.0.0.0/8 1 2 2001:db8::1\n", "10.0.0.0/8 1 2 nexthop\n", "10.0.0.0/8 1 2 192.0.2.1 x\n"} {
		if _, err := Parse(strings.NewReader(bad), "bad"); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
