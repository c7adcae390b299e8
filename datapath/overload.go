package datapath

import (
	"fmt"
	"time"
)

// OverloadSamplerBase is the sampler id a record metered under overload
// sampling carries, plus the id of the sampler that passed its packets
// first (0: the global sampler). See bpf/overload.h.
const OverloadSamplerBase = uint16(meterOverloadLayoutOVERLOAD_SID_BASE)

// SetOverloadRate sets the overload sampler: every packet the filters and
// samplers passed is metered 1 in n more (per CPU, deterministic); 0 or 1
// turns it off. It applies at once, with no reload. A reloaded program
// starts with it off.
func (d *Datapath) SetOverloadRate(n uint32) error {
	// The meter reads the rate only while cfg.selects has
	// SELECTS_OVERLOAD: set before a rate over 1 is written, cleared
	// after one of 0 or 1 is, so no packet skips a rate in force. Under
	// cfgMu alone, not d.mu: the rate must not wait for a harvest.
	d.overloadMu.Lock()
	defer d.overloadMu.Unlock()
	if n > 1 {
		if err := d.setCfg(func(c *meterMeterCfg) { c.Selects |= selectsOverload }); err != nil {
			return err
		}
	}
	if err := d.objs.Overload.Set(meterOverloadCfg{N: n}); err != nil {
		return fmt.Errorf("set overload sampling rate: %w", err)
	}
	if n <= 1 {
		return d.setCfg(func(c *meterMeterCfg) { c.Selects &^= selectsOverload })
	}
	return nil
}

// OverloadRate is the overload sampler's 1-in-n in force (0: off).
func (d *Datapath) OverloadRate() (uint32, error) {
	var c meterOverloadCfg
	if err := d.objs.Overload.Get(&c); err != nil {
		return 0, fmt.Errorf("read overload sampling rate: %w", err)
	}
	return c.N, nil
}

// OverloadCounts are the overload sampler's packets, summed over CPUs:
// Taken passed it while it was on, SampledOut it left out (these are in
// Stats.SampledOut too).
type OverloadCounts struct {
	Taken, SampledOut uint64
}

// OverloadCounts reads the overload sampler's counters.
func (d *Datapath) OverloadCounts() (OverloadCounts, error) {
	var per []meterOverloadCount
	if err := d.objs.OverloadCounts.Lookup(uint32(0), &per); err != nil {
		return OverloadCounts{}, fmt.Errorf("read overload sampler counters: %w", err)
	}
	var c OverloadCounts
	for _, p := range per {
		c.Taken += p.Taken
		c.SampledOut += p.Skipped
	}
	return c, nil
}

// RunStats is the meter program's run time and run count from the
// kernel's BPF statistics; both stay 0 unless statistics are on
// (ebpf.EnableStats or kernel.bpf_stats_enabled).
func (d *Datapath) RunStats() (time.Duration, uint64, error) {
	s, err := d.objs.FlowtapMeter.Stats()
	if err != nil {
		return 0, 0, fmt.Errorf("read meter run statistics: %w", err)
	}
	return s.Runtime, s.RunCount, nil
}
