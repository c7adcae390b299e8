package datapath

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/flowtap/flowtap/internal/testproc"
)

// bpfWalk runs one BPF program of a spec on concrete values, as far as
// its first exit or tail call, and records the instructions it executes
// (by raw offset): the path one packet takes, with no kernel. Enough of
// the machine for the meter's plain paths: ALU, jumps, loads and stores
// to the stack, the context, the packet and map values, and the helpers
// those paths call. A lookup in an array map returns that map's one value
// whatever the key (NULL for other maps), so what it walks is the path
// for the state the caller sets up in those values. A test-only tool:
// it gives the path a packet takes in the BPF order, which the JIT keeps.
type bpfWalk struct {
	insns   asm.Instructions
	at      map[asm.RawInstructionOffset]int // raw offset -> index
	regions [][]byte
	names   []string
	byName  map[string]int
	regs    [11]uint64
	pkt     int
	ctx     int
	path    []int       // indices executed
	loads   map[int]int // loads by region
	// jitRanges: the JIT image's ranges (offsets) of the line records
	// the path enters, set by jitLayout.
	jitRanges [][2]uint64
	helpers   map[asm.BuiltinFunc]func(w *bpfWalk) uint64
}

const walkRegionShift = 40

// The walk's tick and coarse clock (bpf_jiffies64, bpf_ktime_get_coarse_ns).
const (
	walkJiffies  = 1000
	walkCoarseNs = walkJiffies * 4000000
)

func walkPtr(region int, off uint64) uint64 { return uint64(region)<<walkRegionShift | off }

// newProgramWalk is a walk of the program named, with each global data
// section (.bss, .data, .rodata) a region of its own holding the
// object's initial contents.
func newProgramWalk(tb testing.TB, spec *ebpf.CollectionSpec, prog string) *bpfWalk {
	tb.Helper()
	ps := spec.Programs[prog]
	if ps == nil {
		tb.Fatalf("no %s", prog)
	}
	w := newBPFWalk(ps.Instructions)
	for name, ms := range spec.Maps {
		if !strings.HasPrefix(name, ".") {
			continue
		}
		id := w.region("map:"+name, int(ms.ValueSize))
		if len(ms.Contents) > 0 {
			if b, ok := ms.Contents[0].Value.([]byte); ok {
				copy(w.regions[id], b)
			}
		}
	}
	return w
}

// walkArrayLookup is the walks' bpf_map_lookup_elem: an array or per-CPU
// array map's entry is one region per map (every key the same entry, as
// one CPU's single-entry maps are), any other map finds nothing.
func walkArrayLookup(spec *ebpf.CollectionSpec) func(w *bpfWalk) uint64 {
	return func(w *bpfWalk) uint64 {
		id := int(w.regs[1] >> walkRegionShift & 0x7fffff)
		name := strings.TrimPrefix(w.names[id], "map:")
		ms := spec.Maps[name]
		if ms == nil || (ms.Type != ebpf.Array && ms.Type != ebpf.PerCPUArray) {
			return 0
		}
		return walkPtr(w.region("val:"+name, int(ms.ValueSize)), 0)
	}
}

func newBPFWalk(insns asm.Instructions) *bpfWalk {
	w := &bpfWalk{insns: insns, at: map[asm.RawInstructionOffset]int{}, byName: map[string]int{}}
	iter := insns.Iterate()
	for iter.Next() {
		w.at[iter.Offset] = iter.Index
	}
	w.regions = [][]byte{nil} // region 0: NULL
	w.names = []string{"null"}
	return w
}

func (w *bpfWalk) region(name string, size int) int {
	if id, ok := w.byName[name]; ok {
		return id
	}
	w.regions = append(w.regions, make([]byte, size))
	w.names = append(w.names, name)
	w.byName[name] = len(w.regions) - 1
	return len(w.regions) - 1
}

func (w *bpfWalk) mem(addr uint64, size int) ([]byte, error) {
	id := int(addr >> walkRegionShift)
	off := int(addr & (1<<walkRegionShift - 1))
	if id <= 0 || id >= len(w.regions) {
		return nil, fmt.Errorf("access to %#x: no region", addr)
	}
	b := w.regions[id]
	if off+size > len(b) {
		return nil, fmt.Errorf("access to %s+%d (%d bytes): past its %d", w.names[id], off, size, len(b))
	}
	return b[off : off+size], nil
}

