package datapath

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
)

// memberOff is the byte offset of a member of a struct in a spec's BTF.
func memberOff(tb testing.TB, spec *ebpf.CollectionSpec, typ, member string) uint64 {
	tb.Helper()
	var st *btf.Struct
	if err := spec.Types.TypeByName(typ, &st); err != nil {
		tb.Fatal(err)
	}
	for _, m := range st.Members {
		if m.Name == member {
			return uint64(m.Offset.Bytes())
		}
	}
	tb.Fatalf("%s has no member %s", typ, member)
	return 0
}

// flushHitWalk is a walk of flowtap_flush over a full buffer of plain
// IPv4 hits, and what it left in the entry and the buffer.
type flushHitWalk struct {
	w                      *bpfWalk
	ret                    int64
	packets, bytes, left   uint64
	recsOff, recSize       uint64
	batchRegion, flowsSlot int
}

// The flush walks' buffer: 16 records of one IPv4 key (the walk's
// array lookups return one value each, so the 16 records are one key's
// packets: one header, one slot), pushed under this table's seed.
const (
	flushWalkSeed    = 0x9e3779b97f4a7c15
	flushWalkBuckets = 1024
	flushWalkNow     = 1000
	flushWalkIPLen   = 46
	flushWalkVerdict = 2 // XDP_PASS
	// HASH_LANES (the object's key_hash_kind): the tag is h's low 14
	// bits, the home from bits 32-47 (hash_place).
	flushWalkH = 0x0000_b5a3_1234_2c5d
)

var flushWalkKey = []uint32{0x0100000a, 0x0100010a, 0x07080004, 0x00000011, 0}

// flushWalkTag and flushWalkHome are the records' tag and home slot.
func flushWalkTag() uint16 { return uint16(flushWalkH&0x3fff) | 0x8000 }
func flushWalkHome() uint64 {
	return (((flushWalkH >> 16) & 0xffff0000) * 31) >> 32
}

// newFlushWalk is a walk of flowtap_flush with a cache of capacity
// entries and a full buffer of the records above; the caller sets up the
// header, the slot and the counters, then runs it (fh.run).
func newFlushWalk(tb testing.TB, spec *ebpf.CollectionSpec, capacity uint64) (*flushHitWalk, func(a uint64, size int, v uint64)) {
	tb.Helper()
	w := newProgramWalk(tb, spec, "flowtap_flush")
	w.setVar(tb, spec, ".bss", "cfg.cap", capacity)
	w.setVar(tb, spec, ".bss", "cfg.buckets", flushWalkBuckets)
	w.setVar(tb, spec, ".bss", "cfg.seed", flushWalkSeed)
	w.helpers = map[asm.BuiltinFunc]func(w *bpfWalk) uint64{
		asm.FnGetSmpProcessorId: func(*bpfWalk) uint64 { return 0 },
		asm.FnMapLookupElem:     walkArrayLookup(spec),
	}
	fh := &flushHitWalk{w: w}
	fh.recsOff = memberOff(tb, spec, "meter_batch", "r")
	var rt *btf.Struct
	if err := spec.Types.TypeByName("batch_rec", &rt); err != nil {
		tb.Fatal(err)
	}
	fh.recSize = uint64(rt.Size)
	off := func(m string) uint64 { return memberOff(tb, spec, "batch_rec", m) }
	bs := spec.Maps["batch"]
	fh.batchRegion = w.region("val:batch", int(bs.ValueSize))
	b := walkPtr(fh.batchRegion, 0)
	st := func(a uint64, size int, v uint64) {
		if err := w.store(a, size, v); err != nil {
			tb.Fatal(err)
		}
	}
	st(b+memberOff(tb, spec, "meter_batch", "n"), 4, 16)
	st(b+memberOff(tb, spec, "meter_batch", "verdict"), 4, flushWalkVerdict)
	for i := uint64(0); i < 16; i++ {
		r := b + fh.recsOff + i*fh.recSize
		st(r+off("h"), 8, flushWalkH)
		for k, v := range flushWalkKey {
			st(r+off("key")+uint64(4*k), 4, uint64(v))
		}
		st(r+off("ifindex"), 4, 2)
		st(r+off("now_t"), 4, flushWalkNow)
		st(r+off("ip_len"), 4, flushWalkIPLen)
		st(r+off("family"), 1, 4)
		st(r+off("ttl"), 1, 64)
		st(r+off("owner"), 1, 1)
		st(r+off("nw"), 1, 5)
		st(r+off("seed"), 4, flushWalkSeed&0xffffffff)
		st(r+off("tag_xor"), 2, 0x5555) // stale: the flush's choice writes it
		st(r+off("ahead"), 4, 0x5555)
	}
	fh.flowsSlot = w.region("val:flows", int(spec.Maps["flows"].ValueSize))
	w.ctx = w.region("ctx", 24)
	w.pkt = w.region("packet", 64)
	return fh, st
}

