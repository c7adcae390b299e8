package snmp

import (
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

// cnfTopFlowsReportSource: the report is computed from the flow cache by
// software.
const reportSourceSoftware = 3

func (m *netflowMIB) topFlowsScalars() []Scalar {
	tf := oidNetflow.Append(7)
	get := func(f func(*TopFlows) Value) func() (Value, error) {
		return func() (Value, error) {
			t, err := m.p.TopFlows()
			if err != nil {
				return Value{}, err
			}
			return f(&t), nil
		}
	}
	var wTopN, wSortBy, wTimeout *Write
	if s := m.set; s != nil {
		wTopN = unsignedWrite("cnfTopFlowsTopN", 0, maxTopN,
			func() (uint32, error) { t, err := m.p.TopFlows(); return t.TopN, err }, s.SetTopFlowsTopN)
		wSortBy = enumWrite("cnfTopFlowsSortBy", []int32{int32(SortNone), int32(SortByPackets), int32(SortByBytes)},
			func() (int32, error) { t, err := m.p.TopFlows(); return int32(t.SortBy), err },
			func(v int32) error { return s.SetTopFlowsSortBy(SortBy(v)) })
		wTimeout = durationWrite("cnfTopFlowsCacheTimeout", time.Millisecond, 1, maxTopFlowsTimeMs,
			func() (time.Duration, error) { t, err := m.p.TopFlows(); return t.CacheTimeout, err }, s.SetTopFlowsCacheTimeout)
	}
	return []Scalar{
		{OID: tf.Append(1), Name: "cnfTopFlowsTimeStamp", Get: get(func(t *TopFlows) Value { return TimeTicks(m.uptime(t.Generated)) })},
		{OID: tf.Append(2), Name: "cnfTopFlowsTopN", Get: get(func(t *TopFlows) Value { return Unsigned32(t.TopN) }), Write: wTopN},
		{OID: tf.Append(3), Name: "cnfTopFlowsAvailableFlows", Get: get(func(t *TopFlows) Value { return Unsigned32(uint32(len(t.Flows))) })},
		{OID: tf.Append(4), Name: "cnfTopFlowsMatchingFlows", Get: get(func(t *TopFlows) Value { return Unsigned32(uint32(t.Matched)) })},
		{OID: tf.Append(5), Name: "cnfTopFlowsTotalFlows", Get: get(func(t *TopFlows) Value { return Unsigned32(uint32(t.Processed)) })},
		{OID: tf.Append(6), Name: "cnfTopFlowsSortBy", Get: get(func(t *TopFlows) Value {
			if t.SortBy == 0 {
				return Integer(int32(SortNone))
			}
			return Integer(int32(t.SortBy))
		}), Write: wSortBy},
		{OID: tf.Append(7), Name: "cnfTopFlowsCacheTimeout", Get: get(func(t *TopFlows) Value {
			return Unsigned32(Clamp32(uint64(t.CacheTimeout / time.Millisecond)))
		}), Write: wTimeout},
		{OID: tf.Append(36), Name: "cnfTopFlowsReportAvailable", Get: get(func(t *TopFlows) Value {
			return TruthValue(!t.Generated.IsZero() && len(t.Flows) > 0)
		})},
		{OID: tf.Append(38), Name: "cnfTopFlowsReportSource", Get: constant(Integer(reportSourceSoftware))},
	}
}

func (m *netflowMIB) topFlowsTable() Table {
	names := []string{"SrcAddressType", "SrcAddress", "SrcAddressMask", "DstAddressType", "DstAddress",
		"DstAddressMask", "NhAddressType", "NhAddress", "SrcPort", "DstPort", "SrcAS", "DstAS",
		"InputIfIndex", "OutputIfIndex", "FirstSwitched", "LastSwitched", "TOS", "Protocol",
		"TCPFlags", "SamplerID", "ClassID", "Flags", "Bytes", "Packets", "Vlan"}
	cols := make([]Column, len(names))
	for i, n := range names {
		cols[i] = Column{ID: uint32(i + 2), Name: "cnfTopFlows" + n}
	}
	return Table{
		Entry: oidNetflow.Append(7, 8, 1), Name: "cnfTopFlowsTable", Columns: cols,
		Rows: func() ([]Row, error) {
			t, err := m.p.TopFlows()
			if err != nil {
				return nil, err
			}
			rows := make([]Row, 0, len(t.Flows))
			for i := range t.Flows {
				rows = append(rows, Row{Index: OID{uint32(i + 1)}, Values: m.topFlowValues(&t.Flows[i])})
			}
			return rows, nil
		},
	}
}

// topFlowValues fills the columns; interface indexes and the VLAN are
// left out when zero, which their syntaxes (InterfaceIndex, VlanIndex)
// cannot hold.
func (m *netflowMIB) topFlowValues(r *flow.Record) []Value {
	srcType, src := inetAddress(r.SrcAddr)
	dstType, dst := inetAddress(r.DstAddr)
	nhType, nh := inetAddress(r.NextHop)
	nonZero := func(v uint32, val Value) Value {
		if v == 0 {
			return Value{}
		}
		return val
	}
	return []Value{
		Integer(srcType), OctetString(src), Unsigned32(uint32(r.SrcMask)),
		Integer(dstType), OctetString(dst), Unsigned32(uint32(r.DstMask)),
		Integer(nhType), OctetString(nh),
		Unsigned32(uint32(r.SrcPort)), Unsigned32(uint32(r.DstPort)),
		Unsigned32(r.SrcAS), Unsigned32(r.DstAS),
		nonZero(r.InputIf, Integer(int32(r.InputIf))), nonZero(r.OutputIf, Integer(int32(r.OutputIf))),
		TimeTicks(m.uptime(r.Start)), TimeTicks(m.uptime(r.End)),
		Unsigned32(uint32(r.ToS)), Unsigned32(uint32(r.Proto)), Unsigned32(uint32(r.TCPFlags)),
		Unsigned32(0), Unsigned32(0), Unsigned32(0),
		Unsigned32(Clamp32(r.Bytes)), Unsigned32(Clamp32(r.Packets)),
		nonZero(uint32(r.VLAN), Unsigned32(uint32(r.VLAN))),
	}
}
