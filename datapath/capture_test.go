package datapath

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

// The capture bits are meter.h's CAP_* values: the datapath passes
// flow.CaptureFields through unchanged.
func TestCaptureBitsMatchMeter(t *testing.T) {
	for _, c := range []struct {
		f flow.CaptureFields
		m meterCaptureBits
	}{
		{flow.CapIPID, meterCaptureBitsCAP_IPID},
		{flow.CapPacketLength, meterCaptureBitsCAP_PKTLEN},
		{flow.CapICMP, meterCaptureBitsCAP_ICMP},
		{flow.CapFragOffset, meterCaptureBitsCAP_FRAG},
		{flow.CapMPLS, meterCaptureBitsCAP_MPLS},
		{flow.CapFlowLabel, meterCaptureBitsCAP_FLOWLABEL},
		{flow.CapFragFlags, meterCaptureBitsCAP_FRAGFLAGS},
		{flow.CapExt6, meterCaptureBitsCAP_EXT6},
	} {
		if uint32(c.f) != uint32(c.m) {
			t.Errorf("flow capture bit %#x is %#x in meter.h", c.f, c.m)
		}
	}
	if flow.MaxLabels != int(meterCaptureBitsCAP_LABELS) {
		t.Errorf("flow.MaxLabels %d, meter.h CAP_LABELS %d", flow.MaxLabels, meterCaptureBitsCAP_LABELS)
	}
}

const allCapture = flow.CapIPID | flow.CapPacketLength | flow.CapICMP | flow.CapFragOffset | flow.CapMPLS

func labelEntry(label uint32, exp uint8, bos bool, ttl uint8) uint32 {
	w := label<<12 | uint32(exp)<<9 | uint32(ttl)
	if bos {
		w |= 1 << 8
	}
	return w
}

func labelStack(entries ...uint32) []byte {
	var b []byte
	for _, e := range entries {
		b = binary.BigEndian.AppendUint32(b, e)
	}
	return b
}

func byKey(recs []flow.Record) map[flow.Key]flow.Record {
	m := map[flow.Key]flow.Record{}
	for _, r := range recs {
		m[r.Key] = r
	}
	return m
}

