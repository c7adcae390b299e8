package overload

import (
	"fmt"
	"io"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/datapath"
)

// Datapath is the XDP meter as a Meter.
type Datapath struct{ D *datapath.Datapath }

// OverloadReading reads the meter's counters and, when the kernel's BPF
// statistics are on, its run time.
func (m Datapath) OverloadReading() (Reading, error) {
	st, err := m.D.Stats()
	if err != nil {
		return Reading{}, err
	}
	oc, err := m.D.OverloadCounts()
	if err != nil {
		return Reading{}, err
	}
	r := Reading{Metered: st.MeteredPackets, Refused: st.CreateFailPackets, SampledOut: oc.SampledOut}
	if run, runs, err := m.D.RunStats(); err == nil {
		r.Run, r.Runs = run, runs
	}
	return r, nil
}

// EnableRunStats turns on the kernel's BPF run statistics (run time and
// count of every program) until the Closer is closed: BPF_ENABLE_STATS
// holds them on for as long as its descriptor is open, whatever
// kernel.bpf_stats_enabled says.
func (m Datapath) EnableRunStats() (io.Closer, error) {
	c, err := ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME))
	if err != nil {
		return nil, fmt.Errorf("enable BPF run statistics: %w", err)
	}
	return c, nil
}

// SetOverloadRate sets the datapath's overload sampler.
func (m Datapath) SetOverloadRate(n uint32) error { return m.D.SetOverloadRate(n) }
