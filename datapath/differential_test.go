package datapath

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/flowcache/flowcachetest"
)

// diffRecord is what both datapaths must agree on: the key, the counters,
// the TCP flags and why the record ended (times come from different clocks).
type diffRecord struct {
	key            flow.Key
	packets, bytes uint64
	flags          uint8
	reason         flow.EndReason
}

func (r diffRecord) String() string {
	return fmt.Sprintf("%v:%d>%v:%d/%d %dp %dB flags %#x %v", r.key.SrcAddr, r.key.SrcPort, r.key.DstAddr, r.key.DstPort, r.key.Proto, r.packets, r.bytes, r.flags, r.reason)
}

func sortedDiff(rs []flow.Record) []diffRecord {
	out := make([]diffRecord, 0, len(rs))
	for _, r := range rs {
		k := r.Key
		k.ToS = 0 // the datapath reports the first-seen ToS here; every test packet has 0
		out = append(out, diffRecord{k, r.Packets, r.Bytes, r.TCPFlags, r.EndReason})
	}
	slices.SortFunc(out, func(a, b diffRecord) int {
		return cmp.Or(a.key.SrcAddr.Compare(b.key.SrcAddr), a.key.DstAddr.Compare(b.key.DstAddr),
			cmp.Compare(a.key.SrcPort, b.key.SrcPort), cmp.Compare(a.key.DstPort, b.key.DstPort),
			cmp.Compare(a.key.Proto, b.key.Proto), cmp.Compare(a.reason, b.reason))
	})
	return out
}

// diffPacket is one packet of the random traffic, built for both sides.
type diffPacket struct {
	frame []byte
	pkt   flowcachetest.Packet
}

func randomPacket(rng *rand.Rand, keys int) diffPacket {
	n := rng.IntN(keys)
	v6 := n%3 == 2
	tcp := n%2 == 0
	sport, dport := uint16(20000+n), uint16(443)
	var l4 []byte
	var flags uint8
	proto := uint8(17)
	if tcp {
		proto = 6
		flags = tcpACK
		switch r := rng.IntN(20); {
		case r == 0:
			flags |= tcpFIN
		case r == 1:
			flags = tcpRST
		case r < 4:
			flags |= tcpPSH
		}
		l4 = cat(tcpHdr(sport, dport, flags), make([]byte, rng.IntN(64)))
	} else {
		l4 = udpHdr(sport, dport, rng.IntN(64))
	}
	var fr []byte
	var src, dst netip.Addr
	if v6 {
		src, dst = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(n)}), v6b
		fr = cat(ethHdr(0x86dd), ip6{src: src, dst: dst, nh: proto}.bytes(l4))
	} else {
		src, dst = netip.AddrFrom4([4]byte{10, 1, 0, byte(n)}), v4b
		fr = cat(ethHdr(0x0800), ip4{src: src, dst: dst, proto: proto}.bytes(l4))
	}
	return diffPacket{frame: fr, pkt: flowcachetest.Packet{
		Key:      flow.Key{SrcAddr: src, DstAddr: dst, SrcPort: sport, DstPort: dport, Proto: proto, InputIf: 1},
		Bytes:    uint64(len(fr) - 14),
		TCPFlags: flags,
	}}
}

// TestDifferentialFake sends the same random traffic through the real
// meter and through flowcachetest's fake, with the same random harvest
// requests between rounds, and requires the same records with the same
// end reasons. The engine's tests run on the fake: this is what makes
// them proofs about production. Both call package expiry's one rule.
//
// Time cutoffs fall in gaps between rounds of traffic (tens of
// milliseconds, against the meter's 4-ms coarse clock), so "before the
// cutoff" means the same on both sides however slow the machine is.
func TestDifferentialFake(t *testing.T) {
	const (
		capacity = 256 // well above the keys: no creation failure on either side
		keys     = 48
		rounds   = 24
		gap      = 25 * time.Millisecond
	)
	d := openTest(t, capacity)
	fake := flowcachetest.NewDatapath(capacity)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 14))

	var cuts []time.Time // one after each round
	pick := func() time.Time {
		if len(cuts) == 0 || rng.IntN(4) == 0 {
			return time.Time{} // rule off
		}
		return cuts[rng.IntN(len(cuts))]
	}
	var total, reasons [8]int
	for round := 0; round <= rounds; round++ { // the last one forces all out
		last := round == rounds
		now := time.Now()
		for range 20 + rng.IntN(60) {
			p := randomPacket(rng, keys)
			p.pkt.Time = now
			feed(t, d, p.frame, 1)
			if !fake.Meter(p.pkt) {
				t.Fatalf("fake refused a flow at %d entries", capacity)
			}
		}
		time.Sleep(gap)
		cuts = append(cuts, time.Now())
		time.Sleep(gap)
		req := flowcache.HarvestRequest{
			IdleBefore: pick(), ActiveBefore: pick(), FastBefore: pick(),
			EndOfFlow: rng.IntN(2) == 0, Emergency: rng.IntN(5) == 0,
			FastThreshold: uint64(1 + rng.IntN(6)),
			Force:         last,
		}
		// Every few rounds one rule surely applies, so each is exercised
		// whatever the seed: the flows of the round before last are idle,
		// those of the first round are old.
		switch round % 4 {
		case 1:
			req.Emergency, req.IdleBefore = true, cuts[len(cuts)-2]
		case 2:
			req.ActiveBefore = cuts[0]
		case 3:
			req.EndOfFlow = true
		}
		var real, fakes []flow.Record
		if _, err := d.Harvest(HarvestRequest{
			IdleBefore: req.IdleBefore, ActiveBefore: req.ActiveBefore, FastBefore: req.FastBefore,
			FastThreshold: req.FastThreshold, EndOfFlow: req.EndOfFlow, Emergency: req.Emergency, Force: req.Force,
		}, func(r *flow.Record) { real = append(real, *r) }); err != nil {
			t.Fatal(err)
		}
		if _, err := fake.Harvest(req, func(r *flow.Record) { fakes = append(fakes, *r) }); err != nil {
			t.Fatal(err)
		}
		got, want := sortedDiff(real), sortedDiff(fakes)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d, request %+v:\ndatapath %v\nfake     %v", round, req, got, want)
		}
		for _, r := range got {
			reasons[r.reason]++
			total[0]++
		}
		used, _, _ := d.Usage()
		fused, _, _ := fake.Usage()
		if used != fused {
			t.Fatalf("round %d: datapath holds %d entries, fake %d", round, used, fused)
		}
	}
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if m := fake.Metered(); st.MeteredPackets != m.Packets || st.MeteredBytes != m.Bytes {
		t.Fatalf("metered %d/%d bytes, fake %d/%d", st.MeteredPackets, st.MeteredBytes, m.Packets, m.Bytes)
	}
	t.Logf("%d records compared: idle %d, active %d, end-of-flow %d, forced %d, no-resource %d",
		total[0], reasons[flow.EndIdle], reasons[flow.EndActive], reasons[flow.EndOfFlow], reasons[flow.EndForced], reasons[flow.EndNoResource])
	// The traffic must have exercised each rule, or the comparison proves
	// less than it claims. With these odds a seed that misses one is
	// vanishingly rare.
	for _, r := range []flow.EndReason{flow.EndIdle, flow.EndActive, flow.EndOfFlow, flow.EndForced, flow.EndNoResource} {
		if reasons[r] == 0 {
			t.Errorf("no %v record in %d rounds: the comparison did not exercise that rule", r, rounds)
		}
	}
}
