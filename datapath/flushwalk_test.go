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

// walkFlushHits walks flowtap_flush of a spec for the 10K and 100K rows'
// flush: 16 records, every one a plain IPv4 hit of its key's live, owned
// entry at its home slot (the walk's array lookups return one value each,
// so the 16 records are one key's packets: one header, one slot), pushed
// under this table's seed. The all-hits path: the no-load pass, the
// header round, the choice, the slot round, the count, the return.
func walkFlushHits(tb testing.TB, spec *ebpf.CollectionSpec) *flushHitWalk {
	tb.Helper()
	w := newProgramWalk(tb, spec, "flowtap_flush")
	const (
		seed    = 0x9e3779b97f4a7c15
		buckets = 1024
		now     = 1000
		ipLen   = 46
		verdict = 2 // XDP_PASS
	)
	w.setVar(tb, spec, ".bss", "cfg.cap", 16384)
	w.setVar(tb, spec, ".bss", "cfg.buckets", buckets)
	w.setVar(tb, spec, ".bss", "cfg.seed", seed)
	w.helpers = map[asm.BuiltinFunc]func(w *bpfWalk) uint64{
		asm.FnGetSmpProcessorId: func(*bpfWalk) uint64 { return 0 },
		asm.FnMapLookupElem:     walkArrayLookup(spec),
	}
	// HASH_LANES (the object's key_hash_kind): the tag is h's low 14
	// bits, the home from bits 32-47 (hash_place).
	const h = 0x0000_b5a3_1234_2c5d
	tag := uint16(h&0x3fff) | 0x8000
	home := (((h >> 16) & 0xffff0000) * 31) >> 32
	key := []uint32{0x0100000a, 0x0100010a, 0x07080004, 0x00000011, 0}

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
	st(b+memberOff(tb, spec, "meter_batch", "verdict"), 4, verdict)
	for i := uint64(0); i < 16; i++ {
		r := b + fh.recsOff + i*fh.recSize
		st(r+off("h"), 8, h)
		for k, v := range key {
			st(r+off("key")+uint64(4*k), 4, uint64(v))
		}
		st(r+off("ifindex"), 4, 2)
		st(r+off("now_t"), 4, now)
		st(r+off("ip_len"), 4, ipLen)
		st(r+off("family"), 1, 4)
		st(r+off("ttl"), 1, 64)
		st(r+off("owner"), 1, 1)
		st(r+off("nw"), 1, 5)
		st(r+off("seed"), 4, seed&0xffffffff)
		st(r+off("tag_xor"), 2, 0x5555) // stale: the flush's choice writes it
		st(r+off("ahead"), 4, 0x5555)
	}
	hdr := walkPtr(w.region("val:buckets", int(spec.Maps["buckets"].ValueSize)), 0)
	st(hdr+2*uint64(home), 2, uint64(tag))
	fh.flowsSlot = w.region("val:flows", int(spec.Maps["flows"].ValueSize))
	slot := walkPtr(fh.flowsSlot, 0)
	valSize := uint64(memberOff(tb, spec, "slot4", "key"))
	for k, v := range key {
		st(slot+valSize+uint64(4*k), 4, uint64(v))
	}
	st(slot+memberOff(tb, spec, "flow_val", "first_t"), 4, now)
	st(slot+memberOff(tb, spec, "flow_val", "last_t"), 4, now)
	st(slot+memberOff(tb, spec, "flow_val", "attrs")+3, 1, 0x04) // ST_LIVE
	w.ctx = w.region("ctx", 24)
	w.pkt = w.region("packet", 64)
	ret, err := w.run(walkPtr(w.ctx, 0))
	if err != nil {
		tb.Fatalf("walking flowtap_flush: %v", err)
	}
	fh.ret = ret
	fh.packets, _ = w.load(slot+memberOff(tb, spec, "flow_val", "packets"), 8)
	fh.bytes, _ = w.load(slot+memberOff(tb, spec, "flow_val", "bytes"), 8)
	fh.left, _ = w.load(b+memberOff(tb, spec, "meter_batch", "n"), 4)
	if fh.ret != verdict || fh.packets != 16 || fh.bytes != 16*ipLen || fh.left != 0 {
		tb.Fatalf("the walk returned %d with the entry at %d packets, %d bytes and %d records left; want %d, 16, %d, 0",
			fh.ret, fh.packets, fh.bytes, fh.left, verdict, 16*ipLen)
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
	marks = append(marks, mark{find(count, "bpf_map_lookup_elem(&flow_clock"), "end"})
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
	if os.Getenv("FLOWTAP_LAYOUT") == "" {
		t.Skip("FLOWTAP_LAYOUT unset")
	}
	spec, err := loadBench()
	if obj := os.Getenv("FLOWTAP_LAYOUT"); obj != "1" {
		spec, err = ebpf.LoadCollectionSpec(obj)
	}
	if err != nil {
		t.Fatal(err)
	}
	fh := walkFlushHits(t, spec)
	n, taken, runs, span := fh.w.layoutFigures()
	t.Logf("flowtap_flush: %d BPF instructions, a flush of 16 plain hits executes %d (%.1f a record), %d taken jumps, %d runs, span %d",
		len(fh.w.insns), n, float64(n)/16, taken, runs, span)
	names, counts, passOf := flushPasses(t, fh.w)
	for _, name := range names {
		t.Logf("  %-13s %4d  (%.1f a record)", name, counts[name], float64(counts[name])/16)
	}
	// FLOWTAP_LAYOUT_PATH=1: every instruction of the path, with its pass
	// and its source line.
	if os.Getenv("FLOWTAP_LAYOUT_PATH") != "" {
		for k, i := range fh.w.path {
			t.Logf("  %-13s %5d %-40v %s", passOf[k], i, fh.w.insns[i], fh.w.sourceAt(i))
		}
	}
	// The x86 of the line records the path enters, each once (so a
	// loop's body once, as a record's share, and the fixed part).
	spec2, err := loadBench()
	if obj := os.Getenv("FLOWTAP_LAYOUT"); obj != "1" {
		spec2, err = ebpf.LoadCollectionSpec(obj)
	}
	if err != nil {
		t.Fatal(err)
	}
	d := openBenchSpec(t, spec2, 16384)
	bytes, lines, _, _ := fh.w.jitLayout(t, d.objs.FlowtapFlush)
	if x, err := fh.w.x86InRanges(d.objs.FlowtapFlush); err != nil {
		t.Logf("x86 count: %v", err)
	} else {
		t.Logf("flowtap_flush JIT: the path's line records take %d bytes on %d 64-byte lines, %d x86 instructions (each record once)", bytes, lines, x)
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
