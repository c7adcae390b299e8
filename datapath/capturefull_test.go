package datapath

import (
	"sync/atomic"
	"time"

	"testing"

	"github.com/flowtap/flowtap/appliance/flow"
)

// A capture map with no room left: the flows are metered and exported
// all the same, without their capture fields, and every packet that
// found no entry and no room for one is counted, per family map.
func TestCaptureMapFullCounted(t *testing.T) {
	requireRoot(t)
	d, err := Open(Options{Entries: 64, captureEntries: 8})
	if err != nil {
		t.Fatalf("open datapath: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.SetCapture(CaptureSettings{Fields: flow.CapIPID | flow.CapPacketLength}); err != nil {
		t.Fatal(err)
	}
	const flows4, flows6, room = 20, 10, 8
	v4 := func(i int, id uint16) []byte {
		return cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 17, id: id}.bytes(udpHdr(uint16(2000+i), 53, 10)))
	}
	v6 := func(i int) []byte {
		return cat(ethHdr(0x86DD), ip6{src: v6a, dst: v6b, nh: 17}.bytes(udpHdr(uint16(3000+i), 53, 10)))
	}
	// Two rounds: the packet-length range needs every packet, so each
	// packet of a flow without an entry tries again and is counted again.
	for round := 0; round < 2; round++ {
		for i := 0; i < flows4; i++ {
			feed(t, d, v4(i, uint16(1000*round+i)), 1)
		}
		for i := 0; i < flows6; i++ {
			feed(t, d, v6(i), 1)
		}
	}
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	want := uint64(2 * ((flows4 - room) + (flows6 - room)))
	if st.CaptureFull != want || st.Counters().CaptureFull != want {
		t.Fatalf("capture entries not stored %d (counters %d), want %d", st.CaptureFull, st.Counters().CaptureFull, want)
	}
	if st.FlowsCreated != flows4+flows6 || st.MeteredPackets != 2*(flows4+flows6) {
		t.Fatalf("%d flows created, %d packets metered, want %d and %d", st.FlowsCreated, st.MeteredPackets, flows4+flows6, 2*(flows4+flows6))
	}
	recs := harvestAll(t, d)
	if len(recs) != flows4+flows6 {
		t.Fatalf("%d records, want %d", len(recs), flows4+flows6)
	}
	with := 0
	for _, r := range recs {
		if r.Packets != 2 {
			t.Errorf("%v>%v port %d: %d packets, want 2", r.SrcAddr, r.DstAddr, r.SrcPort, r.Packets)
		}
		if r.Captured == (flow.Captured{}) {
			continue
		}
		with++
		// The map filled in packet order: the first eight of each family.
		if i := int(r.SrcPort) - 2000; r.SrcAddr.Is4() && (i >= room || r.Captured.IPID != uint32(i)) {
			t.Errorf("IPv4 flow %d captured %+v", i, r.Captured)
		}
		if i := int(r.SrcPort) - 3000; r.SrcAddr.Is6() && i >= room {
			t.Errorf("IPv6 flow %d captured %+v", i, r.Captured)
		}
	}
	if with != 2*room {
		t.Errorf("%d records with capture fields, want %d", with, 2*room)
	}
	// The harvest emptied the maps: new flows find room, nothing counted.
	for i := 0; i < room; i++ {
		feed(t, d, v4(100+i, 1), 1)
	}
	if st, err = d.Stats(); err != nil {
		t.Fatal(err)
	} else if st.CaptureFull != want {
		t.Errorf("after the harvest: %d not stored, want still %d", st.CaptureFull, want)
	}
	if n := extrasCount(t, d); n != room {
		t.Errorf("%d capture entries, want %d", n, room)
	}
}

// A flow of the same key that begins while its predecessor drains (marked,
// awaiting the grace period and collect) takes another slot; its packets
// leave the predecessor's capture entry alone, so the predecessor's record
// carries its own first packet and length range only.
func TestCaptureSuccessorDuringDrain(t *testing.T) {
	d := openTest(t, 1024)
	if err := d.SetCapture(CaptureSettings{Fields: flow.CapIPID | flow.CapPacketLength}); err != nil {
		t.Fatal(err)
	}
	udp := func(id uint16, payload int) []byte {
		return cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 17, id: id}.bytes(udpHdr(5000, 53, payload)))
	}
	feed(t, d, udp(1, 10), 1)
	// The mark step of a harvest, as the harvest does it.
	marked := 0
	d.tab.forEachUsed(func(e entry) {
		atomic.OrUint32(d.tab.slots.u32(e.off()+offAttrs), uint32(stDraining|byte(flow.EndIdle)<<stReasonShift)<<24)
		marked++
	})
	if marked != 1 {
		t.Fatalf("%d entries marked, want 1", marked)
	}
	// Flow times tick every 1.048576 ms: the successor's first_t must
	// differ from the predecessor's to tell them apart.
	time.Sleep(5 * time.Millisecond)
	feed(t, d, udp(2, 400), 1)
	feed(t, d, udp(3, 100), 1)
	recs := harvestAll(t, d)
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2: %+v", len(recs), recs)
	}
	var pred, succ *flow.Record
	for i := range recs {
		switch recs[i].Packets {
		case 1:
			pred = &recs[i]
		case 2:
			succ = &recs[i]
		}
	}
	if pred == nil || succ == nil {
		t.Fatalf("want records of 1 and 2 packets: %+v", recs)
	}
	want := flow.Captured{Fields: flow.CapIPID | flow.CapPacketLength, IPID: 1, MinLength: 38, MaxLength: 38}
	if pred.Captured != want {
		t.Errorf("predecessor captured %+v, want %+v", pred.Captured, want)
	}
	// The successor began while the key's entry was the predecessor's:
	// it has none of its own (documented in datapath/README.md).
	if succ.Captured != (flow.Captured{}) {
		t.Errorf("successor captured %+v, want none", succ.Captured)
	}
	if n := extrasCount(t, d); n != 0 {
		t.Errorf("%d capture entries left, want 0", n)
	}
	// Its next flow starts an entry of its own again.
	feed(t, d, udp(4, 20), 1)
	recs = harvestAll(t, d)
	want = flow.Captured{Fields: flow.CapIPID | flow.CapPacketLength, IPID: 4, MinLength: 48, MaxLength: 48}
	if len(recs) != 1 || recs[0].Captured != want {
		t.Errorf("next flow: %+v, want one with %+v", recs, want)
	}
}
