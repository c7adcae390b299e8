package datapath

import (
	"github.com/flowtap/flowtap/appliance/platform"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// waitFrames polls the meter until it has seen n frames.
func waitFrames(t *testing.T, d *Datapath, n uint64) Stats {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := d.Stats()
		if err != nil {
			t.Fatal(err)
		}
		if st.Frames >= n || time.Now().After(deadline) {
			if st.Frames != n {
				t.Fatalf("meter saw %d frames, sent %d", st.Frames, n)
			}
			return st
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// vethTraffic is a known mix: a TCP connection's client side, DNS, ICMP
// and IPv6, each frame sized by its IP total length.
func vethTraffic() (frames [][]byte, want map[collector.Tuple]struct {
	packets, bytes uint64
	flags          uint8
}) {
	want = map[collector.Tuple]struct {
		packets, bytes uint64
		flags          uint8
	}{}
	add := func(tp collector.Tuple, fr []byte, flags uint8, times int) {
		l2 := 14
		if fr[12] == 0x81 {
			l2 = 18
		}
		for i := 0; i < times; i++ {
			frames = append(frames, fr)
		}
		w := want[tp]
		w.packets += uint64(times)
		w.bytes += uint64(times * (len(fr) - l2))
		w.flags |= flags
		want[tp] = w
	}
	seg := func(flags uint8, payload int) []byte {
		return cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 6}.bytes(cat(tcpHdr(40000, 80, flags), make([]byte, payload))))
	}
	web := collector.Tuple{Proto: 6, Src: v4a, Dst: v4b, SrcPort: 40000, DstPort: 80}
	add(web, seg(tcpSYN, 0), tcpSYN, 1)
	add(web, seg(tcpACK, 0), tcpACK, 1)
	add(web, seg(tcpACK|tcpPSH, 300), tcpACK|tcpPSH, 5)
	add(web, seg(tcpFIN|tcpACK, 0), tcpFIN|tcpACK, 1)
	dns := collector.Tuple{Proto: 17, Src: v4b, Dst: v4a, SrcPort: 53, DstPort: 33333}
	add(dns, cat(ethHdr(0x0800), ip4{src: v4b, dst: v4a, proto: 17}.bytes(udpHdr(53, 33333, 100))), 0, 7)
	ping := collector.Tuple{Proto: 1, Src: v4a, Dst: v4b, SrcPort: 0, DstPort: 0x0800}
	add(ping, cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 1}.bytes(cat(icmpHdr(8, 0), make([]byte, 56)))), 0, 4)
	six := collector.Tuple{Proto: 17, Src: v6a, Dst: v6b, SrcPort: 5000, DstPort: 5001}
	add(six, cat(ethHdr(0x86dd), ip6{src: v6a, dst: v6b, nh: 17}.bytes(udpHdr(5000, 5001, 1200))), 0, 3)
	big := collector.Tuple{Proto: 17, Src: v4a, Dst: v4b, SrcPort: 9, DstPort: 9}
	add(big, cat(ethHdr(0x8100), vlanTag(10, 0x0800), ip4{src: v4a, dst: v4b, proto: 17}.bytes(udpHdr(9, 9, 1400))), 0, 2)
	return frames, want
}

