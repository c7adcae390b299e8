package datapath

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// liveScenario is one kind of traffic trafgen sends into the veth.
type liveScenario struct {
	name    string
	entries int  // configured cache size
	flows   int  // distinct flows, cycled; 0: a random source per packet
	packets int  // per measured run
	warm    bool // send every flow once before measuring, so the meter's runs find them
	v6      bool // IPv6 frames: entries whose keys end in a shared tail slot
	empty   bool // BenchmarkLiveAB: the table emptied (a forced harvest) before every run
}

// liveScenarios: the IPv4 rows issue 14 asks for, then IPv6 rows whose
// entries take one and a half lines each (a head and half a shared tail
// slot). The IPv6 hit rows send 300K packets per run against 500K, to
// keep `make bench` within about three minutes: measured both ways on
// this shared 2-core VM, the difference (10K flows 196 against 153 ns,
// 100K 257 against 254) was within what load alone moves a run (the same
// 300K rows gave 284 and 452 ns at load 3.8). The flood keeps 500K: into
// a 512K cache, fewer packets would change its mix of new flows and
// refusals, and it is to compare with the IPv4 flood row.
var liveScenarios = []liveScenario{
	{name: "10K flows", entries: 16 << 10, flows: 10_000, packets: 500_000, warm: true},
	{name: "100K flows", entries: 128 << 10, flows: 100_000, packets: 500_000, warm: true},
	{name: "1M flows, 512K cache", entries: 512 << 10, flows: 1_000_000, packets: 1_000_000, warm: true},
	{name: "random-source flood, 4K cache", entries: 4 << 10, packets: 500_000},
	{name: "random-source flood, 512K cache", entries: 512 << 10, packets: 500_000},
	{name: "IPv6 10K flows", entries: 16 << 10, flows: 10_000, packets: 300_000, warm: true, v6: true},
	{name: "IPv6 100K flows", entries: 128 << 10, flows: 100_000, packets: 300_000, warm: true, v6: true},
	{name: "IPv6 random-source flood, 512K cache", entries: 512 << 10, packets: 500_000, v6: true},
}

// The memory probe BenchmarkLive prints with its table (memLatency): the
// sets' sizes, and runs per set. It costs about two seconds before and two
// after the scenarios.
var liveMemSets = []int{1 << 20, 8 << 20, 64 << 20}

const liveMemReps = 3

func memSetNames(sets []int) string {
	var names []string
	for _, ws := range sets {
		names = append(names, sizeName(ws))
	}
	return strings.Join(names, " / ")
}

func memFigs(ns []float64) string {
	var fs []string
	for _, x := range ns {
		fs = append(fs, fmt.Sprintf("%.1f", x))
	}
	return strings.Join(fs, " / ")
}

// trafgenConfig writes trafgen's packet configuration: 60-byte IPv4 UDP
// frames (18 bytes of payload pad them to Ethernet's minimum) or 62-byte
// IPv6 ones (no payload: the headers alone pass the minimum), whose
// source address counts through the scenario's flows, or is random for a
// flood. IPv6 sources are 2001:db8::/96 plus the counter or the random
// 32 bits in the last four bytes. With several sending CPUs each runs the
// same configuration (trafgen's per-CPU packet bindings hang on a
// multi-queue veth here), which is what a flood is anyway.
func trafgenConfig(tb testing.TB, sc liveScenario) string {
	var conf string
	if sc.v6 {
		sa := "sa[12:4]=drnd()"
		if sc.flows > 0 {
			sa = fmt.Sprintf("sa=dinc(0, %d)", sc.flows-1)
		}
		conf = fmt.Sprintf("{ eth(da=02:00:00:00:00:01, sa=02:00:00:00:00:02), ipv6(sa=2001:db8::, da=2001:db8:1::7, hl=64, %s), udp(sp=40000, dp=53) }\n", sa)
	} else {
		const base = 10 << 24 // 10.0.0.0
		sa := "drnd()"
		if sc.flows > 0 {
			sa = fmt.Sprintf("dinc(%d, %d)", base, base+sc.flows-1)
		}
		conf = fmt.Sprintf("{ eth(da=02:00:00:00:00:01, sa=02:00:00:00:00:02), ipv4(sa=10.0.0.0, da=198.51.100.7, sa=%s), udp(sp=40000, dp=53), fill(0, 18) }\n", sa)
	}
	f, err := os.CreateTemp(tb.TempDir(), "trafgen-*.cfg")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := f.WriteString(conf); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	return f.Name()
}

