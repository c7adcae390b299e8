package datapath

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
)

// Two VLANs carrying the same 5-tuple on one port are two flows, each
// keyed by its subinterface's ifIndex; an unmapped VLAN stays on the
// port; removing the map puts them back on the port.
func TestSubinterfacesSplitVLANs(t *testing.T) {
	d := openTest(t, 1024)
	frame := func(vid uint16) []byte {
		return cat(mac2, mac1, be16(0x8100), vlanTag(vid, 0x0800), ip4{src: v4a, dst: v4b, proto: 17}.bytes(udpHdr(5000, 53, 4)))
	}
	if err := d.SetSubinterfaces(map[VLANPort]uint32{{Port: 1, VID: 190}: 63001, {Port: 1, VID: 191}: 63002, {Port: 2, VID: 190}: 63003}); err != nil {
		t.Fatal(err)
	}
	for _, vid := range []uint16{190, 190, 191, 192} {
		feed(t, d, frame(vid), 1)
	}
	got := map[uint32]flow.Record{}
	for _, r := range harvestAll(t, d) {
		got[r.InputIf] = r
	}
	for in, w := range map[uint32]struct {
		packets uint64
		vlan    uint16
	}{63001: {2, 190}, 63002: {1, 191}, 1: {1, 192}} {
		if r, ok := got[in]; !ok || r.Packets != w.packets || r.VLAN != w.vlan {
			t.Errorf("input %d: %+v, want %d packets of VLAN %d", in, r, w.packets, w.vlan)
		}
	}
	if len(got) != 3 {
		t.Errorf("%d flows, want 3: %v", len(got), got)
	}
	if err := d.SetSubinterfaces(nil); err != nil {
		t.Fatal(err)
	}
	feed(t, d, frame(190), 1)
	feed(t, d, frame(191), 1)
	if r := harvestAll(t, d); len(r) != 1 || r[0].InputIf != 1 || r[0].Packets != 2 {
		t.Errorf("without subinterfaces: %+v, want one flow of 2 packets on port 1", r)
	}
}

// `mls flow ipv6 destination` beside `mls flow ip full`: IPv6 flows merge
// by destination while IPv4 flows keep their full key.
func TestIPv6OwnMask(t *testing.T) {
	d := openTest(t, 1024)
	if err := d.SetMasks(platform.MaskFull, platform.MaskDestination, nil); err != nil {
		t.Fatal(err)
	}
	for sport := uint16(1); sport <= 3; sport++ {
		feed(t, d, cat(ethHdr(0x86DD), ip6{src: v6a, dst: v6b, nh: 17}.bytes(udpHdr(sport, 53, 4))), 1)
		feed(t, d, cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 17}.bytes(udpHdr(sport, 53, 4))), 1)
	}
	var v4, v6 int
	for _, r := range harvestAll(t, d) {
		if r.IsIPv6() {
			v6++
			if r.Packets != 3 || r.SrcAddr.IsValid() && !r.SrcAddr.IsUnspecified() || r.DstAddr != v6b {
				t.Errorf("IPv6 flow under destination: %+v", r)
			}
		} else {
			v4++
		}
	}
	if v4 != 3 || v6 != 1 {
		t.Errorf("%d IPv4 and %d IPv6 flows, want 3 and 1", v4, v6)
	}
	if d.Mask() != platform.MaskFull || d.Mask6() != platform.MaskDestination {
		t.Errorf("masks %v %v", d.Mask(), d.Mask6())
	}
}
