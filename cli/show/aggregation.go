package show

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/platform"
)

// AggregationView is one `ip flow-aggregation cache SCHEME` for `show ip
// cache [verbose] flow aggregation SCHEME`: its settings, counters and
// the aggregates it holds now.
type AggregationView struct {
	Now        time.Time
	Config     AggregationConfig // defaults filled in
	Stats      AggregationStats
	Aggregates []Aggregate
	IfName     func(ifindex uint32) string
	// UncleanStopLost is, per destination, what killed flowtapds lost
	// that a cache of this scheme held (since the last clear).
	UncleanStopLost []HeldLoss
}

// aggColumn is one column of an aggregation cache's flow lines: its
// heading, width, alignment and text.
type aggColumn struct {
	head  string
	width int
	right bool
	text  func(v *AggregationView, a *Aggregate) string
}

func (c aggColumn) cell(s string) string {
	if c.right {
		return fmt.Sprintf("%*s", c.width, s)
	}
	return fmt.Sprintf("%-*s", c.width, cut(s, c.width-1))
}

// The key columns, as IOS heads them (vendor-behaviour.md 2.5.1).
var (
	colSrcIf = aggColumn{head: "Src If", width: 15,
		text: func(v *AggregationView, a *Aggregate) string { return v.ifName(a.InputIf) }}
	colDstIf = aggColumn{head: "Dst If", width: 15,
		text: func(v *AggregationView, a *Aggregate) string { return v.ifName(a.OutputIf) }}
	colSrcPrefix = aggColumn{head: "Src Prefix", width: 16,
		text: func(_ *AggregationView, a *Aggregate) string { return addr(a.SrcAddr) }}
	colDstPrefix = aggColumn{head: "Dst Prefix", width: 16,
		text: func(_ *AggregationView, a *Aggregate) string { return addr(a.DstAddr) }}
	colSrcMsk = aggColumn{head: "Msk", width: 5,
		text: func(_ *AggregationView, a *Aggregate) string { return fmt.Sprintf("/%d", a.SrcMask) }}
	colDstMsk = aggColumn{head: "Msk", width: 5,
		text: func(_ *AggregationView, a *Aggregate) string { return fmt.Sprintf("/%d", a.DstMask) }}
	colSrcAS = aggColumn{head: "Src AS", width: 8,
		text: func(_ *AggregationView, a *Aggregate) string { return fmt.Sprint(a.SrcAS) }}
	colDstAS = aggColumn{head: "Dst AS", width: 8,
		text: func(_ *AggregationView, a *Aggregate) string { return fmt.Sprint(a.DstAS) }}
	colToS = aggColumn{head: "TOS", width: 5,
		text: func(_ *AggregationView, a *Aggregate) string { return fmt.Sprintf("%02X", a.ToS) }}
	colPr = aggColumn{head: "Pr", width: 3,
		text: func(_ *AggregationView, a *Aggregate) string { return fmt.Sprintf("%02X", a.Proto) }}
	colSrcP = aggColumn{head: "SrcP", width: 5,
		text: func(_ *AggregationView, a *Aggregate) string { return fmt.Sprintf("%04X", a.SrcPort) }}
	colDstP = aggColumn{head: "DstP", width: 5,
		text: func(_ *AggregationView, a *Aggregate) string { return fmt.Sprintf("%04X", a.DstPort) }}
	// protocol-port's own long headings.
	colProtocol = aggColumn{head: "Protocol", width: 10,
		text: func(_ *AggregationView, a *Aggregate) string { return fmt.Sprintf("0x%02X", a.Proto) }}
	colSourcePort = aggColumn{head: "Source Port", width: 13,
		text: func(_ *AggregationView, a *Aggregate) string { return fmt.Sprintf("0x%04X", a.SrcPort) }}
	colDestPort = aggColumn{head: "Dest Port", width: 11,
		text: func(_ *AggregationView, a *Aggregate) string { return fmt.Sprintf("0x%04X", a.DstPort) }}
)

