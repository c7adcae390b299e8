// Package dpstats is the XDP meter's counters as the management planes
// report them (`show ip flow datapath`, SNMP's flowtapDatapath): one
// plain type, so that the CLI and the SNMP agent read the same figures
// without either loading the BPF datapath package.
package dpstats

import "time"

// Counters are the meter's counters since it was loaded.
type Counters struct {
	Frames, FrameBytes uint64
	IPv4, IPv6         uint64
	SampledOut         uint64
	// OverloadSampledOut are the packets of SampledOut that overload
	// protection left out (ip flow-cache overload-protection).
	OverloadSampledOut           uint64
	MeteredPackets, MeteredBytes uint64
	FlowsCreated                 uint64
	// Packets of flows that could not be created, and why.
	CreateFailPackets, CreateFailBytes uint64
	CreateFailFull                     uint64
	CreateFailContention               uint64
	Unparsed                           []Reason // frames not metered, in the order of datapath.ParseReasons[1:]
	FinEvents, FullEvents, EventDrops  uint64
	// CaptureFull are metered packets whose flow had no capture entry
	// and the capture map no room for one: their flows export without
	// the ip flow-capture fields (zero) until a packet finds room.
	CaptureFull uint64
	// BatchPending are metered packets a CPU holds in its buffer, not
	// yet counted into a flow nor refused (caches metered in batches:
	// datapath/README.md, "Metering in batches"); the next harvest
	// applies them.
	BatchPending uint64
	// Overload is nil when overload protection was never configured.
	Overload *Overload `json:",omitempty"`
}

// Overload is overload protection's state (ip flow-cache
// overload-protection) as the screens and SNMP report it.
type Overload struct {
	Configured bool   // on now (it may have run before and been removed)
	Active     bool   // sampling for overload now
	Rate       uint32 // 1-in-N in force, 0 when not active
	// The settings in force, defaults filled.
	Threshold int // percent
	MaxRate   uint32
	Interval  time.Duration
	Budget    time.Duration
	Since     time.Duration // how long the current overload has lasted
	Entered   uint64        // times it began
	Time      time.Duration // overloaded in all
}

// Reason is a count of frames under the name of why they were not parsed.
type Reason struct {
	Name  string
	Count uint64
}