// run walks the flush and reads back the buffer's count.
func (fh *flushHitWalk) run(tb testing.TB, spec *ebpf.CollectionSpec) {
	tb.Helper()
	ret, err := fh.w.run(walkPtr(fh.w.ctx, 0))
	if err != nil {
		tb.Fatalf("walking flowtap_flush: %v", err)
	}
	fh.ret = ret
	fh.left, _ = fh.w.load(walkPtr(fh.batchRegion, 0)+memberOff(tb, spec, "meter_batch", "n"), 4)
}

// walkFlushHits walks flowtap_flush of a spec for the 10K and 100K rows'
// flush: 16 records, every one a plain IPv4 hit of its key's live, owned
// entry at its home slot. The all-hits path: the no-load pass, the
// header round, the choice, the slot round, the count, the return.
func walkFlushHits(tb testing.TB, spec *ebpf.CollectionSpec) *flushHitWalk {
	tb.Helper()
	fh, st := newFlushWalk(tb, spec, 16384)
	w := fh.w
	hdr := walkPtr(w.region("val:buckets", int(spec.Maps["buckets"].ValueSize)), 0)
	st(hdr+2*flushWalkHome(), 2, uint64(flushWalkTag()))
	slot := walkPtr(fh.flowsSlot, 0)
	valSize := uint64(memberOff(tb, spec, "slot4", "key"))
	for k, v := range flushWalkKey {
		st(slot+valSize+uint64(4*k), 4, uint64(v))
	}
	st(slot+memberOff(tb, spec, "flow_val", "first_t"), 4, flushWalkNow)
	st(slot+memberOff(tb, spec, "flow_val", "last_t"), 4, flushWalkNow)
	st(slot+memberOff(tb, spec, "flow_val", "attrs")+3, 1, 0x04) // ST_LIVE
	fh.run(tb, spec)
	fh.packets, _ = w.load(slot+memberOff(tb, spec, "flow_val", "packets"), 8)
	fh.bytes, _ = w.load(slot+memberOff(tb, spec, "flow_val", "bytes"), 8)
	if fh.ret != flushWalkVerdict || fh.packets != 16 || fh.bytes != 16*flushWalkIPLen || fh.left != 0 {
		tb.Fatalf("the walk returned %d with the entry at %d packets, %d bytes and %d records left; want %d, 16, %d, 0",
			fh.ret, fh.packets, fh.bytes, fh.left, flushWalkVerdict, 16*flushWalkIPLen)
	}
	return fh
}

