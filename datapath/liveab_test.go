package datapath

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/internal/testnet"
)

// abPairs is how many A/B pairs BenchmarkLiveAB runs per scenario unless
// FLOWTAP_LIVE_AB_PAIRS says otherwise.
const abPairs = 5

// abScenarios are BenchmarkLiveAB's rows beyond BenchmarkLive's: IPv6 hits
// in a table past the L3 (64 MiB for a 512K cache), where a hit's lines
// come from memory, and in a 64K cache's 8 MiB, below HOME6_MIN_ENTRIES.
var abScenarios = []liveScenario{
	{name: "IPv6 400K flows, 512K cache", entries: 512 << 10, flows: 400_000, packets: 300_000, warm: true, v6: true},
	{name: "IPv6 50K flows, 64K cache", entries: 64 << 10, flows: 50_000, packets: 300_000, warm: true, v6: true},
	// A 16K cache (trafgen's 10K row's), for BATCH_MIN_ENTRIES: a flood
	// refused by the full cache, and one whose every packet makes an entry
	// (the cache emptied before each run, fewer packets than it holds).
	{name: "random-source flood, 16K cache", entries: 16 << 10, packets: 500_000},
	{name: "random-source flood, emptied 16K cache", entries: 16 << 10, packets: 12_000, empty: true},
	// The same for IPv6, batched there too while not refused: its
	// entries take a slot and a half, so the emptied cache gets 8000.
	{name: "IPv6 random-source flood, 16K cache", entries: 16 << 10, packets: 500_000, v6: true},
	{name: "IPv6 random-source flood, emptied 16K cache", entries: 16 << 10, packets: 8_000, empty: true, v6: true},
}

