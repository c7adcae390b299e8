package datapath

import (
	"encoding/binary"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/datapath/datapathtest"
)

// TestBatchSingleWriterOwners is TestSingleWriterOwners in a cache that
// meters in batches: threads on one CPU, then on every CPU, then racing
// harvests that end the entries and, first, apply each CPU's buffer from
// a thread on that CPU while the feeding threads fill it; every packet
// in exactly one entry and one record.
func TestBatchSingleWriterOwners(t *testing.T) {
	singleWriterOwners(t, batchMinEntries, 5003)
}

// feedOn feeds each frame of frs n times from a thread pinned to cpu, one
// run per packet (BPF_PROG_TEST_RUN with a repeat count).
func feedOn(t *testing.T, d *Datapath, cpu int, frs [][]byte, n uint32) {
	t.Helper()
	err := runOnCPU(cpu, func() error {
		for _, fr := range frs {
			if _, err := datapathtest.FeedRepeat(d.objs.FlowtapMeter, fr, 1, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// sumBySrc adds records up per source address, which tells this file's
// flows apart (a flow metered on two CPUs is an entry each).
func sumBySrc(rs []flow.Record) map[netip.Addr][2]uint64 {
	out := map[netip.Addr][2]uint64{}
	for _, r := range rs {
		s := out[r.SrcAddr]
		out[r.SrcAddr] = [2]uint64{s[0] + r.Packets, s[1] + r.Bytes}
	}
	return out
}

// TestBatchPending: in a cache that meters in batches, the packets a CPU
// buffers are metered but in no flow yet; Stats counts them
// (BatchPending), Peek and a harvest apply them first, and afterwards
// every flow is exact and nothing is pending.
func TestBatchPending(t *testing.T) {
	d := openTest(t, batchMinEntries)
	ncpu := min(runtime.NumCPU(), 4)
	var frs [][]byte
	for i := range 5 {
		frs = append(frs, udp4([4]byte{10, 7, 0, byte(i)}, [4]byte{10, 7, 1, 1}, 1000, 53, 0))
	}
	const per = 37 // packets of each flow on each CPU: 185 a CPU, 11 batches and 9 over
	for cpu := range ncpu {
		feedOn(t, d, cpu, frs, per)
	}
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	total := uint64(ncpu * len(frs) * per)
	if want := uint64(ncpu * (len(frs) * per % batchRecs)); st.BatchPending != want || st.MeteredPackets != total {
		t.Fatalf("pending %d, metered %d; want %d pending of %d", st.BatchPending, st.MeteredPackets, want, total)
	}
	var peeked uint64
	if err := d.Peek(func(r *flow.Record) { peeked += r.Packets }); err != nil {
		t.Fatal(err)
	}
	if peeked != total {
		t.Errorf("Peek sees %d packets of %d", peeked, total)
	}
	// More after the Peek, so the harvest has its own to apply.
	feedOn(t, d, 0, frs[:1], 3)
	got := sumBySrc(harvestAll(t, d))
	for i := range frs {
		want := uint64(ncpu * per)
		if i == 0 {
			want += 3
		}
		k := netip.AddrFrom4([4]byte{10, 7, 0, byte(i)})
		if got[k] != [2]uint64{want, want * 32} {
			t.Errorf("flow %d: %v, want %d packets", i, got[k], want)
		}
	}
	if st, err = d.Stats(); err != nil || st.BatchPending != 0 {
		t.Fatalf("after the harvest: pending %d (%v)", st.BatchPending, err)
	}
}

// TestBatchKeptAcrossRestart: the buffers are pinned with the table, so
// packets a CPU had buffered when the daemon died (no flush, no harvest)
// are exported by the next one, once; and a table pinned by a version
// without buffers gets them.
func TestBatchKeptAcrossRestart(t *testing.T) {
	requireRoot(t)
	pins := tempPinDir(t, "batchpins")
	open := func() *Datapath {
		d, err := Open(Options{Entries: batchMinEntries, PinDir: pins})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := open()
	d.Close()
	// As an older version left it: no buffers pinned.
	if err := os.Remove(filepath.Join(pins, batchMap)); err != nil {
		t.Fatal(err)
	}
	d = open()
	if _, err := os.Stat(filepath.Join(pins, batchMap)); err != nil {
		t.Fatalf("the buffers were not pinned over an older table: %v", err)
	}
	fr := udp4([4]byte{10, 6, 0, 1}, [4]byte{10, 6, 0, 2}, 5, 6, 0)
	feedOn(t, d, 0, [][]byte{fr}, 2*uint32(batchRecs)+5)
	if st, err := d.Stats(); err != nil || st.BatchPending != 5 {
		t.Fatalf("pending %d before the kill, want 5 (%v)", st.BatchPending, err)
	}
	d.Close() // a kill: nothing flushed, nothing harvested
	d = open()
	defer d.Close()
	got := sumBySrc(harvestAll(t, d))
	if w := uint64(2*batchRecs + 5); got[netip.AddrFrom4([4]byte{10, 6, 0, 1})] != [2]uint64{w, w * 32} {
		t.Fatalf("after the restart: %v, want %d packets once", got, w)
	}
	if got := harvestAll(t, d); len(got) != 0 {
		t.Fatalf("a second harvest exported %v", got)
	}
}

// BenchmarkFlushBatches: what applying a quiet CPU's buffer from user
// space costs a harvest (15 records on CPU 0: the most a buffer holds
// between two harvests without filling), wall time per flush, and the
// flush program's own run time from the kernel's statistics.
func BenchmarkFlushBatches(b *testing.B) {
	d := openTest(b, batchMinEntries)
	enableBPFStats(b)
	var frs [][]byte
	for i := range batchRecs - 1 {
		frs = append(frs, udp4([4]byte{10, 5, 0, byte(i)}, [4]byte{10, 5, 1, 1}, 1000, 53, 0))
	}
	feed := func() {
		if err := runOnCPU(0, func() error {
			for _, fr := range frs {
				if _, err := datapathtest.Feed(d.objs.FlowtapMeter, fr, 1); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	ns0, n0 := runStats(b, d.objs.FlowtapFlush)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		feed()
		b.StartTimer()
		if err := d.FlushBatches(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	ns1, n1 := runStats(b, d.objs.FlowtapFlush)
	if n1-n0 != uint64(b.N) {
		b.Fatalf("%d flush runs for %d flushes", n1-n0, b.N)
	}
	b.ReportMetric(float64(ns1-ns0)/float64(n1-n0), "ns/flush-run")
	b.ReportMetric(float64(ns1-ns0)/float64(n1-n0)/float64(len(frs)), "ns/record")
}

// TestBatchFlushFailureKeepsHarvesting: when a CPU's buffer cannot be
// applied (here the flush program is unusable), the harvest still
// exports what the table holds and reports the error; the packets stay
// buffered and counted, and a later flush applies them. Before, the
// failed flush stopped every harvest.
func TestBatchFlushFailureKeepsHarvesting(t *testing.T) {
	d := openTest(t, batchMinEntries)
	fr := udp4([4]byte{10, 4, 0, 1}, [4]byte{10, 4, 0, 2}, 9, 9, 0)
	feedOn(t, d, 0, [][]byte{fr}, uint32(batchRecs)+4)
	good := d.objs.FlowtapFlush
	broken, err := good.Clone()
	if err != nil {
		t.Fatal(err)
	}
	broken.Close()
	d.objs.FlowtapFlush = broken
	var got uint64
	_, err = d.Harvest(HarvestRequest{Force: true}, func(r *flow.Record) { got += r.Packets })
	d.objs.FlowtapFlush = good
	if err == nil || got != uint64(batchRecs) {
		t.Fatalf("harvest with a failing flush: %d packets exported, error %v; want %d and an error", got, err, batchRecs)
	}
	if st, err := d.Stats(); err != nil || st.BatchPending != 4 {
		t.Fatalf("pending %d after the failed flush, want 4 (%v)", st.BatchPending, err)
	}
	if s := sumBySrc(harvestAll(t, d)); s[netip.AddrFrom4([4]byte{10, 4, 0, 1})] != [2]uint64{4, 4 * 32} {
		t.Fatalf("the next harvest: %v, want the 4 buffered packets", s)
	}
}

// TestBatchWhileNotRefused: a cache of batchAdaptMinEntries up to
// batchMinEntries meters in batches on a CPU whose creations are not
// refused; once its full cache refuses one, that CPU meters directly
// (nothing buffered: a refused packet would pay the record for nothing),
// other CPUs still batch, and a creation that succeeds again (after a
// harvest) turns it back, for IPv6 as for IPv4. Every packet is in one flow or counted refused.
func TestBatchWhileNotRefused(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs two CPUs")
	}
	entries := batchAdaptMinEntries
	d := openTest(t, entries)
	pending := func(cpu int) int {
		t.Helper()
		per, err := d.BatchPending()
		if err != nil {
			t.Fatal(err)
		}
		return per[cpu]
	}
	flows := func(b byte, n int) [][]byte {
		var frs [][]byte
		for i := range n {
			frs = append(frs, udp4([4]byte{10, b, byte(i >> 8), byte(i)}, [4]byte{10, 9, 0, 1}, 1000, 53, 0))
		}
		return frs
	}
	// A cache with room: batched.
	feedOn(t, d, 0, flows(1, 5), 3)
	if got := pending(0); got != 15 {
		t.Fatalf("%d-entry cache with room: %d packets buffered, want 15 (batched)", entries, got)
	}
	// IPv6 too, below batchMinEntries as IPv4.
	feedOn(t, d, 0, [][]byte{flow6(0)}, 3)
	// 15 + 3: the 16th filled the buffer and flushed it.
	if got := pending(0); got != 2 {
		t.Fatalf("IPv6 in a %d-entry cache with room: %d packets buffered, want 2 (batched: the 16th flushed)", entries, got)
	}
	// Fill it from CPU 0 and past: the last creations are refused.
	const over = 200
	feedOn(t, d, 0, flows(2, entries+over), 1)
	if err := d.FlushBatches(); err != nil {
		t.Fatal(err)
	}
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	refused := st.CreateFailFull + st.CreateFailContention
	if sent := uint64(5 + 1 + entries + over); st.FlowsCreated+refused != sent || st.CreateFailFull == 0 {
		t.Fatalf("created %d, refused %d full + %d contention, want %d in all, some full",
			st.FlowsCreated, st.CreateFailFull, st.CreateFailContention, sent)
	}
	// CPU 0 was refused: its hits and its refused packets go direct.
	feedOn(t, d, 0, flows(1, 2), 2)
	feedOn(t, d, 0, flows(3, 2), 2)
	if got := pending(0); got != 0 {
		t.Fatalf("after a refusal: %d packets buffered on CPU 0, want 0 (direct)", got)
	}
	if st2, err := d.Stats(); err != nil || st2.CreateFailPackets-st.CreateFailPackets != 4 {
		t.Fatalf("refused packets counted at once: %d, want 4 (%v)", st2.CreateFailPackets-st.CreateFailPackets, err)
	}
	// CPU 1 was never refused: it still batches (its packets are new
	// entries, CPU 1's, which its flush will find no room for).
	feedOn(t, d, 1, flows(1, 1), 3)
	if got := pending(1); got != 3 {
		t.Fatalf("CPU 1, never refused: %d packets buffered, want 3", got)
	}
	// Empty the cache: CPU 0's next creation succeeds (direct), and the
	// packets after it are batched again.
	recs := harvestAll(t, d)
	var harvested uint64
	for _, r := range recs {
		harvested += r.Packets
	}
	st, err = d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if harvested+st.CreateFailPackets != st.MeteredPackets {
		t.Fatalf("harvested %d + refused %d packets, metered %d", harvested, st.CreateFailPackets, st.MeteredPackets)
	}
	feedOn(t, d, 0, flows(4, 1), 1)
	if got := pending(0); got != 0 {
		t.Fatalf("the first packet after the harvest: %d buffered, want 0 (direct)", got)
	}
	feedOn(t, d, 0, flows(4, 4), 2)
	if got := pending(0); got != 8 {
		t.Fatalf("after a creation succeeded: %d buffered, want 8 (batched)", got)
	}
	got := sumBySrc(harvestAll(t, d))
	for i, want := range []uint64{3, 2, 2, 2} {
		k := netip.AddrFrom4([4]byte{10, 4, 0, byte(i)})
		if got[k] != [2]uint64{want, want * 32} {
			t.Errorf("flow %v: %v, want %d packets", k, got[k], want)
		}
	}
}

// TestFlushLoadsAhead: a flush loads ahead, for each record, the slot line
// its metering will read: the entry's own slot for a key in the table,
// whether at its home slot or placed away from it (its home taken by
// another key), the home slot for a new key whose home is free, and none
// for a new key whose home is taken and whose tag matches no slot. The
// flush keeps that choice in each record (batch_rec.ahead), so the test
// reads it from the buffer after a flush: every key in the table is
// checked against where its entry is (a record the flush counted in
// place is marked so, batchAheadCounted, in place of its slot: the count
// takes a record only when the slot chosen holds its key's live entry).
func TestFlushLoadsAhead(t *testing.T) {
	const batchAheadCounted = ^uint32(2) // bpf/batch.h, BATCH_AHEAD_COUNTED
	d := openTest(t, batchMinEntries)
	dst := [4]byte{192, 0, 2, 9}
	src := func(i int) [4]byte { return [4]byte{10, 9, byte(i >> 8), byte(i)} }
	const flows = 3000 // about 5% of the slots: some keys find their home taken
	var frs [][]byte
	for i := range flows {
		frs = append(frs, udp4(src(i), dst, 1000, 53, 0))
	}
	feedOn(t, d, 0, frs, 1)
	if err := d.FlushBatches(); err != nil {
		t.Fatal(err)
	}
	seed, hash, nb := *d.tab.seed(), *d.tab.hash(), d.tab.buckets
	slots := map[[4]byte]uint32{}
	var buf [slot6Size]byte
	d.tab.forEachUsed(func(e entry) {
		slots[[4]byte(d.tab.bytes(e, &buf)[offKey:])] = e.slot
	})
	if len(slots) != flows {
		t.Fatalf("%d entries, want %d", len(slots), flows)
	}
	tagAt := func(b, j uint32) uint16 {
		return uint16(*d.tab.hdrs.u32(int(b)*lineBytes + 2*int(j&^1)) >> (16 * (j & 1)))
	}
	place := func(s [4]byte) (b1 uint32, tag uint16, home uint32) {
		return homePlace(fedKey(t, netip.AddrFrom4(s), netip.AddrFrom4(dst), 1000, 53, 1, 17, 0), seed, hash, nb)
	}
	// A batch of each kind: away from home, at home, new with its home
	// free, new with its home taken and its tag nowhere.
	var away, home, newFree, newTaken [][4]byte
	for i := range flows {
		s := src(i)
		b1, _, h := place(s)
		if slots[s] == b1*bucketSlots+h {
			home = append(home, s)
		} else if slots[s]/bucketSlots == b1 {
			away = append(away, s)
		}
	}
	for i := flows; len(newFree) < 3 || len(newTaken) < 3; i++ {
		s := src(i)
		b1, tag, h := place(s)
		switch tagAt(b1, h) {
		case uint16(meterTableLayoutTAG_FREE):
			newFree = append(newFree, s)
		case tag:
		default:
			none := true
			for j := range uint32(bucketSlots) {
				none = none && tagAt(b1, j) != tag
			}
			if none {
				newTaken = append(newTaken, s)
			}
		}
	}
	if len(away) < 6 || len(home) < 4 {
		t.Fatalf("%d keys away from home, %d at home: too few to test", len(away), len(home))
	}
	batch := slices.Concat(away[:6], home[:4], newFree[:3], newTaken[:3])
	if len(batch) != batchRecs {
		t.Fatalf("a batch of %d, want %d", len(batch), batchRecs)
	}
	want := make([]uint32, len(batch))
	for i, s := range batch {
		b1, _, h := place(s)
		switch {
		case i < 10:
			want[i] = slots[s]
		case i < 13:
			want[i] = b1*bucketSlots + h
		default:
			want[i] = ^uint32(0)
		}
	}
	var bfrs [][]byte
	for _, s := range batch {
		bfrs = append(bfrs, udp4(s, dst, 1000, 53, 0))
	}
	feedOn(t, d, 0, bfrs, 1) // the last fills the buffer: its run flushes it
	var per []meterMeterBatch
	if err := d.objs.Batch.Lookup(uint32(0), &per); err != nil {
		t.Fatal(err)
	}
	if per[0].N != 0 {
		t.Fatalf("CPU 0 holds %d records after its batch, want 0 (flushed)", per[0].N)
	}
	for i, s := range batch {
		got := per[0].R[i].Ahead
		if i < 10 && got == batchAheadCounted {
			// Counted in place, which the count does only with the
			// key's live entry in the slot loaded ahead: want[i].
			continue
		}
		if got != want[i] {
			t.Errorf("record %d (%v): loaded slot %#x ahead, want %#x", i, netip.AddrFrom4(s), got, want[i])
		}
	}
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.FlowsCreated != flows+6 || st.BatchPending != 0 {
		t.Errorf("%d flows created, %d pending; want %d and 0", st.FlowsCreated, st.BatchPending, flows+6)
	}
}

// TestFlushMixedFamilies: a flush whose buffer holds IPv4 and IPv6
// records interleaved meters each in its turn, one record a run of
// flowtap_flush_rec; every packet is in its flow once, whatever its
// family's place in the buffer, and the records past the last flush stay pending
// until the harvest applies them.
func TestFlushMixedFamilies(t *testing.T) {
	d := openTest(t, batchMinEntries)
	dst := [4]byte{192, 0, 2, 7}
	var frs [][]byte
	for i := range 5 {
		frs = append(frs, udp4([4]byte{10, 8, 0, byte(i)}, dst, 1000, 53, 0))
		if i < 3 {
			frs = append(frs, flow6(i))
		}
	}
	const rounds = 11 // 88 packets: five full buffers and 8 records over
	for range rounds {
		feedOn(t, d, 0, frs, 1)
	}
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if want := uint64(rounds * len(frs) % batchRecs); st.BatchPending != want {
		t.Fatalf("pending %d, want %d", st.BatchPending, want)
	}
	got := map[string][2]uint64{}
	for _, r := range harvestAll(t, d) {
		k := recKey(&r)
		got[k] = [2]uint64{got[k][0] + r.Packets, got[k][1] + r.Bytes}
	}
	want := map[string][2]uint64{}
	for i := range 5 {
		want[fmt.Sprintf("%v %v %d", netip.AddrFrom4([4]byte{10, 8, 0, byte(i)}), netip.AddrFrom4(dst), 1000)] = [2]uint64{rounds, rounds * 32}
	}
	for i := range 3 {
		want[flow6Key(i)] = [2]uint64{rounds, rounds * 48}
	}
	if !maps.Equal(got, want) {
		t.Errorf("flows %v, want %v", got, want)
	}
	if st, err = d.Stats(); err != nil || st.BatchPending != 0 || st.FlowsCreated != 8 {
		t.Fatalf("after the harvest: pending %d, created %d, want 0 and 8 (%v)", st.BatchPending, st.FlowsCreated, err)
	}
}

// TestFlushMetersWithoutCalls: the flush meters its records with no
// BPF-to-BPF call and return a record (a return costs 10-20 ns on a CPU
// whose SRSO mitigation makes every return dear: datapath/README.md,
// "Metering in batches"), and not in one loop either (the verifier walked
// such a loop once per path through the metering: 785K instructions).
// flowtap_flush_rec meters one record inline and tail-calls itself, by
// the constant key 1 of batch_progs (a direct jump once JITed); neither
// it nor flowtap_flush calls a function on a cycle of its control flow.
func TestFlushMetersWithoutCalls(t *testing.T) {
	spec, err := loadMeter()
	if err != nil {
		t.Fatal(err)
	}
	for _, prog := range []string{"flowtap_flush", "flowtap_flush_rec"} {
		insns := progBody(t, spec, prog)
		for i, ins := range insns {
			if ins.IsFunctionCall() && onCycle(insns, i) {
				t.Errorf("%s calls %s inside a loop: a call a record", prog, ins.Reference())
			}
		}
	}
	rec := progBody(t, spec, "flowtap_flush_rec")
	self := false
	for i, ins := range rec {
		if !ins.IsBuiltinCall() || asm.BuiltinFunc(ins.Constant) != asm.FnTailCall || i < 2 {
			continue
		}
		// The key (r3) and the map (r2) set just before the call.
		var key int64 = -1
		var m string
		for _, p := range rec[max(0, i-4):i] {
			if p.Dst == asm.R3 && p.OpCode.Class().IsALU() && p.Src == asm.R0 && p.OpCode.Source() == asm.ImmSource {
				key = p.Constant
			}
			if p.Dst == asm.R2 && p.IsLoadFromMap() {
				m = p.Reference()
			}
		}
		self = self || (key == 1 && m == "batch_progs")
	}
	if !self {
		t.Error("flowtap_flush_rec does not tail-call slot 1 of batch_progs (itself) for the next record")
	}
}

// onCycle reports whether instruction at of one function's instructions
// can reach itself again through the function's jumps.
func onCycle(insns asm.Instructions, at int) bool {
	next := successors(insns)
	seen := map[int]bool{}
	stack := next(at)
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if i == at {
			return true
		}
		if !seen[i] {
			seen[i] = true
			stack = append(stack, next(i)...)
		}
	}
	return false
}

// successors gives, for an instruction of one function's instructions,
// the indexes of those that can run next (none after an exit).
func successors(insns asm.Instructions) func(int) []int {
	// Raw offsets (a 64-bit load is two) to indexes, for jump targets.
	idx := map[int]int{}
	raw := make([]int, len(insns))
	off := 0
	for i, ins := range insns {
		idx[off], raw[i] = i, off
		off += int(ins.Size() / asm.InstructionSize)
	}
	return func(i int) []int {
		ins := insns[i]
		op := ins.OpCode
		var out []int
		if op.Class().IsJump() && !ins.IsFunctionCall() && op.JumpOp() != asm.Call {
			if op.JumpOp() == asm.Exit {
				return nil
			}
			if j, ok := idx[raw[i]+1+int(ins.Offset)]; ok {
				out = append(out, j)
			}
			if op.JumpOp() == asm.Ja {
				return out
			}
		}
		if i+1 < len(insns) {
			out = append(out, i+1)
		}
		return out
	}
}

// reaches reports whether some path of one function's instructions
// leads from instruction from to one for which to holds without passing
// through instruction avoid.
func reaches(insns asm.Instructions, from int, to func(int) bool, avoid int) bool {
	next := successors(insns)
	seen := map[int]bool{from: true}
	stack := []int{from}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if to(i) {
			return true
		}
		for _, j := range next(i) {
			if j != avoid && !seen[j] {
				seen[j] = true
				stack = append(stack, j)
			}
		}
	}
	return false
}

// TestFlushAllHitsWithoutRefusals: a flush whose records are all plain
// hits (the 10K and 100K rows: no record left to flowtap_flush_rec)
// counts them and ends, with no call of batch_refuse_full (a call, four
// map lookups and a return made dear by this CPU's SRSO mitigation, for
// a batch with nothing it could refuse) and no compaction: in
// flowtap_flush a path runs from the entry through the count's lookup
// of its slot (the program's last lookup of flows) to an exit, and
// passes no call of batch_refuse_full. It fails on the flush that
// called it before the count, on every path.
func TestFlushAllHitsWithoutRefusals(t *testing.T) {
	spec, err := loadMeter()
	if err != nil {
		t.Fatal(err)
	}
	insns := progBody(t, spec, "flowtap_flush")
	call, count := -1, -1
	for i, ins := range insns {
		if ins.IsFunctionCall() && ins.Reference() == "batch_refuse_full" {
			call = i
		}
		if ins.IsBuiltinCall() && asm.BuiltinFunc(ins.Constant) == asm.FnMapLookupElem {
			for _, p := range insns[max(0, i-4):i] {
				if p.Dst == asm.R1 && p.IsLoadFromMap() && p.Reference() == "flows" {
					count = i
				}
			}
		}
	}
	if call < 0 || count < 0 {
		t.Fatalf("flowtap_flush: call of batch_refuse_full at %d, the count's lookup at %d: want both", call, count)
	}
	if !reaches(insns, 0, func(i int) bool { return i == count }, call) {
		t.Error("every path of flowtap_flush to the count of plain hits calls batch_refuse_full first")
	}
	exit := func(i int) bool { return insns[i].OpCode.JumpOp() == asm.Exit }
	if !reaches(insns, count, exit, call) {
		t.Error("every path of flowtap_flush from the count of plain hits to its end calls batch_refuse_full")
	}
}

// TestFlushRecMissingKeepsRecords: should the flush's tail call to
// flowtap_flush_rec fail (here its slot is empty), the buffer keeps every
// record (none metered, none lost) and later packets are metered
// directly; once the slot is back, the next harvest applies them, each
// packet once.
func TestFlushRecMissingKeepsRecords(t *testing.T) {
	d := openTest(t, batchMinEntries)
	if err := d.objs.BatchProgs.Delete(uint32(1)); err != nil {
		t.Fatal(err)
	}
	src := [4]byte{10, 4, 1, 1}
	// A new flow a packet: none is a hit the flush would count itself
	// (TestFlushCountsHitsInPlace), so every record needs the program.
	var frs [][]byte
	for i := range batchRecs + 5 {
		frs = append(frs, udp4(src, [4]byte{10, 4, 1, 2}, uint16(9+i), 9, 0))
	}
	feedOn(t, d, 0, frs, 1)
	st, err := d.Stats()
	if err != nil || st.BatchPending != uint64(batchRecs) {
		t.Fatalf("pending %d with no record program, want %d (%v)", st.BatchPending, batchRecs, err)
	}
	if err := d.initBatch(); err != nil {
		t.Fatal(err)
	}
	if s := sumBySrc(harvestAll(t, d)); s[netip.AddrFrom4(src)] != [2]uint64{uint64(batchRecs) + 5, (uint64(batchRecs) + 5) * 32} {
		t.Fatalf("harvest: %v, want %d packets once", s, batchRecs+5)
	}
	if st, err := d.Stats(); err != nil || st.BatchPending != 0 {
		t.Fatalf("pending %d after the harvest, want 0 (%v)", st.BatchPending, err)
	}
}

// TestFlushCountsHitsInPlace: a flush counts the records that are plain
// hits (an IPv4 record whose chosen slot holds its own owned entry, no
// FIN or RST) in its own run, as the per-record program would, and hands
// only the others to flowtap_flush_rec: a FIN, an RST, an IPv6 record and
// new flows (hits with any other flags, SYN, ECE and CWR among them, are
// counted in place). With that program's slot empty the buffer is left holding
// exactly those, in the order they came; once it is back, every flow's
// counters are what the direct path gives the same packets.
func TestFlushCountsHitsInPlace(t *testing.T) {
	dst := [4]byte{192, 0, 2, 11}
	src := func(i int) [4]byte { return [4]byte{10, 11, 0, byte(i)} }
	tcp := func(i int, flags, ttl uint8, pay int) []byte {
		return cat(ethHdr(0x0800), ip4{src: netipFrom4(src(i)), dst: netipFrom4(dst), proto: 6, ttl: ttl}.bytes(cat(tcpHdr(uint16(2000+i), 80, flags), make([]byte, pay))))
	}
	// Sixteen records: the flows the batch below hits.
	var setup [][]byte
	for i := range 15 {
		setup = append(setup, tcp(i, tcpSYN, 64, 10))
	}
	setup = append(setup, flow6(0))
	batch := [][]byte{
		tcp(0, tcpACK, 60, 20),
		tcp(1, tcpACK|tcpPSH, 70, 0),
		tcp(2, tcpFIN|tcpACK, 64, 0), // full way: its event
		tcp(20, tcpSYN, 64, 0),       // full way: a new flow
		tcp(3, tcpACK, 64, 5),
		flow6(0),                   // full way: IPv6
		tcp(4, tcpRST, 30, 0),      // full way: its event
		tcp(0, tcpACK|0x20, 50, 1), // flow 0 again in the batch, URG
	}
	// Counted in place whatever their flags but FIN and RST (the
	// count tests those two bits of the record's flags byte).
	batch = append(batch, tcp(5, tcpSYN|tcpACK, 45, 5), tcp(6, 0xc0|tcpACK, 46, 6), tcp(7, 0xff&^(tcpFIN|tcpRST), 47, 7))
	for i := 8; i < 12; i++ {
		batch = append(batch, tcp(i, tcpACK, uint8(40+i), i))
	}
	batch = append(batch, tcp(21, tcpSYN, 64, 0)) // full way: a new flow
	if len(batch) != batchRecs {
		t.Fatalf("a batch of %d, want %d", len(batch), batchRecs)
	}
	full := []int{2, 3, 5, 6, 15}

	d := openTest(t, batchMinEntries)
	feedOn(t, d, 0, setup, 1)
	if err := d.objs.BatchProgs.Delete(uint32(1)); err != nil {
		t.Fatal(err)
	}
	feedOn(t, d, 0, batch, 1) // the last fills the buffer: its run flushes it
	var per []meterMeterBatch
	if err := d.objs.Batch.Lookup(uint32(0), &per); err != nil {
		t.Fatal(err)
	}
	if per[0].N != uint32(len(full)) {
		t.Fatalf("CPU 0 holds %d records after a flush with no record program, want the %d that are not plain hits", per[0].N, len(full))
	}
	for k, i := range full {
		r := per[0].R[k]
		want := 5
		if i == 5 {
			want = 11
		}
		var s [4]byte
		binary.LittleEndian.PutUint32(s[:], r.Key[0])
		if int(r.Nw) != want || (want == 5 && (s != [4]byte(batch[i][26:30]) || r.TcpFlags != batch[i][47])) {
			t.Errorf("record %d left: %d words, source %v, flags %#x; want batch record %d", k, r.Nw, netip.AddrFrom4(s), r.TcpFlags, i)
		}
	}
	if st, err := d.Stats(); err != nil || st.BatchPending != uint64(len(full)) {
		t.Fatalf("pending %d, want %d (%v)", st.BatchPending, len(full), err)
	}
	if err := d.initBatch(); err != nil {
		t.Fatal(err)
	}

	// The direct path (a cache too small to batch) given the same packets.
	ref := openTest(t, 4096)
	feedOn(t, ref, 0, setup, 1)
	feedOn(t, ref, 0, batch, 1)
	type counts struct {
		packets, bytes        uint64
		flags, minTTL, maxTTL uint8
	}
	sum := func(d *Datapath) map[string]counts {
		out := map[string]counts{}
		for _, r := range harvestAll(t, d) {
			if _, dup := out[recKey(&r)]; dup {
				t.Fatalf("flow %s in two records", recKey(&r))
			}
			out[recKey(&r)] = counts{r.Packets, r.Bytes, r.TCPFlags, r.MinTTL, r.MaxTTL}
		}
		return out
	}
	got, want := sum(d), sum(ref)
	if len(want) != 18 || !maps.Equal(got, want) {
		t.Errorf("batched flows %v,\nwant (direct) %v", got, want)
	}
	st, err := d.Stats()
	if err != nil || st.BatchPending != 0 || st.FinEvents != 2 {
		t.Fatalf("after the harvest: pending %d, FIN events %d, want 0 and 2 (%v)", st.BatchPending, st.FinEvents, err)
	}
}

// TestFlushRoundsBare: the flush's rounds of loads are bare, the loads a
// few instructions apart (datapath/README.md, "Metering in batches": a
// round of 16 loads with about 40 instructions between them costs four or
// five memory latencies, a bare one two, as the CPU's window holds so
// many more of them in flight). In flowtap_flush each round is 16 lookups
// of its map written out, each at most 14 instructions after the one
// before with at most two loads from the stack between (clang keeps the
// count of records there; the fold stays in a register). The first
// lookup of a round may be laid out apart from the rest (it follows the
// code before the round), so the gaps are counted from the second.
func TestFlushRoundsBare(t *testing.T) {
	spec, err := loadMeter()
	if err != nil {
		t.Fatal(err)
	}
	insns := progBody(t, spec, "flowtap_flush")
	// The lookups of a map: helper calls whose r1 was just set to it.
	lookups := func(m string) []int {
		var at []int
		for i, ins := range insns {
			if !ins.IsBuiltinCall() || asm.BuiltinFunc(ins.Constant) != asm.FnMapLookupElem {
				continue
			}
			for _, p := range insns[max(0, i-4):i] {
				if p.Dst == asm.R1 && p.IsLoadFromMap() && p.Reference() == m {
					at = append(at, i)
					break
				}
			}
		}
		return at
	}
	// Whether the 16 lookups from at[0] on are a bare round, and if not,
	// why.
	bare := func(m string, at []int) string {
		for k := 2; k < 16; k++ {
			if d := at[k] - at[k-1]; d > 14 {
				return fmt.Sprintf("%s round: load %d is %d instructions after the one before, want at most 14:\n%v", m, k, d, insns[at[k-1]:at[k]+1])
			}
			stack := 0
			for _, ins := range insns[at[k-1]:at[k]] {
				if ins.OpCode.Class() == asm.LdXClass && ins.Src == asm.R10 {
					stack++
				}
			}
			if stack > 2 {
				return fmt.Sprintf("%s round: %d loads from the stack before load %d (values spilled):\n%v", m, stack, k, insns[at[k-1]:at[k]+1])
			}
		}
		return ""
	}
	for _, m := range []string{"buckets", "flows"} {
		at := lookups(m)
		if len(at) < 16 {
			t.Errorf("flowtap_flush looks up %s %d times, want a round of 16 written out", m, len(at))
			continue
		}
		// The round is 16 lookups in a row among the map's (another
		// may come before it, as the stand-in for a failed lookup, or
		// after it).
		why := ""
		for from := 0; from+16 <= len(at); from++ {
			if why = bare(m, at[from:from+16]); why == "" {
				break
			}
		}
		if why != "" {
			t.Error(why)
		}
	}
}

// TestPlainAddsWhole: an owned entry's packet and byte counters are
// added to with whole 64-bit loads and stores (count_vals), so a reader
// (Peek, the harvest) never sees an add half done, its low word carried
// and its high word not yet. The value is packed (4-byte aligned), and
// clang split such an add into two 32-bit halves, the high one stored
// as the sum shifted right by 32 (into the word at offset 4 or 12): no
// program may store a shifted-down high half there.
func TestPlainAddsWhole(t *testing.T) {
	spec, err := loadMeter()
	if err != nil {
		t.Fatal(err)
	}
	for _, prog := range []string{"flowtap_meter", "flowtap_flush", "flowtap_flush_rec"} {
		ps := spec.Programs[prog]
		if ps == nil {
			t.Fatalf("no program %s", prog)
		}
		insns := ps.Instructions
		split := 0
		for i, ins := range insns {
			if ins.OpCode.Class() != asm.StXClass || ins.OpCode.Size() != asm.Word || (ins.Offset != 4 && ins.Offset != 12) {
				continue
			}
			for _, p := range insns[max(0, i-3):i] {
				if p.Dst == ins.Src && p.OpCode.Class() == asm.ALU64Class && p.OpCode.ALUOp() == asm.RSh && p.OpCode.Source() == asm.ImmSource && p.Constant == 32 {
					split++
					break
				}
			}
		}
		if split > 0 {
			t.Errorf("%s stores %d high halves of 64-bit sums as 32-bit words: a counter's add split in two", prog, split)
		}
	}
}

// TestFlushRefusesInPlace: in a full cache that meters in batches, the
// flush counts as refused, in its own run, each record whose key cannot be
// in the table (its first bucket without an overflow flag and no tag of
// it the key's) while the cache is at its size; the other records that
// are no plain hits (here new keys whose first bucket is flagged) stay for
// flowtap_flush_rec, in order. With that program taken out of its slot the
// buffer keeps exactly those; the refusals in place are counted as the
// direct path counts them (packets, bytes, "full", the one event after an
// acknowledgement), and once the rest is applied every packet is in a flow
// or refused.
func TestFlushRefusesInPlace(t *testing.T) {
	d := openTest(t, batchMinEntries)
	dst := [4]byte{192, 0, 2, 12}
	src := func(i int) [4]byte { return [4]byte{10, 12 + byte(i>>16), byte(i >> 8), byte(i)} }
	fill := batchMinEntries + 100
	var frs [][]byte
	for i := range fill {
		frs = append(frs, udp4(src(i), dst, 1000, 53, 0))
	}
	feedOn(t, d, 0, frs, 1)
	if err := d.FlushBatches(); err != nil {
		t.Fatal(err)
	}
	before, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if before.FlowsCreated+before.CreateFailFull+before.CreateFailContention != uint64(fill) || before.CreateFailFull == 0 {
		t.Fatalf("filling: created %d, refused %d full, %d contention; want %d in all, some full",
			before.FlowsCreated, before.CreateFailFull, before.CreateFailContention, fill)
	}
	seed, hash, nb := *d.tab.seed(), *d.tab.hash(), d.tab.buckets
	hdr := func(b uint32) (tags [bucketSlots]uint16, flags uint16) {
		for j := range uint32(bucketSlots) {
			tags[j] = uint16(*d.tab.hdrs.u32(int(b)*lineBytes + 2*int(j&^1)) >> (16 * (j & 1)))
		}
		return tags, uint16(*d.tab.hdrs.u32(int(b)*lineBytes + 60) >> 16)
	}
	// New keys of each kind: first bucket unflagged and no tag of it
	// theirs (refused in place), first bucket flagged (the full way).
	var inPlace, flagged [][4]byte
	for i := fill; len(inPlace) < 4 || len(flagged) < 3; i++ {
		s := src(i)
		b1, tag, _ := homePlace(fedKey(t, netip.AddrFrom4(s), netip.AddrFrom4(dst), 1000, 53, 1, 17, 0), seed, hash, nb)
		tags, flags := hdr(b1)
		if flags != 0 {
			flagged = append(flagged, s)
		} else if !slices.Contains(tags[:], tag) {
			inPlace = append(inPlace, s)
		}
	}
	// Keys in the table at their home slot: plain hits, which the flush
	// counts in place. (Not any entry: one in its second bucket, or away
	// from a home left free, is no plain hit of the first bucket's header,
	// and went the full way: the test failed now and then with such a
	// key among the first six, whichever the table's seed placed there.)
	var hits [][4]byte
	d.tab.forEachUsed(func(e entry) {
		var buf [slot6Size]byte
		s := [4]byte(d.tab.bytes(e, &buf)[offKey:])
		b1, _, home := homePlace(fedKey(t, netip.AddrFrom4(s), netip.AddrFrom4(dst), 1000, 53, 1, 17, 0), seed, hash, nb)
		if len(hits) < 6 && e.slot == b1*bucketSlots+home {
			hits = append(hits, s)
		}
	})
	batch := [][4]byte{
		hits[0], inPlace[0], flagged[0], hits[1], inPlace[1], inPlace[0],
		hits[2], flagged[1], inPlace[2], hits[3], hits[4], inPlace[3],
		flagged[2], hits[5], hits[0], inPlace[1],
	}
	if len(batch) != batchRecs {
		t.Fatalf("a batch of %d, want %d", len(batch), batchRecs)
	}
	const refusedHere = 6
	full := []int{2, 7, 12}
	var bfrs [][]byte
	for _, s := range batch {
		bfrs = append(bfrs, udp4(s, dst, 1000, 53, 0))
	}
	ipLen := uint64(binary.BigEndian.Uint16(bfrs[0][16:18]))
	if err := d.AckCacheFull(); err != nil {
		t.Fatal(err)
	}
	if err := d.objs.BatchProgs.Delete(uint32(1)); err != nil {
		t.Fatal(err)
	}
	feedOn(t, d, 0, bfrs, 1) // the last fills the buffer: its run flushes it
	var per []meterMeterBatch
	if err := d.objs.Batch.Lookup(uint32(0), &per); err != nil {
		t.Fatal(err)
	}
	if per[0].N != uint32(len(full)) {
		t.Fatalf("CPU 0 holds %d records after a flush with no record program, want the %d new keys whose first bucket is flagged", per[0].N, len(full))
	}
	for k, i := range full {
		var s [4]byte
		binary.LittleEndian.PutUint32(s[:], per[0].R[k].Key[0])
		if s != batch[i] {
			t.Errorf("record %d left: source %v, want batch record %d (%v)", k, netip.AddrFrom4(s), i, netip.AddrFrom4(batch[i]))
		}
	}
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.CreateFailFull-before.CreateFailFull != refusedHere || st.CreateFailPackets-before.CreateFailPackets != refusedHere ||
		st.CreateFailBytes-before.CreateFailBytes != refusedHere*ipLen || st.CreateFailContention != before.CreateFailContention ||
		st.FullEvents-before.FullEvents != 1 || st.FlowsCreated != before.FlowsCreated || st.BatchPending != uint64(len(full)) {
		t.Fatalf("after the flush: refused %d full (%d packets, %d bytes), %d contention, %d events, %d created, %d pending; want %d (%d bytes), 0, 1, 0, %d",
			st.CreateFailFull-before.CreateFailFull, st.CreateFailPackets-before.CreateFailPackets, st.CreateFailBytes-before.CreateFailBytes,
			st.CreateFailContention-before.CreateFailContention, st.FullEvents-before.FullEvents, st.FlowsCreated-before.FlowsCreated,
			st.BatchPending, refusedHere, refusedHere*ipLen, len(full))
	}
	if err := d.initBatch(); err != nil {
		t.Fatal(err)
	}
	if err := d.FlushBatches(); err != nil {
		t.Fatal(err)
	}
	st, err = d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.CreateFailFull-before.CreateFailFull != refusedHere+uint64(len(full)) || st.FullEvents-before.FullEvents != 1 || st.BatchPending != 0 {
		t.Fatalf("after the rest: refused %d full, %d events, %d pending; want %d, 1, 0",
			st.CreateFailFull-before.CreateFailFull, st.FullEvents-before.FullEvents, st.BatchPending, refusedHere+len(full))
	}
	var harvested uint64
	got := sumBySrc(harvestAll(t, d))
	for _, v := range got {
		harvested += v[0]
	}
	if st, err = d.Stats(); err != nil || harvested+st.CreateFailPackets != st.MeteredPackets {
		t.Fatalf("harvested %d + refused %d packets, metered %d (%v)", harvested, st.CreateFailPackets, st.MeteredPackets, err)
	}
	for i, s := range hits {
		want := uint64(2)
		if i == 0 {
			want = 3
		}
		if got[netip.AddrFrom4(s)][0] != want {
			t.Errorf("flow %v: %d packets, want %d", netip.AddrFrom4(s), got[netip.AddrFrom4(s)][0], want)
		}
	}
}

// TestBatchVerdict: a batched packet's run returns its port's verdict,
// the one that fills the buffer included (the flush returns what that
// run stored in the buffer, and the flag the meter hands the tail call,
// RUN_FLUSH, is not in what it returns), on a passive port and an inline
// one. With the flush's slot empty (its tail call failing) the filling
// run still returns the verdict, the buffer stays full and the packets
// after it are metered directly and exactly; once the program is back a
// harvest applies the buffered ones, every packet once.
func TestBatchVerdict(t *testing.T) {
	d := openTest(t, batchMinEntries)
	src := [4]byte{10, 4, 3, 1}
	fr := udp4(src, [4]byte{10, 4, 3, 2}, 7, 7, 0)
	run := func(want uint32, n int) {
		t.Helper()
		err := runOnCPU(0, func() error {
			for i := range n {
				v, err := datapathtest.FeedRepeat(d.objs.FlowtapMeter, fr, 1, 1)
				if err != nil {
					return err
				}
				if v != want {
					return fmt.Errorf("packet %d: verdict %#x, want %#x", i, v, want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	pending := func(want uint64) {
		t.Helper()
		if st, err := d.Stats(); err != nil || st.BatchPending != want {
			t.Fatalf("pending %d, want %d (%v)", st.BatchPending, want, err)
		}
	}
	run(XDPDrop, 2*batchRecs+1)
	pending(1)
	if err := d.SetPort(1, PortSettings{Verdict: platform.Inline, Meter: true}); err != nil {
		t.Fatal(err)
	}
	run(XDPPass, 2*batchRecs)
	pending(1)
	if err := d.objs.BatchProgs.Delete(uint32(0)); err != nil {
		t.Fatal(err)
	}
	// 15 more fill the buffer (the tail call fails), 4 go direct.
	run(XDPPass, batchRecs-1+4)
	pending(uint64(batchRecs))
	if err := d.initBatch(); err != nil {
		t.Fatal(err)
	}
	sent := uint64(2*batchRecs + 1 + 2*batchRecs + batchRecs - 1 + 4)
	if s := sumBySrc(harvestAll(t, d)); s[netip.AddrFrom4(src)] != [2]uint64{sent, sent * 32} {
		t.Fatalf("harvest: %v, want %d packets once", s, sent)
	}
	pending(0)
}

// progBody is a program's own instructions in spec: up to its first
// subprogram (a BPF-to-BPF callee the loader appends after it).
func progBody(t *testing.T, spec *ebpf.CollectionSpec, name string) asm.Instructions {
	t.Helper()
	ps := spec.Programs[name]
	if ps == nil {
		t.Fatalf("no program %s", name)
	}
	var out asm.Instructions
	for i, ins := range ps.Instructions {
		if sym := ins.Symbol(); i > 0 && sym != "" {
			break
		}
		out = append(out, ins)
	}
	return out
}

// TestFlushRehashesStaleRecords: records pushed under another table's
// seed (a buffer filled before a resize, its records' h that table's) are
// hashed again and placed in the table the flush meters into, whether
// they share the buffer with records of this table or not: every flow in
// one entry, counted as the direct path counts it. The flush's no-load
// pass only notes such records; a loop of their own hashes them again.
func TestFlushRehashesStaleRecords(t *testing.T) {
	dst := [4]byte{192, 0, 2, 12}
	tcp := func(i int, flags uint8, pay int) []byte {
		return cat(ethHdr(0x0800), ip4{src: netipFrom4([4]byte{10, 12, 0, byte(i)}), dst: netipFrom4(dst), proto: 6, ttl: 64}.bytes(cat(tcpHdr(uint16(3000+i), 80, flags), make([]byte, pay))))
	}
	var setup, first, second [][]byte
	for i := range batchRecs {
		setup = append(setup, tcp(i, tcpSYN, 0))
	}
	for i := range batchRecs / 2 {
		first = append(first, tcp(i, tcpACK, i))
		second = append(second, tcp(batchRecs/2+i, tcpACK, i), tcp(40+i, tcpSYN, 0)) // hits and new flows
	}
	second = second[:batchRecs/2]
	stale := map[int]bool{0: true, 2: true, 3: true, 7: true}

	d := openTest(t, batchMinEntries)
	feedOn(t, d, 0, setup, 1) // created by the flush the 16th fills
	feedOn(t, d, 0, first, 1) // buffered, not yet applied
	var per []meterMeterBatch
	if err := d.objs.Batch.Lookup(uint32(0), &per); err != nil {
		t.Fatal(err)
	}
	if per[0].N != uint32(len(first)) {
		t.Fatalf("CPU 0 holds %d records, want %d", per[0].N, len(first))
	}
	for i := range stale {
		r := &per[0].R[i]
		r.Seed ^= 0x5eed0001
		r.H = ^r.H*0x9e3779b97f4a7c15 + 1 // another table's hash
	}
	if err := d.objs.Batch.Update(uint32(0), per, ebpf.UpdateExist); err != nil {
		t.Fatal(err)
	}
	feedOn(t, d, 0, second, 1) // fills the buffer: its run flushes it

	ref := openTest(t, 4096) // a cache too small to batch: the direct path
	feedOn(t, ref, 0, setup, 1)
	feedOn(t, ref, 0, first, 1)
	feedOn(t, ref, 0, second, 1)
	sum := func(d *Datapath) map[string][2]uint64 {
		out := map[string][2]uint64{}
		for _, r := range harvestAll(t, d) {
			if _, dup := out[recKey(&r)]; dup {
				t.Errorf("flow %s in two entries", recKey(&r))
			}
			out[recKey(&r)] = [2]uint64{r.Packets, r.Bytes}
		}
		return out
	}
	got, want := sum(d), sum(ref)
	if len(want) != batchRecs+4 || !maps.Equal(got, want) {
		t.Errorf("batched flows %v,\nwant (direct, %d flows) %v", got, batchRecs+4, want)
	}
	if st, err := d.Stats(); err != nil || st.BatchPending != 0 {
		t.Fatalf("pending %d after the harvest, want 0 (%v)", st.BatchPending, err)
	}
}
