package datapath

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"
)

// BenchmarkTableMemory asks what a hit at 100K flows pays for the flow
// table's memory rather than for its layout: the table is a BPF_F_MMAPABLE
// array, which the kernel vmallocs in 4 KiB pages (the harvest needs the
// mmap), so a random slot costs a TLB miss once the table outgrows the
// TLB's reach, on top of the cache miss. A pointer chase (each read's
// address comes from the read before it, so reads cannot overlap) through
// random 64-byte lines of one working set, in three kinds of memory:
//
//   - mmapable: one BPF_F_MMAPABLE array of 64-byte values, as the table is
//     (vmalloc, 4 KiB pages);
//   - plain: the same array without the flag (vmalloc as well: it is above
//     the kmalloc limit, 32 KiB);
//   - inner: an array of maps whose inner arrays are each at most 32 KiB,
//     struct bpf_array included, so each is kmalloc'd and sits in the
//     kernel's direct map, which is mapped with huge pages.
//
// The first table chases every line of sets of 16 KiB to 32 MiB: what a
// random line costs as the set outgrows the caches, TLB and cache misses
// together. The second chases one line in each 4 KiB page of 1-64 MiB, so
// the lines fit in L2/L3 while the pages outgrow the TLB; 1 MiB of lines
// spread over 64 MiB minus the same 1 MiB dense is what the pages cost.
//
// Each test run makes memChaseReads dependent reads, the position carried
// from one run to the next, so the run's own cost is spread thin. Figures
// are ns per dependent read from the kernel's timing of the test-run loop.
// Printed, never asserted.
func BenchmarkTableMemory(b *testing.B) {
	requireRoot(b)
	defer benchOnCPU0(b)()
	arr := bpfArrayLayout(b)
	valueOff := arr.valueOff
	perInner := (memInnerBytes - valueOff) / memLine
	fmt.Printf("\ntable memory (dependent random reads of 64-byte lines, BPF_PROG_TEST_RUN, %d reads/run, %d runs/figure):\n",
		memChaseReads, memChaseRuns)
	var notes []string
	header := func(title string) {
		fmt.Printf("  %s\n", title)
		fmt.Printf("  %-20s %-6s %9s %9s %9s %10s %11s\n", "working set", "", "mmapable", "plain", "inner", "mmap-inner", "plain-inner")
	}
	run := func(l chaseLayout, describe bool) (meds []float64) {
		order := chaseOrder(l.n)
		vs := []*memVariant{
			newArrayVariant(b, arr, "mmapable", l, order, true),
			newArrayVariant(b, arr, "plain", l, order, false),
			newInnerVariant(b, arr, l, perInner, order),
		}
		defer func() {
			for _, v := range vs {
				v.close()
			}
		}()
		figs := make([][]float64, len(vs))
		for range memReps {
			for i, v := range vs {
				figs[i] = append(figs[i], v.measure(b))
			}
		}
		med := func(i int) float64 { return median(figs[i]) }
		meds = []float64{med(0), med(1), med(2)}
		fmt.Printf("  %-20s %-6s %9.1f %9.1f %9.1f %10.1f %11.1f\n", l.name, "median", med(0), med(1), med(2), med(0)-med(2), med(1)-med(2))
		fmt.Printf("  %-20s %-6s %9s %9s %9s\n", "", "runs", spread(figs[0]), spread(figs[1]), spread(figs[2]))
		if describe {
			for _, v := range vs {
				notes = append(notes, fmt.Sprintf("%-9s %s", v.name+":", v.describe(b)))
			}
		}
		return meds
	}
	// The same 1 MiB of lines, dense (256 pages) and one per page (16384
	// pages): the difference is what the pages cost, the TLB's misses.
	var dense1M, sparse1M []float64
	header("every line of the set in the chase (the data outgrows the caches as the set grows):")
	for i, ws := range memDenseSets {
		m := run(denseLayout(ws, perInner), i == len(memDenseSets)-1)
		if ws == 1<<20 {
			dense1M = m
		}
	}
	header("one line per 4 KiB page (the data stays in L2/L3, the pages outgrow the TLB):")
	for _, span := range memSparseSpans {
		m := run(sparseLayout(span, perInner), false)
		if span/4096*memLine == 1<<20 {
			sparse1M = m
		}
	}
	fmt.Printf("  %-27s %9.1f %9.1f %9.1f   (1 MiB of lines in 64 MiB minus the same 1 MiB dense)\n", "TLB misses, per read",
		sparse1M[0]-dense1M[0], sparse1M[1]-dense1M[1], sparse1M[2]-dense1M[2])
	fmt.Printf("  (ns per read, median and range of %d alternating runs of each kind; the last two columns are what the\n"+
		"  vmalloc'd 4 KiB pages cost over the direct map per read; 16 KiB is the floor, the lookups' own instructions\n"+
		"  in a set that stays in L1; inner pays one more load per read, from its small array of inner maps; in a VM\n"+
		"  a TLB entry maps the smaller of the guest's page and the host's page behind it)\n", memReps)
	for _, nt := range notes {
		fmt.Printf("  %s\n", nt)
	}
	fmt.Printf("  struct bpf_array's value[] at byte %d (%d into a 64-byte line); an inner array holds %d lines\n",
		valueOff, valueOff%memLine, perInner)
	fmt.Printf("  kernel direct map: %s\n", directMapPages())
}

