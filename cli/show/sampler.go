package show

import (
	"fmt"
	"io"
)

// FlowSampler is one `flow-sampler-map` as `show flow-sampler` gives it.
type FlowSampler struct {
	Name          string
	ID            int    // the id exports carry; 0 while no port uses the map
	Matched       uint64 // packets the sampler took
	Deterministic bool
	Interval      uint32
}

// FlowSamplers is IOS's `show flow-sampler`.
func FlowSamplers(w io.Writer, ss []FlowSampler) {
	for _, s := range ss {
		mode := "random"
		if s.Deterministic {
			mode = "deterministic"
		}
		fmt.Fprintf(w, " Sampler : %s, id : %d, packets matched : %d, mode : %s sampling mode\n", s.Name, s.ID, s.Matched, mode)
		fmt.Fprintf(w, "  sampling interval is : %d\n", s.Interval)
	}
}

// SamplingInstance is one of the datapath's samplers as JunOS's `show
// forwarding-options sampling` gives it: the same counters `show
// flow-sampler` and the IPFIX-MIB's selection processes read.
type SamplingInstance struct {
	Name string // "global", "sampling instance", or a flow-sampler-map
	ID   int
	Mode string // deterministic, random, none
	Rate uint32 // 1 out of Rate
	// RunLength and MaxPacketsPerSecond are JunOS's instance options; 0
	// when not set.
	RunLength, MaxPacketsPerSecond   uint32
	PacketsObserved, PacketsSelected uint64
}

// ForwardingOptionsSampling renders `show forwarding-options sampling`:
// each sampler with what it was offered and what it passed to metering.
func ForwardingOptionsSampling(w io.Writer, ss []SamplingInstance) {
	for i, s := range ss {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "Instance: %s, Id: %d\n", s.Name, s.ID)
		fmt.Fprintf(w, "  Mode: %s, Rate: 1 out of %d", s.Mode, max(s.Rate, 1))
		if s.RunLength != 0 {
			fmt.Fprintf(w, ", Run-length: %d", s.RunLength)
		}
		if s.MaxPacketsPerSecond != 0 {
			fmt.Fprintf(w, ", Max packets per second: %d", s.MaxPacketsPerSecond)
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "  Packets observed: %d, Packets selected: %d, Packets not selected: %d\n",
			s.PacketsObserved, s.PacketsSelected, s.PacketsObserved-min(s.PacketsSelected, s.PacketsObserved))
	}
}

// ForwardingOptionsSamplingJSON is its `| display json`.
func ForwardingOptionsSamplingJSON(ss []SamplingInstance) any {
	if ss == nil {
		ss = []SamplingInstance{}
	}
	return map[string]any{"Instances": ss}
}
