package datapath

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"
)

// BenchmarkTablePages asks how much of a hit in a table past the L2 is its
// pages (TLB misses) and whether a placement of the header and the slot
// could cut them. A chase through every 64-byte line of a
// BPF_F_MMAPABLE array of the flow table's size (vmalloc'd, 4 KiB pages,
// as the table is), each step's addresses taken from the line the step
// before read, so steps cannot overlap, in five shapes:
//
//   - slot, random: one line a step, the lines in random order, so nearly
//     every step is on another page: what a hit that reads one line pays;
//   - slot, page by page: the same lines, a page's 64 lines in random
//     order before the next page (pages in random order), so 63 steps of
//     64 find their page in the TLB: random minus this is at most what
//     the pages cost a step (the steps within a page may also gain from
//     the CPU's prefetchers and the DRAM row, so this is an upper bound);
//   - header + slot, two arrays: the slot's line and, independently (its
//     address from the same step before, as a home hit's header and slot),
//     a line of a second array 1/32 the size: the table's layout today,
//     a dense header array beside the slots;
//   - header + slot, one page: the same two reads with the "header" another
//     line of the slot's own page, as a bucket that kept its header in
//     its own page would: one translation a step instead of two;
//   - header then slot: the slot's address from a header line (the
//     header read first, the slot after it: a lookup that must read the
//     header to find the slot, as one not at home does); its header
//     array is 1/16 of the slots' (a 32-bit word per slot).
//
// Printed, never asserted; ns per step from the kernel's timing of the
// test-run loop, median of memReps alternating runs.
func BenchmarkTablePages(b *testing.B) {
	requireRoot(b)
	defer benchOnCPU0(b)()
	fmt.Printf("\ntable pages (dependent steps through every 64-byte line of a BPF_F_MMAPABLE array, %d steps/run, %d runs/figure):\n",
		memChaseReads, memChaseRuns)
	fmt.Printf("  %-10s %13s %13s %13s %13s %13s %13s\n", "slots", "slot random", "page by page", "pages' share", "hdr+slot 2arr", "hdr+slot 1pg", "hdr then slot")
	for _, ws := range pageSets {
		vs := []*pageChase{
			newPageChase(b, ws, pageRandom),
			newPageChase(b, ws, pageLocal),
			newPageChase(b, ws, pageTwoArrays),
			newPageChase(b, ws, pageOnePage),
			newPageChase(b, ws, pageSerial),
		}
		figs := make([][]float64, len(vs))
		for range memReps {
			for i, v := range vs {
				figs[i] = append(figs[i], v.measure(b))
			}
		}
		for _, v := range vs {
			v.close()
		}
		med := make([]float64, len(vs))
		for i := range vs {
			med[i] = median(figs[i])
		}
		fmt.Printf("  %-10s %13.1f %13.1f %13.1f %13.1f %13.1f %13.1f\n", sizeName(ws), med[0], med[1], med[0]-med[1], med[2], med[3], med[4])
		fmt.Printf("  %-10s %13s %13s %13s %13s %13s %13s\n", "runs", spread(figs[0]), spread(figs[1]), "", spread(figs[2]), spread(figs[3]), spread(figs[4]))
	}
	fmt.Printf("  (ns per step: a step reads one line (slot), or two (a header line and a slot line); the header\n" +
		"  array is 1/32 of the slots' size, as the table's is)\n")
}

// The slot arrays' sizes: a 16K cache's (2 MiB), a 64K cache's (8 MiB:
// what 100K flows would take in a table half as large), a 128K cache's
// (16 MiB, 100K flows) and a 512K cache's (64 MiB).
var pageSets = []int{2 << 20, 8 << 20, 16 << 20, 64 << 20}

type pageShape int

const (
	pageRandom    pageShape = iota // one line a step, random order
	pageLocal                      // one line a step, a page's lines before the next page
	pageTwoArrays                  // the slot and a line of a header array, independent
	pageOnePage                    // the slot and another line of its page, independent
	pageSerial                     // a header array's line, then the slot it names
)