func (w *bpfWalk) load(addr uint64, size int) (uint64, error) {
	b, err := w.mem(addr, size)
	if err != nil {
		return 0, err
	}
	if w.loads == nil {
		w.loads = map[int]int{}
	}
	w.loads[int(addr>>walkRegionShift)]++
	switch size {
	case 1:
		return uint64(b[0]), nil
	case 2:
		return uint64(binary.LittleEndian.Uint16(b)), nil
	case 4:
		return uint64(binary.LittleEndian.Uint32(b)), nil
	}
	return binary.LittleEndian.Uint64(b), nil
}

func (w *bpfWalk) store(addr uint64, size int, v uint64) error {
	b, err := w.mem(addr, size)
	if err != nil {
		return err
	}
	switch size {
	case 1:
		b[0] = byte(v)
	case 2:
		binary.LittleEndian.PutUint16(b, uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(b, uint32(v))
	default:
		binary.LittleEndian.PutUint64(b, v)
	}
	return nil
}

func sizeBytes(s asm.Size) int {
	switch s {
	case asm.Byte:
		return 1
	case asm.Half:
		return 2
	case asm.Word:
		return 4
	}
	return 8
}

// run walks from the first instruction to an exit or a tail call and
// returns r0 (at a tail call, -1).
func (w *bpfWalk) run(ctxArg uint64) (int64, error) {
	w.regs[1] = ctxArg
	w.regs[10] = walkPtr(w.region("stack", 512), 512)
	var frames []walkFrame
	i := 0
	for steps := 0; steps < 100000; steps++ {
		if i < 0 || i >= len(w.insns) {
			return 0, fmt.Errorf("ran off the program at %d", i)
		}
		ins := w.insns[i]
		w.path = append(w.path, i)
		op := ins.OpCode
		next := i + 1
		cls := op.Class()
		switch {
		case op.IsDWordLoad():
			if ins.IsLoadFromMap() {
				name := ins.Reference()
				id, ok := w.byName["map:"+name]
				if !ok {
					id = w.region("map:"+name, 0)
				}
				if ins.Src == asm.PseudoMapValue {
					w.regs[ins.Dst] = walkPtr(id, uint64(uint64(ins.Constant)>>32))
				} else {
					w.regs[ins.Dst] = walkPtr(id, 0) | 1<<63 // a map, not its value
				}
			} else {
				w.regs[ins.Dst] = uint64(ins.Constant)
			}
		case cls.IsALU():
			is64 := cls == asm.ALU64Class
			var src uint64
			if op.Source() == asm.RegSource {
				src = w.regs[ins.Src]
			} else {
				src = uint64(ins.Constant)
			}
			dst := w.regs[ins.Dst]
			if !is64 {
				src, dst = uint64(uint32(src)), uint64(uint32(dst))
			}
			var v uint64
			switch op.ALUOp() {
			case asm.Add:
				v = dst + src
			case asm.Sub:
				v = dst - src
			case asm.Mul:
				v = dst * src
			case asm.Div:
				if src == 0 {
					v = 0
				} else {
					v = dst / src
				}
			case asm.Mod:
				if src == 0 {
					v = dst
				} else {
					v = dst % src
				}
			case asm.Or:
				v = dst | src
			case asm.And:
				v = dst & src
			case asm.Xor:
				v = dst ^ src
			case asm.LSh:
				if is64 {
					v = dst << (src & 63)
				} else {
					v = dst << (src & 31)
				}
			case asm.RSh:
				if is64 {
					v = dst >> (src & 63)
				} else {
					v = dst >> (src & 31)
				}
			case asm.ArSh:
				if is64 {
					v = uint64(int64(dst) >> (src & 63))
				} else {
					v = uint64(uint32(int32(uint32(dst)) >> (src & 31)))
				}
			case asm.Neg:
				v = -dst
			case asm.Mov:
				v = src
			case asm.Swap:
				v = w.regs[ins.Dst]
				if op.Endianness() == asm.BE {
					switch ins.Constant {
					case 16:
						v = uint64(uint16(v)>>8 | uint16(v)<<8)
					case 32:
						x := uint32(v)
						v = uint64(x>>24 | x>>8&0xff00 | x<<8&0xff0000 | x<<24)
					default:
						var b [8]byte
						binary.LittleEndian.PutUint64(b[:], v)
						v = binary.BigEndian.Uint64(b[:])
					}
				} else {
					v &= 1<<ins.Constant - 1
					if ins.Constant == 64 {
						v = w.regs[ins.Dst]
					}
				}
				is64 = true
			default:
				return 0, fmt.Errorf("%d: %v: ALU op not walked", i, ins)
			}
			if !is64 {
				v = uint64(uint32(v))
			}
			w.regs[ins.Dst] = v
		case cls == asm.LdXClass && op.Mode() == asm.MemMode:
			addr := w.regs[ins.Src] + uint64(int64(ins.Offset))
			size := sizeBytes(op.Size())
			if int(addr>>walkRegionShift) == w.ctx {
				v, err := w.ctxLoad(int(addr & (1<<walkRegionShift - 1)))
				if err != nil {
					return 0, fmt.Errorf("%d: %w", i, err)
				}
				w.regs[ins.Dst] = v
				break
			}
			v, err := w.load(addr, size)
			if err != nil {
				return 0, fmt.Errorf("%d: %v: %w", i, ins, err)
			}
			w.regs[ins.Dst] = v
		case (cls == asm.StXClass || cls == asm.StClass) && op.Mode() == asm.MemMode:
			addr := w.regs[ins.Dst] + uint64(int64(ins.Offset))
			v := uint64(ins.Constant)
			if cls == asm.StXClass {
				v = w.regs[ins.Src]
			}
			if err := w.store(addr, sizeBytes(op.Size()), v); err != nil {
				return 0, fmt.Errorf("%d: %v: %w", i, ins, err)
			}
		case cls == asm.StXClass && op.Mode() == asm.AtomicMode:
			addr := w.regs[ins.Dst] + uint64(int64(ins.Offset))
			size := sizeBytes(op.Size())
			old, err := w.load(addr, size)
			if err != nil {
				return 0, fmt.Errorf("%d: %v: %w", i, ins, err)
			}
			if op.AtomicOp() != asm.AddAtomic {
				return 0, fmt.Errorf("%d: %v: atomic not walked", i, ins)
			}
			if err := w.store(addr, size, old+w.regs[ins.Src]); err != nil {
				return 0, err
			}
		case cls.IsJump():
			jop := op.JumpOp()
			switch jop {
			case asm.Exit:
				if len(frames) == 0 {
					return int64(w.regs[0]), nil
				}
				f := frames[len(frames)-1]
				frames = frames[:len(frames)-1]
				copy(w.regs[6:], f.saved[:])
				next = f.ret
				i = next
				continue
			case asm.Call:
				if ins.IsFunctionCall() {
					// A BPF-to-BPF call (a global function, linked
					// into the program's instructions): r6-r9 and
					// the frame pointer kept for the return, a
					// stack of its own.
					t := w.symbolAt(ins.Reference())
					if t < 0 {
						return 0, fmt.Errorf("%d: %v: no function %s", i, ins, ins.Reference())
					}
					var f walkFrame
					f.ret = i + 1
					copy(f.saved[:], w.regs[6:])
					frames = append(frames, f)
					w.regs[10] = walkPtr(w.region(fmt.Sprintf("stack%d", len(frames)), 512), 512)
					i = t
					continue
				}
				if !ins.IsBuiltinCall() {
					return 0, fmt.Errorf("%d: %v: call not walked", i, ins)
				}
				fn := asm.BuiltinFunc(ins.Constant)
				if fn == asm.FnTailCall {
					return -1, nil
				}
				h, ok := w.helpers[fn]
				if !ok {
					return 0, fmt.Errorf("%d: helper %v not walked", i, fn)
				}
				w.regs[0] = h(w)
			}
			if jop == asm.Call {
				break
			}
			a := w.regs[ins.Dst]
			var b uint64
			if op.Source() == asm.RegSource {
				b = w.regs[ins.Src]
			} else {
				b = uint64(ins.Constant)
			}
			if cls == asm.Jump32Class {
				a, b = uint64(uint32(a)), uint64(uint32(b))
			}
			sa, sb := int64(a), int64(b)
			if cls == asm.Jump32Class {
				sa, sb = int64(int32(a)), int64(int32(b))
			}
			var taken bool
			switch jop {
			case asm.Ja:
				taken = true
			case asm.JEq:
				taken = a == b
			case asm.JNE:
				taken = a != b
			case asm.JGT:
				taken = a > b
			case asm.JGE:
				taken = a >= b
			case asm.JLT:
				taken = a < b
			case asm.JLE:
				taken = a <= b
			case asm.JSet:
				taken = a&b != 0
			case asm.JSGT:
				taken = sa > sb
			case asm.JSGE:
				taken = sa >= sb
			case asm.JSLT:
				taken = sa < sb
			case asm.JSLE:
				taken = sa <= sb
			default:
				return 0, fmt.Errorf("%d: %v: jump not walked", i, ins)
			}
			if taken {
				off := int64(ins.Offset)
				if jop == asm.Ja && cls == asm.Jump32Class {
					off = ins.Constant
				}
				raw := w.rawOffset(i) + asm.RawInstructionOffset(int64(ins.Width())+off)
				t, ok := w.at[raw]
				if !ok {
					return 0, fmt.Errorf("%d: jump to raw %d: no instruction", i, raw)
				}
				next = t
			}
		default:
			return 0, fmt.Errorf("%d: %v: not walked", i, ins)
		}
		i = next
	}
	return 0, fmt.Errorf("no exit in 100000 steps")
}

// walkFrame is a BPF-to-BPF call's return: where to go on and the
// caller's r6-r9 and frame pointer.
type walkFrame struct {
	ret   int
	saved [5]uint64
}

// symbolAt is the index of the instruction that opens the function
// named, or -1.
func (w *bpfWalk) symbolAt(name string) int {
	for i, ins := range w.insns {
		if ins.Symbol() == name {
			return i
		}
	}
	return -1
}

func (w *bpfWalk) rawOffset(i int) asm.RawInstructionOffset {
	var off asm.RawInstructionOffset
	for j := 0; j < i; j++ {
		off += w.insns[j].Width()
	}
	return off
}

// ctxLoad reads struct xdp_md: the packet's start and end as pointers.
func (w *bpfWalk) ctxLoad(off int) (uint64, error) {
	switch off {
	case 0:
		return walkPtr(w.pkt, 0), nil
	case 4:
		return walkPtr(w.pkt, uint64(len(w.regions[w.pkt]))), nil
	case 12:
		return 2, nil // ingress_ifindex
	case 16:
		return 0, nil
	}
	return 0, fmt.Errorf("xdp_md+%d not walked", off)
}

// setVar writes a global's member (path "cfg.cap") in a data section's
// region, found by the section's BTF.
func (w *bpfWalk) setVar(tb testing.TB, spec *ebpf.CollectionSpec, sec, path string, v uint64) {
	tb.Helper()
	ms := spec.Maps[sec]
	ds, ok := ms.Value.(*btf.Datasec)
	if !ok {
		tb.Fatalf("%s: no datasec", sec)
	}
	parts := strings.Split(path, ".")
	for _, vs := range ds.Vars {
		if vs.Type.TypeName() != parts[0] {
			continue
		}
		off := vs.Offset
		typ := btf.UnderlyingType(vs.Type.(*btf.Var).Type)
		for _, p := range parts[1:] {
			st, ok := typ.(*btf.Struct)
			if !ok {
				tb.Fatalf("%s: %s not a struct", path, p)
			}
			found := false
			for _, m := range st.Members {
				if m.Name == p {
					off += m.Offset.Bytes()
					typ = btf.UnderlyingType(m.Type)
					found = true
					break
				}
			}
			if !found {
				tb.Fatalf("%s: no member %s", path, p)
			}
		}
		size, err := btf.Sizeof(typ)
		if err != nil {
			tb.Fatal(err)
		}
		id := w.region("map:"+sec, int(ms.ValueSize))
		if err := w.store(walkPtr(id, uint64(off)), size, v); err != nil {
			tb.Fatal(err)
		}
		return
	}
	tb.Fatalf("%s: no variable %s", sec, parts[0])
}

// walkMeterHit walks flowtap_meter of a spec for the 10K row's batched
// hit: an IPv4 UDP packet (46-byte IP length) on a port with no
// settings, a 16K cache, capture, sampling, filters, overload and
// subinterfaces off, this tick's clock reading valid, an empty buffer.
func walkMeterHit(tb testing.TB, spec *ebpf.CollectionSpec) *bpfWalk {
	tb.Helper()
	return walkMeterHitClock(tb, spec, nil)
}

// walkMeterHitClock: walkMeterHit with the flow_clock entry set by clock
// (this tick's reading, valid, if nil).
func walkMeterHitClock(tb testing.TB, spec *ebpf.CollectionSpec, clock func(w *bpfWalk, entry int)) *bpfWalk {
	tb.Helper()
	w := newProgramWalk(tb, spec, "flowtap_meter")
	const jiffies = walkJiffies
	w.setVar(tb, spec, ".bss", "cfg.cap", 16384)
	w.setMask4(tb, spec)
	entry := w.region("val:flow_clock", int(spec.Maps["flow_clock"].ValueSize))
	if clock != nil {
		clock(w, entry)
	} else {
		// This tick's reading, valid (struct flow_clock: jiffies, ns,
		// valid_at, now_t), and CPU 0's owner (owner, since session 18).
		walkClockValid(w, entry)
	}
	w.helpers = map[asm.BuiltinFunc]func(w *bpfWalk) uint64{
		asm.FnJiffies64:         func(*bpfWalk) uint64 { return jiffies },
		asm.FnKtimeGetCoarseNs:  func(*bpfWalk) uint64 { return walkCoarseNs },
		asm.FnGetSmpProcessorId: func(*bpfWalk) uint64 { return 0 },
		asm.FnMapLookupElem:     walkArrayLookup(spec),
	}
	// Ethernet, IPv4 (46 bytes: a UDP header and 18 bytes), UDP.
	pkt := make([]byte, 14+46)
	copy(pkt[0:], []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00})
	ip := pkt[14:]
	ip[0], ip[8], ip[9] = 0x45, 64, 17
	binary.BigEndian.PutUint16(ip[2:], 46)
	copy(ip[12:], []byte{10, 0, 0, 1, 10, 1, 0, 1})
	binary.BigEndian.PutUint16(ip[20:], 1024)
	binary.BigEndian.PutUint16(ip[22:], 2055)
	binary.BigEndian.PutUint16(ip[24:], 26)
	w.pkt = w.region("packet", len(pkt))
	copy(w.regions[w.pkt], pkt)
	w.ctx = w.region("ctx", 24)
	if _, err := w.run(walkPtr(w.ctx, 0)); err != nil {
		tb.Fatalf("walking flowtap_meter: %v", err)
	}
	return w
}

