package datapath

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/appliance/spool"
)

// perPacket runs prog repeat times on frame in the kernel's test-run loop
// and returns the kernel-measured time per run.
func perPacket(b *testing.B, prog *ebpf.Program, frame []byte, repeat int) float64 {
	b.Helper()
	_, dur, err := prog.Benchmark(frame, repeat, nil)
	if err != nil {
		b.Fatalf("benchmark %s: %v", prog, err)
	}
	return float64(dur.Nanoseconds())
}

const (
	benchRepeat  = 1 << 20   // test runs per per-packet figure
	benchNew     = 64 << 10  // distinct new flows per new-flow figure
	benchHarvest = 256 << 10 // entries in the harvested map
)

// benchOnCPU0 locks the benchmark to its thread and the thread to CPU 0
// for the whole run, and returns the unlock for the caller to defer: the
// new-flow program salts its keys with a per-CPU counter, so a test run
// restarted on another CPU (cilium reruns one interrupted by a signal)
// would repeat keys, not add them.
func benchOnCPU0(b *testing.B) (unlock func()) {
	b.Helper()
	runtime.LockOSThread()
	var one unix.CPUSet
	one.Set(0)
	if err := unix.SchedSetaffinity(0, &one); err != nil {
		runtime.UnlockOSThread()
		b.Fatal(err)
	}
	return runtime.UnlockOSThread
}

type benchFigures struct {
	empty, parse, lookup, existing, atomic, newFlow, newSmall float64 // ns/packet
	harvest, harvestCPU, batchBaseline                        float64 // ns/entry
	bareHarvest, bareHarvestCPU                               float64 // ns/entry, without the export spool
	refused1, refused2                                        float64 // ns/pkt refused (cache full), on 1 CPU and on each of 2 at once
}

