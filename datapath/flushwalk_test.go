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
	run := find(0, "static __always_inline int batch_flush_run(")
	marks := []mark{{run, "entry"}}
	marks = append(marks, mark{find(find(run, "Pass 1:"), "for ("), "no-load pass"})
	marks = append(marks, mark{find(run, "BATCH_HDR_LOAD(0);"), "header round"})
	marks = append(marks, mark{find(find(run, "hdr_done:"), "for ("), "choice"})
	marks = append(marks, mark{find(run, "BATCH_SLOT_LOAD(0);"), "slot round"})
	marks = append(marks, mark{find(run, "__u32 left = 0;"), "count"})
	marks = append(marks, mark{find(find(run, "__u32 left = 0;"), "bpf_map_lookup_elem(&flow_clock"), "end"})
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
// instructions in all and a record, pass by pass.
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
	names, counts, _ := flushPasses(t, fh.w)
	for _, name := range names {
		t.Logf("  %-13s %4d  (%.1f a record)", name, counts[name], float64(counts[name])/16)
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
// record was pushed under another seed) runs at most 15 BPF instructions
// a record and touches no stack. With the records of another table hashed
// again inside that pass, clang kept the count of records on the stack
// and carried two more record pointers for the rehash: 20 instructions a
// record, one a load of the count from the stack (datapath/README.md,
// session 17).
func TestFlushNoLoadPassLean(t *testing.T) {
	for name, load := range map[string]func() (*ebpf.CollectionSpec, error){"meter": loadMeter, "bench": loadBench} {
		n, stack := flushPassFigures(t, load, "no-load pass", true)
		t.Logf("%s: the no-load pass executes %d BPF instructions for 16 records, %d of them stack accesses", name, n, stack)
		if n == 0 || n > 15*16 || stack > 0 {
			t.Errorf("%s: the no-load pass executes %d instructions (want 1 to %d) with %d stack accesses (want none)", name, n, 15*16, stack)
		}
	}
}

// TestFlushCountLean walks flowtap_flush (the daemon's object and the
// bench object) over a buffer of 16 plain hits and checks that its count
// of plain hits runs at most 71 BPF instructions a record with at most 2
// loads from the stack a record. With the loop stepping by the record's
// index, clang kept the offset beside the index and the buffer's address
// on the stack: 74 instructions a record, 3 of them stack loads of that
// address (datapath/README.md, session 17).
func TestFlushCountLean(t *testing.T) {
	for name, load := range map[string]func() (*ebpf.CollectionSpec, error){"meter": loadMeter, "bench": loadBench} {
		n, stack := flushPassFigures(t, load, "count", false)
		t.Logf("%s: the count executes %d BPF instructions for 16 records, %d of them loads from the stack", name, n, stack)
		if n == 0 || n > 71*16 || stack > 2*16 {
			t.Errorf("%s: the count executes %d instructions (want 1 to %d) with %d stack loads (want at most %d)", name, n, 71*16, stack, 2*16)
		}
	}
}
