package datapath

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
)

// TestMaskIsPlatformApply: for every flow mask, the datapath's flows are
// exactly the input keys with platform.Mask.Apply applied, packets
// summed: the BPF key words built from Mask.Fields and the platform's
// rule cannot drift apart. IPv4 and IPv6, UDP and TCP, random addresses,
// ports and ToS. (ToS outside the 7-tuple is a non-key attribute of the
// record, the first packet's, so it is compared only where it is a key.)
func TestMaskIsPlatformApply(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 1))
	addrs4 := []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("192.0.2.7")}
	addrs6 := []netip.Addr{netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2"), netip.MustParseAddr("2001:db8:1::9")}
	type pkt struct {
		frame []byte
		key   flow.Key
	}
	var pkts []pkt
	for range 300 {
		k := flow.Key{SrcPort: uint16(1000 + r.IntN(3)), DstPort: uint16(53 + r.IntN(2)), ToS: uint8(r.IntN(2)) << 5, InputIf: 1}
		var l4 []byte
		if r.IntN(2) == 0 {
			k.Proto, l4 = 17, udpHdr(k.SrcPort, k.DstPort, 4)
		} else {
			k.Proto, l4 = 6, tcpHdr(k.SrcPort, k.DstPort, 0x10)
		}
		var f []byte
		if r.IntN(3) == 0 {
			k.SrcAddr, k.DstAddr = addrs6[r.IntN(3)], addrs6[r.IntN(3)]
			f = cat(ethHdr(0x86dd), ip6{src: k.SrcAddr, dst: k.DstAddr, nh: k.Proto, tc: k.ToS}.bytes(l4))
		} else {
			k.SrcAddr, k.DstAddr = addrs4[r.IntN(3)], addrs4[r.IntN(3)]
			f = cat(ethHdr(0x0800), ip4{src: k.SrcAddr, dst: k.DstAddr, proto: k.Proto, tos: k.ToS}.bytes(l4))
		}
		pkts = append(pkts, pkt{f, k})
	}
	d := openTest(t, 4096)
	for _, m := range []platform.Mask{platform.MaskSource, platform.MaskDestination, platform.MaskDestinationSource,
		platform.MaskInterfaceDestinationSource, platform.MaskFull, platform.MaskInterfaceFull, platform.MaskSevenTuple} {
		t.Run(m.String(), func(t *testing.T) {
			if err := d.SetMask(m, nil); err != nil {
				t.Fatal(err)
			}
			want := map[flow.Key]uint64{}
			for _, p := range pkts {
				feed(t, d, p.frame, 1)
				want[m.Apply(p.key)]++
			}
			got := map[flow.Key]uint64{}
			for _, rec := range harvestAll(t, d) {
				k := rec.Key
				if m.Fields()&platform.FieldToS == 0 {
					// Not a key here: the record carries the first
					// packet's ToS as an attribute, as a PFC3B does.
					k.ToS = 0
				}
				got[k] += rec.Packets
			}
			if len(got) != len(want) {
				t.Errorf("%d flows, platform's rule makes %d", len(got), len(want))
			}
			for k, n := range want {
				if got[k] != n {
					t.Errorf("flow %+v: %d packets, want %d", k, got[k], n)
				}
			}
		})
	}
}