// walkClockValid sets a flow_clock entry as CPU 0's run leaves it in a
// tick whose reading is valid: jiffies, ns, valid_at, now_t, and at 36
// the owner (CPU 0's: 1; objects before session 18 do not read it).
func walkClockValid(w *bpfWalk, entry int) {
	_ = w.store(walkPtr(entry, 0), 8, walkJiffies)
	_ = w.store(walkPtr(entry, 8), 8, walkJiffies*4000000)
	_ = w.store(walkPtr(entry, 16), 8, walkJiffies)
	_ = w.store(walkPtr(entry, 24), 4, walkJiffies*4000000>>20)
	_ = w.store(walkPtr(entry, 36), 4, 1)
}

// layoutFigures: the executed instructions, the taken jumps, and the runs
// of consecutive instructions the path covers.
func (w *bpfWalk) layoutFigures() (n, taken, runs, span int) {
	seen := map[int]bool{}
	lo, hi := len(w.insns), 0
	for k, i := range w.path {
		seen[i] = true
		if k > 0 && i != w.path[k-1]+1 {
			taken++
		}
		lo, hi = min(lo, i), max(hi, i)
	}
	for i := lo; i <= hi; i++ {
		if seen[i] && !seen[i-1] {
			runs++
		}
	}
	return len(w.path), taken, runs, hi - lo + 1
}