// BenchmarkDatapath measures, in one run so the ratios hold on a noisy
// machine: (c) an empty XDP program, (d) parse only, (a) a packet of an
// existing flow, (b) a packet of a new flow (a distinct key every run),
// the parse-and-lookup part of (a), (a) with atomic adds, and the harvest
// of a 256K-entry map against the kernel's own batch lookup-and-delete of
// the same map. Targets: a <= 2d, b <= 4d, harvest <= 150 ns/entry.
func BenchmarkDatapath(b *testing.B) {
	requireRoot(b)
	defer benchOnCPU0(b)()
	fr := cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 6}.bytes(cat(tcpHdr(40000, 443, tcpACK), make([]byte, 10))))

	small := openBench(b, 4096) // the IOS default cache
	smallNew := openBench(b, 4096)
	fresh := openBench(b, 2*benchNew)
	big := openBench(b, benchHarvest)
	pc, err := loadAtomic(b)
	if err != nil {
		b.Fatal(err)
	}
	defer pc.Close()
	full := openBench(b, 4096)
	perPacket(b, full.progs.BenchMeterNewflow, fr, 8192) // fill it: the rest is refused
	benchSpool, err := OpenSpool("", spool.DefaultSlots) // the daemon's kind, unpinned
	if err != nil {
		b.Fatal(err)
	}
	defer benchSpool.Close()

	var f benchFigures
	for i := 0; i < b.N; i++ {
		f.empty += perPacket(b, small.progs.BenchDrop, fr, benchRepeat)
		f.parse += perPacket(b, small.progs.BenchParseOnly, fr, benchRepeat)
		f.lookup += perPacket(b, small.progs.BenchMeterLookupOnly, fr, benchRepeat)
		f.existing += perPacket(b, small.objs.FlowtapMeter, fr, benchRepeat)
		f.atomic += perPacket(b, pc.FlowtapMeter, fr, benchRepeat)
		f.newFlow += perPacket(b, fresh.progs.BenchMeterNewflow, fr, benchNew)
		// The same on a cache of the IOS default size, whose slots stay in
		// the CPU cache: what the new-flow path costs without the miss on
		// a cold slot.
		f.newSmall += perPacket(b, smallNew.progs.BenchMeterNewflow, fr, 4096)
		// A packet refused because the cache is full, from one CPU and
		// then from two at once: nothing on that path may write a line
		// all CPUs share, or the second CPU slows the first.
		f.refused1 += perPacket(b, full.progs.BenchMeterNewflow, fr, benchRepeat)
		f.refused2 += onCPUs(b, 2, func() float64 { return perPacket(b, full.progs.BenchMeterNewflow, fr, benchRepeat) })
		harvestAll(b, small.Datapath)
		harvestAll(b, fresh.Datapath)
		harvestAll(b, smallNew.Datapath)

		// The daemon's harvest writes each record to the export spool
		// before it frees the entry; the same harvest without it, in the
		// same run, is what the spool costs.
		for _, withSpool := range []bool{false, true} {
			sp := (*spool.Spool)(nil)
			if withSpool {
				sp = benchSpool
			}
			big.SetSpool(sp)
			fill(b, big, fr)
			cpu, wall := timedHarvest(b, big.Datapath)
			if withSpool {
				f.harvest += wall
				f.harvestCPU += cpu
			} else {
				f.bareHarvest += wall
				f.bareHarvestCPU += cpu
			}
		}
		big.SetSpool(nil)
		f.batchBaseline += batchLookupAndDelete(b)
	}
	N := float64(b.N)
	for _, p := range []*float64{&f.empty, &f.parse, &f.lookup, &f.existing, &f.atomic, &f.newFlow, &f.newSmall, &f.harvest, &f.harvestCPU, &f.bareHarvest, &f.bareHarvestCPU, &f.batchBaseline, &f.refused1, &f.refused2} {
		*p /= N
	}
	b.ReportMetric(f.empty, "ns/pkt-empty")
	b.ReportMetric(f.parse, "ns/pkt-parse")
	b.ReportMetric(f.lookup, "ns/pkt-lookup")
	b.ReportMetric(f.existing, "ns/pkt-existing")
	b.ReportMetric(f.atomic, "ns/pkt-existing-atomic")
	b.ReportMetric(f.newFlow, "ns/pkt-new")
	b.ReportMetric(f.newSmall, "ns/pkt-new-4k-cache")
	b.ReportMetric(f.refused1, "ns/pkt-refused-1cpu")
	b.ReportMetric(f.refused2, "ns/pkt-refused-2cpus")
	b.ReportMetric(f.harvest, "ns/entry-harvest")
	b.ReportMetric(f.harvestCPU, "ns/entry-harvest-cpu")
	b.ReportMetric(f.bareHarvest, "ns/entry-harvest-nospool")
	b.ReportMetric(f.bareHarvestCPU, "ns/entry-harvest-nospool-cpu")
	b.ReportMetric(f.batchBaseline, "ns/entry-batch-baseline")
	b.ReportMetric(f.existing/f.parse, "existing/parse")
	b.ReportMetric(f.newFlow/f.parse, "new/parse")
	f.print()
}

