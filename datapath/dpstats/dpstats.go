// Package dpstats is the XDP meter's counters as the management planes
// report them (`show ip flow datapath`, SNMP's flowtapDatapath): one
// plain type, so that the CLI and the SNMP agent read the same figures
// without either loading the BPF datapath package.
package dpstats

// Counters are the meter's counters since it was loaded.
type Counters struct {
	Frames, FrameBytes           uint64
	IPv4, IPv6                   uint64
	SampledOut                   uint64
	MeteredPackets, MeteredBytes uint64
	FlowsCreated                 uint64
	// Packets of flows that could not be created, and why.
	CreateFailPackets, CreateFailBytes uint64
	CreateFailFull                     uint64
	CreateFailContention               uint64
	Unparsed                           []Reason // frames not metered, in the order of datapath.ParseReasons[1:]
	FinEvents, FullEvents, EventDrops  uint64
}

// Reason is a count of frames under the name of why they were not parsed.
type Reason struct {
	Name  string
	Count uint64
}
