package datapath

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"
)

// BenchmarkTableRounds asks why a flush's round of 16 independent loads
// (bpf/batch.h: the header round, then the slot round whose addresses
// the headers give) costs four or five memory latencies at 100K flows
// rather than one, and whether a header kept in its slots' page would
// let the slot round find its pages in the TLB. One test run is one
// batch: it first evicts (one line in each page of an array: 8 MiB, 2048
// pages, the L1, the L1 TLB and most of the L2 TLB, as the skb path and
// the other tenants do between two flushes; or 64 MiB, 16384 pages, the
// whole L2 TLB and the L2, and page-table lines the table's walks would
// otherwise find cached; or nothing), then times its rounds
// with bpf_ktime_get_ns (the TSC read behind it is ordered, lfence or
// rdtscp, so the second read waits for the rounds' loads). A round
// takes its line numbers from a precomputed random list (one list line
// a batch, copied to the stack before the clock starts) and folds what
// it loads into one register, as the flush does. Shapes:
//
//   - empty: no loads, the clock's own cost, subtracted from the others;
//   - 16: one round of 16 random lines of the slots array;
//   - 32: one round of 32;
//   - 16, 1 page: 16 distinct lines of one random page (line misses,
//     one walk);
//   - 16+16 2arr: a round of 16 in a header array 1/32 of the slots'
//     size, then 16 slot lines whose numbers come from the loaded
//     header words (today's table: buckets beside flows);
//   - 16+16 1arr: the same with both rounds in the slots array, the
//     second in pages the first did not touch;
//   - 16+16 same pg: the second round's line another line of the page the
//     first round's line was in (a header in its bucket's page, the
//     interleaved layout);
//   - 16 chained: 16 random lines of the slots array, each load's line
//     from the load before: one memory latency a load, the unit a
//     round's cost is counted in;
//   - 16, +40 ops: the round of 16 with 40 register moves after each
//     load, as a round that does other work between its loads (the
//     flush's header round hashes and checks a record for each): if
//     the CPU's window, not the memory, bounds the loads in flight,
//     this costs more latencies than the bare round;
//   - 16, ops before: the same 640 moves, all before the round's first
//     load (inside the timing): the work moved out of the round, as a
//     pass that computes the lines before a round that only loads;
//   - 16 (A/A): the first shape again, a program of its own: the
//     figures' noise.
//
// The figures are printed, never asserted: ns per batch over the empty
// shape, median of roundsReps alternating runs of roundsRuns batches,
// and the load average. What is checked is that each shape's first batch
// reads the lines its list names (its fold).
func BenchmarkTableRounds(b *testing.B) {
	requireRoot(b)
	defer benchOnCPU0(b)()
	fmt.Printf("\ntable rounds (a batch: evict, then rounds of independent loads of 64-byte lines; %d batches/run, %d alternating runs/figure; load %s):\n",
		roundsRuns, roundsReps, loadAvg())
	names := []string{"empty", "16", "32", "16, 1 page", "16+16 2arr", "16+16 1arr", "16+16 same pg", "16 chained", "16, +40 ops", "16, ops before", "16 (A/A)"}
	evict := newRoundsArray(b, "rd_evict", slices.Max(roundsEvictPages)*memPageLines, nil)
	defer evict.Close()
	for _, ws := range roundsSets {
		for _, ev := range roundsEvictPages {
			n := ws / memLine
			r := rand.New(rand.NewPCG(14, 103))
			slotWords := make([]uint32, n)
			hdrWords := make([]uint32, n/32)
			for i := range slotWords {
				slotWords[i] = r.Uint32()
			}
			for i := range hdrWords {
				hdrWords[i] = r.Uint32()
			}
			slots := newRoundsArray(b, "rd_slots", n, slotWords)
			hdrs := newRoundsArray(b, "rd_hdrs", n/32, hdrWords)
			var rs []*roundsShape
			for s := range names {
				rs = append(rs, newRoundsShape(b, roundsKind(s), r, slots, hdrs, slotWords, hdrWords, evict, ev))
			}
			figs := make([][]float64, len(rs))
			for range roundsReps {
				for i, s := range rs {
					figs[i] = append(figs[i], s.measure(b))
				}
			}
			for _, s := range rs {
				s.close()
			}
			slots.Close()
			hdrs.Close()
			evName := fmt.Sprintf("%d pages (%s) evicted", ev, sizeName(ev*4096))
			if ev == 0 {
				evName = "not evicted"
			}
			fmt.Printf("  %s, %s (load %s):\n", sizeName(ws), evName, loadAvg())
			fmt.Printf("    %-14s %9s %9s %9s %14s\n", "shape", "ns/batch", "-empty", "ns/load", "runs")
			base := median(figs[0])
			for i, name := range names {
				m := median(figs[i])
				loads := roundsKind(i).loads()
				perLoad := "-"
				if loads > 0 {
					perLoad = fmt.Sprintf("%.1f", (m-base)/float64(loads))
				}
				fmt.Printf("    %-14s %9.1f %9.1f %9s %14s\n", name, m, m-base, perLoad, spread(figs[i]))
			}
		}
	}
	fmt.Printf("  (ns per batch from the program's own clock reads around its rounds; -empty is over the empty shape,\n" +
		"  the clock's cost; ns/load divides that by the batch's loads; the header array is 1/32 of the slots')\n")
}