// TestMeterHitLayoutPrint (FLOWTAP_LAYOUT=1 for this build's bench
// object, or a bench object's path) prints the batched 10K hit's layout:
// in BPF instructions (walked), and in the JIT image of the program
// loaded (bytes, 64-byte lines, runs of lines, jumps), with each jump.
func TestMeterHitLayoutPrint(t *testing.T) {
	w := walkMeterHit(t, layoutSpec(t))
	n, taken, runs, span := w.layoutFigures()
	t.Logf("flowtap_meter: %d BPF instructions, a batched hit executes %d, %d taken jumps, %d runs, span %d",
		len(w.insns), n, taken, runs, span)
	d := openBenchSpec(t, layoutSpec(t), 16384)
	bytes, lines, lineRuns, jumps := w.jitLayout(t, d.objs.FlowtapMeter)
	t.Logf("JIT image: the path's line records take %d bytes on %d 64-byte lines in %d runs; %d jumps between records not adjacent",
		bytes, lines, lineRuns, jumps)
	for name, prog := range map[string]*ebpf.Program{"flowtap_meter": d.objs.FlowtapMeter, "flowtap_flush": d.objs.FlowtapFlush} {
		info, err := prog.Info()
		if err != nil {
			t.Fatal(err)
		}
		size, _ := info.JitedSize()
		t.Logf("%s: JIT image %d bytes", name, size)
	}
	for k, i := range w.path {
		if k > 0 && i != w.path[k-1]+1 {
			t.Logf("  %d -> %d  %s  ->  %s", w.path[k-1], i, w.sourceAt(w.path[k-1]), w.sourceAt(i))
		}
	}
	if n, err := w.x86InRanges(d.objs.FlowtapMeter); err != nil {
		t.Logf("x86 count: %v", err)
	} else {
		t.Logf("x86 instructions in the path's line records: %d (whole records: an upper bound on what runs)", n)
	}
	// FLOWTAP_LAYOUT_PATH=1: every instruction of the path, with its
	// source line where one starts.
	if os.Getenv("FLOWTAP_LAYOUT_PATH") != "" {
		for _, i := range w.path {
			t.Logf("  %5d %-40v %s", i, w.insns[i], w.sourceAt(i))
		}
	}
}

