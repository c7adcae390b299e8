package datapath

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/flowtap/flowtap/datapath/datapathtest"
)

// BenchmarkFlushComputeAB: what a flush of 16 plain hits costs in
// compute alone, this build's flowtap_flush against other builds'
// (FLOWTAP_FLUSH_AB: bench objects, comma-separated, as
// FLOWTAP_LIVE_AB's) on one shared 16K cache. The 16 flows' lines are in
// this CPU's caches, so no round of loads waits for memory: what is left
// is the flush's instructions and the fetch of its code (the test run's
// syscall between two flushes evicts much of it, as the skb path between
// two live flushes does). Each round puts the same 16 records into CPU
// 0's buffer and runs each build's flush once by BPF_PROG_TEST_RUN, the
// order rotated; the kernel's time for each run, the median of the
// rounds' differences against this build's, and in how many rounds this
// build was faster. BenchmarkLiveAB's 41 pairs move by up to 8 ns a
// packet on this VM from one A/A to the next; these runs resolve a few
// ns a flush (a run of the bench object against a copy of itself, its
// A/A, reads within about 20 ns a flush: where each copy's code lies).
// A timed run: hold the bench lock.
//
//	flock /tmp/flowtap-bench.lock env FLOWTAP_FLUSH_AB=/tmp/main.o,/tmp/a.o \
//	    go test -run '^$' -bench FlushComputeAB -benchtime 1x ./datapath
func BenchmarkFlushComputeAB(b *testing.B) {
	paths := strings.Split(os.Getenv("FLOWTAP_FLUSH_AB"), ",")
	if paths[0] == "" {
		b.Skip("FLOWTAP_FLUSH_AB (other builds' bench objects) not set")
	}
	requireRoot(b)
	const entries = 16 << 10
	a := openBench(b, entries)
	progs := []*ebpf.Program{a.objs.FlowtapFlush}
	for _, p := range paths {
		spec, err := ebpf.LoadCollectionSpec(p)
		if err != nil {
			b.Fatalf("bench object %s: %v", p, err)
		}
		progs = append(progs, openBenchSpec(b, spec, entries, a).objs.FlowtapFlush)
	}
	var frs [][]byte
	for i := range batchRecs {
		frs = append(frs, udp4([4]byte{10, 5, 0, byte(i)}, [4]byte{10, 5, 1, 1}, 1000, 53, 0))
	}
	feed := func() {
		b.Helper()
		if err := runOnCPU(0, func() error {
			for _, fr := range frs {
				if _, err := datapathtest.Feed(a.objs.FlowtapMeter, fr, 1); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	feed() // the flows created (the 16th packet's run flushes them in)
	// The same 16 packets again with the flush out of its slot: the
	// buffer full of hits, kept to be put back before each run.
	if err := a.objs.BatchProgs.Delete(uint32(0)); err != nil {
		b.Fatal(err)
	}
	feed()
	var hits []meterMeterBatch
	if err := a.objs.Batch.Lookup(uint32(0), &hits); err != nil {
		b.Fatal(err)
	}
	if hits[0].N != uint32(batchRecs) {
		b.Fatalf("CPU 0's buffer holds %d records, want %d", hits[0].N, batchRecs)
	}
	if err := a.objs.BatchProgs.Put(uint32(0), a.objs.FlowtapFlush); err != nil {
		b.Fatal(err)
	}
	const rounds = 2000
	ns := make([][]float64, len(progs))
	in := make([]byte, 64)
	b.ResetTimer()
	err := runOnCPU(0, func() error {
		var after []meterMeterBatch
		for r := range rounds {
			for k := range progs {
				at := (k + r) % len(progs)
				if err := a.objs.Batch.Put(uint32(0), hits); err != nil {
					return err
				}
				_, d, err := progs[at].Benchmark(in, 1, nil)
				if err != nil {
					return err
				}
				if err := a.objs.Batch.Lookup(uint32(0), &after); err != nil {
					return err
				}
				if after[0].N != 0 {
					return fmt.Errorf("a flush of %d hits left %d records", batchRecs, after[0].N)
				}
				ns[at] = append(ns[at], float64(d.Nanoseconds()))
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	median := func(x []float64) float64 {
		y := slices.Clone(x)
		slices.Sort(y)
		return y[len(y)/2]
	}
	b.Logf("A (this build): median %.0f ns a flush", median(ns[0]))
	for k := 1; k < len(progs); k++ {
		var diffs []float64
		faster := 0
		for r := range ns[k] {
			diffs = append(diffs, ns[0][r]-ns[k][r])
			if ns[0][r] < ns[k][r] {
				faster++
			}
		}
		b.Logf("B%d %s: median %.0f ns a flush; median of rounds' A-B %.1f ns a flush (%.2f a packet), A faster in %d of %d",
			k, paths[k-1], median(ns[k]), median(diffs), median(diffs)/float64(batchRecs), faster, len(diffs))
	}
}