// asColumn is the one AS column a single-prefix scheme shows: the source's for
// source-prefix, the destination's for destination-prefix.
func asColumn(src bool) aggColumn {
	c := colDstAS
	if src {
		c = colSrcAS
	}
	c.head = "AS"
	return c
}

// aggKeyColumns are a scheme's key columns in IOS's order.
func aggKeyColumns(s platform.Scheme) []aggColumn {
	switch s {
	case platform.SchemeAS:
		return []aggColumn{colSrcIf, colSrcAS, colDstIf, colDstAS}
	case platform.SchemeASToS, platform.SchemeBGPNextHopToS:
		return []aggColumn{colSrcIf, colSrcAS, colDstIf, colDstAS, colToS}
	case platform.SchemeProtocolPort:
		return []aggColumn{colProtocol, colSourcePort, colDestPort}
	case platform.SchemeProtocolPortToS:
		return []aggColumn{colSrcIf, colDstIf, colProtocol, colSourcePort, colDestPort, colToS}
	case platform.SchemeSourcePrefix:
		return []aggColumn{colSrcIf, colSrcPrefix, colSrcMsk, asColumn(true)}
	case platform.SchemeSourcePrefixToS:
		return []aggColumn{colSrcIf, colSrcPrefix, colSrcMsk, asColumn(true), colToS}
	case platform.SchemeDestinationPrefix:
		return []aggColumn{colDstIf, colDstPrefix, colDstMsk, asColumn(false)}
	case platform.SchemeDestinationPrefixToS:
		return []aggColumn{colDstIf, colDstPrefix, colDstMsk, asColumn(false), colToS}
	case platform.SchemePrefix:
		return []aggColumn{colSrcIf, colSrcPrefix, colSrcMsk, colDstIf, colDstPrefix, colDstMsk}
	case platform.SchemePrefixToS:
		return []aggColumn{colSrcIf, colSrcPrefix, colSrcMsk, colDstIf, colDstPrefix, colDstMsk, colToS}
	case platform.SchemePrefixPort:
		return []aggColumn{colSrcIf, colSrcPrefix, colSrcMsk, colDstIf, colDstPrefix, colDstMsk, colPr, colSrcP, colDstP, colToS}
	case platform.SchemeDestinationOnly:
		c := colDstPrefix
		c.head = "DstIPaddress"
		return []aggColumn{c}
	case platform.SchemeSourceDestination, platform.SchemeFullFlow:
		sc, dc := colSrcPrefix, colDstPrefix
		sc.head, dc.head = "SrcIPaddress", "DstIPaddress"
		if s == platform.SchemeFullFlow {
			return []aggColumn{sc, dc, colPr, colSrcP, colDstP}
		}
		return []aggColumn{sc, dc}
	}
	return nil
}

// aggCountColumns are the counters after the key: protocol-port spells
// its headings out, the others abbreviate them.
func aggCountColumns(s platform.Scheme) []aggColumn {
	long := s == platform.SchemeProtocolPort || s == platform.SchemeProtocolPortToS
	head := func(short, spelled string) string {
		if long {
			return spelled
		}
		return short
	}
	w := func(short, spelled int) int {
		if long {
			return spelled
		}
		return short
	}
	return []aggColumn{
		{head: head("Flows", "Flows"), width: w(6, 7), right: true,
			text: func(_ *AggregationView, a *Aggregate) string { return fmt.Sprint(a.Flows) }},
		{head: head("Pkts", "Packets"), width: w(6, 9), right: true,
			text: func(_ *AggregationView, a *Aggregate) string { return fmt.Sprint(a.Packets) }},
		{head: head("B/Pk", "Bytes/Packet"), width: w(6, 14), right: true,
			text: func(_ *AggregationView, a *Aggregate) string { return fmt.Sprint(div(a.Bytes, a.Packets)) }},
		{head: "Active", width: 8, right: true,
			text: func(_ *AggregationView, a *Aggregate) string { return fmt.Sprintf("%.1f", activeSeconds(a)) }},
	}
}

