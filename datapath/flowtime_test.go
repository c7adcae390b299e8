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
	return member("meter_batch", "r") + member("batch_rec", "now_t")
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
// ns >> 20, so a reading shifted again would show), the coarse clock is not
// read, and the entry is loaded three times in all (valid_at, now_t, and
// batching's refused flag) where a flag beside jiffies took four loads and
// a shift (session 16's object fails here). Valid for the previous tick, or
// never (a new entry, all zero): the clock is read, the record takes its
// reading, and the entry is left valid for this tick only when the reading
// is known to be the tick's (after the previous tick's reading, not after
// none).
func TestFlowTimeOneCompare(t *testing.T) {
	for name, load := range map[string]func() (*ebpf.CollectionSpec, error){"meter": loadMeter, "bench": loadBench} {
		spec, err := load()
		if err != nil {
			t.Fatal(err)
		}
		nowT := recNowT(t, spec)
		const stored = 12345 // not walkCoarseNs >> 20
		var entry int
		w := walkMeterHitClock(t, spec, func(w *bpfWalk, e int) {
			entry = e
			_ = w.store(walkPtr(e, 0), 8, walkJiffies)
			_ = w.store(walkPtr(e, 8), 8, walkCoarseNs)
			_ = w.store(walkPtr(e, 16), 8, walkJiffies)
			_ = w.store(walkPtr(e, 24), 4, stored)
		})
		if got, _ := w.load(walkPtr(w.byName["val:batch"], nowT), 4); got != stored {
			t.Errorf("%s: valid reading: the record's now_t %d, want the entry's %d", name, got, stored)
		}
		if n := walkCalls(w, asm.FnKtimeGetCoarseNs); n != 0 {
			t.Errorf("%s: valid reading: the coarse clock read %d times, want 0", name, n)
		}
		if n := w.loads[entry]; n != 3 {
			t.Errorf("%s: valid reading: %d loads from the flow_clock entry, want 3 (valid_at, now_t, refused)", name, n)
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
			})
			if got, _ := w.load(walkPtr(w.byName["val:batch"], nowT), 4); got != walkCoarseNs>>20 {
				t.Errorf("%s: %s: the record's now_t %d, want the clock's %d", name, c.what, got, walkCoarseNs>>20)
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
