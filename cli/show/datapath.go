package show

import (
	"fmt"
	"io"

	"github.com/flowtap/flowtap/datapath/dpstats"
)

// DatapathView is the XDP meter's counters since it was loaded, for
// `show ip flow datapath`.
type DatapathView = dpstats.Counters

// Reason is a count under a name.
type Reason = dpstats.Reason

// IPFlowDatapath renders `show ip flow datapath` (a flowtap command in the
// style of `show mls netflow ip`): where every frame the meter saw went,
// so the lines add up: frames seen = not metered + on ports not metering
// + parsed; parsed = sampled out + metered; metered = in flows + creation
// failures.
func IPFlowDatapath(w io.Writer, v DatapathView) {
	var unparsed uint64
	for _, r := range v.Unparsed {
		unparsed += r.Count
	}
	parsed := v.IPv4 + v.IPv6
	// Counters are read per CPU while frames arrive: clamp the derived
	// lines rather than print a wrapped number.
	idlePorts := sub(v.Frames, unparsed+parsed)
	inFlows := sub(v.MeteredPackets, v.CreateFailPackets)
	fmt.Fprintln(w, "Flow datapath (XDP meter) statistics:")
	fmt.Fprintf(w, "  %d frames seen (%d bytes)\n", v.Frames, v.FrameBytes)
	fmt.Fprintf(w, "    %d frames not metered, unparsed\n", unparsed)
	for _, r := range v.Unparsed {
		fmt.Fprintf(w, "      %d %s\n", r.Count, r.Name)
	}
	fmt.Fprintf(w, "    %d frames on ports with metering off\n", idlePorts)
	fmt.Fprintf(w, "    %d packets parsed: %d IPv4, %d IPv6\n", parsed, v.IPv4, v.IPv6)
	fmt.Fprintf(w, "      %d packets sampled out\n", v.SampledOut)
	fmt.Fprintf(w, "      %d packets metered (%d bytes)\n", v.MeteredPackets, v.MeteredBytes)
	fmt.Fprintf(w, "        %d packets counted in flows\n", inFlows)
	fmt.Fprintf(w, "        %d packets failed flow creation (%d bytes)\n", v.CreateFailPackets, v.CreateFailBytes)
	fmt.Fprintf(w, "          %d cache full\n", v.CreateFailFull)
	fmt.Fprintf(w, "          %d hash bucket contention\n", v.CreateFailContention)
	fmt.Fprintf(w, "  %d flows created\n", v.FlowsCreated)
	fmt.Fprintf(w, "  %d end-of-flow notices, %d cache-full notices, %d notices lost\n", v.FinEvents, v.FullEvents, v.EventDrops)
}

func sub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}
