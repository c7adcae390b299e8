package datapath

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/flowtap/flowtap/appliance/flow"
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
		m := refMatch(f, p)
		idx := len(f.Terms)
		if m >= 0 {
			idx = m
			if f.Terms[m].Action != Ignore {
				metered++
			}
		} // no term: not metered, as a list's implicit deny
		want[idx].Packets++
		want[idx].Bytes += uint64(len(fr) - 14)
	}
	got, err := d.FilterCounts(id)
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Terms {
		t.Logf("term %d: %d packets, %d bytes", i, got[i].Packets, got[i].Bytes)
		if got[i] != want[i] {
			t.Errorf("term %d counted %+v, want %+v", i, got[i], want[i])
		}
		if want[i].Packets == 0 {
			t.Errorf("term %d: the packets never hit it; the test proves nothing about it", i)
		}
	}
	if got[MaxTerms] != want[len(f.Terms)] {
		t.Errorf("no match counted %+v, want %+v", got[MaxTerms], want[len(f.Terms)])
	}
	if got4, err := d.FilterCounts(id4); err != nil || got4[0].Packets != v4 {
		t.Errorf("the IPv4 filter counted %+v (%v), want %d packets", got4[0], err, v4)
	}
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.MeteredPackets != metered || st.SampledOut != 0 {
		t.Errorf("metered %d (sampled out %d), want %d", st.MeteredPackets, st.SampledOut, metered)
	}
	var exported uint64
	if _, err := d.Harvest(HarvestRequest{Force: true}, func(r *flow.Record) { exported += r.Packets }); err != nil {
		t.Fatal(err)
	}
	if exported != metered {
		t.Errorf("flows carry %d packets, metered %d", exported, metered)
	}
	t.Logf("%d packets: %d metered, %d IPv6 matched no term, %d IPv4", n, metered, want[len(f.Terms)].Packets, v4)
}