const (
	roundsBatches = 4096 // list lines: batches before the list repeats
	roundsRuns    = 500
	roundsReps    = 9
	roundsPadOps  = 40 // the padded round's moves after each load
)

// The evictions between batches, in pages: 8 MiB (past the L1 TLB and
// most of this CPU's L2 TLB), 64 MiB (the whole L2 TLB and L2), none.
var roundsEvictPages = []int{2048, 0, 16384}

// The slot arrays' sizes: a 16K cache's table (2 MiB, the 10K row) and a
// 128K cache's (16 MiB, the 100K row).
var roundsSets = []int{2 << 20, 16 << 20}

type roundsKind int

const (
	roundsEmpty roundsKind = iota
	rounds16
	rounds32
	rounds16OnePage
	rounds2Arrays
	rounds1Array
	roundsSamePage
	roundsChain
	rounds16Padded
	rounds16PadBefore
	rounds16Again
)

func (k roundsKind) loads() int {
	switch k {
	case roundsEmpty:
		return 0
	case rounds32, rounds2Arrays, rounds1Array, roundsSamePage:
		return 32
	}
	return 16
}

func (k roundsKind) twoRounds() bool {
	return k == rounds2Arrays || k == rounds1Array || k == roundsSamePage
}

// newRoundsArray makes a BPF_F_MMAPABLE array of 64-byte lines, as the
// table's arrays are, word 0 of line i set to words[i].
func newRoundsArray(b *testing.B, name string, entries int, words []uint32) *ebpf.Map {
	b.Helper()
	m, err := ebpf.NewMap(&ebpf.MapSpec{Name: name, Type: ebpf.Array, KeySize: 4, ValueSize: memLine,
		MaxEntries: uint32(entries), Flags: unix.BPF_F_MMAPABLE})
	if err != nil {
		b.Fatalf("%s array: %v", name, err)
	}
	if words != nil {
		keys := make([]uint32, len(words))
		vals := make([][memLine]byte, len(words))
		for i, w := range words {
			keys[i] = uint32(i)
			binary.LittleEndian.PutUint32(vals[i][:], w)
		}
		if _, err := m.BatchUpdate(keys, vals, nil); err != nil {
			b.Fatalf("%s array: fill: %v", name, err)
		}
	}
	return m
}

// roundsShape is one shape's list, state and program. A list line holds
// a batch's 32 words: the first round's line numbers (16, or 32 for the
// round of 32), or 16 line numbers and 16 offsets k, the second round's
// line being (word 0 of the first round's line + k) & (lines - 1), so it
// is known only once the first round's load is back.
type roundsShape struct {
	kind  roundsKind
	list  *ebpf.Map
	state *ebpf.Map // [0] list position (u32), [8] ns (u64), [16] the fold (u64)
	prog  *ebpf.Program
}