func trafgen(tb testing.TB, v *testnet.Veth, cfg string, cpus, packets int) {
	tb.Helper()
	// -q: the qdisc path (see liveQdisc); -A: leave the host's socket
	// memory settings alone.
	args := []string{"-i", cfg, "-o", v.Src, "--cpus", fmt.Sprint(cpus), "-n", fmt.Sprint(packets), "-q", "--no-sock-mem"}
	if cpus > 1 {
		// Two senders outrun the socket's send buffer (which a test may
		// not raise) and trafgen gives up on EAGAIN: pace each.
		args = append(args, "-b", "150000pps")
	}
	cmd := exec.Command("trafgen", args...)
	if out, err := testproc.CombinedOutput(cmd); err != nil {
		tb.Fatalf("trafgen: %v\n%s", err, out)
	}
}

// liveQdisc gives the sending end a queue. A veth has none, and with XDP
// on the peer it pushes back when the peer's ring is full: without a queue
// trafgen's sends then fail with EAGAIN (as they do on two queues here)
// instead of waiting.
func liveQdisc(tb testing.TB, v *testnet.Veth) {
	tb.Helper()
	// mq: a queue per TX queue, each run by the CPU that sends into it,
	// so the frames of two senders reach the peer's two RX queues on
	// two CPUs instead of all passing through one CPU's qdisc run.
	if out, err := testproc.CombinedOutput(exec.Command("tc", "qdisc", "replace", "dev", v.Src, "root", "mq")); err != nil {
		tb.Fatalf("tc qdisc on %s: %v\n%s", v.Src, err, out)
	}
}

// runStats reads the kernel's BPF statistics of prog: total run time and
// runs (kernel.bpf_stats_enabled=1).
func runStats(tb testing.TB, prog *ebpf.Program) (ns, runs uint64) {
	tb.Helper()
	s, err := prog.Stats()
	if err != nil {
		tb.Fatalf("BPF run statistics of %s: %v", prog, err)
	}
	return uint64(s.Runtime.Nanoseconds()), s.RunCount
}

// liveRun attaches prog natively to the monitored end, sends packets and
// returns the kernel-measured ns per packet.
func liveRun(tb testing.TB, v *testnet.Veth, prog *ebpf.Program, cfg string, cpus, packets int) float64 {
	tb.Helper()
	l, err := link.AttachXDP(link.XDPOptions{Program: prog, Interface: v.MonIndex, Flags: link.XDPDriverMode})
	if err != nil {
		tb.Fatalf("attach %s natively to the veth: %v", prog, err)
	}
	defer l.Close()
	ns0, n0 := runStats(tb, prog)
	trafgen(tb, v, cfg, cpus, packets)
	ns1, n1 := runStats(tb, prog)
	if n1 == n0 {
		tb.Fatalf("%s ran on no packet", prog)
	}
	return float64(ns1-ns0) / float64(n1-n0)
}

// enableBPFStats turns on the kernel's per-program run statistics for the
// benchmark and restores the setting after.
func enableBPFStats(tb testing.TB) {
	const path = "/proc/sys/kernel/bpf_stats_enabled"
	old, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("1"), 0); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.WriteFile(path, old, 0) })
}

