package snmp

import (
	"net/netip"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
)

// NetflowProvider is what CISCO-NETFLOW-MIB and IPFIX-MIB read. The daemon
// backs it with the flow cache, the exporters and the config model.
type NetflowProvider interface {
	CacheStats() (CacheStats, error)
	ExportStats() (ExportStats, error)
	TopFlows() (TopFlows, error)
}

// CacheStats describes the main cache (`show ip cache flow`).
type CacheStats struct {
	Enabled         bool
	Entries         uint32 // configured size: cnfCICacheEntries
	Active          uint32 // flows in the cache
	ActiveTimeout   time.Duration
	InactiveTimeout time.Duration
	// Protocols is indexed by NfProtocolTypes (1..21; 0 unused), as
	// flowcache.Stats.Protocols is; the "all"(22) row is their sum. The
	// IPv4 flows' rows (Stats.Protocols4), and PacketSizes the IPv4
	// packets': the MIB's cnfProtocolStatistics are what `show ip cache
	// flow` prints (docs/vendor-behaviour.md, 2.2).
	Protocols [flowcache.NumProtocols]flowcache.ProtocolStats
	// PacketSizes is the `IP packet size distribution`: the fraction of
	// packets in each of the 26 buckets, in thousandths.
	PacketSizes [26]uint16
	// SampledPackets is cnfESSampledPacket; 0 when not sampling.
	SampledPackets uint64
	// Since is the last clear of the statistics, or the cache's start.
	Since time.Time
	// Interfaces is every interface with its `ip flow ingress|egress`
	// (cnfCIInterfaceTable).
	Interfaces []InterfaceFlow
	// Aggregations are the `ip flow-aggregation cache` caches, each its
	// own cnfCICacheTable row.
	Aggregations []AggregationCacheStats
}

// InterfaceFlow is one cnfCIInterfaceEntry.
type InterfaceFlow struct {
	IfIndex         uint32
	Ingress, Egress bool
}

// AggregationCacheStats is one aggregation cache's row.
type AggregationCacheStats struct {
	Type            uint32 // NfCacheTypes: as(1) ... prefixPort(14)
	Enabled         bool   // `enabled` under the cache
	Entries         uint32
	Active          uint32
	ActiveTimeout   time.Duration
	InactiveTimeout time.Duration
	// SourceMinMask and DestinationMinMask are `mask source|destination
	// minimum`, 0 when not set.
	SourceMinMask, DestinationMinMask uint8
	// ExportVersion is the cache's `export version` (8 or 9) and
	// Collectors its `export destination`s: the cache's rows in
	// cnfEIExportInfoTable and cnfEICollectorTable. No collectors, no rows.
	ExportVersion uint32
	Collectors    []netip.AddrPort
}

// ExportStats describes the main cache's export.
type ExportStats struct {
	Version                uint32 // 5, 9 or 10 (IPFIX); 0 when not exporting
	PeerAS, OriginAS       bool   // ip flow-export version N peer-as|origin-as
	BGPNextHop             bool
	MaxCollectors          uint32
	TemplateTimeout        time.Duration
	OptionsTemplateTimeout time.Duration
	TemplateRefreshPackets uint32
	OptionsTemplateRefresh uint32
	Collectors             []CollectorStats
	// Templates and OptionsTemplates are the templates the main cache's v9
	// and IPFIX destinations define (cnfTemplateTable), each once however
	// many destinations send it; TemplatePolls,
	// how often the exporter checked them for a refresh.
	Templates, OptionsTemplates uint32
	TemplatePolls               uint32
	// Retired is what collectors no longer configured sent: the cnfES
	// sums go on counting it, so that removing a destination never takes
	// a Counter back.
	Retired CollectorStats
	// UncleanStopLost is what a daemon killed before sending them owed
	// destinations this one no longer has: lost (flowtap.4.2-5).
	UncleanStopLost UncleanStopLoss
	// UncleanStopHeldAggregation and UncleanStopHeldBiflow are what
	// killed daemons lost that aggregation caches (folded into
	// aggregates not yet written) and biflow destinations (waiting for
	// their partner, or not yet written) held, summed over their
	// destinations (flowtap.4.6-9 and 4.10-13).
	UncleanStopHeldAggregation, UncleanStopHeldBiflow UncleanStopLoss
	// FlowsExported, when CacheCounted, is the main cache's flows that
	// at least one destination sent, each once however many
	// destinations (cnfESRecordsExported: IOS's counters are the
	// cache's); without it the collectors' records are summed.
	// FlowsFailed, when CacheCounted, is the flows no destination sent
	// for want of an export packet, each once (cnfESPktsFailed; the
	// CLI's "flows failed due to lack of export packet").
	FlowsExported, FlowsFailed uint64
	CacheCounted               bool
}

// UncleanStopLoss counts the flows lost in an unclean stop because their
// destination is no longer configured, with their packets; Doubt those
// of them in the packet being written at the stop, which the collector
// may have received.
type UncleanStopLoss struct {
	Records, Packets    uint64
	Doubt, DoubtPackets uint64
}

// CollectorStats is one `ip flow-export destination`.
type CollectorStats struct {
	Collector netip.AddrPort
	Source    netip.AddrPort // zero when the kernel picks it
	Version   uint32         // 5, 7, 8, 9 or 10
	Packets   uint64         // export packets sent
	Records   uint64
	Bytes     uint64
	// Errors and Dropped are the export packets lost at the write (no
	// route, adjacency, too big, refused) and for want of a queue slot:
	// cnfESPktsDropped sums both ("dropped at the time of ipwrite ...
	// enqueue failed"). DroppedRecords are the flow records of the
	// latter: without a cache ledger, cnfESPktsFailed ("a flow record
	// could not be exported because of a pak allocation failure").
	Errors         uint64
	Dropped        uint64
	DroppedRecords uint64
	// LostRecords and LostPackets are the flows lost to an unreachable
	// collector and their packets; Unreachable, whether it is now
	// (flowtapExportLossTable).
	LostRecords, LostPackets uint64
	Unreachable              bool
	// LostBy is LostRecords and LostPackets by reason, in the order of
	// the loss table's per-reason columns (export.Stats.LostBy).
	LostBy []export.LossReason
	// NotSelected and NotSelectedPackets are the flows `ip flow export
	// layer2-switched vlan` kept from this collector (their VLAN is not
	// listed) or a PFC's NDE flow filter left out, and their packets.
	NotSelected, NotSelectedPackets uint64
	// Resent and ResentPackets are the flows a daemon killed before it
	// sent them left in its spool and this one exported; Doubt and
	// DoubtPackets those of them the collector may have got twice.
	Resent, ResentPackets uint64
	Doubt, DoubtPackets   uint64
	Since                 time.Time
}

// TopFlows is the NetFlow Top Talkers report.
type TopFlows struct {
	TopN         uint32
	SortBy       SortBy
	CacheTimeout time.Duration
	Generated    time.Time       // zero: no report
	Match        flowcache.Match // the `match` lines
	Matched      int             // flows that matched the criteria
	Processed    int             // flows looked at
	Flows        []flow.Record
}
