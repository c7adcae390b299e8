package datapath

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/flowtap/flowtap/appliance/flow"
)

// BenchmarkCapture: what `ip flow-capture` and the MPLS label positions
// cost a packet of an existing flow, against the same program with
// capture off (the .bss switch only) and the parser alone, in the same
// run, alternating: with every field (packet-length and fragment-offset
// read the map on every packet) and with first-packet fields only. Kernel-timed test runs of one repeated packet, as
// BenchmarkDatapath: the capture map's entry stays in the CPU cache.
func BenchmarkCapture(b *testing.B) {
	requireRoot(b)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	fr := cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 6, id: 7}.bytes(cat(tcpHdr(40000, 443, tcpACK), make([]byte, 10))))
	off := openBench(b, 4096)
	on := openBench(b, 4096)
	all := flow.CapIPID | flow.CapPacketLength | flow.CapICMP | flow.CapFragOffset | flow.CapMPLS
	if err := on.SetCapture(CaptureSettings{Fields: all, LabelPositions: [3]uint8{1, 2, 3}}); err != nil {
		b.Fatal(err)
	}
	first := openBench(b, 4096)
	if err := first.SetCapture(CaptureSettings{Fields: flow.CapIPID | flow.CapICMP | flow.CapMPLS, LabelPositions: [3]uint8{1, 2, 3}}); err != nil {
		b.Fatal(err)
	}
	var parse, existingOff, existingOn, existingFirst float64
	for i := 0; i < b.N; i++ {
		parse += perPacket(b, off.progs.BenchParseOnly, fr, benchRepeat)
		existingOff += perPacket(b, off.objs.FlowtapMeter, fr, benchRepeat)
		existingOn += perPacket(b, on.objs.FlowtapMeter, fr, benchRepeat)
		existingFirst += perPacket(b, first.objs.FlowtapMeter, fr, benchRepeat)
	}
	N := float64(b.N)
	parse, existingOff, existingOn, existingFirst = parse/N, existingOff/N, existingOn/N, existingFirst/N
	b.ReportMetric(parse, "ns/pkt-parse")
	b.ReportMetric(existingOff, "ns/pkt-capture-off")
	b.ReportMetric(existingOn, "ns/pkt-capture-on")
	b.ReportMetric(existingFirst, "ns/pkt-capture-first-only")
	fmt.Printf("\ncapture (kernel-timed test runs, one existing flow):\n")
	fmt.Printf("  parse only          %6.1f ns/pkt\n", parse)
	fmt.Printf("  existing, capture off %6.1f ns/pkt = %.2f x parse\n", existingOff, existingOff/parse)
	fmt.Printf("  existing, capture on  %6.1f ns/pkt = %.2f x parse (+%.1f ns)\n", existingOn, existingOn/parse, existingOn-existingOff)
	fmt.Printf("  existing, ip-id/icmp/labels only %6.1f ns/pkt (+%.1f ns: the map is read on an entry's first packet only)\n", existingFirst, existingFirst-existingOff)
}