func checkVethFlows(t *testing.T, d *Datapath, n *testnet.Veth) {
	t.Helper()
	frames, want := vethTraffic()
	n.Send(t, frames)
	st := waitFrames(t, d, uint64(len(frames)))
	if st.MeteredPackets != uint64(len(frames)) || st.UnparsedTotal() != 0 {
		t.Fatalf("metered %d of %d frames, unparsed %v", st.MeteredPackets, len(frames), st.Unparsed)
	}
	got := map[collector.Tuple]flow.Record{}
	var pk uint64
	if _, err := d.Harvest(HarvestRequest{Force: true}, func(r *flow.Record) {
		got[collector.Tuple{Proto: r.Proto, Src: r.SrcAddr, Dst: r.DstAddr, SrcPort: r.SrcPort, DstPort: r.DstPort}] = *r
		pk += r.Packets
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("%d flows, want %d: %v", len(got), len(want), got)
	}
	for tp, w := range want {
		r, ok := got[tp]
		if !ok {
			t.Errorf("flow %s missing", tp)
			continue
		}
		if r.Packets != w.packets || r.Bytes != w.bytes || r.TCPFlags != w.flags || r.InputIf != uint32(n.MonIndex) {
			t.Errorf("flow %s: %d pkts %d bytes flags %#x if %d; want %d %d %#x if %d",
				tp, r.Packets, r.Bytes, r.TCPFlags, r.InputIf, w.packets, w.bytes, w.flags, n.MonIndex)
		}
	}
	if pk != uint64(len(frames)) {
		t.Errorf("flows sum to %d packets, sent %d", pk, len(frames))
	}
}

func TestVethNative(t *testing.T) {
	n := testnet.Enter(t)
	d := openTest(t, 1024)
	p, err := d.Attach(n.Mon, ModeBest, PortSettings{Verdict: platform.Passive, Meter: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("attached to %s in %s mode (tried first: %v)", n.Mon, p.Mode, p.Tried)
	if p.Mode != ModeNative {
		t.Fatalf("veth supports native XDP: got %s mode", p.Mode)
	}
	checkVethFlows(t, d, n)
	if err := d.Detach(p); err != nil {
		t.Fatal(err)
	}
}

func TestVethGeneric(t *testing.T) {
	n := testnet.Enter(t)
	d := openTest(t, 1024)
	p, err := d.Attach(n.Mon, ModeGeneric, PortSettings{Verdict: platform.Passive, Meter: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Mode != ModeGeneric {
		t.Fatalf("forced generic, got %s", p.Mode)
	}
	checkVethFlows(t, d, n)
	if err := d.Detach(p); err != nil {
		t.Fatal(err)
	}
}

// TestRestartKeepsCache: the daemon goes away with its link pinned, the
// pinned program keeps metering, a new daemon takes over maps and link,
// and the harvest holds every packet sent across all three phases. A
// restart with another cache size drains the old maps first.
func TestRestartKeepsCache(t *testing.T) {
	n := testnet.Enter(t)
	pin := tempPinDir(t, "flowtap-test-")
	fr := cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 17}.bytes(udpHdr(7, 7, 50)))
	burst := func(k int) [][]byte {
		out := make([][]byte, k)
		for i := range out {
			out[i] = fr
		}
		return out
	}
	d1, err := Open(Options{PinDir: pin, Entries: 256})
	if err != nil {
		t.Fatal(err)
	}
	p1, err := d1.Attach(n.Mon, ModeNative, PortSettings{Meter: true})
	if err != nil {
		t.Fatal(err)
	}
	n.Send(t, burst(10))
	waitFrames(t, d1, 10)
	p1.Release()
	d1.Close() // the daemon is gone; the pinned link keeps metering
	n.Send(t, burst(5))

	d2, err := Open(Options{PinDir: pin, Entries: 256})
	if err != nil {
		t.Fatal(err)
	}
	waitFrames(t, d2, 15)
	p2, err := d2.Attach(n.Mon, ModeBest, PortSettings{Meter: true})
	if err != nil {
		t.Fatal(err)
	}
	if p2.Mode != ModeNative {
		t.Errorf("taken-over link reports %s, want native", p2.Mode)
	}
	n.Send(t, burst(7))
	waitFrames(t, d2, 22)
	p2.Release()
	d2.Close()

	// Restart with a bigger cache: the old maps are drained, then replaced.
	// Frames that arrive during the drain (which waits for the exporters)
	// go to the new table, which is configured before it gets them: on
	// main it had a size of 0 until the drain ended, and they failed.
	var drained uint64
	sentDuring := false
	d3, err := Open(Options{PinDir: pin, Entries: 512, OnResize: func(r *flow.Record) {
		drained += r.Packets
		if !sentDuring {
			sentDuring = true
			n.Send(t, burst(4))
			time.Sleep(100 * time.Millisecond) // the frames are metered meanwhile
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer d3.Close()
	if drained != 22 {
		t.Fatalf("restart with a new cache size drained %d packets, want 22", drained)
	}
	if c := d3.Capacity(); c != 512 {
		t.Fatalf("capacity %d after resize", c)
	}
	p3, err := d3.Attach(n.Mon, ModeBest, PortSettings{Meter: true})
	if err != nil {
		t.Fatal(err)
	}
	n.Send(t, burst(3))
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, _ := d3.Stats()
		if st.MeteredPackets >= 29 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st, _ := d3.Stats(); st.CreateFailPackets != 0 {
		t.Fatalf("%d packets failed flow creation across the resize", st.CreateFailPackets)
	}
	recs := harvestAll(t, d3)
	if len(recs) != 1 || recs[0].Packets != 4+3 {
		t.Fatalf("after resize: %+v", recs)
	}
	if err := d3.Detach(p3); err != nil {
		t.Fatal(err)
	}
}
