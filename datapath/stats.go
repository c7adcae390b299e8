package datapath

import (
	"fmt"

	"github.com/flowtap/flowtap/datapath/dpstats"
)

// ParseReason names why a frame was not metered; the order is enum
// parse_reason in bpf/meter.h.
var ParseReasons = [...]string{
	"ok", "non-ip", "truncated-l2", "too-many-vlan-tags", "mpls-non-ip",
	"mpls-stack-too-deep", "truncated-ip", "bad-ip-header", "ipv6-ext-chain-too-long",
	"truncated-l4",
}

// Stats are the meter's counters summed over CPUs.
type Stats struct {
	Frames, FrameBytes                 uint64
	MeteredPackets, MeteredBytes       uint64
	SampledOut                         uint64
	OverloadSampledOut                 uint64 // of SampledOut, by the overload sampler
	IPv4, IPv6                         uint64
	FlowsCreated                       uint64
	CreateFailPackets, CreateFailBytes uint64 // flows that could not be created
	CreateFailFull                     uint64 // ... the cache held its configured size
	CreateFailContention               uint64 // ... all four candidate buckets of the key were full
	FinEvents, FullEvents, EventDrops  uint64
	// CaptureFull counts metered packets whose flow had no capture entry
	// and found no room for one (ip flow-capture): the flow is exported
	// without its capture fields until a packet finds room.
	CaptureFull uint64
	// BatchPending are metered packets buffered on their CPU, not yet
	// counted into a flow nor refused (caches of 64K entries or more:
	// "Metering in batches"): of MeteredPackets, neither in flows nor
	// failed creation yet. Each harvest applies them.
	BatchPending  uint64
	Unparsed      [len(ParseReasons)]uint64
	SizeHistogram [26]uint64 // IOS packet size distribution buckets, both families
	// SizeHistogram6 is the IPv6 packets' share of SizeHistogram, bucket
	// for bucket (the meter counts it on the IPv6 path alone: the IPv4
	// share is the difference, SizeHistogram4).
	SizeHistogram6 [26]uint64
}

// SizeHistogram4 is the IPv4 packets' share of SizeHistogram.
func (s Stats) SizeHistogram4() [26]uint64 {
	h := s.SizeHistogram
	for i := range h {
		h[i] -= min(h[i], s.SizeHistogram6[i])
	}
	return h
}

// Stats reads and sums the per-CPU counters.
func (d *Datapath) Stats() (Stats, error) {
	var per []meterMeterStats
	if err := d.objs.Stats.Lookup(uint32(0), &per); err != nil {
		return Stats{}, fmt.Errorf("read meter stats: %w", err)
	}
	var s Stats
	for _, c := range per {
		s.Frames += c.Frames
		s.FrameBytes += c.FrameBytes
		s.MeteredPackets += c.MeteredPackets
		s.MeteredBytes += c.MeteredBytes
		s.SampledOut += c.SampledOut
		s.IPv4 += c.Ipv4
		s.IPv6 += c.Ipv6
		s.FlowsCreated += c.FlowsCreated
		s.CreateFailPackets += c.CreateFailPackets
		s.CreateFailBytes += c.CreateFailBytes
		s.CreateFailFull += c.CreateFailFull
		s.CreateFailContention += c.CreateFailContention
		s.FinEvents += c.FinEvents
		s.FullEvents += c.FullEvents
		s.EventDrops += c.EventDrops
		for i := range s.Unparsed {
			s.Unparsed[i] += c.Unparsed[i]
		}
		for i := range s.SizeHistogram {
			s.SizeHistogram[i] += c.SizeHist[i]
		}
	}
	var six []meterSizeHist
	if err := d.objs.SizeHist6.Lookup(uint32(0), &six); err != nil {
		return Stats{}, fmt.Errorf("read IPv6 size distribution: %w", err)
	}
	for _, c := range six {
		for i := range s.SizeHistogram6 {
			s.SizeHistogram6[i] += c.B[i]
		}
	}
	var full []uint64
	if err := d.objs.CaptureFull.Lookup(uint32(0), &full); err != nil {
		return Stats{}, fmt.Errorf("read capture counter: %w", err)
	}
	for _, n := range full {
		s.CaptureFull += n
	}
	oc, err := d.OverloadCounts()
	if err != nil {
		return Stats{}, err
	}
	s.OverloadSampledOut = oc.SampledOut
	pending, err := d.BatchPending()
	if err != nil {
		return Stats{}, err
	}
	for _, n := range pending {
		s.BatchPending += uint64(n)
	}
	return s, nil
}

// UnparsedTotal is every frame that was not metered for a parse reason.
func (s Stats) UnparsedTotal() uint64 {
	var n uint64
	for _, v := range s.Unparsed[1:] {
		n += v
	}
	return n
}

// Counters are s as `show ip flow datapath` and the SNMP agent report
// them: the unparsed frames by reason, leaving out "ok".
func (s Stats) Counters() dpstats.Counters {
	c := dpstats.Counters{
		Frames: s.Frames, FrameBytes: s.FrameBytes, IPv4: s.IPv4, IPv6: s.IPv6, SampledOut: s.SampledOut, OverloadSampledOut: s.OverloadSampledOut,
		MeteredPackets: s.MeteredPackets, MeteredBytes: s.MeteredBytes, FlowsCreated: s.FlowsCreated,
		CreateFailPackets: s.CreateFailPackets, CreateFailBytes: s.CreateFailBytes,
		CreateFailFull: s.CreateFailFull, CreateFailContention: s.CreateFailContention,
		BatchPending: s.BatchPending,
		FinEvents:    s.FinEvents, FullEvents: s.FullEvents, EventDrops: s.EventDrops,
		CaptureFull: s.CaptureFull,
	}
	for i, name := range ParseReasons[1:] {
		c.Unparsed = append(c.Unparsed, dpstats.Reason{Name: name, Count: s.Unparsed[i+1]})
	}
	return c
}
