package snmp

import (
	"fmt"
	"math"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/datapath/dpstats"
)

// flowtap's own objects for what CISCO-NETFLOW-MIB has no place for, under
// the enterprise arc of enterprise.go:
//
//	flowtapDatapath   flowtap.3: the XDP meter's counters since it was
//	                  loaded (Counter64 scalars), and flowtapUnparsedTable
//	                  (flowtap.3.20.1.{2 name, 3 frames}.REASON), the frames
//	                  it could not parse, by reason.
//	flowtapExportLossTable flowtap.4.1.1.{2..6}.COLLECTOR (the
//	                  cnfEICollectorTable index): per destination, flows and
//	                  packets lost to an unreachable collector, whether it is
//	                  unreachable now, and the flows and datagrams exported;
//	                  from column 13 on, the flows lost and their packets
//	                  by reason (13-14 no route, 15-16 adjacency, 17-18
//	                  too big, 19-20 other send errors, 21-22 no export
//	                  packet: offered to a closed exporter).
//	flowtapExportUncleanStopLost flowtap.4.{2 flows, 3 packets, 4 doubt
//	                  flows, 5 doubt packets}.0: what a killed daemon had
//	                  taken and not sent to destinations the restarted one
//	                  no longer has (Counter64 scalars).
//	flowtapExportUncleanStopHeldAgg flowtap.4.{6 flows, 7 packets, 8 doubt
//	                  flows, 9 doubt packets}.0: what killed daemons' aggregation
//	                  caches held (folded in, not yet written), all their
//	                  destinations summed; flowtapExportUncleanStopHeldBiflow
//	                  flowtap.4.{10..13}.0 the same for biflow destinations
//	                  (directions waiting for their partner, biflows not yet
//	                  written). Lost (Counter64 scalars).
//	flowtapExportRemoved flowtap.4.{14 flows, 15 datagrams, 16 lost
//	                  flows, 17 lost packets}.0: what destinations no
//	                  longer configured exported and lost since the
//	                  start, whose rows left the loss table (Counter64
//	                  scalars).
//	flowtapFibreTable flowtap.7.1.1.{3..8}.LINK.SIDE (mib_flowtap_taps.go):
//	                  each tap fibre's port, state (up, dark, silent...),
//	                  idle seconds and counters since the start.
var (
	oidDatapath   = oidFlowtap.Append(3)
	oidExportLoss = oidFlowtap.Append(4)
)

// DatapathStats are the meter's counters (datapath.Stats.Counters).
type DatapathStats = dpstats.Counters

// DatapathReason is one reason a frame was not parsed.
type DatapathReason = dpstats.Reason

// DatapathProvider is a NetflowProvider that also reports the meter.
type DatapathProvider interface {
	DatapathStats() (DatapathStats, error)
}

// RegisterFlowtapMIB adds flowtapExportLossTable over p and, when p is a
// DatapathProvider, flowtapDatapath.
func RegisterFlowtapMIB(r *Registry, p NetflowProvider) error {
	tables := []Table{exportLossTable(p)}
	scalars := uncleanStopScalars(p)
	if dp, ok := p.(DatapathProvider); ok {
		scalars = append(scalars, datapathScalars(dp)...)
		tables = append(tables, unparsedTable(dp))
	}
	if tp, ok := p.(TapProvider); ok {
		tables = append(tables, fibreTable(tp))
	}
	if err := registerAll(r, scalars, tables); err != nil {
		return fmt.Errorf("flowtap MIB: %w", err)
	}
	return nil
}

