package export

import "net/netip"

// The exporter-statistics options table (IOS-XE `option exporter-stats`,
// IOS `ip flow-export template options export-stats`): one row naming the
// exporting socket and the collector, with what went to that collector
// so far. IEs from the IANA registry (RFC 7011, RFC 5102).
const (
	ieExportedOctets   = 40  // exportedOctetTotalCount
	ieExportedMessages = 41  // exportedMessageTotalCount
	ieExportedFlows    = 42  // exportedFlowRecordTotalCount
	ieExporterIPv4     = 130 // exporterIPv4Address
	ieExporterIPv6     = 131 // exporterIPv6Address
	ieNotSentFlows     = 166 // notSentFlowTotalCount
	ieNotSentPackets   = 167 // notSentPacketTotalCount
	ieCollectorIPv4    = 211 // collectorIPv4Address
	ieCollectorIPv6    = 212 // collectorIPv6Address
	ieCollectorPort    = 216 // collectorTransportPort
	ieExporterPort     = 217 // exporterTransportPort
	// templateIDExporterStats is past every aggregation scheme's and
	// below the application table's.
	templateIDExporterStats = 510
)

// ExporterStatsRow is what one exporter-statistics row says: the socket's
// two ends and the destination's counters (Stats) when it is written.
type ExporterStatsRow struct {
	Exporter, Collector netip.AddrPort
	// Messages, Octets and Flows are Stats.Packets, Bytes and Records:
	// what was sent and not refused, counted from the exporter's start
	// (RFC 7011: since the Exporting Process's initialization; `clear`
	// resets only what the CLI shows).
	Messages, Octets, Flows uint64
	// NotSentFlows and NotSentPackets are Stats.LostRecords and
	// LostPackets: the flows that did not reach the collector, for
	// every reason, and the packets they counted.
	NotSentFlows, NotSentPackets uint64
}

// exporterStatsOptions is the table for a collector of family v6 or not.
// In IPFIX the two ends are the scope (any IE may scope, RFC 7011 section
// 3.4.2.1); v9 scopes only by its five scope types, so System (the
// source id) scopes and the ends are ordinary fields, as IOS-XE's v9
// options do.
func exporterStatsOptions(v Version, v6 bool) *optionsTemplate {
	exp, col, alen := uint16(ieExporterIPv4), uint16(ieCollectorIPv4), uint16(4)
	if v6 {
		exp, col, alen = ieExporterIPv6, ieCollectorIPv6, 16
	}
	ends := []field{{id: exp, length: alen}, {id: ieExporterPort, length: 2}, {id: col, length: alen}, {id: ieCollectorPort, length: 2}}
	counts := []field{
		{id: ieExportedMessages, length: 8}, {id: ieExportedOctets, length: 8}, {id: ieExportedFlows, length: 8},
		{id: ieNotSentFlows, length: 8}, {id: ieNotSentPackets, length: 8},
	}
	if v == IPFIX {
		return &optionsTemplate{id: templateIDExporterStats, scope: ends, options: counts}
	}
	return &optionsTemplate{id: templateIDExporterStats, scope: []field{{id: v9ScopeSystem, length: 4}}, options: append(ends, counts...)}
}

func (e *templated) exporterStatsRowLen() int {
	n := 0
	for _, f := range e.expStats.scope {
		n += int(f.length)
	}
	for _, f := range e.expStats.options {
		n += int(f.length)
	}
	return n
}

// writeExporterStatsRow writes the row, read from the exporter as it is
// written: the counters of the packets before this one.
func (e *templated) writeExporterStatsRow() {
	if e.expStats == nil || e.cfg.exporterStats == nil {
		return
	}
	if e.n+setHeaderLen+e.exporterStatsRowLen()+e.padReserve() > len(e.buf) {
		return // next packet
	}
	r := e.cfg.exporterStats()
	e.startSet(e.expStats.id)
	b := e.buf[e.n:]
	i := 0
	if e.cfg.Version != IPFIX {
		be.PutUint32(b, e.cfg.ObservationDomain) // scope System
		i = 4
	}
	putAddr := func(a netip.Addr, n int) {
		if n == 4 {
			a4 := a.Unmap()
			if a4.Is4() {
				s := a4.As4()
				copy(b[i:], s[:])
			} else {
				clear(b[i : i+4])
			}
		} else {
			s := a.As16()
			if !a.IsValid() {
				s = [16]byte{}
			}
			copy(b[i:], s[:])
		}
		i += n
	}
	alen := 4
	if e.expStatsV6 {
		alen = 16
	}
	putAddr(r.Exporter.Addr(), alen)
	be.PutUint16(b[i:], r.Exporter.Port())
	i += 2
	putAddr(r.Collector.Addr(), alen)
	be.PutUint16(b[i:], r.Collector.Port())
	i += 2
	for _, v := range [...]uint64{r.Messages, r.Octets, r.Flows, r.NotSentFlows, r.NotSentPackets} {
		be.PutUint64(b[i:], v)
		i += 8
	}
	e.n += i
	e.records++
	e.optDataRecs++
	e.closeSet()
	e.expStatsDue = false
}
