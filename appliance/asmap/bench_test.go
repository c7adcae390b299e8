package asmap

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/flowtap/flowtap/appliance/flow"
)

// benchTable is about a full-table's size: 100k IPv4 and 20k IPv6 routes.
func benchTable(b *testing.B) (*Table, []netip.Addr, []netip.Addr) {
	b.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	var routes []Route
	seen := map[netip.Prefix]bool{}
	add := func(p netip.Prefix) {
		if p = p.Masked(); !seen[p] {
			seen[p] = true
			routes = append(routes, Route{Prefix: p, OriginAS: rng.Uint32(), PeerAS: rng.Uint32()})
		}
	}
	for len(routes) < 100_000 {
		a := netip.AddrFrom4([4]byte{byte(1 + rng.IntN(223)), byte(rng.Uint32()), byte(rng.Uint32()), 0})
		add(netip.PrefixFrom(a, 8+rng.IntN(17)))
	}
	for len(routes) < 120_000 {
		var x [16]byte
		x[0], x[1] = 0x20, byte(rng.Uint32())
		for i := 2; i < 8; i++ {
			x[i] = byte(rng.Uint32())
		}
		add(netip.PrefixFrom(netip.AddrFrom16(x), 19+rng.IntN(30)))
	}
	tb, err := New(routes)
	if err != nil {
		b.Fatal(err)
	}
	v4 := make([]netip.Addr, 1024)
	v6 := make([]netip.Addr, 1024)
	for i := range v4 {
		v4[i] = netip.AddrFrom4([4]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())})
		var x [16]byte
		x[0], x[1] = 0x20, byte(rng.Uint32())
		for j := 2; j < 16; j++ {
			x[j] = byte(rng.Uint32())
		}
		v6[i] = netip.AddrFrom16(x)
	}
	return tb, v4, v6
}

func BenchmarkLookupIPv4(b *testing.B) {
	tb, v4, _ := benchTable(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tb.Lookup(v4[i&1023])
		i++
	}
}

func BenchmarkLookupIPv6(b *testing.B) {
	tb, _, v6 := benchTable(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tb.Lookup(v6[i&1023])
		i++
	}
}

func BenchmarkFill(b *testing.B) {
	tb, v4, _ := benchTable(b)
	b.ReportAllocs()
	var r flow.Record
	i := 0
	for b.Loop() {
		r.SrcAddr, r.DstAddr = v4[i&1023], v4[(i+1)&1023]
		tb.Fill(&r, ModeOrigin)
		i++
	}
}

func BenchmarkNew(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	routes := randomRoutes(rng, 20_000, false)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(routes); err != nil {
			b.Fatal(err)
		}
	}
}