func newRoundsShape(b *testing.B, kind roundsKind, r *rand.Rand, slots, hdrs *ebpf.Map, slotWords, hdrWords []uint32, evict *ebpf.Map, ev int) *roundsShape {
	b.Helper()
	n := len(slotWords)
	pages := n / memPageLines
	s := &roundsShape{kind: kind}
	list, err := ebpf.NewMap(&ebpf.MapSpec{Name: "rd_list", Type: ebpf.Array, KeySize: 4, ValueSize: 128, MaxEntries: roundsBatches})
	if err != nil {
		b.Fatalf("list: %v", err)
	}
	s.list = list
	keys := make([]uint32, roundsBatches)
	vals := make([][128]byte, roundsBatches)
	var want uint32 // the fold of batch 0's words: the check that each load reads the line meant
	for t := range keys {
		keys[t] = uint32(t)
		var w [32]uint32
		var fold uint32
		switch kind {
		case rounds16, rounds32, rounds16Padded, rounds16PadBefore, rounds16Again:
			for i := range kind.loads() {
				w[i] = uint32(r.IntN(n))
				fold ^= slotWords[w[i]]
			}
		case rounds16OnePage:
			p := r.IntN(pages)
			for i, off := range r.Perm(memPageLines)[:16] {
				w[i] = uint32(p*memPageLines + off)
				fold ^= slotWords[w[i]]
			}
		case roundsChain:
			line := r.IntN(n)
			w[0] = uint32(line)
			fold ^= slotWords[line]
			for i := range 15 {
				next := r.IntN(n)
				w[16+i] = uint32(next) - slotWords[line]
				line = next
				fold ^= slotWords[line]
			}
		case rounds2Arrays, rounds1Array, roundsSamePage:
			for i := range 16 {
				var first uint32
				var target int
				switch kind {
				case rounds2Arrays:
					first = uint32(r.IntN(len(hdrWords)))
					target = r.IntN(n)
					w[16+i] = uint32(target) - hdrWords[first]
					fold ^= hdrWords[first]
				case rounds1Array:
					first = uint32(r.IntN(n))
					target = r.IntN(n)
					w[16+i] = uint32(target) - slotWords[first]
					fold ^= slotWords[first]
				case roundsSamePage:
					first = uint32(r.IntN(n))
					page, off := int(first)/memPageLines, int(first)%memPageLines
					target = page*memPageLines + (off+1+r.IntN(memPageLines-1))%memPageLines
					w[16+i] = uint32(target) - slotWords[first]
					fold ^= slotWords[first]
				}
				w[i] = first
				fold ^= slotWords[target]
			}
		}
		for i, x := range w {
			binary.LittleEndian.PutUint32(vals[t][4*i:], x)
		}
		if t == 0 {
			want = fold
		}
	}
	if _, err := list.BatchUpdate(keys, vals, nil); err != nil {
		b.Fatalf("list: fill: %v", err)
	}
	st, err := ebpf.NewMap(&ebpf.MapSpec{Name: "rd_state", Type: ebpf.Array, KeySize: 4, ValueSize: 24, MaxEntries: 1})
	if err != nil {
		b.Fatal(err)
	}
	s.state = st

	first, second := slots, slots
	if kind == rounds2Arrays {
		first = hdrs
	}
	// R6 the state, R7 the clock at the start, R8 the eviction's count,
	// R9 the fold. The list's 32 words at fp-256, the first round's
	// loaded words at fp-384, a lookup's key at fp-4.
	lookup := func(m *ebpf.Map) asm.Instructions {
		return asm.Instructions{
			asm.StoreMem(asm.RFP, -4, asm.R1, asm.Word),
			asm.LoadMapPtr(asm.R1, m.FD()),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -4),
			asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, "out"),
		}
	}
	insns := asm.Instructions{
		asm.StoreImm(asm.RFP, -4, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, st.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JNE.Imm(asm.R0, 0, "have_state"),
		asm.Return(),
		asm.Mov.Reg(asm.R6, asm.R0).WithSymbol("have_state"),
		asm.Mov.Imm(asm.R9, 0),
	}
	if ev > 0 {
		// One line in each page, its place in the page moving from page
		// to page so the lines spread over the caches' sets.
		insns = append(insns, asm.Mov.Imm(asm.R8, 0))
		insns = append(insns,
			asm.Mov.Reg(asm.R1, asm.R8).WithSymbol("evict"),
			asm.LSh.Imm(asm.R1, 6),
			asm.Mov.Reg(asm.R2, asm.R8),
			asm.Mul.Imm(asm.R2, 7),
			asm.And.Imm(asm.R2, memPageLines-1),
			asm.Or.Reg(asm.R1, asm.R2))
		// The null check falls through to "out" and jumps on: the
		// verifier keeps the branch it did not take pending, and 16384
		// pending "out" paths would pass its limit of 8192.
		insns = append(insns,
			asm.StoreMem(asm.RFP, -4, asm.R1, asm.Word),
			asm.LoadMapPtr(asm.R1, evict.FD()),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -4),
			asm.FnMapLookupElem.Call(),
			asm.JNE.Imm(asm.R0, 0, "evicted"),
			asm.Ja.Label("out"),
			asm.LoadMem(asm.R1, asm.R0, 0, asm.Word).WithSymbol("evicted"),
			asm.Xor.Reg(asm.R9, asm.R1),
			asm.Add.Imm(asm.R8, 1),
			asm.JLT.Imm(asm.R8, int32(ev), "evict"))
	}
	insns = append(insns, asm.LoadMem(asm.R1, asm.R6, 0, asm.Word))
	insns = append(insns, lookup(list)...)
	for i := range 32 {
		insns = append(insns,
			asm.LoadMem(asm.R1, asm.R0, int16(4*i), asm.Word),
			asm.StoreMem(asm.RFP, int16(-256+4*i), asm.R1, asm.Word))
	}
	insns = append(insns,
		asm.LoadMem(asm.R1, asm.R6, 0, asm.Word),
		asm.Add.Imm(asm.R1, 1),
		asm.And.Imm(asm.R1, roundsBatches-1),
		asm.StoreMem(asm.R6, 0, asm.R1, asm.Word),
		asm.FnKtimeGetNs.Call(),
		asm.Mov.Reg(asm.R7, asm.R0))
	firstLoads := kind.loads()
	if kind.twoRounds() {
		firstLoads = 16
	}
	if kind == roundsChain {
		firstLoads = 0
	}
	if kind == rounds16PadBefore {
		for j := range 16 * roundsPadOps {
			insns = append(insns, asm.Mov.Imm(asm.R3, int32(j)))
		}
	}
	for i := range firstLoads {
		insns = append(insns, asm.LoadMem(asm.R1, asm.RFP, int16(-256+4*i), asm.Word))
		insns = append(insns, lookup(first)...)
		insns = append(insns,
			asm.LoadMem(asm.R1, asm.R0, 0, asm.Word),
			asm.Xor.Reg(asm.R9, asm.R1))
		if kind == rounds16Padded {
			for j := range roundsPadOps {
				insns = append(insns, asm.Mov.Imm(asm.R3, int32(j)))
			}
		}
		if kind.twoRounds() {
			insns = append(insns, asm.StoreMem(asm.RFP, int16(-384+4*i), asm.R1, asm.Word))
		}
	}
	if kind == roundsChain {
		// Each load's line from the one before: one latency a load.
		insns = append(insns, asm.LoadMem(asm.R1, asm.RFP, -256, asm.Word))
		for i := range 16 {
			if i > 0 {
				insns = append(insns,
					asm.LoadMem(asm.R2, asm.RFP, int16(-192+4*(i-1)), asm.Word),
					asm.Add.Reg(asm.R1, asm.R2),
					asm.And.Imm(asm.R1, int32(n-1)))
			}
			insns = append(insns, lookup(slots)...)
			insns = append(insns,
				asm.LoadMem(asm.R1, asm.R0, 0, asm.Word),
				asm.Xor.Reg(asm.R9, asm.R1))
		}
	}
	if kind.twoRounds() {
		for i := range 16 {
			insns = append(insns,
				asm.LoadMem(asm.R1, asm.RFP, int16(-384+4*i), asm.Word),
				asm.LoadMem(asm.R2, asm.RFP, int16(-192+4*i), asm.Word),
				asm.Add.Reg(asm.R1, asm.R2),
				asm.And.Imm(asm.R1, int32(n-1)))
			insns = append(insns, lookup(second)...)
			insns = append(insns,
				asm.LoadMem(asm.R1, asm.R0, 0, asm.Word),
				asm.Xor.Reg(asm.R9, asm.R1))
		}
	}
	insns = append(insns,
		asm.FnKtimeGetNs.Call(),
		asm.Sub.Reg(asm.R0, asm.R7),
		asm.LoadMem(asm.R1, asm.R6, 8, asm.DWord),
		asm.Add.Reg(asm.R1, asm.R0),
		asm.StoreMem(asm.R6, 8, asm.R1, asm.DWord),
		asm.StoreMem(asm.R6, 16, asm.R9, asm.DWord).WithSymbol("out"),
		asm.Mov.Imm(asm.R0, 1), // XDP_DROP
		asm.Return(),
	)
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{Name: "rd_rounds", Type: ebpf.XDP, License: "GPL", Instructions: insns})
	if err != nil {
		b.Fatalf("rounds program (shape %d): %v", kind, err)
	}
	s.prog = p
	// One batch, batch 0: its fold must be the words of the lines the
	// list names (the eviction's lines hold 0). Then back to batch 0.
	if _, _, err := p.Benchmark(make([]byte, 64), 1, nil); err != nil {
		b.Fatalf("rounds (shape %d): %v", kind, err)
	}
	var got [24]byte
	if err := st.Lookup(uint32(0), &got); err != nil {
		b.Fatal(err)
	}
	if f := binary.LittleEndian.Uint32(got[16:]); f != want {
		b.Fatalf("rounds (shape %d): batch 0 folded %#x, want %#x: a load read another line", kind, f, want)
	}
	if err := st.Put(uint32(0), [24]byte{}); err != nil {
		b.Fatal(err)
	}
	return s
}