// memLatency is a short probe of what the machine's memory is doing now,
// for benchmarks whose figures move with it (BenchmarkLive): ns per
// dependent read of random 64-byte lines through dense sets of the given
// sizes, in a BPF_F_MMAPABLE array as the flow table is (the chase above,
// median of reps runs per set). The calling thread is held on CPU 0 while
// it runs and given back its CPUs after, so that processes it starts later
// (trafgen) are not pinned.
func memLatency(b *testing.B, sets []int, reps int) []float64 {
	b.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var was, one unix.CPUSet
	if err := unix.SchedGetaffinity(0, &was); err != nil {
		b.Fatal(err)
	}
	one.Set(0)
	if err := unix.SchedSetaffinity(0, &one); err != nil {
		b.Fatal(err)
	}
	defer unix.SchedSetaffinity(0, &was)
	arr := bpfArrayLayout(b)
	out := make([]float64, len(sets))
	for i, ws := range sets {
		l := denseLayout(ws, 1)
		v := newArrayVariant(b, arr, "probe", l, chaseOrder(l.n), true)
		var figs []float64
		for range reps {
			figs = append(figs, v.measure(b))
		}
		v.close()
		out[i] = median(figs)
	}
	return out
}

const (
	memLine       = 64
	memPageLines  = 4096 / memLine
	memInnerBytes = 32 << 10 // PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER: kmalloc'd up to this, vmalloc'd above
	memChaseReads = 512      // dependent reads per test run: the verifier's 16-bit jumps bound the unrolled program
	memChaseRuns  = 2048     // test runs per figure: 1M reads
	memReps       = 5
)

// The dense working sets: a floor that stays in L1, then 1 MiB; 2 MiB is
// the table of a 16K cache (10K flows), 16 MiB of a 128K cache (100K
// flows). The sparse spans put one line in each 4 KiB page: 16 MiB of
// pages hold 256 KiB of lines.
var (
	memDenseSets   = []int{16 << 10, 1 << 20, 2 << 20, 8 << 20, 16 << 20, 32 << 20}
	memSparseSpans = []int{1 << 20, 16 << 20, 32 << 20, 64 << 20}
)