// walkFlushRefused walks flowtap_flush of a spec for the 512K flood's
// full phase: 16 records of a key a full 512K cache refuses. Their
// bucket's header holds 8 live tags, none the records' and no overflow
// flag (a full 512K cache holds about 8 entries a bucket); their home
// slot is free (as 23 of 31 are), or with homeTaken holds one of the 8.
// This CPU's reserve is empty, the live counter at the size and the
// CPU's full-cache event already sent for this epoch (the steady state:
// one event an epoch). The path: the rounds, the count's first record
// and the rest (none a hit), the refusals in place (batch_refuse_full),
// what follows them, the return; it fails unless every record is counted
// refused (create_fail_packets, _bytes and _full 16 each) and the buffer
// is left empty.
func walkFlushRefused(tb testing.TB, spec *ebpf.CollectionSpec, homeTaken bool) *flushHitWalk {
	tb.Helper()
	const capacity = 512 * 1024
	fh, st := newFlushWalk(tb, spec, capacity)
	w := fh.w
	hdr := walkPtr(w.region("val:buckets", int(spec.Maps["buckets"].ValueSize)), 0)
	tag, home := flushWalkTag(), flushWalkHome()
	live := func(k int, j uint64) { st(hdr+2*j, 2, uint64(0x8000|(tag+1+uint16(k))&0x3fff)) }
	k := 0
	if homeTaken {
		live(k, home)
		k++
	}
	for j := uint64(0); k < 8; j++ {
		if j != home {
			live(k, j)
			k++
		}
	}
	st(walkPtr(w.region("val:counters", 8), 0), 8, capacity)
	cs := walkPtr(w.region("val:cpustate", int(spec.Maps["cpustate"].ValueSize)), 0)
	st(cs+memberOff(tb, spec, "cpu_state", "full_epoch_sent"), 4, 1) // cfg.full_epoch 0, sent
	fh.run(tb, spec)
	stats := walkPtr(w.region("val:stats", int(spec.Maps["stats"].ValueSize)), 0)
	get := func(m string) uint64 {
		v, _ := w.load(stats+memberOff(tb, spec, "meter_stats", m), 8)
		return v
	}
	pk, by, full := get("create_fail_packets"), get("create_fail_bytes"), get("create_fail_full")
	ev, _ := w.load(cs+memberOff(tb, spec, "cpu_state", "full_epoch_sent"), 4)
	if fh.ret != flushWalkVerdict || pk != 16 || by != 16*flushWalkIPLen || full != 16 || fh.left != 0 || ev != 1 || get("full_events") != 0 {
		tb.Fatalf("the walk returned %d with %d packets, %d bytes, %d full refused, %d events and %d records left; want %d, 16, %d, 16, 0, 0",
			fh.ret, pk, by, full, get("full_events"), fh.left, flushWalkVerdict, 16*flushWalkIPLen)
	}
	return fh
}

