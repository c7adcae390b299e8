package datapath

import (
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
)

// recNowT is the offset in the batch buffer of its first record's now_t
// (struct meter_batch, struct batch_rec), from the object's BTF.
func recNowT(tb testing.TB, spec *ebpf.CollectionSpec) uint64 {
	tb.Helper()
	return recField(tb, spec, "now_t")
}

// recField is the offset in the batch buffer of its first record's field
// name, from the object's BTF.
func recField(tb testing.TB, spec *ebpf.CollectionSpec, name string) uint64 {
	tb.Helper()
	member := func(typ, name string) uint64 {
		var s *btf.Struct
		if err := spec.Types.TypeByName(typ, &s); err != nil {
			tb.Fatal(err)
		}
		for _, m := range s.Members {
			if m.Name == name {
				return uint64(m.Offset.Bytes())
			}
		}
		tb.Fatalf("no %s.%s", typ, name)
		return 0
	}
	return member("meter_batch", "r") + member("batch_rec", name)
}

func walkCalls(w *bpfWalk, fn asm.BuiltinFunc) int {
	n := 0
	for _, i := range w.path {
		if ins := w.insns[i]; ins.IsBuiltinCall() && asm.BuiltinFunc(ins.Constant) == fn {
			n++
		}
	}
	return n
}

// TestFlowTimeOneCompare walks flowtap_meter's batched IPv4 hit (the
// daemon's object and the bench object) with the flow clock's entry in
// three states. Valid for this tick (valid_at the walk's jiffies): the
// record takes the entry's pre-shifted now_t (set apart from the clock's
// ns >> 20, so a reading shifted again would show) and the entry's owner
// (set apart from CPU 0's 1, so an owner taken from the CPU's number
// would show), neither the coarse clock nor the CPU's number is read, and
// the entry is loaded four times in all (valid_at, now_t, the owner, and
// batching's refused flag) where a flag beside jiffies took four loads and
// a shift before the owner was there (session 16's object fails here, and
// session 17's, which reads the CPU's number). Valid for the previous tick,
// or never (a new entry, all zero): the clock and the CPU's number are
// read, the record takes the reading and CPU 0's owner, and the entry is
// left with that owner and valid for this tick only when the reading is
// known to be the tick's (after the previous tick's reading, not after
// none).
func TestFlowTimeOneCompare(t *testing.T) {
	for name, load := range map[string]func() (*ebpf.CollectionSpec, error){"meter": loadMeter, "bench": loadBench} {
		spec, err := load()
		if err != nil {
			t.Fatal(err)
		}
		nowT, owner := recNowT(t, spec), recField(t, spec, "owner")
		const stored = 12345  // not walkCoarseNs >> 20
		const storedOwner = 9 // not CPU 0's 1
		var entry int
		w := walkMeterHitClock(t, spec, func(w *bpfWalk, e int) {
			entry = e
			_ = w.store(walkPtr(e, 0), 8, walkJiffies)
			_ = w.store(walkPtr(e, 8), 8, walkCoarseNs)
			_ = w.store(walkPtr(e, 16), 8, walkJiffies)
			_ = w.store(walkPtr(e, 24), 4, stored)
			_ = w.store(walkPtr(e, 36), 4, storedOwner)
		})
		if got, _ := w.load(walkPtr(w.byName["val:batch"], nowT), 4); got != stored {
			t.Errorf("%s: valid reading: the record's now_t %d, want the entry's %d", name, got, stored)
		}
		if got, _ := w.load(walkPtr(w.byName["val:batch"], owner), 1); got != storedOwner {
			t.Errorf("%s: valid reading: the record's owner %d, want the entry's %d", name, got, storedOwner)
		}
		if n := walkCalls(w, asm.FnKtimeGetCoarseNs); n != 0 {
			t.Errorf("%s: valid reading: the coarse clock read %d times, want 0", name, n)
		}
		if n := walkCalls(w, asm.FnGetSmpProcessorId); n != 0 {
			t.Errorf("%s: valid reading: the CPU's number read %d times, want 0", name, n)
		}
		if n := w.loads[entry]; n != 4 {
			t.Errorf("%s: valid reading: %d loads from the flow_clock entry, want 4 (valid_at, now_t, owner, refused)", name, n)
		}

		for _, c := range []struct {
			what      string
			prev      uint64 // the entry's jiffies (and valid_at): the reading's tick
			wantValid uint64
		}{
			{"the previous tick's reading", walkJiffies - 1, walkJiffies},
			{"no reading (a new entry)", 0, 0},
		} {
			w := walkMeterHitClock(t, spec, func(w *bpfWalk, e int) {
				entry = e
				_ = w.store(walkPtr(e, 0), 8, c.prev)
				_ = w.store(walkPtr(e, 8), 8, c.prev*4000000)
				_ = w.store(walkPtr(e, 16), 8, c.prev)
				_ = w.store(walkPtr(e, 24), 4, stored)
				_ = w.store(walkPtr(e, 36), 4, storedOwner) // a stale owner: written again
			})
			if got, _ := w.load(walkPtr(w.byName["val:batch"], nowT), 4); got != walkCoarseNs>>20 {
				t.Errorf("%s: %s: the record's now_t %d, want the clock's %d", name, c.what, got, walkCoarseNs>>20)
			}
			if got, _ := w.load(walkPtr(w.byName["val:batch"], owner), 1); got != 1 {
				t.Errorf("%s: %s: the record's owner %d, want CPU 0's 1", name, c.what, got)
			}
			if got, _ := w.load(walkPtr(entry, 36), 4); got != 1 {
				t.Errorf("%s: %s: the entry's owner left %d, want CPU 0's 1", name, c.what, got)
			}
			if n := walkCalls(w, asm.FnKtimeGetCoarseNs); n != 1 {
				t.Errorf("%s: %s: the coarse clock read %d times, want 1", name, c.what, n)
			}
			j, _ := w.load(walkPtr(entry, 0), 8)
			ns, _ := w.load(walkPtr(entry, 8), 8)
			va, _ := w.load(walkPtr(entry, 16), 8)
			nt, _ := w.load(walkPtr(entry, 24), 4)
			if j != walkJiffies || ns != walkCoarseNs || va != c.wantValid || nt != walkCoarseNs>>20 {
				t.Errorf("%s: %s: entry left jiffies %d ns %d valid_at %d now_t %d, want %d %d %d %d",
					name, c.what, j, ns, va, nt, walkJiffies, walkCoarseNs, c.wantValid, walkCoarseNs>>20)
			}
		}
	}
}
