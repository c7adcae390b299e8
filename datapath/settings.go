package datapath

import (
	"fmt"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
)

// SamplingMode is how the meter picks 1 packet in N.
type SamplingMode uint32

const (
	SampleNone          SamplingMode = 0
	SampleDeterministic SamplingMode = 1 // every Nth packet, per CPU
	SampleRandom        SamplingMode = 2 // each packet with probability 1/N
)

func (m SamplingMode) String() string {
	switch m {
	case SampleDeterministic:
		return "deterministic"
	case SampleRandom:
		return "random"
	}
	return "none"
}

// Sampling is the meter's packet sampler setting; the exporter reads it
// back to write the sampling interval into the records.
type Sampling struct {
	Mode     SamplingMode
	Interval uint32 // N in 1-in-N; 0 or 1 means every packet
}

// PortSettings are per-port: verdict and whether `ip flow ingress` is on.
type PortSettings struct {
	Verdict platform.Verdict
	Meter   bool
}

// SetMask changes the flow mask. As on a PFC, the cache is exported and
// purged when the mask changes: emit receives every flow metered under the
// old mask (EndForced). Flows that arrive during the purge under the new
// mask are purged too, which the PFC does as well. The zero Mask is the
// key the datapath starts with, the router's 7-tuple.
func (d *Datapath) SetMask(m platform.Mask, emit func(*flow.Record)) error {
	return d.SetMasks(m, 0, emit)
}

// SetMasks is SetMask with a mask of its own for IPv6 flows (a PFC3's or
// PFC4's `mls flow ipv6`); m6 0 keys IPv6 flows with m.
func (d *Datapath) SetMasks(m, m6 platform.Mask, emit func(*flow.Record)) error {
	if m == 0 {
		m = platform.MaskSevenTuple
	}
	d.mu.Lock()
	changed := m != d.mask || m6 != d.mask6
	d.mask, d.mask6 = m, m6
	if m6 == 0 {
		m6 = m
	}
	err := d.setCfg(func(c *meterMeterCfg) {
		c.Mask4 = words4(m)
		c.Mask6 = words6(m6)
	})
	d.mu.Unlock()
	if err != nil || !changed || emit == nil {
		return err
	}
	if _, err := d.Harvest(HarvestRequest{Force: true}, emit); err != nil {
		return fmt.Errorf("purge cache after mask change: %w", err)
	}
	return nil
}

// Mask6 returns the IPv6 flows' own mask in force; 0 when they use Mask.
func (d *Datapath) Mask6() platform.Mask {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.mask6
}

// Mask returns the flow mask in force.
func (d *Datapath) Mask() platform.Mask {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.mask
}

// SetSampling changes the sampler without reloading the program.
func (d *Datapath) SetSampling(s Sampling) error {
	if s.Mode > SampleRandom {
		return fmt.Errorf("unknown sampling mode %d", s.Mode)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.setCfg(func(c *meterMeterCfg) {
		c.SampleMode = uint32(s.Mode)
		c.SampleN = s.Interval
		// The meter runs its select stage only while a bit of
		// cfg.selects is set; the sampler's goes in the same write as
		// its mode.
		if s.Mode != SampleNone {
			c.Selects |= selectsSampler
		} else {
			c.Selects &^= selectsSampler
		}
	})
}

// Sampling returns the sampler in force.
func (d *Datapath) Sampling() Sampling {
	d.mu.Lock()
	defer d.mu.Unlock()
	return Sampling{Mode: SamplingMode(d.cfg.SampleMode), Interval: d.cfg.SampleN}
}

// SetPort sets one port's verdict and metering. Ports whose ifindex is
// beyond the port table use the default settings.
func (d *Datapath) SetPort(ifindex int, s PortSettings) error {
	flags := portFlags(s)
	if ifindex >= 0 && ifindex < maxPorts {
		if err := d.objs.Ports.Put(uint32(ifindex), meterPortCfg{Flags: flags}); err != nil {
			return fmt.Errorf("set port %d: %w", ifindex, err)
		}
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.setCfg(func(c *meterMeterCfg) { c.DefaultPortFlags = flags })
}

const maxPorts = 65536 // MAX_PORTS in meter.h

// MaxPorts is the first ifindex past the port tables: the ports numbered
// from it share one setting (the last SetPort of any of them) and can
// have no sampler or filter.
const MaxPorts = maxPorts

func portFlags(s PortSettings) uint32 {
	var f uint32
	if s.Verdict == platform.Inline {
		f |= 0x01
	}
	if !s.Meter {
		f |= 0x02
	}
	return f
}

// meter_cfg.selects: which parts of the meter's select stage are set
// (bpf/meter.h); with none the stage is one test a packet.
const (
	selectsPorts    = uint32(meterSelectsBitsSELECTS_PORTS)
	selectsSampler  = uint32(meterSelectsBitsSELECTS_SAMPLER)
	selectsOverload = uint32(meterSelectsBitsSELECTS_OVERLOAD)
)

// setCfg changes d.cfg by f and publishes it to the program. The
// settings call it under d.mu, SetOverloadRate without (cfgMu alone).
func (d *Datapath) setCfg(f func(c *meterMeterCfg)) error {
	d.cfgMu.Lock()
	defer d.cfgMu.Unlock()
	f(&d.cfg)
	if err := d.objs.Cfg.Set(d.cfg); err != nil {
		return fmt.Errorf("write meter settings: %w", err)
	}
	return nil
}