func extrasCount(t *testing.T, d *Datapath) int {
	t.Helper()
	n := 0
	for _, m := range d.tab.extras {
		var k, v []byte
		it := m.Iterate()
		for it.Next(&k, &v) {
			n++
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// Each capture field against the frames that were sent: the first
// packet's IP id and ICMP type/code, the length range, the first
// fragment's offset, and the label stack entries at positions 1, 2 and 3
// with their EXP and bottom-of-stack bits as on the wire.
func TestCaptureFields(t *testing.T) {
	d := openTest(t, 1024)
	if err := d.SetCapture(CaptureSettings{Fields: allCapture, LabelPositions: [3]uint8{1, 2, 3}}); err != nil {
		t.Fatal(err)
	}
	udp := func(id uint16, payload int) []byte {
		return cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 17, id: id}.bytes(udpHdr(5000, 53, payload)))
	}
	for _, f := range [][]byte{udp(0x1234, 10), udp(0x1235, 400), udp(0x1236, 0)} {
		feed(t, d, f, 1)
	}
	// ICMP echo: the key's port is type*256+code anyway; the capture is
	// the first packet's.
	icmp := cat(ethHdr(0x0800), ip4{src: v4b, dst: v4a, proto: 1, id: 7}.bytes(icmpHdr(8, 0)))
	feed(t, d, icmp, 1)
	// A fragmented datagram: the first fragment (MF, offset 0) is a flow
	// with ports; the rest (ports 0) a flow whose first fragment is at
	// offset 185 (1480 bytes).
	fragSrc := netip.MustParseAddr("192.0.2.50")
	feed(t, d, cat(ethHdr(0x0800), ip4{src: fragSrc, dst: v4b, proto: 17, id: 99, more: true}.bytes(udpHdr(7000, 7001, 100))), 1)
	feed(t, d, cat(ethHdr(0x0800), ip4{src: fragSrc, dst: v4b, proto: 17, id: 99, fragOff: 185, more: true}.bytes(make([]byte, 200))), 1)
	feed(t, d, cat(ethHdr(0x0800), ip4{src: fragSrc, dst: v4b, proto: 17, id: 99, fragOff: 370}.bytes(make([]byte, 40))), 1)
	// Three labels over IPv4, EXP 5, 3 and 0; then the same flow with
	// other labels: the first packet's stay.
	mplsSrc := netip.MustParseAddr("192.0.2.77")
	stack := []uint32{labelEntry(16001, 5, false, 255), labelEntry(24002, 3, false, 254), labelEntry(1048575, 0, true, 253)}
	mpls := func(s []uint32) []byte {
		return cat(ethHdr(0x8847), labelStack(s...), ip4{src: mplsSrc, dst: v4b, proto: 6}.bytes(tcpHdr(80, 1024, tcpACK)))
	}
	feed(t, d, mpls(stack), 1)
	feed(t, d, mpls([]uint32{labelEntry(17, 0, true, 9)}), 1)
	// IPv6 with a fragment header: its identification and offset.
	frag6Hdr := frag6(17, 10, true)
	binary.BigEndian.PutUint32(frag6Hdr[4:], 0xdeadbeef)
	feed(t, d, cat(ethHdr(0x86DD), ip6{src: v6a, dst: v6b, nh: 44}.bytes(cat(frag6Hdr, make([]byte, 64)))), 1)

	var peeked []flow.Record
	if err := d.Peek(func(r *flow.Record) { peeked = append(peeked, *r) }); err != nil {
		t.Fatal(err)
	}
	recs := harvestAll(t, d)
	if len(recs) != 6 {
		t.Fatalf("%d flows, want 6: %+v", len(recs), recs)
	}
	if n := extrasCount(t, d); n != 0 {
		t.Errorf("%d capture entries left after the harvest, want 0", n)
	}
	want := map[flow.Key]flow.Captured{
		{SrcAddr: v4a, DstAddr: v4b, SrcPort: 5000, DstPort: 53, Proto: 17, InputIf: 1}: {
			IPID: 0x1234, MinLength: 28, MaxLength: 428},
		{SrcAddr: v4b, DstAddr: v4a, SrcPort: 0, DstPort: 0x0800, Proto: 1, InputIf: 1}: {
			IPID: 7, ICMPTypeCode: 0x0800, MinLength: 28, MaxLength: 28},
		{SrcAddr: fragSrc, DstAddr: v4b, SrcPort: 7000, DstPort: 7001, Proto: 17, InputIf: 1}: {
			IPID: 99, FragSeen: true, MinLength: 128, MaxLength: 128},
		{SrcAddr: fragSrc, DstAddr: v4b, Proto: 17, InputIf: 1}: {
			IPID: 99, FragOffset: 185, FragSeen: true, MinLength: 60, MaxLength: 220},
		{SrcAddr: mplsSrc, DstAddr: v4b, SrcPort: 80, DstPort: 1024, Proto: 6, InputIf: 1}: {
			MinLength: 40, MaxLength: 40, Labels: [3]uint32{stack[0], stack[1], stack[2]}, Depth: 3},
		{SrcAddr: v6a, DstAddr: v6b, Proto: 17, InputIf: 1}: {
			IPID: 0xdeadbeef, FragOffset: 10, FragSeen: true, MinLength: 112, MaxLength: 112},
	}
	got := byKey(recs)
	for k, w := range want {
		w.Fields = allCapture
		r, ok := got[k]
		if !ok {
			t.Errorf("no flow %+v", k)
			continue
		}
		if r.Captured != w {
			t.Errorf("flow %v>%v %d: captured %+v, want %+v", k.SrcAddr, k.DstAddr, k.Proto, r.Captured, w)
		}
	}
	for _, p := range peeked {
		if h := got[p.Key]; p.Captured != h.Captured {
			t.Errorf("peek of %v>%v: %+v, harvest %+v", p.SrcAddr, p.DstAddr, p.Captured, h.Captured)
		}
	}
	if l := got[flow.Key{SrcAddr: mplsSrc, DstAddr: v4b, SrcPort: 80, DstPort: 1024, Proto: 6, InputIf: 1}].Captured.Labels[0]; flow.Label(l) != 16001 || flow.EXP(l) != 5 || flow.BottomOfStack(l) {
		t.Errorf("top label %#x: label %d exp %d bos %v", l, flow.Label(l), flow.EXP(l), flow.BottomOfStack(l))
	}
}

// With capture off the meter leaves the extras maps alone; positions
// pick which labels go where; an active-timeout split starts the
// continuation's capture afresh.
func TestCaptureOffPositionsAndSplit(t *testing.T) {
	d := openTest(t, 1024)
	udp := func(id uint16, payload int) []byte {
		return cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 17, id: id}.bytes(udpHdr(5000, 53, payload)))
	}
	feed(t, d, udp(1, 10), 1)
	if n := extrasCount(t, d); n != 0 {
		t.Fatalf("capture off: %d extras entries", n)
	}
	if r := harvestAll(t, d); len(r) != 1 || r[0].Captured != (flow.Captured{}) {
		t.Fatalf("capture off: %+v", r)
	}

	if err := d.SetCapture(CaptureSettings{Fields: flow.CapMPLS | flow.CapIPID | flow.CapPacketLength, LabelPositions: [3]uint8{3, 1, 0}}); err != nil {
		t.Fatal(err)
	}
	stack := []uint32{labelEntry(100, 1, false, 64), labelEntry(200, 2, false, 64), labelEntry(300, 7, true, 64)}
	feed(t, d, cat(ethHdr(0x8847), labelStack(stack...), ip4{src: v4a, dst: v4b, proto: 17}.bytes(udpHdr(1, 2, 0))), 1)
	feed(t, d, udp(10, 100), 1)
	// Split by the active timeout: the first record has what came so far.
	var split []flow.Record
	if _, err := d.Harvest(HarvestRequest{ActiveBefore: time.Now().Add(time.Hour)}, func(r *flow.Record) { split = append(split, *r) }); err != nil {
		t.Fatal(err)
	}
	feed(t, d, udp(11, 20), 1)
	rest := harvestAll(t, d)
	g1, g2 := byKey(split), byKey(rest)
	k := flow.Key{SrcAddr: v4a, DstAddr: v4b, SrcPort: 5000, DstPort: 53, Proto: 17, InputIf: 1}
	f := flow.CapMPLS | flow.CapIPID | flow.CapPacketLength
	if c, w := g1[k].Captured, (flow.Captured{Fields: f, IPID: 10, MinLength: 128, MaxLength: 128}); c != w {
		t.Errorf("before the split: %+v, want %+v", c, w)
	}
	if c, w := g2[k].Captured, (flow.Captured{Fields: f, IPID: 11, MinLength: 48, MaxLength: 48}); c != w {
		t.Errorf("after the split: %+v, want %+v", c, w)
	}
	km := flow.Key{SrcAddr: v4a, DstAddr: v4b, SrcPort: 1, DstPort: 2, Proto: 17, InputIf: 1}
	if c, w := g1[km].Captured, (flow.Captured{Fields: f, MinLength: 28, MaxLength: 28, Labels: [3]uint32{stack[2], stack[0], 0}, Depth: 3}); c != w {
		t.Errorf("labels at positions 3, 1: %+v, want %+v", c, w)
	}
	if err := d.SetCapture(CaptureSettings{Fields: flow.CapMPLS, LabelPositions: [3]uint8{9}}); err == nil {
		t.Error("label position 9 accepted")
	}
}

