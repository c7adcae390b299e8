package show

import (
	"net/netip"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
)

// The screens render from these views, not from the engines' own types,
// so that the CLIs build without the encoders, the flow cache or the
// datapath. appliance/daemon fills them; the mapping is its job.

// ExportStats is one collector's exporter: where it sends, in which
// format, and what it sent and lost. The fields and their order are
// `show ip flow export | json`'s.
type ExportStats struct {
	Collector netip.AddrPort
	Version   platform.ExportVersion
	// Anon says what the collector gets instead of real addresses; empty
	// when it gets them.
	Anon string

	Packets      uint64 // export packets sent and not refused
	Records      uint64 // flow records in them
	Bytes        uint64 // UDP payload bytes in them
	Errors       uint64 // packets lost to an unreachable collector
	ErrorRecords uint64
	// Of Errors, those lost for want of a route ("no fib"), of the next
	// hop's link-layer address ("adjacency issues"), and refused as too
	// big on the way ("fragmentation failures").
	NoRoute, Adjacency, TooBig uint64
	// Dropped counts packets thrown away for want of a queue slot (a
	// record offered to a closed exporter).
	Dropped        uint64
	DroppedRecords uint64
	// LostRecords and LostPackets are the flows of every record that did
	// not reach the collector and the packets those flows counted.
	LostRecords uint64
	LostPackets uint64
	// The same by cause; they sum to LostRecords and LostPackets.
	NoRouteRecords, NoRoutePackets     uint64
	AdjacencyRecords, AdjacencyPackets uint64
	TooBigRecords, TooBigPackets       uint64
	SendErrorRecords, SendErrorPackets uint64
	DroppedPackets                     uint64
	Unreachable                        bool // the collector is unreachable now
	// NotExportable counts records the format cannot carry.
	NotExportable uint64
	// Layer2NotSelected counts flows `ip flow export layer2-switched
	// vlan` leaves out and the packets they counted; Layer2Filter says the
	// destination has such a list.
	Layer2NotSelected        uint64
	Layer2NotSelectedPackets uint64
	Layer2Filter             bool
	// NDEFiltered counts flows a PFC's NDE flow filter left out and the
	// packets they counted.
	NDEFiltered        uint64
	NDEFilteredPackets uint64
	// FamilyNotSelected counts flows left out because the collector
	// takes the other address family only, and their packets.
	FamilyNotSelected        uint64
	FamilyNotSelectedPackets uint64
	Family                   int // 4 or 6: the one family the collector takes; 0 every one
	// Biflow says the collector gets RFC 5103 biflows; BiflowWaiting is
	// how many expired directions wait for their partner.
	Biflow        bool
	BiflowWaiting int
	// Resent counts the records a daemon killed before sending them left
	// in the spool and this one sent, with their packets; Doubt those of
	// them that the collector may have got twice (they were in the
	// packet being written at the kill).
	Resent, ResentPackets uint64
	Doubt, DoubtPackets   uint64

	LastTemplate time.Time // when a packet with templates was last sent
	LastError    error
}

// CacheExport is what became of a cache's flows, each flow once however
// many destinations it had: Exported when a destination sent it, else
// under the cause one had (a loss before a rule that left it out), with
// the packets the flows counted. The totals of `show ip flow export`.
type CacheExport struct {
	Exported, ExportedPackets                   uint64
	NoRoute, NoRoutePackets                     uint64
	Adjacency, AdjacencyPackets                 uint64
	TooBig, TooBigPackets                       uint64
	SendError, SendErrorPackets                 uint64
	NoBuffer, NoBufferPackets                   uint64
	NotExportable, NotExportablePackets         uint64
	Layer2NotSelected, Layer2NotSelectedPackets uint64
	NDEFiltered, NDEFilteredPackets             uint64
	FamilyNotSelected, FamilyNotSelectedPackets uint64
	Pending                                     uint64 // a gauge: flows not yet settled by every destination
}

// AggregationConfig is an aggregation cache's settings, defaults filled
// in.
type AggregationConfig struct {
	Scheme             platform.Scheme
	Entries            int
	ActiveTimeout      time.Duration
	InactiveTimeout    time.Duration
	SourceMinMask      uint8 // `mask source minimum`
	DestinationMinMask uint8 // `mask destination minimum`
}

// AggregationStats counts what an aggregation cache did.
type AggregationStats struct {
	Entries     int    // in use now
	Capacity    int    // the entries limit
	Added       uint64 // main-cache records folded in
	Created     uint64 // aggregates started
	Exported    uint64 // aggregates expired to the exporter
	Emergency   uint64 // aggregates expired early because the cache was full
	SkippedIPv6 uint64 // records an IPv4 aggregation cache cannot take
	AgerPolls   uint64 // ager passes
	Bytes       int    // memory the entries take
}

// Aggregate is one aggregation cache entry: the aggregate's key fields
// and counters in a flow.Record, and how many flows it folds.
type Aggregate struct {
	flow.Record
	Flows  uint64
	Scheme platform.Scheme
}

// CacheStats is the main cache's counters for `show ip cache flow` and
// `show services accounting`.
type CacheStats struct {
	Active   int // entries in use
	Capacity int // entries the cache holds

	Added   uint64
	Expired [flow.EndNoResource + 1]uint64 // indexed by flow.EndReason
	// Expired6 is the IPv6 flows' share of Expired and AtClear the IPv4
	// and IPv6 flows held at the last clear, for CacheView.Family.
	Expired6        [flow.EndNoResource + 1]uint64
	AtClear         [2]int
	AgerPolls       uint64
	AllocFailures   uint64 // flows the datapath could not create
	EmergencyPasses uint64 // harvests made because the cache was nearly full
	AggressiveAging bool   // Sup720 aggressive aging is on
	HarvestErrors   uint64

	// Protocols are IOS's protocol rows, in IOS's order; a row without
	// flows is not shown.
	Protocols []ProtocolStats
	// Protocols4 and Protocols6 are the IPv4 and the IPv6 flows' shares
	// of Protocols, row for row, for CacheView.Family (the engine splits
	// them: flowcache.Stats.Protocols4).
	Protocols4, Protocols6 []ProtocolStats

	LastCleared time.Time // zero: never
	Since       time.Time // last clear, or the cache's start
}

// ProtocolStats is one protocol row: what its expired flows counted.
type ProtocolStats struct {
	Name         string // IOS's label: TCP-WWW, UDP-DNS, ...
	Flows        uint64
	Packets      uint64
	Bytes        uint64
	ActiveMillis uint64 // sum of first-to-last packet times
	IdleMillis   uint64 // sum of last-packet-to-expiry times
}

// Total sums the protocol rows: the `Total:` line.
func (s *CacheStats) Total() ProtocolStats {
	var t ProtocolStats
	for _, p := range s.Protocols {
		t.Flows += p.Flows
		t.Packets += p.Packets
		t.Bytes += p.Bytes
		t.ActiveMillis += p.ActiveMillis
		t.IdleMillis += p.IdleMillis
	}
	return t
}

// TopTalkers is `ip flow-top-talkers`' list as of Generated.
type TopTalkers struct {
	Generated time.Time
	SortBy    platform.SortBy
	Flows     []flow.Record // best first
	Matched   int           // flows that passed the match criteria
	Processed int           // live flows looked at
}