func uncleanStopScalars(p NetflowProvider) []Scalar {
	var out []Scalar
	group := func(first uint32, name string, which func(*ExportStats) *UncleanStopLoss) {
		c := func(id uint32, name string, f func(*UncleanStopLoss) uint64) Scalar {
			return Scalar{OID: oidExportLoss.Append(id), Name: name, Get: func() (Value, error) {
				e, err := p.ExportStats()
				if err != nil {
					return Value{}, err
				}
				return Counter64(f(which(&e))), nil
			}}
		}
		out = append(out,
			c(first, name+"Flows", func(l *UncleanStopLoss) uint64 { return l.Records }),
			c(first+1, name+"Packets", func(l *UncleanStopLoss) uint64 { return l.Packets }),
			c(first+2, name+"DoubtFlows", func(l *UncleanStopLoss) uint64 { return l.Doubt }),
			c(first+3, name+"DoubtPackets", func(l *UncleanStopLoss) uint64 { return l.DoubtPackets }))
	}
	group(2, "flowtapExportUncleanStopLost", func(e *ExportStats) *UncleanStopLoss { return &e.UncleanStopLost })
	group(6, "flowtapExportUncleanStopHeldAgg", func(e *ExportStats) *UncleanStopLoss { return &e.UncleanStopHeldAggregation })
	group(10, "flowtapExportUncleanStopHeldBiflow", func(e *ExportStats) *UncleanStopLoss { return &e.UncleanStopHeldBiflow })
	// What destinations no longer configured exported and lost: their
	// rows left the loss table, as IOS's tables drop a removed
	// destination, and these keep the sums over the table and them.
	removed := func(id uint32, name string, f func(*CollectorStats) uint64) Scalar {
		return Scalar{OID: oidExportLoss.Append(id), Name: name, Get: func() (Value, error) {
			e, err := p.ExportStats()
			if err != nil {
				return Value{}, err
			}
			return Counter64(f(&e.Retired)), nil
		}}
	}
	out = append(out,
		removed(14, "flowtapExportRemovedFlows", func(c *CollectorStats) uint64 { return c.Records }),
		removed(15, "flowtapExportRemovedDatagrams", func(c *CollectorStats) uint64 { return c.Packets }),
		removed(16, "flowtapExportRemovedLostFlows", func(c *CollectorStats) uint64 { return c.LostRecords }),
		removed(17, "flowtapExportRemovedLostPackets", func(c *CollectorStats) uint64 { return c.LostPackets }))
	return out
}

func datapathScalars(p DatapathProvider) []Scalar {
	c := func(id uint32, name string, f func(*DatapathStats) uint64) Scalar {
		return Scalar{OID: oidDatapath.Append(id), Name: name, Get: func() (Value, error) {
			s, err := p.DatapathStats()
			if err != nil {
				return Value{}, err
			}
			return Counter64(f(&s)), nil
		}}
	}
	return []Scalar{
		c(1, "flowtapDpFrames", func(s *DatapathStats) uint64 { return s.Frames }),
		c(2, "flowtapDpFrameOctets", func(s *DatapathStats) uint64 { return s.FrameBytes }),
		c(3, "flowtapDpIPv4Packets", func(s *DatapathStats) uint64 { return s.IPv4 }),
		c(4, "flowtapDpIPv6Packets", func(s *DatapathStats) uint64 { return s.IPv6 }),
		c(5, "flowtapDpSampledOut", func(s *DatapathStats) uint64 { return s.SampledOut }),
		c(6, "flowtapDpMeteredPackets", func(s *DatapathStats) uint64 { return s.MeteredPackets }),
		c(7, "flowtapDpMeteredOctets", func(s *DatapathStats) uint64 { return s.MeteredBytes }),
		c(8, "flowtapDpFlowsCreated", func(s *DatapathStats) uint64 { return s.FlowsCreated }),
		c(9, "flowtapDpCreateFailPackets", func(s *DatapathStats) uint64 { return s.CreateFailPackets }),
		c(10, "flowtapDpCreateFailOctets", func(s *DatapathStats) uint64 { return s.CreateFailBytes }),
		c(11, "flowtapDpCreateFailFull", func(s *DatapathStats) uint64 { return s.CreateFailFull }),
		c(12, "flowtapDpCreateFailContention", func(s *DatapathStats) uint64 { return s.CreateFailContention }),
		c(13, "flowtapDpEndOfFlowNotices", func(s *DatapathStats) uint64 { return s.FinEvents }),
		c(14, "flowtapDpCacheFullNotices", func(s *DatapathStats) uint64 { return s.FullEvents }),
		c(15, "flowtapDpNoticesLost", func(s *DatapathStats) uint64 { return s.EventDrops }),
		c(16, "flowtapDpOverloadSampledOut", func(s *DatapathStats) uint64 { return s.OverloadSampledOut }),
		// Overload protection: 0 when it was never configured.
		{OID: oidDatapath.Append(17), Name: "flowtapDpOverloadRate", Get: func() (Value, error) {
			s, err := p.DatapathStats()
			if err != nil || s.Overload == nil {
				return Gauge32(0), err
			}
			return Gauge32(s.Overload.Rate), nil
		}},
		c(18, "flowtapDpOverloadSeconds", func(s *DatapathStats) uint64 {
			if s.Overload == nil {
				return 0
			}
			return uint64(s.Overload.Time / time.Second)
		}),
		c(19, "flowtapDpOverloads", func(s *DatapathStats) uint64 {
			if s.Overload == nil {
				return 0
			}
			return s.Overload.Entered
		}),
		c(21, "flowtapDpCaptureFull", func(s *DatapathStats) uint64 { return s.CaptureFull }),
		// Packets buffered on their CPU now: a gauge.
		{OID: oidDatapath.Append(22), Name: "flowtapDpBatchPending", Get: func() (Value, error) {
			s, err := p.DatapathStats()
			if err != nil {
				return Gauge32(0), err
			}
			return Gauge32(uint32(min(s.BatchPending, math.MaxUint32))), nil
		}},
	}
}