// setMask4 sets cfg.mask4 to all ones (every field in the key).
func (w *bpfWalk) setMask4(tb testing.TB, spec *ebpf.CollectionSpec) {
	tb.Helper()
	var mc *btf.Struct
	if err := spec.Types.TypeByName("meter_cfg", &mc); err != nil {
		tb.Fatal(err)
	}
	ds := spec.Maps[".bss"].Value.(*btf.Datasec)
	for _, vs := range ds.Vars {
		if vs.Type.TypeName() != "cfg" {
			continue
		}
		for _, m := range mc.Members {
			if m.Name == "mask4" {
				id := w.region("map:.bss", int(spec.Maps[".bss"].ValueSize))
				for i := 0; i < 5; i++ {
					_ = w.store(walkPtr(id, uint64(vs.Offset+m.Offset.Bytes())+uint64(4*i)), 4, 0xffffffff)
				}
				return
			}
		}
	}
	tb.Fatal("no cfg.mask4")
}

// sourceAt: the source line nearest before instruction i.
func (w *bpfWalk) sourceAt(i int) string {
	for ; i >= 0; i-- {
		if src := w.insns[i].Source(); src != nil {
			return strings.TrimSpace(src.String())
		}
	}
	return ""
}

// jitLayout maps a walked path onto prog's JIT image (prog loaded from
// the walked spec) by the line table: each source-line record the path
// enters (the kernel keeps the records of the code it keeps, in order,
// and gives each one's JIT address) counts whole, from its address to the
// next record's. Returns the bytes of those ranges, the 64-byte lines
// they lie on, the runs of consecutive lines, and the jumps between
// records that are not adjacent in the image (taken jumps, near enough).
func (w *bpfWalk) jitLayout(tb testing.TB, prog *ebpf.Program) (bytes, lines, lineRuns, jumps int) {
	tb.Helper()
	info, err := prog.Info()
	if err != nil {
		tb.Fatal(err)
	}
	klines, err := info.LineInfos()
	if err != nil {
		tb.Fatal(err)
	}
	jited, ok := info.JitedLineInfos()
	if !ok || len(jited) != len(klines) {
		tb.Fatalf("jited line infos: %d for %d records", len(jited), len(klines))
	}
	syms, _ := info.JitedKsymAddrs()
	lens, _ := info.JitedFuncLens()
	if len(syms) == 0 || len(lens) == 0 {
		tb.Fatal("no JIT symbols")
	}
	start, end := uint64(syms[0]), uint64(syms[0])+uint64(lens[0])
	// The ELF's records: the index of each instruction's record.
	type rec struct {
		line *btf.Line
		k    int // kernel record, -1 if the verifier dropped its code
	}
	var recs []rec
	recOf := make([]int, len(w.insns))
	for i, ins := range w.insns {
		if l, ok := ins.Source().(*btf.Line); ok {
			recs = append(recs, rec{line: l, k: -1})
		}
		recOf[i] = len(recs) - 1
	}
	same := func(a, b *btf.Line) bool {
		return a.FileName() == b.FileName() && a.LineNumber() == b.LineNumber() &&
			a.LineColumn() == b.LineColumn()
	}
	e := 0
	for k, kl := range klines {
		if uint64(jited[k]) < start || uint64(jited[k]) >= end {
			continue
		}
		for e < len(recs) && !same(recs[e].line, kl.Line) {
			e++
		}
		if e == len(recs) {
			tb.Fatalf("kernel line record %d (%s) not matched in the ELF's", k, kl.Line)
		}
		recs[e].k = k
		e++
	}
	rangeOf := func(k int) (uint64, uint64) {
		lo := uint64(jited[k])
		hi := end
		for j := k + 1; j < len(jited); j++ {
			if a := uint64(jited[j]); a > lo && a <= end {
				hi = a
				break
			}
		}
		return lo, hi
	}
	seenRec := map[int]bool{}
	lineSet := map[uint64]bool{}
	var prevHi uint64
	for _, i := range w.path {
		r := recOf[i]
		if r < 0 || recs[r].k < 0 {
			continue
		}
		lo, hi := rangeOf(recs[r].k)
		if !seenRec[recs[r].k] {
			seenRec[recs[r].k] = true
			w.jitRanges = append(w.jitRanges, [2]uint64{lo - start, hi - start})
			bytes += int(hi - lo)
			for a := lo &^ 63; a < hi; a += 64 {
				lineSet[a] = true
			}
		}
		if prevHi != 0 && lo != prevHi && !(lo <= prevHi-1 && prevHi <= hi) {
			jumps++
			if testing.Verbose() && os.Getenv("FLOWTAP_LAYOUT") != "" {
				tb.Logf("  jit +%#x -> +%#x  %s", prevHi-start, lo-start, recs[r].line)
			}
		}
		prevHi = hi
	}
	lines = len(lineSet)
	for a := range lineSet {
		if !lineSet[a-64] {
			lineRuns++
		}
	}
	return bytes, lines, lineRuns, jumps
}

