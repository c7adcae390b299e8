package datapath

import (
	"fmt"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

// BenchmarkDatapath6 is BenchmarkDatapath's per-packet figures for an
// IPv6 flow (an entry whose key ends in a tail slot it may share with a
// neighbour) and the harvest of the new flows' entries: what an IPv6 hit,
// new flow and harvested entry cost, to compare table layouts.
func BenchmarkDatapath6(b *testing.B) {
	requireRoot(b)
	defer benchOnCPU0(b)()
	fr := cat(ethHdr(0x86dd), ip6{src: v6a, dst: v6b, nh: 6}.bytes(cat(tcpHdr(40000, 443, tcpACK), make([]byte, 10))))
	small := openBench(b, 4096)
	smallNew := openBench(b, 4096)
	fresh := openBench(b, 2*benchNew)
	var parse, lookup, existing, newFlow, newSmall, harvest float64
	for i := 0; i < b.N; i++ {
		parse += perPacket(b, small.progs.BenchParseOnly, fr, benchRepeat)
		lookup += perPacket(b, small.progs.BenchMeterLookupOnly, fr, benchRepeat)
		existing += perPacket(b, small.objs.FlowtapMeter, fr, benchRepeat)
		newFlow += perPacket(b, fresh.progs.BenchMeterNewflow, fr, benchNew)
		newSmall += perPacket(b, smallNew.progs.BenchMeterNewflow, fr, 4096)
		harvestAll(b, small.Datapath)
		harvestAll(b, smallNew.Datapath)
		start := time.Now()
		n, err := fresh.Harvest(HarvestRequest{Force: true}, func(*flow.Record) {})
		if err != nil || n != benchNew {
			b.Fatalf("harvested %d of %d: %v", n, benchNew, err)
		}
		harvest += float64(time.Since(start).Nanoseconds()) / float64(n)
	}
	N := float64(b.N)
	parse, lookup, existing, newFlow, newSmall, harvest = parse/N, lookup/N, existing/N, newFlow/N, newSmall/N, harvest/N
	b.ReportMetric(parse, "ns/pkt-parse")
	b.ReportMetric(lookup, "ns/pkt-lookup")
	b.ReportMetric(existing, "ns/pkt-existing")
	b.ReportMetric(newFlow, "ns/pkt-new")
	b.ReportMetric(newSmall, "ns/pkt-new-4k-cache")
	b.ReportMetric(harvest, "ns/entry-harvest")
	fmt.Printf("\nIPv6 (kernel-timed test runs): parse %.1f, parse + lookup %.1f, existing flow %.1f (%.2f x parse), new flow %.1f (128K cache), %.1f (4K cache) ns/pkt; harvest %.1f ns/entry (%dK entries)\n",
		parse, lookup, existing, existing/parse, newFlow, newSmall, harvest, benchNew>>10)
}
