package overload

import (
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

// SetOverloadRate sets the datapath's overload sampler.
func (m Datapath) SetOverloadRate(n uint32) error { return m.D.SetOverloadRate(n) }