// TestMeterBatchedHitInLine walks flowtap_meter (the daemon's object and
// the bench object) for the 10K row's batched hit and checks that the
// code from the record's first store or the key's first word, whichever
// comes first, to the push's count lies in one stretch
// of the program: no jump on the way skips more than 64 instructions.
// Without the branch hints (likely(b), likely(n < BATCH_RECS) in meter4)
// clang put the batched branch and the hash some 2,100 instructions past
// the key, after the direct path (datapath/README.md, "Measured: the
// batched hit's code layout").
func TestMeterBatchedHitInLine(t *testing.T) {
	for name, load := range map[string]func() (*ebpf.CollectionSpec, error){"meter": loadMeter, "bench": loadBench} {
		spec, err := load()
		if err != nil {
			t.Fatal(err)
		}
		w := walkMeterHit(t, spec)
		if n, _ := w.load(walkPtr(w.byName["val:batch"], 0), 4); n != 1 {
			t.Fatalf("%s: the walk left %d records in the buffer, want the packet's 1", name, n)
		}
		from, to := -1, -1
		for k, i := range w.path {
			src := w.sourceAt(i)
			// The record's first store (batch_rec_fields, before the
			// key since session 18) or the key's first word.
			if from < 0 && (strings.Contains(src, "r->ifindex = ifindex;") || strings.Contains(src, "(ip + 12)")) {
				from = k
			}
			if strings.Contains(src, "b->n = n;") {
				to = k
			}
		}
		if from < 0 || to < from {
			t.Fatalf("%s: the record's first store or the key's first word (path step %d) or the push's count (%d) not on the path", name, from, to)
		}
		for k := from + 1; k <= to; k++ {
			a, b := w.path[k-1], w.path[k]
			if b < a || b-a > 64 {
				t.Errorf("%s: the batched hit jumps from instruction %d (%s) to %d (%s) between its key and its push",
					name, a, w.sourceAt(a), b, w.sourceAt(b))
			}
		}
	}
}

