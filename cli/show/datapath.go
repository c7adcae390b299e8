package show

import (
	"fmt"
	"io"
	"time"

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
// + parsed; parsed = sampled out + metered; metered = in flows + buffered
// (metered in batches, not yet applied) + creation failures.
func IPFlowDatapath(w io.Writer, v DatapathView) {
	var unparsed uint64
	for _, r := range v.Unparsed {
		unparsed += r.Count
	}
	parsed := v.IPv4 + v.IPv6
	// Counters are read per CPU while frames arrive: clamp the derived
	// lines rather than print a wrapped number.
	idlePorts := sub(v.Frames, unparsed+parsed)
	inFlows := sub(v.MeteredPackets, v.CreateFailPackets+v.BatchPending)
	fmt.Fprintln(w, "Flow datapath (XDP meter) statistics:")
	fmt.Fprintf(w, "  %d frames seen (%d bytes)\n", v.Frames, v.FrameBytes)
	fmt.Fprintf(w, "    %d frames not metered, unparsed\n", unparsed)
	for _, r := range v.Unparsed {
		fmt.Fprintf(w, "      %d %s\n", r.Count, r.Name)
	}
	fmt.Fprintf(w, "    %d frames on ports with metering off\n", idlePorts)
	fmt.Fprintf(w, "    %d packets parsed: %d IPv4, %d IPv6\n", parsed, v.IPv4, v.IPv6)
	fmt.Fprintf(w, "      %d packets sampled out\n", v.SampledOut)
	if v.Overload != nil || v.OverloadSampledOut != 0 {
		fmt.Fprintf(w, "        %d for overload\n", v.OverloadSampledOut)
	}
	fmt.Fprintf(w, "      %d packets metered (%d bytes)\n", v.MeteredPackets, v.MeteredBytes)
	fmt.Fprintf(w, "        %d packets counted in flows\n", inFlows)
	fmt.Fprintf(w, "        %d packets buffered, not yet in flows\n", v.BatchPending)
	fmt.Fprintf(w, "        %d packets failed flow creation (%d bytes)\n", v.CreateFailPackets, v.CreateFailBytes)
	fmt.Fprintf(w, "          %d cache full\n", v.CreateFailFull)
	fmt.Fprintf(w, "          %d hash bucket contention\n", v.CreateFailContention)
	fmt.Fprintf(w, "  %d flows created\n", v.FlowsCreated)
	fmt.Fprintf(w, "  %d end-of-flow notices, %d cache-full notices, %d notices lost\n", v.FinEvents, v.FullEvents, v.EventDrops)
	fmt.Fprintf(w, "  %d capture entries not stored (capture map full)\n", v.CaptureFull)
	overloadLines(w, v.Overload)
}

// overloadLines say whether overload protection samples now, at what
// rate, and how often and long it did.
func overloadLines(w io.Writer, o *dpstats.Overload) {
	switch {
	case o == nil || !o.Configured && o.Entered == 0:
		fmt.Fprintln(w, "  Overload protection: not configured")
		return
	case !o.Configured:
		fmt.Fprintln(w, "  Overload protection: not configured")
	case o.Active:
		fmt.Fprintf(w, "  Overload protection: active, sampling 1 in %d packets for %s\n", o.Rate, clockTime(o.Since))
	default:
		fmt.Fprintln(w, "  Overload protection: enabled, not active")
	}
	if o.Configured {
		budget := "none"
		if o.Budget > 0 {
			budget = fmt.Sprintf("%d ns/packet", o.Budget.Nanoseconds())
		}
		fmt.Fprintf(w, "    threshold %d%% refused, max rate 1 in %d, interval %d s, budget %s\n",
			o.Threshold, o.MaxRate, int(o.Interval.Seconds()), budget)
	}
	fmt.Fprintf(w, "    overloaded %d times, %s in all\n", o.Entered, clockTime(o.Time))
}

// clockTime is a duration as hh:mm:ss.
func clockTime(d time.Duration) string {
	s := int64(d / time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

func sub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}
