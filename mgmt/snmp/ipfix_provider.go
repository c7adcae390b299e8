package snmp

import (
	"net/netip"
	"time"
)

// IPFIXProvider is a NetflowProvider that describes the exporter as
// RFC 6615 models one: when Config.Netflow implements it, IPFIX-MIB has
// its templates, metering and selection processes and their statistics.
// Otherwise the transport sessions are derived from ExportStats alone.
type IPFIXProvider interface {
	IPFIX() (IPFIXState, error)
}

// IPFIXState is one consistent reading of the IPFIX device.
type IPFIXState struct {
	Sessions          []IPFIXSession
	Caches            []MeteringProcess
	ObservationPoints []ObservationPoint
	Selections        []SelectionProcess
}

// IPFIXSession is one v9 or IPFIX export destination of a cache: a
// transport session in exporting mode.
type IPFIXSession struct {
	// Key identifies the destination across readings; the session's
	// ipfixTransportSessionIndex follows it.
	Key       string
	Cache     uint32 // ipfixMeteringProcessCacheId of the cache it exports
	Protocol  uint8  // 17: flowtap exports over UDP only
	Collector netip.AddrPort
	Source    netip.AddrPort // zero when the kernel picks it
	Version   uint32         // 9 or 10
	Domain    uint32         // observation domain id (v9 source id)

	TemplateTimeout, OptionsTemplateTimeout        time.Duration
	TemplateRefreshPackets, OptionsTemplateRefresh uint32
	Active                                         bool // not unreachable

	// Counters since Since (the destination's start or the last `clear
	// ip flow stats`, which the CLI's counters also count from).
	Packets, Bytes, Records, Discarded uint64
	Templates, OptionsTemplates        uint64
	Since                              time.Time

	Templ []IPFIXTemplate
}

// IPFIXTemplate is one template the session sends.
type IPFIXTemplate struct {
	ID       uint16
	SetID    uint16
	LastSent time.Time // zero: not sent yet
	Records  uint64    // data records sent with it since Since
	Since    time.Time
	Fields   []IPFIXField
}

// IPFIXField is one field specifier of a template.
type IPFIXField struct {
	IE, Length  uint16
	Enterprise  uint32
	Scope, Flow bool // scope field; flow key
}

// MeteringProcess is one cache: the main cache or an aggregation cache.
type MeteringProcess struct {
	CacheID            uint32
	ObservationGroup   uint32 // ipfixObservationPointGroupId of its points, 0: none
	Active, Idle       time.Duration
	ActiveFlows, Free  uint32
	DataRecords        uint64 // records it generated since Since
	Since              time.Time
	SelectionProcesses []uint32 // indexes into the selection processes that feed it
}

// Direction is ipfixObservationPointPhysicalEntityDirection.
type Direction int32

const (
	DirUnknown Direction = 0
	DirIngress Direction = 1
	DirEgress  Direction = 2
	DirBoth    Direction = 3
)

// ObservationPoint is one port the meter observes.
type ObservationPoint struct {
	Group, Index uint32
	Domain       uint32
	IfIndex      uint32
	Direction    Direction
}

// SelectorKind is a selector function of IPFIX-SELECTOR-MIB / PSAMP-MIB.
type SelectorKind uint8

const (
	SelectAll         SelectorKind = iota + 1 // ipfixFuncSelectAll
	SelectCountBased                          // psampSampCountBased: 1 packet in Interval, deterministic
	SelectRandOutOfN                          // psampSampRandOutOfN: 1 in Interval at random
	SelectFilterMatch                         // psampFiltPropMatch: an input filter
)

// SelectionProcess is one selector of the datapath, with its counters.
type SelectionProcess struct {
	Cache    uint32 // the cache it feeds
	Index    uint32 // ipfixSelectionProcessIndex
	Name     string // what the CLI calls it: a sampler map, "global", a filter
	Kind     SelectorKind
	Interval uint32 // for the samplers: 1 packet in Interval
	// Observed counts the packets offered to the selector, Dropped those
	// it did not pass on, since Since.
	Observed, Dropped uint64
	Since             time.Time
}
