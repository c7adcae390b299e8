package datapath

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/cilium/ebpf"

	"github.com/flowtap/flowtap/appliance/flow"
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

type benchFigures struct {
	empty, parse, lookup, existing, percpu, newFlow float64 // ns/packet
	harvest, batchBaseline                            float64 // ns/entry
}

// BenchmarkDatapath measures, in one run so the ratios hold on a noisy
// machine: (c) an empty XDP program, (d) parse only, (a) a packet of an
// existing flow, (b) a packet of a new flow (a distinct key every run),
// the parse-and-lookup part of (a), (a) on a per-CPU map, and the harvest
// of a 256K-entry map against the kernel's own batch lookup-and-delete of
// the same map. Targets: a <= 2d, b <= 4d, harvest <= 150 ns/entry.
func BenchmarkDatapath(b *testing.B) {
	requireRoot(b)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	fr := cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 6}.bytes(cat(tcpHdr(40000, 443, tcpACK), make([]byte, 10))))

	small := openTest(b, 4096) // the IOS default cache
	fresh := openTest(b, 2*benchNew)
	big := openTest(b, benchHarvest)
	pc, err := loadPercpu(b)
	if err != nil {
		b.Fatal(err)
	}
	defer pc.Close()

	var f benchFigures
	for i := 0; i < b.N; i++ {
		f.empty += perPacket(b, small.objs.BenchEmpty, fr, benchRepeat)
		f.parse += perPacket(b, small.objs.BenchParseOnly, fr, benchRepeat)
		f.lookup += perPacket(b, small.objs.BenchMeterLookupOnly, fr, benchRepeat)
		f.existing += perPacket(b, small.objs.FlowtapMeter, fr, benchRepeat)
		f.percpu += perPacket(b, pc.FlowtapMeter, fr, benchRepeat)
		f.newFlow += perPacket(b, fresh.objs.BenchMeterNewflow, fr, benchNew)
		harvestAll(b, small)
		harvestAll(b, fresh)

		fill(b, big, fr)
		start := time.Now()
		n, err := big.Harvest(HarvestRequest{Force: true}, func(*flow.Record) {})
		el := time.Since(start)
		if err != nil || n != benchHarvest {
			b.Fatalf("harvested %d of %d: %v", n, benchHarvest, err)
		}
		f.harvest += float64(el.Nanoseconds()) / float64(n)
		fill(b, big, fr)
		f.batchBaseline += batchLookupAndDelete(b, big)
	}
	N := float64(b.N)
	for _, p := range []*float64{&f.empty, &f.parse, &f.lookup, &f.existing, &f.percpu, &f.newFlow, &f.harvest, &f.batchBaseline} {
		*p /= N
	}
	b.ReportMetric(f.empty, "ns/pkt-empty")
	b.ReportMetric(f.parse, "ns/pkt-parse")
	b.ReportMetric(f.lookup, "ns/pkt-lookup")
	b.ReportMetric(f.existing, "ns/pkt-existing")
	b.ReportMetric(f.percpu, "ns/pkt-existing-percpu")
	b.ReportMetric(f.newFlow, "ns/pkt-new")
	b.ReportMetric(f.harvest, "ns/entry-harvest")
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
	fmt.Printf("  (c) empty XDP program      %6.1f ns/pkt\n", f.empty)
	fmt.Printf("  (d) parse only             %6.1f ns/pkt\n", f.parse)
	fmt.Printf("      parse + flow lookup    %6.1f ns/pkt = %.2f x (d)\n", f.lookup, f.lookup/f.parse)
	fmt.Printf("  (a) existing flow          %6.1f ns/pkt = %.2f x (d)   target <= 2 %s\n", f.existing, f.existing/f.parse, mark(f.existing <= 2*f.parse))
	fmt.Printf("  (b) new flow               %6.1f ns/pkt = %.2f x (d)   target <= 4 %s\n", f.newFlow, f.newFlow/f.parse, mark(f.newFlow <= 4*f.parse))
	fmt.Printf("      (a) on a per-CPU map   %6.1f ns/pkt = %.2f x shared map\n", f.percpu, f.percpu/f.existing)
	fmt.Printf("  harvest, %dK-entry map    %6.1f ns/entry target <= 150 %s; kernel batch lookup-and-delete %.1f ns/entry (harvest = %.2f x)\n",
		benchHarvest>>10, f.harvest, mark(f.harvest <= 150), f.batchBaseline, f.harvest/f.batchBaseline)
}

// fill creates exactly benchHarvest distinct flows in d.
func fill(b *testing.B, d *Datapath, fr []byte) {
	b.Helper()
	perPacket(b, d.objs.BenchMeterNewflow, fr, benchHarvest)
	if used, _, err := d.Usage(); err != nil || used != benchHarvest {
		b.Fatalf("filled %d entries, want %d (%v)", used, benchHarvest, err)
	}
}

// batchLookupAndDelete empties d's IPv4 map with the kernel's batch
// operation (no writers run meanwhile) and returns ns/entry: the baseline
// our harvest is compared with.
func batchLookupAndDelete(b *testing.B, d *Datapath) float64 {
	b.Helper()
	keys := make([]meterFlowKey4, 4096)
	vals := make([]meterFlowVal, 4096)
	var cur ebpf.MapBatchCursor
	total := 0
	start := time.Now()
	for {
		n, err := d.objs.Flows4.BatchLookupAndDelete(&cur, keys, vals, nil)
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
	// The entries left the map behind the meter's back: reset its count.
	if err := d.objs.Gen1Live.Put(uint32(1), uint64(benchHarvest)+readDeleted(b, d)); err != nil {
		b.Fatal(err)
	}
	return float64(el.Nanoseconds()) / float64(total)
}

func readDeleted(b *testing.B, d *Datapath) uint64 {
	var v uint64
	if err := d.objs.Gen1Live.Lookup(uint32(1), &v); err != nil {
		b.Fatal(err)
	}
	return v
}

type percpuObjs struct{ meterPercpuObjects }

// loadPercpu loads the variant whose flow maps are per-CPU hashes with
// plain (non-atomic) adds: the design we measured and did not choose.
func loadPercpu(b *testing.B) (*percpuObjs, error) {
	spec, err := loadMeterPercpu()
	if err != nil {
		return nil, err
	}
	for _, m := range spec.Maps {
		m.Pinning = ebpf.PinNone
	}
	var o percpuObjs
	if err := spec.LoadAndAssign(&o.meterPercpuObjects, nil); err != nil {
		return nil, fmt.Errorf("load per-CPU variant: %w", err)
	}
	if err := o.Cfg.Set(meterMeterCfg{Mask4: MaskIOS.words4(), Mask6: MaskIOS.words6()}); err != nil {
		return nil, err
	}
	return &o, nil
}
