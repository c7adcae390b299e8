package datapath

import (
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/spool"
)

// BenchmarkHarvest times only what BenchmarkDatapath's harvest line
// reads (issue 14: <= 150 ns/entry): a forced harvest of a full
// 256K-entry table into the export spool, wall and CPU per entry, with
// the table's filling outside the timer. It also times, on their own, one
// RCU grace period (waitForWriters: what the harvest waited for between
// its mark and its collect until it had the CPUs' barrier) and one
// cpuBarrier (what it waits for now), so that a run on a slow host says
// where its figure went. For profiles: -cpuprofile, -benchmem
// (allocs/op is per harvest).
func BenchmarkHarvest(b *testing.B) {
	requireRoot(b)
	defer benchOnCPU0(b)()
	fr := cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 6}.bytes(cat(tcpHdr(40000, 443, tcpACK), make([]byte, 10))))
	big := openBench(b, benchHarvest)
	sp, err := OpenSpool("", spool.DefaultSlots)
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	big.SetSpool(sp)
	defer big.SetSpool(nil)
	var wall, cpu, gp, barrier float64
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		fill(b, big, fr)
		b.StartTimer()
		c, w := timedHarvest(b, big.Datapath)
		cpu += c
		wall += w
		b.StopTimer()
		const n = benchHarvest
		start := time.Now()
		if err := big.waitForWriters(); err != nil {
			b.Fatal(err)
		}
		gp += float64(time.Since(start).Nanoseconds()) / float64(n)
		start = time.Now()
		if err := big.cpuBarrier(); err != nil {
			b.Fatal(err)
		}
		barrier += float64(time.Since(start).Nanoseconds()) / float64(n)
		b.StartTimer()
	}
	N := float64(b.N)
	b.ReportMetric(wall/N, "ns/entry")
	b.ReportMetric(cpu/N, "ns/entry-cpu")
	b.ReportMetric(gp/N, "ns/entry-gp")
	b.ReportMetric(barrier/N, "ns/entry-barrier")
}