func sizeName(ws int) string {
	if ws < 1<<20 {
		return fmt.Sprintf("%d KiB", ws>>10)
	}
	return fmt.Sprintf("%d MiB", ws>>20)
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func spread(xs []float64) string {
	return fmt.Sprintf("%.0f-%.0f", slices.Min(xs), slices.Max(xs))
}

// chaseOrder returns the successor of every node in one random cycle
// through all n nodes (fixed seed), so a chase visits the whole working
// set in random order before it repeats.
func chaseOrder(n int) []uint32 {
	r := rand.New(rand.NewPCG(14, 100))
	perm := r.Perm(n)
	next := make([]uint32, n)
	for i, p := range perm {
		next[p] = uint32(perm[(i+1)%n])
	}
	return next
}

// chaseLayout places the chase's n nodes: node j at line index(j) of one
// array of entries lines, or at the inner array and line innerPos(j) says
// in an array of inners inner arrays.
type chaseLayout struct {
	name     string
	n        int
	entries  int
	index    func(j int) int
	inners   int
	innerPos func(j int) (i, l int)
}

// denseLayout chases every line of a set of ws bytes.
func denseLayout(ws, perInner int) chaseLayout {
	n := ws / memLine
	return chaseLayout{
		name: sizeName(ws), n: n, entries: n,
		index:    func(j int) int { return j },
		inners:   (n + perInner - 1) / perInner,
		innerPos: func(j int) (int, int) { return j / perInner, j % perInner },
	}
}

// sparseLayout chases one line in each 4 KiB page of span bytes, at a
// random line of its page so that the lines spread over the caches' sets
// instead of sharing the few a fixed page offset maps to. An inner array
// holds 7.9 pages: the line of page p of inner array i is p*64 plus an
// offset below 59, so the last page's line stays under its 507 lines.
func sparseLayout(span, perInner int) chaseLayout {
	pages := span / 4096
	perInnerPages := (perInner + memPageLines - 1) / memPageLines
	maxOff := perInner - (perInnerPages-1)*memPageLines
	r := rand.New(rand.NewPCG(14, 101))
	off := make([]int, pages)
	for p := range off {
		off[p] = r.IntN(maxOff)
	}
	return chaseLayout{
		name: fmt.Sprintf("%s in %s", sizeName(pages*memLine), sizeName(span)), n: pages, entries: pages * memPageLines,
		index:  func(j int) int { return j*memPageLines + off[j] },
		inners: (pages + perInnerPages - 1) / perInnerPages,
		innerPos: func(j int) (int, int) {
			return j / perInnerPages, j%perInnerPages*memPageLines + off[j]
		},
	}
}

// memVariant is one kind of memory holding the chase, and its programs.
type memVariant struct {
	name    string
	maps    []*ebpf.Map // everything to close; maps[0] is what the program looks up
	state   *ebpf.Map   // [0] the chase's position, [1] an element's kernel address
	chase   *ebpf.Program
	addr    *ebpf.Program
	inner   bool
	vmalloc vmallocCount // of the variant's arrays, how many the kernel vmalloc'd
	n       int
}

func newArrayVariant(b *testing.B, arr bpfArray, name string, l chaseLayout, next []uint32, mmapable bool) *memVariant {
	b.Helper()
	var flags uint32
	area := arr.vmallocArea(l.entries, mmapable)
	if mmapable {
		flags = unix.BPF_F_MMAPABLE
	}
	before := bpfVmalloc(b, area)
	m, err := ebpf.NewMap(&ebpf.MapSpec{Name: "mem_" + name, Type: ebpf.Array, KeySize: 4, ValueSize: memLine, MaxEntries: uint32(l.entries), Flags: flags})
	if err != nil {
		b.Fatalf("%s array: %v", name, err)
	}
	v := &memVariant{name: name, maps: []*ebpf.Map{m}, n: l.n}
	v.vmalloc = bpfVmalloc(b, area).minus(before)
	keys := make([]uint32, l.n)
	vals := make([][memLine]byte, l.n)
	for j := range l.n {
		keys[j] = uint32(l.index(j))
		binary.LittleEndian.PutUint32(vals[j][:], uint32(l.index(int(next[j]))))
	}
	if _, err := m.BatchUpdate(keys, vals, nil); err != nil {
		b.Fatalf("%s array: fill: %v", name, err)
	}
	v.load(b)
	v.start(b, uint32(l.index(0)))
	return v
}

// newInnerVariant builds the array of maps. A node's key names its inner
// array in the high 16 bits and its line in the low ones.
func newInnerVariant(b *testing.B, arr bpfArray, l chaseLayout, perInner int, next []uint32) *memVariant {
	b.Helper()
	key := func(j int) uint32 {
		i, line := l.innerPos(j)
		return uint32(i)<<16 | uint32(line)
	}
	inner := &ebpf.MapSpec{Name: "mem_inner", Type: ebpf.Array, KeySize: 4, ValueSize: memLine, MaxEntries: uint32(perInner)}
	area := arr.vmallocArea(perInner, false)
	before := bpfVmalloc(b, area)
	outer, err := ebpf.NewMap(&ebpf.MapSpec{Name: "mem_outer", Type: ebpf.ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: uint32(l.inners), InnerMap: inner})
	if err != nil {
		b.Fatalf("array of maps: %v", err)
	}
	v := &memVariant{name: "inner", maps: []*ebpf.Map{outer}, inner: true, n: l.n}
	keys := make([][]uint32, l.inners)
	vals := make([][][memLine]byte, l.inners)
	for j := range l.n {
		i, line := l.innerPos(j)
		var val [memLine]byte
		binary.LittleEndian.PutUint32(val[:], key(int(next[j])))
		keys[i] = append(keys[i], uint32(line))
		vals[i] = append(vals[i], val)
	}
	idx := make([]uint32, l.inners)
	fds := make([]uint32, l.inners)
	for i := range l.inners {
		m, err := ebpf.NewMap(inner)
		if err != nil {
			b.Fatalf("inner array %d: %v", i, err)
		}
		v.maps = append(v.maps, m)
		if _, err := m.BatchUpdate(keys[i], vals[i], nil); err != nil {
			b.Fatalf("inner array %d: fill: %v", i, err)
		}
		idx[i], fds[i] = uint32(i), uint32(m.FD())
	}
	// One batch: the kernel waits for an RCU grace period after every
	// update of a map of maps, once per call.
	if _, err := outer.BatchUpdate(idx, fds, nil); err != nil {
		b.Fatalf("array of maps: fill: %v", err)
	}
	v.vmalloc = bpfVmalloc(b, area).minus(before)
	v.load(b)
	v.start(b, key(0))
	return v
}

// start sets the chase's position (the state map's [0], zero unless set).
func (v *memVariant) start(b *testing.B, key uint32) {
	b.Helper()
	var st [16]byte
	binary.LittleEndian.PutUint32(st[:], key)
	if err := v.state.Put(uint32(0), st); err != nil {
		b.Fatal(err)
	}
}

// lookup emits the variant's lookup of the node whose key is in R7,
// leaving the line's address in R0 (or jumping to "out" if none).
func (v *memVariant) lookup() asm.Instructions {
	if !v.inner {
		return asm.Instructions{
			asm.StoreMem(asm.RFP, -4, asm.R7, asm.Word),
			asm.LoadMapPtr(asm.R1, v.maps[0].FD()),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -4),
			asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, "out"),
		}
	}
	return asm.Instructions{
		asm.Mov.Reg(asm.R1, asm.R7),
		asm.RSh.Imm(asm.R1, 16),
		asm.StoreMem(asm.RFP, -4, asm.R1, asm.Word),
		asm.LoadMapPtr(asm.R1, v.maps[0].FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.Mov.Reg(asm.R1, asm.R0),
		asm.Mov.Reg(asm.R2, asm.R7),
		asm.And.Imm(asm.R2, 0xffff),
		asm.StoreMem(asm.RFP, -8, asm.R2, asm.Word),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -8),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
	}
}