func (f benchFigures) print() {
	mark := func(ok bool) string {
		if ok {
			return "meets"
		}
		return "MISSES"
	}
	fmt.Printf("\ndatapath (kernel-timed test runs; ratios from this one run):\n")
	fmt.Printf("  (c) XDP_DROP program       %6.1f ns/pkt\n", f.empty)
	fmt.Printf("  (d) parse only             %6.1f ns/pkt\n", f.parse)
	fmt.Printf("      parse + flow lookup    %6.1f ns/pkt = %.2f x (d)\n", f.lookup, f.lookup/f.parse)
	fmt.Printf("  (a) existing flow          %6.1f ns/pkt = %.2f x (d)   target <= 2 %s\n", f.existing, f.existing/f.parse, mark(f.existing <= 2*f.parse))
	fmt.Printf("  (b) new flow, 128K cache   %6.1f ns/pkt = %.2f x (d)   target <= 4 %s\n", f.newFlow, f.newFlow/f.parse, mark(f.newFlow <= 4*f.parse))
	fmt.Printf("      (b) in a 4K-flow cache %6.1f ns/pkt = %.2f x (d)\n", f.newSmall, f.newSmall/f.parse)
	fmt.Printf("      (a) with atomic adds   %6.1f ns/pkt = %.2f x plain\n", f.atomic, f.atomic/f.existing)
	fmt.Printf("      refused, cache full    %6.1f ns/pkt on 1 CPU, %.1f on each of 2 CPUs at once (%.2f x)\n", f.refused1, f.refused2, f.refused2/f.refused1)
	fmt.Printf("  harvest, %dK-entry map    %6.1f ns/entry target <= 150 %s; kernel batch lookup-and-delete %.1f ns/entry (harvest = %.2f x)\n",
		benchHarvest>>10, f.harvest, mark(f.harvest <= 150), f.batchBaseline, f.harvest/f.batchBaseline)
	fmt.Printf("      of which on the CPU    %6.1f ns/entry (the rest: the grace period and, on a busy machine, waiting to run)\n", f.harvestCPU)
	fmt.Printf("      without the export spool %4.1f ns/entry, %.1f on the CPU (the spool adds %.1f ns/entry on the CPU)\n",
		f.bareHarvest, f.bareHarvestCPU, f.harvestCPU-f.bareHarvestCPU)
}

// threadCPU is the CPU time the calling thread has used (user and
// system), in ns: the benchmark runs locked to its thread.
// timedHarvest harvests the whole of d, which must hold benchHarvest
// entries, with a forced pass, and returns its CPU and wall time per
// entry (ns), the CPU time the calling thread's.
func timedHarvest(b *testing.B, d *Datapath) (cpu, wall float64) {
	b.Helper()
	cpu0 := threadCPU(b)
	start := time.Now()
	n, err := d.Harvest(HarvestRequest{Force: true}, func(*flow.Record) {})
	el := time.Since(start)
	if err != nil || n != benchHarvest {
		b.Fatalf("harvested %d of %d: %v", n, benchHarvest, err)
	}
	return float64(threadCPU(b)-cpu0) / float64(n), float64(el.Nanoseconds()) / float64(n)
}

func threadCPU(b *testing.B) int64 {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// onCPUs runs fn on n CPUs at once, each on its own pinned thread, and
// returns the mean of what they return.
func onCPUs(b *testing.B, n int, fn func() float64) float64 {
	b.Helper()
	if runtime.NumCPU() < n {
		b.Skipf("needs %d CPUs", n)
	}
	res := make([]float64, n)
	var wg sync.WaitGroup
	for c := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread() // to the end: the thread and its pin end with the goroutine
			var set unix.CPUSet
			set.Set(c)
			if err := unix.SchedSetaffinity(0, &set); err != nil {
				b.Error(err)
				return
			}
			res[c] = fn()
		}()
	}
	wg.Wait()
	var sum float64
	for _, r := range res {
		sum += r
	}
	return sum / float64(n)
}

// fill creates exactly benchHarvest distinct flows in d.
func fill(b *testing.B, d *benchDatapath, fr []byte) {
	b.Helper()
	perPacket(b, d.progs.BenchMeterNewflow, fr, benchHarvest)
	if used, _, err := d.Usage(); err != nil || used != benchHarvest {
		b.Fatalf("filled %d entries, want %d (%v)", used, benchHarvest, err)
	}
}