// flushPasses splits a walk of flowtap_flush into batch_flush_run's
// passes, by the lines of bpf/batch.h that open them: an instruction of
// batch_flush_run's own lines belongs to the pass whose opening line is
// the last at or before it; one inlined from elsewhere (hdr_at, slot_at,
// batch_count_hit, count_vals) to the pass the path is in.
func flushPasses(tb testing.TB, w *bpfWalk) (names []string, counts map[string]int, passOf []string) {
	tb.Helper()
	src, err := os.ReadFile(filepath.Join("bpf", "batch.h"))
	if err != nil {
		tb.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	find := func(from int, s string) int {
		for i := from; i < len(lines); i++ {
			if strings.Contains(lines[i], s) {
				return i + 1
			}
		}
		tb.Fatalf("batch.h: no line %q after line %d", s, from)
		return 0
	}
	type mark struct {
		line int
		name string
	}
	// The number of the first line of code after line l (numbered from
	// 1, as find's; 0 if none): a comment's lines are not code.
	code := func(l int) int {
		from := l
		for i := from; i < len(lines); i++ {
			l := strings.TrimSpace(lines[i])
			if l != "" && !strings.HasPrefix(l, "/*") && !strings.HasPrefix(l, "*") {
				return i + 1
			}
		}
		return 0
	}
	run := find(0, "static __always_inline int batch_flush_run(")
	marks := []mark{{run, "entry"}}
	marks = append(marks, mark{find(find(run, "Pass 1:"), "for ("), "no-load pass"})
	marks = append(marks, mark{find(run, "BATCH_HDR_LOAD(0);"), "header round"})
	// The choice: its loop, or the test of the hash's kind before the
	// loop's call (the line after the header round's fold, either way).
	choice := find(find(run, "hdr_done:"), "acc = 0;")
	marks = append(marks, mark{code(choice), "choice"})
	marks = append(marks, mark{find(run, "BATCH_SLOT_LOAD(0);"), "slot round"})
	count := code(find(run, "Pass 2:"))
	marks = append(marks, mark{count, "count"})
	end := find(count, "bpf_map_lookup_elem(&flow_clock")
	marks = append(marks, mark{end, "end"})
	// A flush with records left: the rest of the count, the refusals in
	// place (the call, and batch_refuse_full's own lines below), the
	// records left moved up, the return or tail call.
	left := find(end, "some_left:")
	marks = append(marks, mark{left, "count rest"})
	marks = append(marks, mark{find(left, "batch_refuse_full();"), "refusals"})
	marks = append(marks, mark{find(left, "c->cursor = READ_ONCE(b->n);"), "compaction"})
	marks = append(marks, mark{code(find(left, "Pass 3:")), "rest"})
	refuse := find(0, "__noinline int batch_refuse_full(")
	refuseEnd := refuse
	for i := refuse; i < len(lines); i++ {
		if lines[i] == "}" {
			refuseEnd = i + 1
			break
		}
	}
	last := run
	for i := run; i < len(lines); i++ {
		if lines[i] == "}" {
			last = i + 1
			break
		}
	}
	counts = map[string]int{}
	cur := "entry"
	for _, i := range w.path {
		if l, ok := w.insns[i].Source().(*btf.Line); ok && strings.HasSuffix(l.FileName(), "batch.h") {
			ln := int(l.LineNumber())
			if ln >= refuse && ln <= refuseEnd {
				cur = "refusals"
			}
			if ln >= run && ln <= last {
				for _, m := range marks {
					if ln >= m.line {
						cur = m.name
					}
				}
			}
		}
		counts[cur]++
		passOf = append(passOf, cur)
	}
	for _, m := range marks {
		names = append(names, m.name)
	}
	return names, counts, passOf
}

// TestFlushHitLayoutPrint (FLOWTAP_LAYOUT=1 for this build's bench
// object, or a bench object's path) prints what flowtap_flush executes
// for a buffer of 16 plain IPv4 hits (walkFlushHits): its BPF
// instructions in all and a record, pass by pass (FLOWTAP_LAYOUT_PATH=1:
// each instruction of the path with its pass and source line).
func TestFlushHitLayoutPrint(t *testing.T) {
	fh := walkFlushHits(t, layoutSpec(t))
	n, taken, runs, span := fh.w.layoutFigures()
	t.Logf("flowtap_flush: %d BPF instructions, a flush of 16 plain hits executes %d (%.1f a record), %d taken jumps, %d runs, span %d",
		len(fh.w.insns), n, float64(n)/16, taken, runs, span)
	names, counts, passOf := flushPasses(t, fh.w)
	for _, name := range names {
		t.Logf("  %-13s %4d  (%.1f a record)", name, counts[name], float64(counts[name])/16)
	}
	logFlushPath(t, fh, passOf)
	logFlushJIT(t, fh)
}

// layoutSpec is the bench object the layout prints measure: this build's
// (FLOWTAP_LAYOUT=1) or the one FLOWTAP_LAYOUT names; the test is skipped
// while it is unset.
func layoutSpec(t *testing.T) *ebpf.CollectionSpec {
	t.Helper()
	obj := os.Getenv("FLOWTAP_LAYOUT")
	if obj == "" {
		t.Skip("FLOWTAP_LAYOUT unset")
	}
	spec, err := loadBench()
	if obj != "1" {
		spec, err = ebpf.LoadCollectionSpec(obj)
	}
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// logFlushPath prints, with FLOWTAP_LAYOUT_PATH=1, every instruction of
// the flush's walked path with its pass and source line.
func logFlushPath(t *testing.T, fh *flushHitWalk, passOf []string) {
	t.Helper()
	if os.Getenv("FLOWTAP_LAYOUT_PATH") == "" {
		return
	}
	for k, i := range fh.w.path {
		t.Logf("  %-13s %5d %-40v %s", passOf[k], i, fh.w.insns[i], fh.w.sourceAt(i))
	}
}

// logFlushJIT prints the x86 of the line records the flush's path
// enters, each once (so a loop's body once, as a record's share, and the
// fixed part), in the program loaded from layoutSpec's object.
func logFlushJIT(t *testing.T, fh *flushHitWalk) {
	t.Helper()
	d := openBenchSpec(t, layoutSpec(t), 16384)
	bytes, lines, _, _ := fh.w.jitLayout(t, d.objs.FlowtapFlush)
	if x, err := fh.w.x86InRanges(d.objs.FlowtapFlush); err != nil {
		t.Logf("x86 count: %v", err)
	} else {
		t.Logf("flowtap_flush JIT: the path's line records take %d bytes on %d 64-byte lines, %d x86 instructions (each record once)", bytes, lines, x)
	}
}

// TestFlushRefusedLayoutPrint (FLOWTAP_LAYOUT as TestFlushHitLayoutPrint)
// prints what flowtap_flush executes for a buffer of 16 records a full
// 512K cache refuses (walkFlushRefused), with their home slot free (the
// common case) and taken, pass by pass, and the x86 of the line records
// the first path enters.
func TestFlushRefusedLayoutPrint(t *testing.T) {
	for _, homeTaken := range []bool{false, true} {
		fh := walkFlushRefused(t, layoutSpec(t), homeTaken)
		n, taken, runs, span := fh.w.layoutFigures()
		t.Logf("home taken %v: a flush of 16 refused records executes %d BPF instructions (%.1f a record), %d taken jumps, %d runs, span %d",
			homeTaken, n, float64(n)/16, taken, runs, span)
		names, counts, passOf := flushPasses(t, fh.w)
		for _, name := range names {
			t.Logf("  %-13s %4d  (%.1f a record)", name, counts[name], float64(counts[name])/16)
		}
		logFlushPath(t, fh, passOf)
		if !homeTaken {
			logFlushJIT(t, fh)
		}
	}
}

// flushPassFigures walks flowtap_flush of the object load gives over a
// buffer of 16 plain hits and returns what the pass named runs: its BPF
// instructions, and its loads from the stack (with stores, its stores to
// the stack too).
func flushPassFigures(tb testing.TB, load func() (*ebpf.CollectionSpec, error), pass string, stores bool) (n, stack int) {
	tb.Helper()
	spec, err := load()
	if err != nil {
		tb.Fatal(err)
	}
	fh := walkFlushHits(tb, spec)
	_, counts, passOf := flushPasses(tb, fh.w)
	for k, i := range fh.w.path {
		if passOf[k] != pass {
			continue
		}
		ins := fh.w.insns[i]
		cls := ins.OpCode.Class()
		if cls == asm.LdXClass && ins.Src == asm.R10 || stores && (cls == asm.StXClass || cls == asm.StClass) && ins.Dst == asm.R10 {
			stack++
		}
	}
	return counts[pass], stack
}

// TestFlushNoLoadPassLean walks flowtap_flush (the daemon's object and
// the bench object) over a buffer of 16 plain hits and checks that its
// no-load pass (each record's first bucket into ahead, and whether any
// record was pushed under another seed) runs at most 12 BPF instructions
// a record, none of them on the stack (at most two stack accesses in the
// pass, after its loop: the buffer's address and the context). With the
// records of another table hashed again inside that pass, clang kept the
// count of records on the stack and carried two more record pointers for
// the rehash: 20 instructions a record, one a load of the count from the
// stack (session 17); then 14.2, the seed flag ORed into another register
// and moved back, the hash's low half cleared by two shifts (session 18,
// datapath/README.md).
func TestFlushNoLoadPassLean(t *testing.T) {
	for name, load := range map[string]func() (*ebpf.CollectionSpec, error){"meter": loadMeter, "bench": loadBench} {
		n, stack := flushPassFigures(t, load, "no-load pass", true)
		t.Logf("%s: the no-load pass executes %d BPF instructions for 16 records, %d of them stack accesses", name, n, stack)
		if n == 0 || n > 12*16 || stack > 2 {
			t.Errorf("%s: the no-load pass executes %d instructions (want 1 to %d) with %d stack accesses (want at most 2)", name, n, 12*16, stack)
		}
	}
}

// flushPassLean checks, for the daemon's and the bench object, that the
// pass of flowtap_flush named runs, over a buffer of 16 plain hits, at
// most perRec BPF instructions a record and at most stack loads from the
// stack in all.
func flushPassLean(t *testing.T, pass string, perRec float64, stack int) {
	t.Helper()
	for name, load := range map[string]func() (*ebpf.CollectionSpec, error){"meter": loadMeter, "bench": loadBench} {
		n, st := flushPassFigures(t, load, pass, false)
		t.Logf("%s: the %s executes %d BPF instructions for 16 records (%.1f a record), %d of them loads from the stack", name, pass, n, float64(n)/16, st)
		if n == 0 || float64(n) > perRec*16 || st > stack {
			t.Errorf("%s: the %s executes %d instructions (want 1 to %.0f) with %d stack loads (want at most %d)", name, pass, n, perRec*16, st, stack)
		}
	}
}

// TestFlushCountLean: the count of plain hits runs at most 59 BPF
// instructions a record, with no load from the stack a record (at most 2
// in all). Session 17's count ran 70.1 with 2 stack loads a record (the
// buffer's address, with a flag of records left in the register it
// needed), and tested the record in a 64-bit word with three 64-bit
// constants and looked up its slot with the index copied to the stack
// (datapath/README.md, session 18).
func TestFlushCountLean(t *testing.T) {
	flushPassLean(t, "count", 59, 2)
}

// TestFlushChoiceLean: the choice (each record's slot from its header)
// runs at most 38 BPF instructions a record, with at most one load from
// the stack a record (the count of records). Session 17's ran 46.1 with
// the record's address, its bucket and the tag kept on the stack around
// the header's lookup, the table's hash kind tested for each record and
// TAG_V6 by a branch.
func TestFlushChoiceLean(t *testing.T) {
	flushPassLean(t, "choice", 38, 16+2)
}

// TestFlushLoadRoundsLean: the header round runs at most 9.5 BPF
// instructions a record and the slot round at most 8.5, with one load
// from the stack a record (the buffer's address). Session 17's ran 11.2
// and 14.2: each lookup's key copied to the stack, the fold XORed into
// another register and moved back, and the slot round testing for a
// record with no slot, whose lookup fails anyway.
func TestFlushLoadRoundsLean(t *testing.T) {
	flushPassLean(t, "header round", 9.5, 16+2)
	flushPassLean(t, "slot round", 8.5, 16+2)
}

// TestFlushRefusalsLean walks flowtap_flush (the daemon's object and the
// bench object) over a buffer of 16 records a full 512K cache refuses
// (walkFlushRefused: every one counted refused, exactly) and checks what
// the refusals in place (batch_refuse_full) run: at most 130 BPF
// instructions a record with the records' home slot free (their tags
// scanned there), at most 45 with it taken (the choice scanned them).
// Session 18's ran 177.1 and 73.1: each refusal counted as the direct
// path counts one (cache_full: its three stats, a lookup of the clock
// for the refused flag and one of the CPU's state for the event), and
// the tags scanned by tag_lanes, whose eight loads clang issued first,
// three of them kept on the stack (datapath/README.md).
func TestFlushRefusalsLean(t *testing.T) {
	for name, load := range map[string]func() (*ebpf.CollectionSpec, error){"meter": loadMeter, "bench": loadBench} {
		for _, c := range []struct {
			homeTaken bool
			perRec    float64
		}{{false, 130}, {true, 45}} {
			spec, err := load()
			if err != nil {
				t.Fatal(err)
			}
			fh := walkFlushRefused(t, spec, c.homeTaken)
			_, counts, _ := flushPasses(t, fh.w)
			n := counts["refusals"]
			t.Logf("%s, home taken %v: the refusals execute %d BPF instructions for 16 records (%.1f a record), the flush %d",
				name, c.homeTaken, n, float64(n)/16, len(fh.w.path))
			if n == 0 || float64(n) > c.perRec*16 {
				t.Errorf("%s, home taken %v: the refusals execute %d instructions, want 1 to %.0f", name, c.homeTaken, n, c.perRec*16)
			}
		}
	}
}
