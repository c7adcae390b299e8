package datapath

import (
	"fmt"
	"net/netip"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

// checkTails checks the headers against the shared-tail rules (meter.h)
// while no writer runs: every lane is free, used, or a tail; every IPv6
// head's tail lane has the head's half set on the side its state names;
// every half set belongs to such a head. It returns the IPv6 heads and
// the tails both of whose halves are in use.
func checkTails(t *testing.T, tab *table) (heads, shared int) {
	t.Helper()
	for b := uint32(0); b < tab.buckets; b++ {
		tag := func(j uint32) uint16 {
			return uint16(atomic.LoadUint32(tab.hdrs.u32(int(b)*lineBytes+int(j/2)*4)) >> (16 * (j % 2)))
		}
		left := func(j uint32) bool {
			off := int(b*bucketSlots+j)*lineBytes + offAttrs
			return byte(atomic.LoadUint32(tab.slots.u32(off))>>24)&stTailLeft != 0
		}
		head := func(j uint32, l bool) bool {
			return j < bucketSlots && tag(j)&tagUsed != 0 && tag(j)&tagV6 != 0 && left(j) == l
		}
		for j := uint32(0); j < bucketSlots; j++ {
			tg := tag(j)
			switch {
			case tg&tagUsed != 0 && tg&tagV6 != 0:
				heads++
				tj, half := j+1, uint16(tagContL)
				if left(j) {
					tj, half = j-1, uint16(tagContR) // j 0: wraps past the bucket
				}
				if tj >= bucketSlots {
					t.Errorf("bucket %d: IPv6 head %d (tail left %v): its tail would be outside the bucket", b, j, left(j))
				} else if tag(tj)&tagUsed != 0 || tag(tj)&half == 0 {
					t.Errorf("bucket %d: IPv6 head %d (tail left %v): tail lane %d has tag %#x", b, j, left(j), tj, tag(tj))
				}
			case tg&tagUsed != 0, tg == 0:
			case tg&^uint16(tagContL|tagContR) != 0:
				t.Errorf("bucket %d lane %d: tag %#x is neither free, used nor a tail", b, j, tg)
			default:
				if tg&uint16(tagContL) != 0 && (j == 0 || !head(j-1, false)) {
					t.Errorf("bucket %d: tail %d has a left half with no IPv6 head before it", b, j)
				}
				if tg&uint16(tagContR) != 0 && !head(j+1, true) {
					t.Errorf("bucket %d: tail %d has a right half with no IPv6 head after it", b, j)
				}
				if tg == uint16(tagContL|tagContR) {
					shared++
				}
			}
		}
	}
	return heads, shared
}

// addrs6 are IPv6 flow i's addresses: they differ in the key's first
// line (the source) and in its tail (the destination's low bytes).
func addrs6(i int) (src, dst netip.Addr) {
	src = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 14: byte(i >> 8), 15: byte(i)})
	dst = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 1, 12: byte(i), 15: 0x99})
	return src, dst
}

func flow6(i int) []byte {
	src, dst := addrs6(i)
	return cat(ethHdr(0x86dd), ip6{src: src, dst: dst, nh: 17}.bytes(udpHdr(uint16(1000+i), 53, 0)))
}

func flow6Key(i int) string {
	src, dst := addrs6(i)
	return fmt.Sprintf("%v %v %d", src, dst, 1000+i)
}

func recKey(r *flow.Record) string {
	return fmt.Sprintf("%v %v %d", r.SrcAddr, r.DstAddr, r.SrcPort)
}