// measure runs roundsRuns batches after a warm-up of as many: ns per
// batch from the program's clock.
func (s *roundsShape) measure(b *testing.B) float64 {
	b.Helper()
	frame := make([]byte, 64)
	if _, _, err := s.prog.Benchmark(frame, roundsRuns, nil); err != nil {
		b.Fatalf("rounds: %v", err)
	}
	var st [24]byte
	if err := s.state.Lookup(uint32(0), &st); err != nil {
		b.Fatal(err)
	}
	clear(st[8:16])
	if err := s.state.Put(uint32(0), st); err != nil {
		b.Fatal(err)
	}
	if _, _, err := s.prog.Benchmark(frame, roundsRuns, nil); err != nil {
		b.Fatalf("rounds: %v", err)
	}
	if err := s.state.Lookup(uint32(0), &st); err != nil {
		b.Fatal(err)
	}
	ns := binary.LittleEndian.Uint64(st[8:])
	if ns == 0 {
		b.Fatalf("rounds (shape %d): no time recorded: a lookup failed", s.kind)
	}
	return float64(ns) / roundsRuns
}

func (s *roundsShape) close() {
	s.prog.Close()
	s.list.Close()
	s.state.Close()
}

// loadAvg is /proc/loadavg's three averages.
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return err.Error()
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return strings.TrimSpace(string(data))
	}
	return strings.Join(f[:3], " ")
}