// program wraps body between loading the chase's position from the
// state map into R7 (R6 pointing at the state) and storing R7 back.
func (v *memVariant) program(b *testing.B, name string, body asm.Instructions) *ebpf.Program {
	b.Helper()
	insns := asm.Instructions{
		asm.StoreImm(asm.RFP, -16, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, v.state.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -16),
		asm.FnMapLookupElem.Call(),
		asm.JNE.Imm(asm.R0, 0, "have_state"),
		asm.Return(),
		asm.Mov.Reg(asm.R6, asm.R0).WithSymbol("have_state"),
		asm.LoadMem(asm.R7, asm.R6, 0, asm.Word),
	}
	insns = append(insns, body...)
	insns = append(insns,
		asm.StoreMem(asm.R6, 0, asm.R7, asm.Word).WithSymbol("out"),
		asm.Mov.Imm(asm.R0, 1), // XDP_DROP
		asm.Return(),
	)
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{Name: name, Type: ebpf.XDP, License: "GPL", Instructions: insns})
	if err != nil {
		b.Fatalf("%s program (%s): %v", name, v.name, err)
	}
	return p
}

func (v *memVariant) load(b *testing.B) {
	b.Helper()
	st, err := ebpf.NewMap(&ebpf.MapSpec{Name: "mem_state", Type: ebpf.Array, KeySize: 4, ValueSize: 16, MaxEntries: 1})
	if err != nil {
		b.Fatal(err)
	}
	v.state = st
	v.maps = append(v.maps, st)
	var chase asm.Instructions
	for range memChaseReads {
		chase = append(chase, v.lookup()...)
		chase = append(chase, asm.LoadMem(asm.R7, asm.R0, 0, asm.Word))
	}
	v.chase = v.program(b, "mem_chase", chase)
	// The address of node 0's line, for its offset in a cache line. A
	// privileged program may store a pointer in a map (allow_ptr_leaks).
	v.addr = v.program(b, "mem_addr", append(v.lookup(), asm.StoreMem(asm.R6, 8, asm.R0, asm.DWord)))
}

// measure runs a whole cycle of the chase to warm caches and TLB, then
// times memChaseRuns runs: ns per dependent read.
func (v *memVariant) measure(b *testing.B) float64 {
	b.Helper()
	frame := make([]byte, 64)
	warm := (v.n + memChaseReads - 1) / memChaseReads
	if _, _, err := v.chase.Benchmark(frame, warm, nil); err != nil {
		b.Fatalf("%s chase: %v", v.name, err)
	}
	_, per, err := v.chase.Benchmark(frame, memChaseRuns, nil)
	if err != nil {
		b.Fatalf("%s chase: %v", v.name, err)
	}
	return float64(per.Nanoseconds()) / memChaseReads
}