// TestFlushAllHitsReturnInLine checks flowtap_flush's order of
// instructions: the return when every record was a plain hit (the 10K and
// 100K rows' flush) comes right after the count of plain hits, with its
// own exit, before the call of batch_refuse_full and the moves that only
// a flush with other records runs. Without the branch hints in the count
// (unlikely(!batch_count_hit), likely(!left)) clang put that return's
// first store before the count loop and its exit after the rest.
func TestFlushAllHitsReturnInLine(t *testing.T) {
	spec, err := loadMeter()
	if err != nil {
		t.Fatal(err)
	}
	insns := spec.Programs["flowtap_flush"].Instructions
	count, cursor, exit, call := -1, -1, -1, -1
	for i, ins := range insns {
		src := ""
		if s := ins.Source(); s != nil {
			src = s.String()
		}
		switch {
		case strings.Contains(src, "count_vals(v, 1,") && count < 0:
			// The first: the count's loop (a second copy counts the
			// rest after a record that is no plain hit).
			count = i
		case ins.IsFunctionCall() && ins.Reference() == "batch_refuse_full" && call < 0:
			call = i
		case strings.Contains(src, "c->cursor = 0;") && cursor < 0:
			cursor = i
		}
		if cursor >= 0 && exit < 0 && ins.OpCode.Class().IsJump() && ins.OpCode.JumpOp() == asm.Exit {
			exit = i
		}
	}
	t.Logf("count_vals at %d, the all-hits return's cursor store at %d, its exit at %d, batch_refuse_full called at %d",
		count, cursor, exit, call)
	if count < 0 || cursor < 0 || exit < 0 || call < 0 {
		t.Fatal("an instruction not found")
	}
	if !(count < cursor && cursor < exit && exit < call) {
		t.Errorf("want the count, then the all-hits return and its exit, then the call of batch_refuse_full")
	}
}

// x86InRanges counts the x86 instructions of prog's JIT image (objdump)
// that lie in w.jitRanges.
func (w *bpfWalk) x86InRanges(prog *ebpf.Program) (int, error) {
	info, err := prog.Info()
	if err != nil {
		return 0, err
	}
	img, ok := info.JitedInsns()
	if !ok || len(img) == 0 {
		return 0, fmt.Errorf("no JIT image")
	}
	f, err := os.CreateTemp("", "flowtap-jit-*.bin")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(img); err != nil {
		return 0, err
	}
	f.Close()
	out, err := testproc.Output(exec.Command("objdump", "-D", "-b", "binary", "-m", "i386:x86-64", f.Name()))
	if err != nil {
		return 0, fmt.Errorf("objdump: %w", err)
	}
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		addr, rest, ok := strings.Cut(strings.TrimSpace(line), ":\t")
		if !ok || rest == "" {
			continue
		}
		a, err := strconv.ParseUint(addr, 16, 64)
		if err != nil {
			continue
		}
		for _, r := range w.jitRanges {
			if a >= r[0] && a < r[1] {
				n++
				break
			}
		}
	}
	return n, nil
}