// activeSeconds is how long the aggregate's flows span, first packet to
// last, in tenths as the screen prints it.
func activeSeconds(a *Aggregate) float64 {
	return float64(a.End.Sub(a.Start).Milliseconds()/100) / 10
}

func (v *AggregationView) ifName(i uint32) string {
	c := CacheView{IfName: v.IfName}
	return c.ifName(i)
}

// sortedAggregates orders the aggregates by their key fields so that a
// screen is stable from one show to the next.
func sortedAggregates(in []Aggregate) []Aggregate {
	out := slices.Clone(in)
	slices.SortStableFunc(out, func(a, b Aggregate) int {
		return cmp.Or(a.SrcAddr.Compare(b.SrcAddr), cmp.Compare(a.SrcMask, b.SrcMask),
			a.DstAddr.Compare(b.DstAddr), cmp.Compare(a.DstMask, b.DstMask),
			cmp.Compare(a.SrcAS, b.SrcAS), cmp.Compare(a.DstAS, b.DstAS),
			cmp.Compare(a.Proto, b.Proto), cmp.Compare(a.SrcPort, b.SrcPort), cmp.Compare(a.DstPort, b.DstPort),
			cmp.Compare(a.ToS, b.ToS), cmp.Compare(a.InputIf, b.InputIf), cmp.Compare(a.OutputIf, b.OutputIf),
			a.NextHop.Compare(b.NextHop))
	})
	return out
}

// AggregationNotConfigured is what `show ip cache flow aggregation
// SCHEME` prints for a scheme with no cache.
func AggregationNotConfigured(scheme string) string {
	return fmt.Sprintf("%% Aggregation cache %s is not configured", scheme)
}