// batchLookupAndDelete is the baseline the harvest is compared with: a
// kernel hash map of the same key and value sizes holding benchHarvest
// flows, emptied with BPF_MAP_LOOKUP_AND_DELETE_BATCH. Returns ns/entry.
func batchLookupAndDelete(b *testing.B) float64 {
	b.Helper()
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Hash, KeySize: 20, ValueSize: 44, MaxEntries: benchHarvest})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	const chunk = 4096
	keys := make([]meterFlowKey4, chunk)
	vals := make([]meterFlowVal, chunk)
	for base := 0; base < benchHarvest; base += chunk {
		for i := range keys {
			keys[i] = meterFlowKey4{Saddr: uint32(base + i), Daddr: 7, Sport: 1, Dport: 2, Proto: 6}
			vals[i] = meterFlowVal{Packets: 1, Bytes: 64}
		}
		if _, err := m.BatchUpdate(keys, vals, nil); err != nil {
			b.Fatalf("fill baseline map: %v", err)
		}
	}
	var cur ebpf.MapBatchCursor
	total := 0
	start := time.Now()
	for {
		n, err := m.BatchLookupAndDelete(&cur, keys, vals, nil)
		total += n
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			break
		}
		if err != nil {
			b.Fatalf("batch lookup-and-delete: %v", err)
		}
	}
	el := time.Since(start)
	if total != benchHarvest {
		b.Fatalf("batch took %d entries, want %d", total, benchHarvest)
	}
	return float64(el.Nanoseconds()) / float64(total)
}

// benchProgs are the bench object's baselines and variants, loaded in
// one collection with the meter so they share its table.
type benchProgs struct {
	BenchDrop            *ebpf.Program `ebpf:"bench_drop"`
	BenchParseOnly       *ebpf.Program `ebpf:"bench_parse_only"`
	BenchMeterLookupOnly *ebpf.Program `ebpf:"bench_meter_lookup_only"`
	BenchMeterNewflow    *ebpf.Program `ebpf:"bench_meter_newflow"`
	BenchMeterNoTable    *ebpf.Program `ebpf:"bench_meter_no_table"`
}

// benchDatapath is a Datapath loaded from the bench object: the same
// meter and maps, plus the bench programs on them.
type benchDatapath struct {
	*Datapath
	progs benchProgs
}

func openBench(tb testing.TB, entries int) *benchDatapath {
	tb.Helper()
	spec, err := loadBench()
	if err != nil {
		tb.Fatal(err)
	}
	return openBenchSpec(tb, spec, entries)
}

// openBenchSpec loads a bench object's spec: this build's (openBench), or
// another build's, for a same-run comparison (BenchmarkLiveAB). With on
// set, its programs use on's maps (the table, its counters, the stats)
// instead of their own: the same entries in the same places, only the
// code differs.
func openBenchSpec(tb testing.TB, spec *ebpf.CollectionSpec, entries int, on ...*benchDatapath) *benchDatapath {
	tb.Helper()
	requireRoot(tb)
	if _, ok := spec.Programs["flowtap_flush"]; !ok {
		addBatchStandIns(tb, spec)
	}
	if _, ok := spec.Programs["flowtap_flush_rec"]; !ok {
		// A build whose flush meters its records itself: a record
		// program it never tail-calls (a copy of its flush: a stand-in of
		// two instructions is refused by the program array, which takes
		// only programs like its owner's), and the slot this build's
		// Datapath puts it in.
		rec := spec.Programs["flowtap_flush"].Copy()
		rec.Name = "flowtap_flush_rec"
		spec.Programs["flowtap_flush_rec"] = rec
		spec.Maps["batch_progs"].MaxEntries = 2
	}
	if _, ok := spec.Maps[meterMapSizeHist6]; !ok {
		// A build before the IPv6 size distribution: a map its programs
		// never use, so that its object fills this build's struct.
		spec.Maps[meterMapSizeHist6] = &ebpf.MapSpec{Name: meterMapSizeHist6, Type: ebpf.PerCPUArray,
			KeySize: 4, ValueSize: uint32(unsafe.Sizeof(meterSizeHist{})), MaxEntries: 1}
	}
	var opts *ebpf.CollectionOptions
	if len(on) > 0 {
		replace := mapsByName(tb, &on[0].objs.meterMaps)
		delete(replace, "batch_progs") // each object's own
		// Builds whose buffers differ in size (BATCH_RECS), or whose
		// per-CPU scratch does (flow_clock), keep one each: a buffer's
		// records go into the shared table either way. A map the other
		// build does not have is not replaced.
		for name, m := range replace {
			if ms := spec.Maps[name]; ms == nil || m.ValueSize() != ms.ValueSize {
				delete(replace, name)
			}
		}
		opts = &ebpf.CollectionOptions{MapReplacements: replace}
	}
	sizeTable(spec, entries)
	for _, m := range spec.Maps {
		m.Pinning = ebpf.PinNone
	}
	var all struct {
		meterObjects
		benchProgs
	}
	dp := &Datapath{opts: Options{Entries: entries}}
	if err := dp.setKeyHash(spec, hashLanes); err != nil { // a new table
		tb.Fatal(err)
	}
	if err := spec.LoadAndAssign(&all, opts); err != nil {
		tb.Fatalf("load bench object: %v", err)
	}
	dp.objs = all.meterObjects
	d := &benchDatapath{Datapath: dp, progs: all.benchProgs}
	tb.Cleanup(func() {
		d.Close() // replacement maps are clones: each closes its own
		for _, p := range []*ebpf.Program{d.progs.BenchDrop, d.progs.BenchParseOnly, d.progs.BenchMeterLookupOnly, d.progs.BenchMeterNewflow, d.progs.BenchMeterNoTable} {
			p.Close()
		}
	})
	if err := d.init(); err != nil {
		tb.Fatal(err)
	}
	return d
}

