package datapath

import (
	"fmt"
	"os/exec"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// queuePath is one of the two paths whose cost must not grow with the
// number of CPUs metering at once: a packet the full cache refuses, and a
// packet that creates a flow.
type queuePath struct {
	name    string
	entries int  // configured cache size
	fill    bool // fill the cache before measuring: every packet refused
	empty   bool // empty it before each run: every packet a new flow
	packets int  // per measured run, over all sending CPUs
	// overload is the overload sampler's 1-in-N during the runs (0: off).
	overload uint32
}

var queuePaths = []queuePath{
	{name: "refused, cache full", entries: 4 << 10, fill: true, packets: 400_000},
	{name: "the same, overload 1/8", entries: 4 << 10, fill: true, packets: 400_000, overload: 8},
	{name: "new flow", entries: 512 << 10, empty: true, packets: 200_000},
	{name: "new flow, 64K cache", entries: 64 << 10, empty: true, packets: 50_000},
}

// trafgenOn sends packets from a random source per packet with trafgen
// workers on cpus CPUs, bypassing the qdisc: trafgen pins worker i to
// CPU i and the packet socket picks TX queue CPU % queues, so on a veth of
// as many queues each CPU feeds its own RX queue, whose XDP runs on that
// CPU (as with a NIC's RSS). A frame the peer's full ring refuses is
// dropped before XDP and so not measured.
func trafgenOn(tb testing.TB, v *testnet.Veth, cfg string, cpus, packets int) {
	tb.Helper()
	out, err := testproc.CombinedOutput(exec.Command("trafgen", "-i", cfg, "-o", v.Src, "--cpus", fmt.Sprint(cpus), "-n", fmt.Sprint(packets), "--no-sock-mem"))
	if err != nil {
		tb.Fatalf("trafgen: %v\n%s", err, out)
	}
}

// runOn is liveRun for trafgenOn: prog attached natively, kernel-measured
// ns per packet over every CPU's runs.
func runOn(tb testing.TB, v *testnet.Veth, prog *ebpf.Program, cfg string, cpus, packets int) float64 {
	tb.Helper()
	l, err := link.AttachXDP(link.XDPOptions{Program: prog, Interface: v.MonIndex, Flags: link.XDPDriverMode})
	if err != nil {
		tb.Fatalf("attach %s natively to the veth: %v", prog, err)
	}
	defer l.Close()
	ns0, n0 := runStats(tb, prog)
	trafgenOn(tb, v, cfg, cpus, packets)
	ns1, n1 := runStats(tb, prog)
	if n1 == n0 {
		tb.Fatalf("%s ran on no packet", prog)
	}
	return float64(ns1-ns0) / float64(n1-n0)
}

func perCPUFrames(tb testing.TB, d *benchDatapath) []uint64 {
	tb.Helper()
	var per []meterMeterStats
	if err := d.objs.Stats.Lookup(uint32(0), &per); err != nil {
		tb.Fatal(err)
	}
	out := make([]uint64, len(per))
	for i, c := range per {
		out[i] = c.Frames
	}
	return out
}

// BenchmarkLiveQueues measures the refused-packet and new-flow paths on
// live traffic from one CPU into a one-queue veth and from N = 2 CPUs
// into an N-queue veth, with the parser alone as the same-run baseline
// (alternating, three runs each). Neither path writes a cache line all
// CPUs share (per-CPU stats and capacity reserves; the refused path only
// reads the shared live counter), so a refused packet should cost on N
// queues what it does on one; a new flow writes its bucket's header
// line, which the other CPU often wrote last, and pays for that line's
// move (BenchmarkDatapathNewFlowCPUs and BenchmarkLiveQueuePairs measure
// it in pairs, against a build whose CPUs share no header line; the one-
// and two-queue rows here are minutes apart and their single ratio moves
// more than the effect). The refused path runs again with the
// overload sampler at 1 in 8: what a flood costs once overload protection
// has engaged. Printed, never asserted.
func BenchmarkLiveQueues(b *testing.B) {
	requireRoot(b)
	if _, err := exec.LookPath("trafgen"); err != nil {
		b.Fatal("trafgen not found: install Debian's netsniff-ng (make deps)")
	}
	enableBPFStats(b)
	type row struct {
		path          queuePath
		queues        int
		parse, meter  float64
		refused, made uint64   // in the measured meter runs
		frames        []uint64 // the meter's frames per CPU in those runs
	}
	var rows []row
	for _, path := range queuePaths {
		for _, queues := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/%dq", path.name, queues), func(b *testing.B) {
				v := testnet.EnterQueues(b, queues)
				d := openBench(b, path.entries)
				cfg := trafgenConfig(b, liveScenario{flows: 0})
				r := row{path: path, queues: queues}
				if path.fill {
					runOn(b, v, d.Program(), cfg, 1, 4*path.entries)
					if used, _, _ := d.Usage(); used < path.entries*9/10 {
						b.Fatalf("cache holds %d of %d flows after the fill", used, path.entries)
					}
				}
				if err := d.SetOverloadRate(path.overload); err != nil {
					b.Fatal(err)
				}
				const reps = 3
				before := perCPUFrames(b, d)
				for range reps {
					r.parse += runOn(b, v, d.progs.BenchParseOnly, cfg, queues, path.packets) / reps
					if path.empty {
						if _, err := d.Harvest(HarvestRequest{Force: true}, func(*flow.Record) {}); err != nil {
							b.Fatal(err)
						}
					}
					// Buffered packets (caches metered in batches) into the table first,
					// outside the measured runs: the counters then hold every frame.
					if err := d.FlushBatches(); err != nil {
						b.Fatal(err)
					}
					st0, err := d.Stats()
					if err != nil {
						b.Fatal(err)
					}
					r.meter += runOn(b, v, d.Program(), cfg, queues, path.packets) / reps
					// Buffered packets (caches metered in batches) into the table first,
					// outside the measured runs: the counters then hold every frame.
					if err := d.FlushBatches(); err != nil {
						b.Fatal(err)
					}
					st1, err := d.Stats()
					if err != nil {
						b.Fatal(err)
					}
					r.refused += st1.CreateFailPackets - st0.CreateFailPackets
					r.made += st1.FlowsCreated - st0.FlowsCreated
				}
				for i, n := range perCPUFrames(b, d) {
					r.frames = append(r.frames, n-before[i])
				}
				b.ReportMetric(r.meter, "ns/pkt-meter")
				b.ReportMetric(r.parse, "ns/pkt-parse")
				b.ReportMetric(r.meter/r.parse, "meter/parse")
				rows = append(rows, r)
			})
		}
	}
	fmt.Printf("\nrefused-packet and new-flow paths on 1 and 2 queues (trafgen on as many CPUs, native XDP, kernel BPF stats; 3 alternating runs, same run):\n")
	fmt.Printf("  %-24s %2s %7s %7s %9s %9s %9s %9s  %s\n", "path", "q", "parse", "meter", "meter/pa", "vs 1q", "refused", "created", "meter frames per CPU")
	one := map[string]float64{}
	for _, r := range rows {
		vs := "-"
		if r.queues == 1 {
			one[r.path.name] = r.meter
		} else if base := one[r.path.name]; base > 0 {
			vs = fmt.Sprintf("%.2fx", r.meter/base)
		}
		fmt.Printf("  %-24s %2d %7.1f %7.1f %8.2fx %9s %9d %9d  %v\n", r.path.name, r.queues, r.parse, r.meter, r.meter/r.parse, vs, r.refused, r.made, r.frames)
	}
	fmt.Printf("  (ns/packet over all CPUs' runs; vs 1q = meter ns at 2 queues / at 1 queue; refused and created are\n" +
		"   counted over the measured meter runs; a frame the veth's full ring refused never reached XDP)\n")
}