// BenchmarkLiveAB compares this build's meter (A) with another build's
// (B) on live traffic, in one process and alternating, for a change to the
// table code: FLOWTAP_LIVE_AB names B's bench object (a copy of
// datapath/bench_bpfel_test.o from the other build, e.g. main's). Each
// scenario of BenchmarkLive (and abScenarios) gets a table per object, or
// one shared (FLOWTAP_LIVE_AB_SHARED), warmed with every flow, then
// abPairs pairs of measured runs (FLOWTAP_LIVE_AB_PAIRS), the order
// swapped each pair (AB, BA, ...), with bench_parse_only in the first
// three. It prints each run, the medians, the median of the pairs'
// differences, how many pairs A won, and each table's share of entries at
// home. A scenario marked empty has the table emptied (a forced
// harvest, outside the measured window) before every run.
// FLOWTAP_LIVE_AB may list several objects, comma-separated (B1, B2, ...:
// bench builds with parts of the meter taken out, and a copy of one for
// an A/A, say): each round then runs A and every B once, the order
// rotated by one each round (with one B: AB, BA, ...), and each B is
// compared with A as a single one is, and with each later B. A is the
// object compiled into this test binary and owns the table; a B is
// loaded from its file onto it, after it. Session 16's A/As (A against
// a copy of its own object) read -10 to +8 ns, the 10K row's mostly
// negative (A faster), once 9 ns in two runs running. So for a change,
// list main's object and a copy of A's (FLOWTAP_LIVE_AB=main.o,a.o):
// the B1-B2 line then compares the two builds loaded alike, beside
// the A/A (A-B2).
// FLOWTAP_LIVE_AB_GEN=frames sends with the live-frames generator
// (BenchmarkLiveFrames) instead of trafgen, and fails a run whose program
// did not see every generated frame. Skipped without FLOWTAP_LIVE_AB:
// `make bench` does not run it.
// Hold the bench lock, one scenario at a time:
//
//	flock /tmp/flowtap-bench.lock env FLOWTAP_LIVE_AB=/tmp/main-bench.o \
//	  go test -run '^$' -bench 'LiveAB/IPv6_10K' -benchtime 1x ./datapath/
func BenchmarkLiveAB(b *testing.B) {
	path := os.Getenv("FLOWTAP_LIVE_AB")
	if path == "" {
		b.Skip("FLOWTAP_LIVE_AB (the other build's bench object) not set")
	}
	requireRoot(b)
	if _, err := exec.LookPath("trafgen"); err != nil {
		b.Fatal("trafgen not found: install Debian's netsniff-ng (make deps)")
	}
	pairs := abPairs
	if n, err := strconv.Atoi(os.Getenv("FLOWTAP_LIVE_AB_PAIRS")); err == nil && n > 0 {
		pairs = n
	}
	// FLOWTAP_LIVE_AB_PACKETS: packets per measured run instead of the
	// scenario's: shorter runs, more pairs, so a pair's two runs see more
	// nearly the same moment of the neighbours' load.
	packets, _ := strconv.Atoi(os.Getenv("FLOWTAP_LIVE_AB_PACKETS"))
	// FLOWTAP_LIVE_AB_SHARED=1: B's programs run on A's table (map
	// replacement), so both meter the same entries in the same places
	// and only the code differs. Only for builds whose placement and
	// table layout are the same. Without it each has its own table, and
	// where the two tables' memory lies differs too: in an A/A run (one
	// object against itself) that alone gave one 7-pair median of IPv6
	// 100K flows 37 ns apart, every pair the same way.
	shared := os.Getenv("FLOWTAP_LIVE_AB_SHARED") == "1"
	// FLOWTAP_LIVE_AB_BFIRST=1: B's table is allocated before A's, for
	// builds that need a table each: run both orders and compare both.
	bFirst := os.Getenv("FLOWTAP_LIVE_AB_BFIRST") == "1"
	frames := os.Getenv("FLOWTAP_LIVE_AB_GEN") == "frames"
	enableBPFStats(b)
	paths := strings.Split(path, ",")
	for _, sc := range append(slices.Clone(liveScenarios), abScenarios...) {
		b.Run(sc.name, func(b *testing.B) {
			var specs []*ebpf.CollectionSpec
			for _, p := range paths {
				spec, err := ebpf.LoadCollectionSpec(p)
				if err != nil {
					b.Fatalf("B's bench object %s: %v", p, err)
				}
				specs = append(specs, spec)
			}
			v := testnet.EnterQueues(b, 1)
			liveQdisc(b, v)
			var a *benchDatapath
			bs := make([]*benchDatapath, len(specs))
			openBs := func(on ...*benchDatapath) {
				for k, spec := range specs {
					bs[k] = openBenchSpec(b, spec, sc.entries, on...)
				}
			}
			switch {
			case shared:
				a = openBench(b, sc.entries)
				openBs(a)
			case bFirst:
				openBs()
				a = openBench(b, sc.entries)
			default:
				a = openBench(b, sc.entries)
				openBs()
			}
			var run func(prog *ebpf.Program, n int) float64
			if frames {
				g := newLiveGen(b, v)
				g.set(b, sc)
				run = func(prog *ebpf.Program, n int) float64 { return liveGenRun(b, v, prog, g, n) }
			} else {
				cfg := trafgenConfig(b, sc)
				run = func(prog *ebpf.Program, n int) float64 { return liveRun(b, v, prog, cfg, 1, n) }
			}
			if sc.empty {
				// The table the program meters into: A's when shared
				// (and for the parser), else the B's own, which a
				// harvest of A's alone left full for every B run.
				table := map[*ebpf.Program]*benchDatapath{}
				if !shared {
					for _, o := range bs {
						table[o.Program()] = o
					}
				}
				measure := run
				run = func(prog *ebpf.Program, n int) float64 {
					d := table[prog]
					if d == nil {
						d = a
					}
					if _, err := d.Harvest(HarvestRequest{Force: true}, func(*flow.Record) {}); err != nil {
						b.Fatalf("empty the table: %v", err)
					}
					if _, _, left := homeRate(d.Datapath); left != 0 {
						b.Fatalf("%d entries left in the emptied table", left)
					}
					return measure(prog, n)
				}
			}
			if sc.warm {
				run(a.Program(), sc.flows)
				if !shared {
					for _, o := range bs {
						run(o.Program(), sc.flows)
					}
				}
			}
			n := sc.packets
			if packets > 0 {
				n = packets
			}
			// Program 0 is A, k is B k; r[k] their runs.
			progs := []*ebpf.Program{a.Program()}
			names := []string{"A"}
			for k, o := range bs {
				progs = append(progs, o.Program())
				if len(bs) == 1 {
					names = append(names, "B")
				} else {
					names = append(names, fmt.Sprintf("B%d", k+1))
					fmt.Printf("%s: B%d is %s\n", sc.name, k+1, paths[k])
				}
			}
			r := make([][]float64, len(progs))
			var rp []float64
			for i := range pairs {
				if i < 3 {
					rp = append(rp, run(a.progs.BenchParseOnly, n))
				}
				for j := range progs {
					k := (j + i) % len(progs)
					r[k] = append(r[k], run(progs[k], n))
				}
			}
			ma, mp := median(r[0]), median(rp)
			for k := 1; k < len(progs); k++ {
				var diff []float64
				for i := range r[0] {
					diff = append(diff, r[0][i]-r[k][i])
				}
				mb := median(r[k])
				fmt.Printf("%s: A %s  %s %s  parse %s ns/pkt\n", sc.name, figs(r[0]), names[k], figs(r[k]), figs(rp))
				fmt.Printf("%s: median A %.1f (%.2fx parse)  %s %.1f (%.2fx)  A-%s %.1f ns, median of pairs' A-%s %.1f, A faster in %d of %d\n",
					sc.name, ma, ma/mp, names[k], mb, mb/mp, names[k], ma-mb, names[k], median(diff), countBelow(diff, 0), len(diff))
				b.ReportMetric(mb, "ns/pkt-"+names[k])
			}
			// Each B against each later one: builds loaded alike.
			for k := 1; k < len(progs); k++ {
				for l := k + 1; l < len(progs); l++ {
					var diff []float64
					for i := range r[k] {
						diff = append(diff, r[k][i]-r[l][i])
					}
					fmt.Printf("%s: %s-%s (both loaded from files) %.1f ns, median of pairs' %s-%s %.1f, %s faster in %d of %d\n",
						sc.name, names[k], names[l], median(r[k])-median(r[l]), names[k], names[l], median(diff), names[k], countBelow(diff, 0), len(diff))
				}
			}
			for k, d := range append([]*benchDatapath{a}, bs...) {
				if hm, _, tot := homeRate(d.Datapath); tot > 0 {
					fmt.Printf("%s: %s's entries at their home slot: %.1f%% of %d\n", sc.name, names[k], 100*float64(hm)/float64(tot), tot)
				}
			}
			b.ReportMetric(ma, "ns/pkt-A")
			b.ReportMetric(mp, "ns/pkt-parse")
		})
	}
}

// figs and ratios print a run's figures, and its pairs' ratios, on one
// line.
func figs(xs []float64) string   { return joinFloats(xs, "%.0f") }
func ratios(xs []float64) string { return joinFloats(xs, "%.2f") }

func joinFloats(xs []float64, format string) string {
	var s string
	for i, x := range xs {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf(format, x)
	}
	return s
}

func countBelow(xs []float64, y float64) int {
	n := 0
	for _, x := range xs {
		if x < y {
			n++
		}
	}
	return n
}