// pageChase is one shape's arrays and program. Line i of the slot array
// holds the next step's slot (word 0) and header (word 1); in the serial
// shape the header's line holds the slot (word 0) and the slot's line the
// next header (word 1).
type pageChase struct {
	maps  []*ebpf.Map
	state *ebpf.Map
	prog  *ebpf.Program
	n     int
}

func newPageChase(b *testing.B, ws int, shape pageShape) *pageChase {
	b.Helper()
	n := ws / memLine
	r := rand.New(rand.NewPCG(14, 102))
	var seq []int // the slots in the order the chase visits them
	switch shape {
	case pageLocal:
		for _, p := range r.Perm(n / memPageLines) {
			for _, l := range r.Perm(memPageLines) {
				seq = append(seq, p*memPageLines+l)
			}
		}
	default:
		seq = r.Perm(n)
	}
	hn := n / 32
	hdr := make([]int, n) // the header line each slot's step reads with it
	for i := range hdr {
		switch shape {
		case pageOnePage:
			// Another line of the slot's own page.
			hdr[i] = i&^(memPageLines-1) | (i+1+r.IntN(memPageLines-1))&(memPageLines-1)
		default:
			hdr[i] = r.IntN(hn)
		}
	}
	newArray := func(name string, entries int) *ebpf.Map {
		m, err := ebpf.NewMap(&ebpf.MapSpec{Name: name, Type: ebpf.Array, KeySize: 4, ValueSize: memLine,
			MaxEntries: uint32(entries), Flags: unix.BPF_F_MMAPABLE})
		if err != nil {
			b.Fatalf("%s array: %v", name, err)
		}
		return m
	}
	c := &pageChase{n: n}
	slots := newArray("pg_slots", n)
	c.maps = append(c.maps, slots)
	var hdrs *ebpf.Map
	switch shape {
	case pageTwoArrays:
		hdrs = newArray("pg_hdrs", hn)
	case pageSerial:
		hdrs = newArray("pg_hdrs", n/16)
	}
	if hdrs != nil {
		c.maps = append(c.maps, hdrs)
	}
	keys := make([]uint32, n)
	vals := make([][memLine]byte, n)
	var hkeys []uint32
	var hvals [][memLine]byte
	for k, s := range seq {
		next := seq[(k+1)%n]
		keys[k] = uint32(s)
		binary.LittleEndian.PutUint32(vals[k][0:], uint32(next))
		binary.LittleEndian.PutUint32(vals[k][4:], uint32(hdr[next]))
	}
	if shape == pageSerial {
		// Each step a header word of its own: n 32-bit words, 16 to a
		// line (a header array 1/16 of the slots'), in random order.
		// Word w names the step's slot; the slot names the next step's
		// word (line << 4 | word in the line).
		hw := r.Perm(n)
		hvals = make([][memLine]byte, n/16)
		for k, s := range seq {
			binary.LittleEndian.PutUint32(hvals[hw[k]/16][4*(hw[k]%16):], uint32(s))
			binary.LittleEndian.PutUint32(vals[k][4:], uint32(hw[(k+1)%n]))
		}
		for i := range hvals {
			hkeys = append(hkeys, uint32(i))
		}
		hdr[seq[0]] = hw[0]
	}
	if _, err := slots.BatchUpdate(keys, vals, nil); err != nil {
		b.Fatalf("slots: fill: %v", err)
	}
	if hkeys != nil {
		if _, err := hdrs.BatchUpdate(hkeys, hvals, nil); err != nil {
			b.Fatalf("headers: fill: %v", err)
		}
	}
	st, err := ebpf.NewMap(&ebpf.MapSpec{Name: "pg_state", Type: ebpf.Array, KeySize: 4, ValueSize: 16, MaxEntries: 1})
	if err != nil {
		b.Fatal(err)
	}
	c.state = st
	c.maps = append(c.maps, st)
	var start [16]byte
	binary.LittleEndian.PutUint32(start[0:], uint32(seq[0]))
	binary.LittleEndian.PutUint32(start[4:], uint32(hdr[seq[0]]))
	if err := st.Put(uint32(0), start); err != nil {
		b.Fatal(err)
	}
	// R6 the state, R7 the slot to read, R8 its header line, R9 scratch.
	lookup := func(m *ebpf.Map, reg asm.Register, off int16) asm.Instructions {
		return asm.Instructions{
			asm.StoreMem(asm.RFP, off, reg, asm.Word),
			asm.LoadMapPtr(asm.R1, m.FD()),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, int32(off)),
			asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, "out"),
		}
	}
	var body asm.Instructions
	for range memChaseReads {
		switch shape {
		case pageRandom, pageLocal:
			body = append(body, lookup(slots, asm.R7, -4)...)
			body = append(body, asm.LoadMem(asm.R7, asm.R0, 0, asm.Word))
		case pageTwoArrays, pageOnePage:
			hm := slots
			if shape == pageTwoArrays {
				hm = hdrs
			}
			body = append(body, lookup(hm, asm.R8, -8)...)
			body = append(body, asm.LoadMem(asm.R9, asm.R0, 0, asm.Word))
			body = append(body, lookup(slots, asm.R7, -4)...)
			body = append(body, asm.LoadMem(asm.R7, asm.R0, 0, asm.Word), asm.LoadMem(asm.R8, asm.R0, 4, asm.Word))
		case pageSerial:
			body = append(body, asm.Mov.Reg(asm.R9, asm.R8), asm.RSh.Imm(asm.R9, 4))
			body = append(body, lookup(hdrs, asm.R9, -8)...)
			body = append(body,
				asm.Mov.Reg(asm.R9, asm.R8), asm.And.Imm(asm.R9, 15), asm.LSh.Imm(asm.R9, 2),
				asm.Add.Reg(asm.R0, asm.R9),
				asm.LoadMem(asm.R7, asm.R0, 0, asm.Word))
			body = append(body, lookup(slots, asm.R7, -4)...)
			body = append(body, asm.LoadMem(asm.R8, asm.R0, 4, asm.Word))
		}
	}
	insns := asm.Instructions{
		asm.StoreImm(asm.RFP, -16, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, st.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -16),
		asm.FnMapLookupElem.Call(),
		asm.JNE.Imm(asm.R0, 0, "have_state"),
		asm.Return(),
		asm.Mov.Reg(asm.R6, asm.R0).WithSymbol("have_state"),
		asm.LoadMem(asm.R7, asm.R6, 0, asm.Word),
		asm.LoadMem(asm.R8, asm.R6, 4, asm.Word),
		asm.Mov.Imm(asm.R9, 0),
	}
	insns = append(insns, body...)
	insns = append(insns,
		asm.StoreMem(asm.R6, 0, asm.R7, asm.Word).WithSymbol("out"),
		asm.StoreMem(asm.R6, 4, asm.R8, asm.Word),
		asm.StoreMem(asm.R6, 8, asm.R9, asm.Word),
		asm.Mov.Imm(asm.R0, 1), // XDP_DROP
		asm.Return(),
	)
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{Name: "pg_chase", Type: ebpf.XDP, License: "GPL", Instructions: insns})
	if err != nil {
		b.Fatalf("page chase program: %v", err)
	}
	c.prog = p
	return c
}

// measure runs a whole cycle to warm the caches and TLB, then times
// memChaseRuns runs: ns per step.
func (c *pageChase) measure(b *testing.B) float64 {
	b.Helper()
	frame := make([]byte, 64)
	if _, _, err := c.prog.Benchmark(frame, (c.n+memChaseReads-1)/memChaseReads, nil); err != nil {
		b.Fatalf("page chase: %v", err)
	}
	_, per, err := c.prog.Benchmark(frame, memChaseRuns, nil)
	if err != nil {
		b.Fatalf("page chase: %v", err)
	}
	return float64(per.Nanoseconds()) / memChaseReads
}

func (c *pageChase) close() {
	if c.prog != nil {
		c.prog.Close()
	}
	for _, m := range c.maps {
		m.Close()
	}
}
