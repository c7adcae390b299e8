package datapath

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/flow"
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