// TestSharedTails fills a small table with IPv6 flows, whose entries then
// share tail slots, and checks that each is found again (both tail
// sides), that freeing some of them leaves their neighbours whole and
// their halves reusable, and that a forced harvest leaves every lane free.
func TestSharedTails(t *testing.T) {
	d := openTest(t, 64)
	peek := func() map[string]uint64 {
		t.Helper()
		got := map[string]uint64{}
		if err := d.Peek(func(r *flow.Record) { got[recKey(r)] = r.Packets }); err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := map[string]uint64{}
	for i := 0; i < 48; i++ {
		feed(t, d, flow6(i), 1)
		feed(t, d, flow6(i), 1)
		want[flow6Key(i)] = 2
	}
	heads, shared := checkTails(t, d.tab)
	t.Logf("48 IPv6 flows: %d heads, %d tails shared by two", heads, shared)
	if heads != 48 || shared < 16 {
		t.Fatalf("%d IPv6 heads, %d shared tails; want 48 heads and tails shared", heads, shared)
	}
	if got := peek(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("peek:\n got %v\nwant %v", got, want)
	}

	// Drain every other flow, as a harvest's mark step does.
	d.tab.forEachUsed(func(e entry) {
		var r flow.Record
		d.tab.decode(e, clockPair{}, &r)
		if r.SrcPort%2 == 1 {
			atomic.OrUint32(d.tab.slots.u32(e.off()+offAttrs), uint32(stDraining|byte(flow.EndIdle)<<stReasonShift)<<24)
		}
	})
	var out []string
	if _, err := d.Harvest(HarvestRequest{}, func(r *flow.Record) { out = append(out, recKey(r)) }); err != nil {
		t.Fatal(err)
	}
	if len(out) != 24 {
		t.Fatalf("harvested %d drained flows, want 24: %v", len(out), out)
	}
	for _, k := range out {
		if want[k] != 2 {
			t.Errorf("harvested %q, not a flow sent", k)
		}
		delete(want, k)
	}
	if heads, _ := checkTails(t, d.tab); heads != 24 {
		t.Fatalf("%d IPv6 heads after freeing 24 of 48", heads)
	}
	// New flows take the freed heads and halves; the rest count on.
	for i := 0; i < 48; i += 2 {
		feed(t, d, flow6(i), 1)
		want[flow6Key(i)]++
	}
	for i := 48; i < 72; i++ {
		feed(t, d, flow6(i), 1)
		want[flow6Key(i)] = 1
	}
	heads, shared = checkTails(t, d.tab)
	t.Logf("after refilling: %d heads, %d shared tails", heads, shared)
	if got := peek(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("peek after refilling:\n got %v\nwant %v", got, want)
	}
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.CreateFailPackets != 0 {
		t.Errorf("%d creation failures in a table holding %d IPv6 flows of 64", st.CreateFailPackets, len(want))
	}
	recs := harvestAll(t, d)
	got := map[string]uint64{}
	for i := range recs {
		got[recKey(&recs[i])] = recs[i].Packets
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("forced harvest:\n got %v\nwant %v", got, want)
	}
	allFree(t, d.tab)
}

// allFree checks that every slot's tag is free (a table after a forced
// harvest).
func allFree(t *testing.T, tab *table) {
	t.Helper()
	for b := 0; b < int(tab.buckets); b++ {
		for j := 0; j < int(bucketSlots); j++ {
			w := atomic.LoadUint32(tab.hdrs.u32(b*lineBytes + j/2*4))
			if tag := uint16(w >> (16 * (j % 2))); tag != 0 {
				t.Errorf("bucket %d lane %d: tag %#x after a forced harvest", b, j, tag)
			}
		}
	}
}

// TestSharedTailsRacingHarvest is TestNoIncrementLostToHarvest with many
// IPv6 flows and some IPv4 ones, so entries share tail slots: writers on
// every CPU create, refill and count into entries whose tails neighbours
// are freed by a harvest loop that expires everything each pass. Every
// packet is in exactly one record, and the headers end consistent.
func TestSharedTailsRacingHarvest(t *testing.T) {
	// A flow has an entry per CPU that meters it (meter.h), and a pass's
	// marked entries hold their room until it collects them: room for
	// each key on every CPU, live and draining at once.
	d := openTest(t, 1024*max(1, runtime.NumCPU()))
	var frames [][]byte
	for i := 0; i < 240; i++ {
		frames = append(frames, flow6(i))
		if i%4 == 0 {
			frames = append(frames, udp4([4]byte{10, 1, byte(i), 1}, [4]byte{10, 2, 0, byte(i)}, 7, 8, 0))
		}
	}
	r := raceHarvest(t, d, frames, 30000, func(i, w int) int { return i*7 + w*13 }, func(pass int, future time.Time) HarvestRequest {
		if pass%3 == 2 {
			return HarvestRequest{ActiveBefore: future}
		}
		return HarvestRequest{IdleBefore: future}
	})
	heads, shared := checkTails(t, d.tab)
	if _, err := d.Harvest(HarvestRequest{Force: true}, r.collect); err != nil {
		t.Fatal(err)
	}
	st, _ := d.Stats()
	t.Logf("%d writers: sent %d, harvested %d, flows created %d; at the end %d IPv6 heads, %d shared tails",
		r.writers, r.sent.Load(), r.harvested, st.FlowsCreated, heads, shared)
	r.check(t, st)
	allFree(t, d.tab)
	if used, _, _ := d.Usage(); used != 0 {
		t.Errorf("%d flows left after a forced harvest", used)
	}
}