// With only first-packet fields (ip-id) the meter touches the capture
// map on an entry's first packet alone: a new flow's, and the first of
// its continuation after an active-timeout split.
func TestCaptureFirstPacketOnly(t *testing.T) {
	d := openTest(t, 1024)
	if err := d.SetCapture(CaptureSettings{Fields: flow.CapIPID}); err != nil {
		t.Fatal(err)
	}
	udp := func(id uint16) []byte {
		return cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 17, id: id}.bytes(udpHdr(5000, 53, 4)))
	}
	for id := uint16(1); id <= 3; id++ {
		feed(t, d, udp(id), 1)
	}
	var split []flow.Record
	if _, err := d.Harvest(HarvestRequest{ActiveBefore: time.Now().Add(time.Hour)}, func(r *flow.Record) { split = append(split, *r) }); err != nil {
		t.Fatal(err)
	}
	if n := extrasCount(t, d); n != 0 {
		t.Fatalf("%d capture entries after the split, want 0", n)
	}
	feed(t, d, udp(4), 1)
	feed(t, d, udp(5), 1)
	rest := harvestAll(t, d)
	if len(split) != 1 || split[0].Captured != (flow.Captured{Fields: flow.CapIPID, IPID: 1, MinLength: 32, MaxLength: 32}) || split[0].Packets != 3 {
		t.Errorf("before the split: %+v", split)
	}
	if len(rest) != 1 || rest[0].Captured != (flow.Captured{Fields: flow.CapIPID, IPID: 4, MinLength: 32, MaxLength: 32}) || rest[0].Packets != 2 {
		t.Errorf("after the split: %+v", rest)
	}
}
