package datapath

import (
	"fmt"
	"os/exec"
	"sync/atomic"
	"testing"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/internal/testnet"
)

// floodPhases is BenchmarkLiveFloodPhases' traffic: BenchmarkLive's
// "random-source flood, 512K cache" row, whose three meter runs mix two
// kinds of packet: the first run's 500K create entries in the emptying
// cache (fill), the rest are refused by the full cache (full).
var floodPhases = liveScenario{name: "random-source flood, 512K cache", entries: 512 << 10, packets: 500_000}

// BenchmarkLiveFloodPhases splits the 512K flood row of BenchmarkLive into
// its two phases, each measured alone on live traffic (trafgen into a
// veth, kernel BPF stats), three rounds:
//
//   - fill: the table emptied (a forced harvest, outside the window),
//     then 500K random sources metered, as BenchmarkLive's first meter
//     run does: all but a few dozen create an entry (0 to 95% full);
//   - full: the cache topped up to its size (unmeasured), then 500K
//     random sources metered, each refused as cache_full.
//
// Each phase has bench_meter_lookup_only beside it (the lookup alone,
// direct: no creation, no count) on the same table, and the full table
// bench_parse_only and bench_meter_no_table once a round. The kernel's statistics time only the program attached:
// flowtap_flush and flowtap_flush_rec, reached by tail calls, are inside
// flowtap_meter's figure (their own counters stay at zero: printed), so
// the split between the push and the flush is not the kernel's to give.
// It prints ns/packet per phase and what BenchmarkLive's row would read
// from them (one fill run and two full runs of three).
func BenchmarkLiveFloodPhases(b *testing.B) {
	requireRoot(b)
	if _, err := exec.LookPath("trafgen"); err != nil {
		b.Fatal("trafgen not found: install Debian's netsniff-ng (make deps)")
	}
	enableBPFStats(b)
	sc := floodPhases
	v := testnet.EnterQueues(b, 1)
	liveQdisc(b, v)
	d := openBench(b, sc.entries)
	cfg := trafgenConfig(b, sc)
	run := func(n int) float64 { return liveRun(b, v, d.Program(), cfg, 1, n) }
	stats := func() Stats {
		if err := d.FlushBatches(); err != nil {
			b.Fatal(err)
		}
		st, err := d.Stats()
		if err != nil {
			b.Fatal(err)
		}
		return st
	}
	used := func() int {
		u, _, err := d.Usage()
		if err != nil {
			b.Fatal(err)
		}
		return u
	}
	_, flush0 := runStats(b, d.objs.FlowtapFlush)
	_, rec0 := runStats(b, d.objs.FlowtapFlushRec)
	// flagged: the share of buckets a key has gone past (either overflow
	// flag): a refused record whose first bucket is one is not counted by
	// the flush from its header but metered the whole way, a run of
	// flowtap_flush_rec each.
	flagged := func() float64 {
		t := d.tab
		n := 0
		for bk := 0; bk < int(t.buckets); bk++ {
			if atomic.LoadUint32(t.hdrs.u32(bk*lineBytes+lineBytes-4))>>16&3 != 0 {
				n++
			}
		}
		return float64(n) / float64(t.buckets)
	}
	const rounds = 3
	var fill, full, lookFill, lookFull, parse, noTable, flags []float64
	var created, refused uint64
	for range rounds {
		if _, err := d.Harvest(HarvestRequest{Force: true}, func(*flow.Record) {}); err != nil {
			b.Fatalf("empty the table: %v", err)
		}
		if u := used(); u != 0 {
			b.Fatalf("%d entries left in the emptied table", u)
		}
		lookFill = append(lookFill, liveRun(b, v, d.progs.BenchMeterLookupOnly, cfg, 1, sc.packets))
		s0 := stats()
		fill = append(fill, run(sc.packets))
		s1 := stats()
		created += s1.FlowsCreated - s0.FlowsCreated
		// Top up: a random source a packet until the cache is at its size
		// (the fill leaves it about 95% full).
		for range 10 {
			if used() >= sc.entries {
				break
			}
			run(100_000)
		}
		stats()
		if u := used(); u < sc.entries {
			b.Fatalf("cache not full after the top-up: %d of %d", u, sc.entries)
		}
		parse = append(parse, liveRun(b, v, d.progs.BenchParseOnly, cfg, 1, sc.packets))
		noTable = append(noTable, liveRun(b, v, d.progs.BenchMeterNoTable, cfg, 1, sc.packets))
		lookFull = append(lookFull, liveRun(b, v, d.progs.BenchMeterLookupOnly, cfg, 1, sc.packets))
		flags = append(flags, flagged())
		s2 := stats()
		full = append(full, run(sc.packets))
		s3 := stats()
		refused += s3.CreateFailFull - s2.CreateFailFull
		if c := s3.FlowsCreated - s2.FlowsCreated; c != 0 {
			b.Fatalf("the full cache created %d entries", c)
		}
	}
	_, flush1 := runStats(b, d.objs.FlowtapFlush)
	_, rec1 := runStats(b, d.objs.FlowtapFlushRec)
	mf, mu, mp := median(fill), median(full), median(parse)
	fmt.Printf("\n%s, by phase (trafgen, native XDP, kernel BPF stats, %d rounds, %d packets a run; ns/packet):\n", sc.name, rounds, sc.packets)
	fmt.Printf("  fill (emptied cache, every packet a new entry; %d created of %d): meter %s (median %.1f, %.2fx parse), lookup only %s\n",
		created, rounds*sc.packets, figs(fill), mf, mf/mp, figs(lookFill))
	fmt.Printf("  full (every packet refused; %d refused as cache_full of %d): meter %s (median %.1f, %.2fx parse), lookup only %s\n",
		refused, rounds*sc.packets, figs(full), mu, mu/mp, figs(lookFull))
	fmt.Printf("  buckets flagged (a key gone past them) when full: %.1f%% (median of the rounds): refused records whose first\n"+
		"   bucket is flagged are metered by flowtap_flush_rec, one tail call each, the rest counted by the flush from the header\n", 100*median(flags))
	fmt.Printf("  parse %s (median %.1f), no table %s (median %.1f); BenchmarkLive's row (one fill run, two full) would read\n"+
		"   %.1f ns, %.2fx parse\n", figs(parse), mp, figs(noTable), median(noTable), (mf+2*mu)/3, (mf+2*mu)/3/mp)
	fmt.Printf("  flowtap_flush runs the kernel counted: %d, flowtap_flush_rec: %d (a tail call is timed inside flowtap_meter's\n"+
		"   run: these count FlushBatches' test runs alone, none when a run ends with its buffer full)\n", flush1-flush0, rec1-rec0)
	b.ReportMetric(mf, "ns/pkt-fill")
	b.ReportMetric(mu, "ns/pkt-full")
	b.ReportMetric(mp, "ns/pkt-parse")
}
