package snmp

import (
	"fmt"
	"time"
)

var (
	oidIPFIXSessionEntry      = mustOID("1.3.6.1.2.1.193.1.1.1.1") // ipfixTransportSessionEntry
	oidIPFIXSessionStatsEntry = mustOID("1.3.6.1.2.1.193.1.2.1.1") // ipfixTransportSessionStatsEntry
)

const (
	ipProtoUDP          = 17
	deviceModeExporting = 1
	sessionActive       = 2
)

// RegisterIPFIXMIB adds IPFIX-MIB's transport session table and its
// statistics (RFC 6615) for the destinations that speak v9 or IPFIX: the
// others are not IPFIX transport sessions. Columns with no data behind
// them (rate, template counts) are left out.
func RegisterIPFIXMIB(r *Registry, p NetflowProvider, uptime func(time.Time) uint32) error {
	sessions := func() ([]CollectorStats, ExportStats, error) {
		e, err := p.ExportStats()
		if err != nil {
			return nil, e, err
		}
		var out []CollectorStats
		for _, c := range e.Collectors {
			if c.Version == 9 || c.Version == 10 {
				out = append(out, c)
			}
		}
		return out, e, nil
	}
	names := []string{"Protocol", "SourceAddressType", "SourceAddress", "DestinationAddressType",
		"DestinationAddress", "SourcePort", "DestinationPort", "SctpAssocId", "DeviceMode",
		"TemplateRefreshTimeout", "OptionsTemplateRefreshTimeout", "TemplateRefreshPacket",
		"OptionsTemplateRefreshPacket", "IpfixVersion", "Status"}
	cols := make([]Column, len(names))
	for i, n := range names {
		cols[i] = Column{ID: uint32(i + 2), Name: "ipfixTransportSession" + n}
	}
	session := Table{Entry: oidIPFIXSessionEntry, Name: "ipfixTransportSessionTable", Columns: cols,
		Rows: func() ([]Row, error) {
			list, e, err := sessions()
			if err != nil {
				return nil, err
			}
			rows := make([]Row, 0, len(list))
			for i, c := range list {
				srcType, src := inetAddress(c.Source.Addr())
				dstType, dst := inetAddress(c.Collector.Addr())
				rows = append(rows, Row{Index: OID{uint32(i + 1)}, Values: []Value{
					Unsigned32(ipProtoUDP), Integer(srcType), OctetString(src), Integer(dstType), OctetString(dst),
					Unsigned32(uint32(c.Source.Port())), Unsigned32(uint32(c.Collector.Port())), Unsigned32(0),
					Integer(deviceModeExporting),
					Unsigned32(uint32(e.TemplateTimeout / time.Second)), Unsigned32(uint32(e.OptionsTemplateTimeout / time.Second)),
					Unsigned32(e.TemplateRefreshPackets), Unsigned32(e.OptionsTemplateRefresh),
					Unsigned32(c.Version), Integer(sessionActive),
				}})
			}
			return rows, nil
		}}
	stats := Table{Entry: oidIPFIXSessionStatsEntry, Name: "ipfixTransportSessionStatsTable",
		Columns: []Column{
			{ID: 2, Name: "ipfixTransportSessionPackets"}, {ID: 3, Name: "ipfixTransportSessionBytes"},
			{ID: 4, Name: "ipfixTransportSessionMessages"}, {ID: 5, Name: "ipfixTransportSessionDiscardedMessages"},
			{ID: 6, Name: "ipfixTransportSessionRecords"}, {ID: 9, Name: "ipfixTransportSessionDiscontinuityTime"},
		},
		Rows: func() ([]Row, error) {
			list, _, err := sessions()
			if err != nil {
				return nil, err
			}
			rows := make([]Row, 0, len(list))
			for i, c := range list {
				// Over UDP every message is one packet.
				rows = append(rows, Row{Index: OID{uint32(i + 1)}, Values: []Value{
					Counter64(c.Packets), Counter64(c.Bytes), Counter64(c.Packets),
					Counter64(c.Errors + c.Dropped), Counter64(c.Records), TimeTicks(uptime(c.Since)),
				}})
			}
			return rows, nil
		}}
	if err := registerAll(r, nil, []Table{session, stats}); err != nil {
		return fmt.Errorf("IPFIX-MIB: %w", err)
	}
	return nil
}