// IPCacheFlowAggregation renders `show ip cache [verbose] flow
// aggregation SCHEME` (vendor-behaviour.md 2.5.1): the cache header as
// the main cache's, then one line per aggregate in the scheme's columns.
// verbose adds the cache's own counters, and under each aggregate the
// key fields the short line leaves out, its TCP flags and its age.
func IPCacheFlowAggregation(w io.Writer, v AggregationView, verbose bool) {
	s, c := &v.Stats, &v.Config
	fmt.Fprintf(w, "IP Flow Switching Cache, %d bytes\n", s.Bytes)
	fmt.Fprintf(w, "  %d active, %d inactive, %d added\n", s.Entries, s.Capacity-s.Entries, s.Created)
	fmt.Fprintf(w, "  %d ager polls, %d flow alloc failures\n", s.AgerPolls, 0)
	fmt.Fprintf(w, "  Active flows timeout in %d minutes\n", int(c.ActiveTimeout/time.Minute))
	fmt.Fprintf(w, "  Inactive flows timeout in %d seconds\n", int(c.InactiveTimeout/time.Second))
	if verbose {
		fmt.Fprintf(w, "  %d main cache flows added, %d IPv6 flows not aggregated\n", s.Added, s.SkippedIPv6)
		fmt.Fprintf(w, "  %d aggregates exported, %d expired early (cache full)\n", s.Exported, s.Emergency)
		if c.Scheme.UsesSourcePrefix() || c.Scheme.UsesDestinationPrefix() {
			fmt.Fprintf(w, "  Minimum source mask /%d, minimum destination mask /%d\n", c.SourceMinMask, c.DestinationMinMask)
		}
		for _, l := range v.UncleanStopLost {
			fmt.Fprintf(w, "  %d main cache flows (%d packets) held for %s lost at an unclean stop, %d (%d packets) possibly received\n",
				l.Records, l.Packets, l.Collector, l.Doubt, l.DoubtPackets)
		}
	}
	fmt.Fprintln(w)
	cols := append(aggKeyColumns(c.Scheme), aggCountColumns(c.Scheme)...)
	line := func(cell func(aggColumn) string) {
		var b strings.Builder
		for _, col := range cols {
			b.WriteString(col.cell(cell(col)))
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(func(col aggColumn) string { return col.head })
	if c.Scheme == platform.SchemeBGPNextHopToS {
		fmt.Fprintln(w, "BGP NextHop")
	}
	if verbose {
		fmt.Fprintf(w, "  %-7s %-7s %-3s %-4s %9s %9s\n", "Src AS", "Dst AS", "TOS", "Flgs", "First(s)", "Last(s)")
	}
	for _, a := range sortedAggregates(v.Aggregates) {
		line(func(col aggColumn) string { return col.text(&v, &a) })
		if c.Scheme == platform.SchemeBGPNextHopToS {
			fmt.Fprintf(w, "BGP:%s\n", addr(a.NextHop))
		}
		if verbose {
			fmt.Fprintf(w, "  %-7d %-7d %-3s %-4s %9.1f %9.1f\n", a.SrcAS, a.DstAS, fmt.Sprintf("%02X", a.ToS), fmt.Sprintf("%02X", a.TCPFlags),
				ago(v.Now, a.Start), ago(v.Now, a.End))
		}
	}
}

// ago is how long before now t was, in seconds with one decimal.
func ago(now, t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(now.Sub(t).Milliseconds()/100) / 10
}

// AggregationJSON is `show ip cache [verbose] flow aggregation SCHEME |
// json`: the header's numbers and a TABLE_aggregate with one row per
// aggregate. Every row has every key field, those the scheme does not
// key by zero (as a v9 aggregation record carries them), so that a
// client reads one row shape for all schemes.
func AggregationJSON(v AggregationView) any {
	type row struct {
		SrcIf, DstIf                          string
		SrcPrefix                             string
		SrcMask                               uint8
		DstPrefix                             string
		DstMask                               uint8
		SrcAS, DstAS                          uint32
		Protocol                              uint8
		SrcPort, DstPort                      uint16
		ToS, TCPFlags                         uint8
		BGPNextHop                            string
		Flows, Packets, Bytes, BytesPerPacket uint64
		ActiveSeconds                         float64
	}
	s, c := &v.Stats, &v.Config
	rows := []row{}
	for _, a := range sortedAggregates(v.Aggregates) {
		rows = append(rows, row{SrcIf: v.ifName(a.InputIf), DstIf: v.ifName(a.OutputIf),
			SrcPrefix: addr(a.SrcAddr), SrcMask: a.SrcMask, DstPrefix: addr(a.DstAddr), DstMask: a.DstMask,
			SrcAS: a.SrcAS, DstAS: a.DstAS, Protocol: a.Proto, SrcPort: a.SrcPort, DstPort: a.DstPort,
			ToS: a.ToS, TCPFlags: a.TCPFlags, BGPNextHop: addr(a.NextHop),
			Flows: a.Flows, Packets: a.Packets, Bytes: a.Bytes, BytesPerPacket: div(a.Bytes, a.Packets),
			ActiveSeconds: activeSeconds(&a)})
	}
	return map[string]any{
		"Scheme": c.Scheme.String(), "CacheBytes": s.Bytes, "Active": s.Entries, "Inactive": s.Capacity - s.Entries,
		"Added": s.Created, "AgerPolls": s.AgerPolls, "ActiveTimeoutMinutes": int(c.ActiveTimeout / time.Minute),
		"InactiveTimeoutSeconds": int(c.InactiveTimeout / time.Second), "MainCacheFlowsAdded": s.Added,
		"Exported": s.Exported, "ExpiredEarly": s.Emergency, "SkippedIPv6": s.SkippedIPv6,
		"SourceMinMask": c.SourceMinMask, "DestinationMinMask": c.DestinationMinMask,
		"TABLE_aggregate": map[string]any{"ROW_aggregate": rows},
	}
}