// loadAtomic loads the variant that adds to every entry atomically, as
// the meter did before entries had owners: what the plain adds save.
func loadAtomic(b *testing.B) (*meterObjects, error) {
	spec, err := loadBenchAtomic()
	if err != nil {
		return nil, err
	}
	sizeTable(spec, 1024)
	for _, m := range spec.Maps {
		m.Pinning = ebpf.PinNone
	}
	var o meterObjects
	if err := spec.LoadAndAssign(&o, nil); err != nil {
		return nil, fmt.Errorf("load all-atomic variant: %w", err)
	}
	cfg := meterMeterCfg{Mask4: words4(platform.MaskSevenTuple), Mask6: words6(platform.MaskSevenTuple), Cap: 1024, Buckets: tableBuckets(1024), Seed: 1}
	if err := o.Cfg.Set(cfg); err != nil {
		return nil, err
	}
	return &o, nil
}

// addBatchStandIns gives an older build's bench object (B of
// BenchmarkLiveAB, built before batches) what this build's Datapath
// loads beside the meter: the batch maps, as this build has them, and a
// flush program that does nothing (the older meter never buffers).
func addBatchStandIns(tb testing.TB, spec *ebpf.CollectionSpec) {
	tb.Helper()
	own, err := loadBench()
	if err != nil {
		tb.Fatal(err)
	}
	for _, name := range []string{"batch", "batch_progs"} {
		spec.Maps[name] = own.Maps[name].Copy()
	}
	spec.Programs["flowtap_flush"] = &ebpf.ProgramSpec{
		Name:         "flowtap_flush",
		Type:         ebpf.XDP,
		Flags:        unix.BPF_F_XDP_HAS_FRAGS,
		License:      "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 1), asm.Return()},
	}
}

// mapsByName: the maps of a bpf2go maps struct by their ELF names (the
// struct's ebpf tags), for CollectionOptions.MapReplacements.
func mapsByName(tb testing.TB, maps any) map[string]*ebpf.Map {
	tb.Helper()
	v := reflect.ValueOf(maps).Elem()
	out := map[string]*ebpf.Map{}
	for i := range v.NumField() {
		m, ok := v.Field(i).Interface().(*ebpf.Map)
		if !ok || m == nil {
			tb.Fatalf("maps struct field %s is not a loaded map", v.Type().Field(i).Name)
		}
		out[v.Type().Field(i).Tag.Get("ebpf")] = m
	}
	return out
}
