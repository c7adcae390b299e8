package show

import (
	"math"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

// flowRow is one flow in a `| json` table: every field the verbose
// screen prints, as numbers (the screen's hex is a way of printing).
type flowRow struct {
	SrcIf, DstIf              string
	SrcAddr, DstAddr, NextHop string
	Protocol                  uint8
	SrcPort, DstPort          uint16
	ToS, TCPFlags             uint8
	SrcMask, DstMask          uint8
	SrcAS, DstAS              uint32
	Packets, Bytes            uint64
	BytesPerPacket            uint64
	ActiveSeconds             float64
	MinTTL, MaxTTL            uint8
	SrcMAC, DstMAC            string
	VLAN, InnerVLAN           uint16
}

func flowRows(v *CacheView, flows []flow.Record) []flowRow {
	out := make([]flowRow, 0, len(flows))
	for i := range flows {
		r := &flows[i]
		out = append(out, flowRow{
			SrcIf: v.ifName(r.InputIf), DstIf: v.ifName(r.OutputIf),
			SrcAddr: addr(r.SrcAddr), DstAddr: addr(r.DstAddr), NextHop: addr(r.NextHop),
			Protocol: r.Proto, SrcPort: r.SrcPort, DstPort: r.DstPort, ToS: r.ToS, TCPFlags: r.TCPFlags,
			SrcMask: r.SrcMask, DstMask: r.DstMask, SrcAS: r.SrcAS, DstAS: r.DstAS,
			Packets: r.Packets, Bytes: r.Bytes, BytesPerPacket: div(r.Bytes, r.Packets),
			ActiveSeconds: tenths(r.End.Sub(r.Start).Seconds()),
			MinTTL:        r.MinTTL, MaxTTL: r.MaxTTL, SrcMAC: dotted(r.SrcMAC), DstMAC: dotted(r.DstMAC),
			VLAN: r.VLAN, InnerVLAN: r.InnerVLAN,
		})
	}
	return out
}

// tenths rounds as the screens' %.1f does.
func tenths(f float64) float64 { return math.Round(f*10) / 10 }

// protocolRow is one line of the protocol table, computed once for the
// text and for `| json`.
type protocolRow struct {
	Protocol             string
	TotalFlows           uint64
	FlowsPerSec          float64
	PacketsPerFlow       uint64
	BytesPerPacket       uint64
	PacketsPerSec        float64
	ActiveSecondsPerFlow float64
	IdleSecondsPerFlow   float64
}

func protocolRowOf(label string, p ProtocolStats, elapsed time.Duration) protocolRow {
	active, idle := 0.0, 0.0
	if p.Flows > 0 {
		active = float64(p.ActiveMillis) / float64(p.Flows) / 1000
		idle = float64(p.IdleMillis) / float64(p.Flows) / 1000
	}
	return protocolRow{Protocol: label, TotalFlows: p.Flows, FlowsPerSec: perSec(p.Flows, elapsed),
		PacketsPerFlow: div(p.Packets, p.Flows), BytesPerPacket: div(p.Bytes, p.Packets),
		PacketsPerSec: perSec(p.Packets, elapsed), ActiveSecondsPerFlow: active, IdleSecondsPerFlow: idle}
}

// protocolRows are one family's table lines: its protocols with flows, then
// Total:.
func protocolRows(v *CacheView, six bool) []protocolRow {
	s := v.Family(ipVersion(six))
	elapsed := v.Now.Sub(s.Since)
	var out []protocolRow
	for _, p := range s.Protocols {
		if p.Flows > 0 {
			out = append(out, protocolRowOf(p.Name, p, elapsed))
		}
	}
	return append(out, protocolRowOf("Total:", s.Total(), elapsed))
}

// CacheJSON is `show ip cache [verbose] flow | json` and `show ipv6 flow
// cache | json`: the size distribution, the header, the protocol table
// and the family's flows, each table as NX-OS's TABLE_x/ROW_x.
func CacheJSON(v CacheView, ipv6 bool) any {
	type sizeRow struct {
		Size     string
		Packets  uint64
		Fraction float64
	}
	// The family's own packets, as its screen's distribution.
	hist := v.familySizes(ipv6)
	var total uint64
	for _, n := range hist {
		total += n
	}
	sizes := make([]sizeRow, len(sizeLabels))
	for i, l := range sizeLabels {
		sizes[i] = sizeRow{l, hist[i], float64(Thousandths(hist[i], total)) / 1000}
	}
	protos := protocolRows(&v, ipv6)
	for i := range protos {
		p := &protos[i]
		p.FlowsPerSec, p.PacketsPerSec = tenths(p.FlowsPerSec), tenths(p.PacketsPerSec)
		p.ActiveSecondsPerFlow, p.IdleSecondsPerFlow = tenths(p.ActiveSecondsPerFlow), tenths(p.IdleSecondsPerFlow)
	}
	s := &v.Stats
	// The header's counts are the family's, as the screen's.
	fam := v.Family(ipVersion(ipv6))
	lastClear := "never"
	if !s.LastCleared.IsZero() {
		lastClear = hms(s.LastCleared, v.Now)
	}
	return map[string]any{
		"TotalPackets": total, "TABLE_size": map[string]any{"ROW_size": sizes},
		"CacheBytes": v.TableBytes, "Active": fam.Active, "Inactive": max(0, s.Capacity-s.Active), "Added": fam.Added,
		"AgerPolls": s.AgerPolls, "AllocFailures": s.AllocFailures,
		"ActiveTimeoutMinutes": int(v.Aging.Active / time.Minute), "InactiveTimeoutSeconds": int(v.Aging.Inactive / time.Second),
		"LastClearing":   lastClear,
		"TABLE_protocol": map[string]any{"ROW_protocol": protos},
		"TABLE_flow":     map[string]any{"ROW_flow": flowRows(&v, familyFlows(&v, ipv6))},
	}
}