// describe says where the variant's memory came from: how many of its
// arrays the kernel vmalloc'd (/proc/vmallocinfo), the alignment of a line
// (an element's kernel address), and whether the verifier inlined the
// lookups (helper calls left in the translated program).
func (v *memVariant) describe(b *testing.B) string {
	b.Helper()
	if _, _, err := v.addr.Benchmark(make([]byte, 64), 1, nil); err != nil {
		b.Fatalf("%s address: %v", v.name, err)
	}
	var st [16]byte
	if err := v.state.Lookup(uint32(0), &st); err != nil {
		b.Fatal(err)
	}
	addr := binary.LittleEndian.Uint64(st[8:])
	info, err := v.chase.Info()
	if err != nil {
		b.Fatal(err)
	}
	insns, err := info.Instructions()
	if err != nil {
		b.Fatalf("%s: translated instructions: %v", v.name, err)
	}
	calls := 0
	for _, ins := range insns {
		if ins.OpCode.JumpOp() == asm.Call {
			calls++
		}
	}
	where := fmt.Sprintf("%d of 1 array vmalloc'd (4 KiB pages)", v.vmalloc)
	if v.inner {
		where = fmt.Sprintf("%d of %d inner arrays vmalloc'd, the rest kmalloc'd (the direct map)", v.vmalloc, len(v.maps)-2)
	}
	return fmt.Sprintf("%s; a line starts %d bytes into a cache line; %d helper calls left of %d lookups",
		where, addr%memLine, calls, 1+memChaseReads*(1+boolInt(v.inner)))
}

func (v *memVariant) close() {
	if v.chase != nil {
		v.chase.Close()
	}
	if v.addr != nil {
		v.addr.Close()
	}
	for _, m := range v.maps {
		m.Close()
	}
}

// bpfArray is struct bpf_array as the running kernel's BTF describes it.
type bpfArray struct {
	size     int // sizeof(struct bpf_array)
	valueOff int // offsetof(struct bpf_array, value): where the values start in a kmalloc'd array
}

func bpfArrayLayout(b *testing.B) bpfArray {
	b.Helper()
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		b.Fatalf("kernel BTF: %v", err)
	}
	var s *btf.Struct
	if err := spec.TypeByName("bpf_array", &s); err != nil {
		b.Fatalf("kernel BTF: %v", err)
	}
	// value[] is in the last member, an anonymous union.
	last := s.Members[len(s.Members)-1]
	if last.Name != "" {
		b.Fatalf("struct bpf_array ends in %q, not the values' union", last.Name)
	}
	return bpfArray{size: int(s.Size), valueOff: int(last.Offset.Bytes())}
}

// vmallocArea is the size /proc/vmallocinfo gives an array of entries
// 64-byte values if the kernel vmallocs it (array_map_alloc): its pages
// and the guard page after them. An mmapable array starts its values on
// the page after struct bpf_array.
func (a bpfArray) vmallocArea(entries int, mmapable bool) int {
	page := func(n int) int { return (n + 4095) &^ 4095 }
	if mmapable {
		return page(a.size) + page(entries*memLine) + 4096
	}
	return page(a.valueOff+entries*memLine) + 4096
}

// bpfVmalloc counts /proc/vmallocinfo's areas of the given size allocated
// for BPF arrays (their caller is array_map_alloc, into which
// __bpf_map_area_alloc is inlined). The size tells the variant's arrays
// from the arrays of other programs on the machine.
func bpfVmalloc(b *testing.B, size int) vmallocCount {
	b.Helper()
	f, err := os.Open("/proc/vmallocinfo")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var n vmallocCount
	sc := bufio.NewScanner(f)
	want := strconv.Itoa(size)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) >= 3 && fs[1] == want && strings.HasPrefix(fs[2], "array_map_alloc+") {
			n++
		}
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}

type vmallocCount int

func (n vmallocCount) minus(o vmallocCount) vmallocCount { return n - o }

// directMapPages is /proc/meminfo's account of the page sizes mapping
// the kernel's direct map, where kmalloc'd memory lives.
func directMapPages() string {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return err.Error()
	}
	var parts []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "DirectMap") {
			parts = append(parts, strings.Join(strings.Fields(l), " "))
		}
	}
	return strings.Join(parts, ", ")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