// BenchmarkLive measures the meter on live traffic: trafgen sends into a
// veth pair whose monitored end runs the program in native XDP, and the
// kernel's BPF statistics give ns per packet. In the same run, alternating
// and three times each: `xdp-bench drop` from Debian's xdp-tools (the
// floor issue 14 names: its own process attaches its own program, whose
// statistics are read through the link's XDP attachment), bench_drop (a
// bare XDP_DROP program of ours, a second floor), bench_parse_only (the
// meter's parser alone), bench_meter_no_table (the meter up to the table)
// and the meter. Targets (printed, never asserted): existing flows <= 2x
// parse-only at 10K, <= 3x at 100K; a random-source flood <= 4x; 1M flows
// on a 512K cache <= 6x with no creation failure from contention below
// 95% fill; <= 128 B/flow.
//
// What a new flow and a refused packet cost when several CPUs meter at
// once is BenchmarkLiveQueues.
func BenchmarkLive(b *testing.B) {
	requireRoot(b)
	if _, err := exec.LookPath("trafgen"); err != nil {
		b.Fatal("trafgen not found: install Debian's netsniff-ng (make deps)")
	}
	xb := newXDPBench(b)
	enableBPFStats(b)
	ovOff, ovOn, ovRec := statsOverhead(b, openBench(b, 4096).progs.BenchDrop, liveFrame())
	type row struct {
		sc                    liveScenario
		queues                int
		xdpBench              float64 // xdp-bench drop's program
		drop, parse, meter    float64
		noTable               float64 // the meter up to the table: parse, select, key, hash
		lookup                float64 // the meter up to and including the lookup
		cached, full, contend uint64
		fillAtContention      float64
		bytesPerFlow          float64
		home                  float64 // entries in their home slot, of all entries
	}
	var rows []row
	var rate xdpBenchRun
	// What the machine's memory is doing, before the scenarios and after
	// them: the live figures move with the neighbours' load on the caches
	// and memory, and a reader needs the same run's latencies beside them.
	memBefore := memLatency(b, liveMemSets, liveMemReps)
	for _, queues := range []int{1} {
		for _, sc := range liveScenarios {
			b.Run(fmt.Sprintf("%s/%dq", sc.name, queues), func(b *testing.B) {
				v := testnet.EnterQueues(b, queues)
				liveQdisc(b, v)
				d := openBench(b, sc.entries)
				cfg := trafgenConfig(b, sc)
				r := row{sc: sc, queues: queues, bytesPerFlow: float64(d.TableBytes()) / float64(sc.entries)}
				if sc.warm {
					liveRun(b, v, d.Program(), cfg, queues, sc.flows)
				}
				// Buffered packets (caches metered in batches) into the table first,
				// outside the measured runs: the counters then hold every frame.
				if err := d.FlushBatches(); err != nil {
					b.Fatal(err)
				}
				before, err := d.Stats()
				if err != nil {
					b.Fatal(err)
				}
				const reps = 3
				for range reps {
					r.xdpBench += xb.run(b, v, sc.packets, func() { trafgen(b, v, cfg, queues, sc.packets) }).ns / reps
					r.drop += liveRun(b, v, d.progs.BenchDrop, cfg, queues, sc.packets) / reps
					r.parse += liveRun(b, v, d.progs.BenchParseOnly, cfg, queues, sc.packets) / reps
					r.noTable += liveRun(b, v, d.progs.BenchMeterNoTable, cfg, queues, sc.packets) / reps
					r.lookup += liveRun(b, v, d.progs.BenchMeterLookupOnly, cfg, queues, sc.packets) / reps
					r.meter += liveRun(b, v, d.Program(), cfg, queues, sc.packets) / reps
				}
				// Buffered packets (caches metered in batches) into the table first,
				// outside the measured runs: the counters then hold every frame.
				if err := d.FlushBatches(); err != nil {
					b.Fatal(err)
				}
				st, err := d.Stats()
				if err != nil {
					b.Fatal(err)
				}
				if len(rows) == 0 {
					// Once, outside the measured runs: xdp-bench's own
					// rate wants whole 1 s intervals of traffic, longer
					// than a measured run.
					const n = 3_000_000
					rate = xb.run(b, v, n, func() { trafgen(b, v, cfg, queues, n) })
				}
				r.full = st.CreateFailFull - before.CreateFailFull
				r.contend = st.CreateFailContention
				used, _, _ := d.Usage()
				r.cached = uint64(used)
				r.fillAtContention = float64(used) / float64(sc.entries)
				if hm, _, tot := homeRate(d.Datapath); tot > 0 {
					r.home = float64(hm) / float64(tot)
				}
				b.ReportMetric(r.meter, "ns/pkt-meter")
				b.ReportMetric(r.parse, "ns/pkt-parse")
				b.ReportMetric(r.drop, "ns/pkt-drop")
				b.ReportMetric(r.xdpBench, "ns/pkt-xdp-bench-drop")
				b.ReportMetric(r.noTable, "ns/pkt-no-table")
				b.ReportMetric(r.lookup, "ns/pkt-lookup")
				b.ReportMetric(r.meter/r.parse, "meter/parse")
				b.ReportMetric(r.meter/r.xdpBench, "meter/xdp-bench-drop")
				rows = append(rows, r)
			})
		}
	}
	memAfter := memLatency(b, liveMemSets, liveMemReps)
	fmt.Printf("\nlive traffic (trafgen into a veth, native XDP, kernel BPF stats; 3 alternating runs each, same run):\n")
	fmt.Printf("  memory during this run, ns per dependent random read (%s): before %s; after %s\n",
		memSetNames(liveMemSets), memFigs(memBefore), memFigs(memAfter))
	fmt.Printf("  (64-byte lines of a BPF_F_MMAPABLE array, as the table is, chased from a test run on CPU 0, median of %d\n"+
		"   runs; 1 MiB is about one core's L2, 8 MiB fits the L3 if the neighbours leave it room (a 64K cache's table),\n"+
		"   64 MiB does not (a 512K cache's); the rows below move with these, most with the 8 and 64 MiB figures)\n",
		liveMemReps)
	fmt.Printf("  %-38s %2s %7s %7s %7s %7s %7s %7s %9s %9s %9s %9s %9s %9s %7s %6s\n", "traffic", "q", "xdpb", "drop", "parse", "notable", "lookup", "meter",
		"meter/pa", "target", "meter/xb", "cached", "refused", "contend", "B/flow", "home")
	for _, r := range rows {
		target := "-"
		switch {
		case r.sc.flows == 10_000:
			target = "<= 2"
		case r.sc.flows == 100_000:
			target = "<= 3"
		case r.sc.flows > r.sc.entries:
			target = "<= 6"
		case r.sc.flows == 0:
			target = "<= 4"
		}
		fmt.Printf("  %-38s %2d %7.1f %7.1f %7.1f %7.1f %7.1f %7.1f %8.2fx %9s %8.2fx %9d %9d %9d %7.0f %5.1f%%\n", r.sc.name, r.queues, r.xdpBench, r.drop, r.parse, r.noTable, r.lookup, r.meter,
			r.meter/r.parse, target, r.meter/r.xdpBench, r.cached, r.full, r.contend, r.bytesPerFlow, 100*r.home)
	}
	fmt.Printf("  (ns/packet of each XDP program as the kernel's BPF stats record it: run_time_ns / run_cnt over the measured\n" +
		"   window. xdpb = `xdp-bench drop` (Debian's xdp-tools) run natively on the port, its default no-touch program,\n" +
		"   which counts each packet in a per-CPU array; drop = bench_drop, our bare XDP_DROP; notable = the meter up to\n" +
		"   the table (parse, select, key, hash), so meter - notable is what the table costs; lookup = the meter up to\n" +
		"   and including the flow lookup (no counting, no creation); meter/pa = meter / parse;\n" +
		"   meter/xb = meter / xdpb; cached = flows in the cache at the end; refused = creations refused, cache at its\n" +
		"   size, in the measured runs; contend = creations refused because all four candidate buckets were full;\n" +
		"   B/flow = kernel memory per configured flow; home = entries in their home slot at the end (IPv4 entries take\n" +
		"   it when free, IPv6 ones in caches of 128K or more when a tail fits beside it; a hit there skips the\n" +
		"   header scan); IPv4 rows send 60-byte UDP frames, IPv6 rows 62-byte ones,\n" +
		"   whose entries take a head slot and half a shared tail slot, 1.5 lines each)\n")
	if xb.note != "" {
		fmt.Printf("  (%s)\n", xb.note)
	}
	if len(rows) > 0 {
		fmt.Printf("  xdp-bench's own rate (%s, 3M packets, one run): best 1 s interval %.0f pps, trafgen %.0f pps over the\n"+
			"   window, so %.0f ns per packet on the whole path from trafgen through the veth to XDP on the sending CPU;\n"+
			"   its program's share as the BPF stats record it: %.1f ns\n",
			rows[0].sc.name, rate.peakPPS, rate.sendPPS, 1e9/max(rate.peakPPS, 1), rate.ns)
	}
	fmt.Printf("  what the kernel's statistics add per run (bench_drop in BPF_PROG_TEST_RUN, 1M runs): %.1f ns/run with\n"+
		"   them off, %.1f on, of which they record %.1f ns/run: the timed span is the program and about one of the\n"+
		"   two sched_clock() reads around it\n", ovOff, ovOn, ovRec)
	for _, r := range rows {
		if r.contend > 0 {
			fmt.Printf("  %s (%d queues): %d contention failures, cache %.0f%% full at the end\n", r.sc.name, r.queues, r.contend, 100*r.fillAtContention)
		}
	}
}
