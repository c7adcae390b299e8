package show

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/platform"
)

// JunosAggregation is one `show services accounting aggregation TYPE`:
// the JunOS cflowd aggregation type and the aggregation cache it reads,
// the one IOS shows as `show ip cache flow aggregation SCHEME`.
type JunosAggregation struct {
	Type   string
	Scheme platform.Scheme
	Help   string
}

// JunosAggregations are the JunOS aggregation types, each on the cache
// of the version 8 scheme that carries the same key.
var JunosAggregations = []JunosAggregation{
	{"as", platform.SchemeAS, "Show autonomous system aggregation"},
	{"destination-prefix", platform.SchemeDestinationPrefix, "Show destination prefix aggregation"},
	{"protocol-port", platform.SchemeProtocolPort, "Show protocol and port aggregation"},
	{"source-destination-prefix", platform.SchemePrefix, "Show source and destination prefix aggregation"},
	{"source-prefix", platform.SchemeSourcePrefix, "Show source prefix aggregation"},
}

// junosAggColumn is one column of a JunOS aggregation screen: its
// heading (also its JSON key, spaces dropped) and its value.
type junosAggColumn struct {
	head  string
	value func(v *AggregationView, a *Aggregate) any
}

func junosAggColumns(s platform.Scheme) []junosAggColumn {
	srcPrefix := junosAggColumn{"Source prefix", func(_ *AggregationView, a *Aggregate) any { return fmt.Sprintf("%s/%d", addr(a.SrcAddr), a.SrcMask) }}
	dstPrefix := junosAggColumn{"Destination prefix", func(_ *AggregationView, a *Aggregate) any { return fmt.Sprintf("%s/%d", addr(a.DstAddr), a.DstMask) }}
	srcAS := junosAggColumn{"Source AS", func(_ *AggregationView, a *Aggregate) any { return a.SrcAS }}
	dstAS := junosAggColumn{"Destination AS", func(_ *AggregationView, a *Aggregate) any { return a.DstAS }}
	inIf := junosAggColumn{"Input interface", func(v *AggregationView, a *Aggregate) any { return v.ifName(a.InputIf) }}
	outIf := junosAggColumn{"Output interface", func(v *AggregationView, a *Aggregate) any { return v.ifName(a.OutputIf) }}
	var key []junosAggColumn
	switch s {
	case platform.SchemeAS:
		key = []junosAggColumn{srcAS, dstAS, inIf, outIf}
	case platform.SchemeProtocolPort:
		key = []junosAggColumn{
			{"Protocol", func(_ *AggregationView, a *Aggregate) any { return a.Proto }},
			{"Source port", func(_ *AggregationView, a *Aggregate) any { return a.SrcPort }},
			{"Destination port", func(_ *AggregationView, a *Aggregate) any { return a.DstPort }},
		}
	case platform.SchemeSourcePrefix:
		key = []junosAggColumn{srcPrefix, srcAS, inIf}
	case platform.SchemeDestinationPrefix:
		key = []junosAggColumn{dstPrefix, dstAS, outIf}
	case platform.SchemePrefix:
		key = []junosAggColumn{srcPrefix, dstPrefix, inIf, outIf}
	}
	return append(key,
		junosAggColumn{"Flow count", func(_ *AggregationView, a *Aggregate) any { return a.Flows }},
		junosAggColumn{"Packet count", func(_ *AggregationView, a *Aggregate) any { return a.Packets }},
		junosAggColumn{"Byte count", func(_ *AggregationView, a *Aggregate) any { return a.Bytes }})
}

// AggregationOptions are `show services accounting aggregation TYPE`'s
// modifiers.
type AggregationOptions struct {
	Limit     int  // 0: all
	ByPackets bool // order packets, else order bytes
}

// junosAggregates are the cache's aggregates as the JunOS screen lists
// them: most bytes (or packets) first, ties in the IOS screen's order,
// at most o.Limit.
func junosAggregates(v *AggregationView, o AggregationOptions) []Aggregate {
	out := sortedAggregates(v.Aggregates)
	by := func(a *Aggregate) uint64 {
		if o.ByPackets {
			return a.Packets
		}
		return a.Bytes
	}
	slices.SortStableFunc(out, func(a, b Aggregate) int {
		switch {
		case by(&a) > by(&b):
			return -1
		case by(&a) < by(&b):
			return 1
		}
		return 0
	})
	if o.Limit > 0 && len(out) > o.Limit {
		out = out[:o.Limit]
	}
	return out
}

// ServicesAccountingAggregationType renders `show services accounting
// aggregation TYPE` from the aggregation cache v: one line per
// aggregate, the type's key columns then its counters, as the IOS
// screen of the same cache counts them.
func ServicesAccountingAggregationType(w io.Writer, v AggregationView, o AggregationOptions) {
	cols := junosAggColumns(v.Config.Scheme)
	rows := junosAggregates(&v, o)
	cells := make([][]string, len(rows))
	width := make([]int, len(cols))
	for i, c := range cols {
		width[i] = len(c.head)
	}
	for r := range rows {
		for i, c := range cols {
			s := fmt.Sprint(c.value(&v, &rows[r]))
			cells[r] = append(cells[r], s)
			width[i] = max(width[i], len(s))
		}
	}
	line := func(ss []string) {
		var b strings.Builder
		b.WriteString(" ")
		for i, s := range ss {
			if i == len(ss)-1 {
				b.WriteString(" " + s)
				break
			}
			fmt.Fprintf(&b, " %-*s", width[i], s)
		}
		fmt.Fprintln(w, b.String())
	}
	(&AccountingView{}).header(w)
	heads := make([]string, len(cols))
	for i, c := range cols {
		heads[i] = c.head
	}
	line(heads)
	for _, r := range cells {
		line(r)
	}
}

// AccountingAggregationTypeJSON is its `| display json`: the same rows,
// keyed by the column headings.
func AccountingAggregationTypeJSON(v AggregationView, o AggregationOptions) any {
	cols := junosAggColumns(v.Config.Scheme)
	rows := []map[string]any{}
	for _, a := range junosAggregates(&v, o) {
		r := map[string]any{}
		for _, c := range cols {
			r[jsonKey(c.head)] = c.value(&v, &a)
		}
		rows = append(rows, r)
	}
	return map[string]any{"Aggregations": rows}
}

// jsonKey is a heading as a Go-style name, for the JSON writer's
// lower_snake ("Source AS" is SourceAS, then source_as).
func jsonKey(head string) string {
	var b strings.Builder
	for _, w := range strings.Fields(head) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}
