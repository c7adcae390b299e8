package datapath

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// TestFilterTermsMeterWhatTheyMatch6 is TestFilterTermsMeterWhatTheyMatch
// for an IPv6 filter, as a policy of `ipv6 access-list`s lays one out:
// overlapping terms on prefixes of every length from /0 to /128 (in
// both addresses), protocols, source and destination port ranges, an
// IPv4 filter beside it on the same port. The term counters, the
// metered total and the exported flows must equal a plain first-match
// walk over the same terms, packet by packet.
func TestFilterTermsMeterWhatTheyMatch6(t *testing.T) {
	d := openTest(t, 8192)
	f := Filter{Family: 6, Terms: []Term{
		{Protos: []uint8{6}, Dst: pfx("2001:db8:1:2::3/128"), DstPorts: []PortRange{{22, 22}}, Action: Meter},
		{Src: pfx("2001:db8:1::/48"), Dst: pfx("2001:db8:2::/48", "fd00::/8"), Action: Ignore},
		{Protos: []uint8{17}, Src: pfx("2001:db8:1:2::/64"), SrcPorts: []PortRange{{4000, 4000}}, Action: Sample, Sampler: 0},
		{Protos: []uint8{17}, SrcPorts: []PortRange{{1000, 1999}}, DstPorts: []PortRange{{53, 53}, {5000, 5100}}, Action: Meter},
		{Src: pfx("2001:db8::/32"), Protos: []uint8{6}, DstPorts: []PortRange{{0, 52}, {54, 65535}}, Action: Meter},
		{Src: pfx("2001:db8:1:2::3/127"), Action: Ignore},
		{Dst: pfx("8000::/1"), Action: Meter},
		{Src: pfx("2001:db8:1:2:0:0:0:8000/113"), Protos: []uint8{17}, Action: Meter},
	}}
	id, err := d.InstallFilter(f)
	if err != nil {
		t.Fatal(err)
	}
	// IPv4 beside it: its own filter, which meters nothing, so an IPv4
	// packet the IPv6 terms counted would show.
	id4, err := d.InstallFilter(Filter{Family: 4, Terms: []Term{{Action: Ignore}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetPortSelect(1, PortSelect{Filter4: id4, Filter6: id}); err != nil {
		t.Fatal(err)
	}
	addrs := []netip.Addr{
		netip.MustParseAddr("2001:db8:1:2::3"), netip.MustParseAddr("2001:db8:1:2::2"), netip.MustParseAddr("2001:db8:1:2::4"),
		netip.MustParseAddr("2001:db8:1:2::8000"), netip.MustParseAddr("2001:db8:1:2::ffff"), netip.MustParseAddr("2001:db8:1:2::7fff"),
		netip.MustParseAddr("2001:db8:1:3::1"), netip.MustParseAddr("2001:db8:2::1"), netip.MustParseAddr("2001:db8:ffff::1"),
		netip.MustParseAddr("2001:db9::1"), netip.MustParseAddr("fd00::1"), netip.MustParseAddr("fe80::1"),
		netip.MustParseAddr("7fff:ffff::1"), netip.MustParseAddr("::1"),
	}
	ports := []uint16{0, 21, 22, 23, 52, 53, 54, 999, 1000, 1999, 2000, 3999, 4000, 4001, 5000, 5050, 5100, 5101, 65535}
	protos := []uint8{6, 17, 47}
	rng := rand.New(rand.NewPCG(6, 6))
	want := make([]TermCount, len(f.Terms)+1)
	var metered, v4 uint64
	const n = 3000
	for i := 0; i < n; i++ {
		p := pkt{
			src: addrs[rng.IntN(len(addrs))], dst: addrs[rng.IntN(len(addrs))],
			proto: protos[rng.IntN(len(protos))], sport: ports[rng.IntN(len(ports))],
			dport: ports[rng.IntN(len(ports))], flags: tcpACK,
		}
		if p.proto == 47 {
			p.sport, p.dport = 0, 0
		}
		if rng.IntN(10) == 0 {
			// IPv4: the IPv4 filter's, never an IPv6 term's.
			feed(t, d, udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, p.sport, p.dport, 0), 1)
			v4++
			continue
		}
		fr := p.frame()
		feed(t, d, fr, 1)
		if refCount(f, p, fr, want) {
			metered++
		}
	}
	checkTermCounts(t, d, id, f, want)
	if got4, err := d.FilterCounts(id4); err != nil || got4[0].Packets != v4 {
		t.Errorf("the IPv4 filter counted %+v (%v), want %d packets", got4[0], err, v4)
	}
	checkMetered(t, d, metered)
	t.Logf("%d packets: %d metered, %d IPv6 matched no term, %d IPv4", n, metered, want[len(f.Terms)].Packets, v4)
}
