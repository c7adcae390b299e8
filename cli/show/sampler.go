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