func unparsedTable(p DatapathProvider) Table {
	return Table{
		Entry: oidDatapath.Append(20, 1), Name: "flowtapUnparsedTable",
		Columns: []Column{{ID: 2, Name: "flowtapUnparsedReason"}, {ID: 3, Name: "flowtapUnparsedFrames"}},
		Rows: func() ([]Row, error) {
			s, err := p.DatapathStats()
			if err != nil {
				return nil, err
			}
			rows := make([]Row, 0, len(s.Unparsed))
			for i, r := range s.Unparsed {
				rows = append(rows, Row{Index: OID{uint32(i + 1)}, Values: []Value{String(r.Name), Counter64(r.Count)}})
			}
			return rows, nil
		},
	}
}

// lossReasons name the loss table's per-reason column pairs (flows, then
// their packets), from column 13 on, in export.Stats.LostBy's order.
var lossReasons = []string{"NoRoute", "Adjacency", "TooBig", "SendError", "NoBuffer"}

var lossReasonColumns = func() []Column {
	var cols []Column
	for i, r := range lossReasons {
		id := uint32(13 + 2*i)
		cols = append(cols, Column{ID: id, Name: "flowtapExportLost" + r + "Flows"},
			Column{ID: id + 1, Name: "flowtapExportLost" + r + "Packets"})
	}
	return cols
}()

func exportLossTable(p NetflowProvider) Table {
	return Table{
		Entry: oidExportLoss.Append(1, 1), Name: "flowtapExportLossTable",
		Columns: append([]Column{
			{ID: 2, Name: "flowtapExportLostFlows"},
			{ID: 3, Name: "flowtapExportLostPackets"},
			{ID: 4, Name: "flowtapExportUnreachable"},
			{ID: 5, Name: "flowtapExportFlows"},
			{ID: 6, Name: "flowtapExportDatagrams"},
			{ID: 7, Name: "flowtapExportNotSelectedFlows"},
			{ID: 8, Name: "flowtapExportNotSelectedPackets"},
			{ID: 9, Name: "flowtapExportUncleanStopResentFlows"},
			{ID: 10, Name: "flowtapExportUncleanStopResentPackets"},
			{ID: 11, Name: "flowtapExportUncleanStopDoubtFlows"},
			{ID: 12, Name: "flowtapExportUncleanStopDoubtPackets"},
		}, lossReasonColumns...),
		Rows: func() ([]Row, error) {
			e, err := p.ExportStats()
			if err != nil {
				return nil, err
			}
			rows := make([]Row, 0, len(e.Collectors))
			for _, c := range e.Collectors {
				row := Row{Index: collectorIndex(cacheMain, c.Collector), Values: []Value{
					Counter64(c.LostRecords), Counter64(c.LostPackets), TruthValue(c.Unreachable),
					Counter64(c.Records), Counter64(c.Packets),
					Counter64(c.NotSelected), Counter64(c.NotSelectedPackets),
					Counter64(c.Resent), Counter64(c.ResentPackets), Counter64(c.Doubt), Counter64(c.DoubtPackets),
				}}
				for i := range lossReasons {
					var r export.LossReason
					if i < len(c.LostBy) {
						r = c.LostBy[i]
					}
					row.Values = append(row.Values, Counter64(r.Records), Counter64(r.Packets))
				}
				rows = append(rows, row)
			}
			return rows, nil
		},
	}
}
