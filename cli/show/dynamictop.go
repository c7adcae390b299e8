package show

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/flowtap/flowtap/appliance/flow"
)

// TopField is one field `show ip flow top N aggregate FIELD` can group
// the main cache's flows by (vendor-behaviour.md 2.4.1).
type TopField struct {
	Keyword string // as typed after aggregate and match
	Help    string
	head    string
	width   int
	key     func(v *CacheView, r *flow.Record) topKey
	// parse turns a match value into the key it must equal, or the
	// prefix the field's address must fall in.
	parse func(s string) (topMatch, error)
}

// topKey is a field's value in a flow: an address, a number or a name,
// with the text the screen prints.
type topKey struct {
	a    netip.Addr
	bits int // prefix fields: the mask length
	n    uint64
	s    string
	text string
}

func compareTopKeys(a, b topKey) int {
	return cmp.Or(a.a.Compare(b.a), cmp.Compare(a.bits, b.bits), cmp.Compare(a.n, b.n), strings.Compare(a.s, b.s))
}

// topMatch tests a flow's key against a match value.
type topMatch func(k topKey) bool

func numberMatch(names map[string]uint64, max uint64) func(string) (topMatch, error) {
	return func(s string) (topMatch, error) {
		n, err := strconv.ParseUint(s, 0, 64)
		if v, ok := names[strings.ToLower(s)]; ok {
			n, err = v, nil
		}
		if err != nil || n > max {
			return nil, fmt.Errorf("%% Invalid value %q: want a number up to %d", s, max)
		}
		return func(k topKey) bool { return k.n == n }, nil
	}
}

// addrMatch accepts an address (that host) or a prefix (any address in it).
func addrMatch(s string) (topMatch, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		a, aerr := netip.ParseAddr(s)
		if aerr != nil || !a.Is4() {
			return nil, fmt.Errorf("%% Invalid address %q: want A.B.C.D or A.B.C.D/LEN", s)
		}
		p = netip.PrefixFrom(a, 32)
	}
	p = p.Masked()
	return func(k topKey) bool { return p.Contains(k.a) }, nil
}

func nameMatch(s string) (topMatch, error) {
	return func(k topKey) bool { return k.s == s }, nil
}

func addrKey(a netip.Addr) topKey {
	a = a.Unmap()
	return topKey{a: a, text: addr(a)}
}

func prefixKey(a netip.Addr, bits uint8) topKey {
	p, err := a.Unmap().Prefix(int(bits))
	if err != nil {
		return topKey{text: "0.0.0.0/0"}
	}
	return topKey{a: p.Addr(), bits: int(bits), text: p.String()}
}

func numKey(n uint64, format string) topKey { return topKey{n: n, text: fmt.Sprintf(format, n)} }

var protocolNames = map[string]uint64{"icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "gre": 47, "esp": 50, "ah": 51, "sctp": 132}

// TopFields are the aggregate fields, in the order `?` lists them.
var TopFields = []TopField{
	{Keyword: "destination-address", Help: "Aggregate by destination address", head: "IPV4 DST-ADDR", width: 16,
		key: func(_ *CacheView, r *flow.Record) topKey { return addrKey(r.DstAddr) }, parse: addrMatch},
	{Keyword: "destination-as", Help: "Aggregate by destination AS", head: "DST-AS", width: 11,
		key:   func(_ *CacheView, r *flow.Record) topKey { return numKey(uint64(r.DstAS), "%d") },
		parse: numberMatch(nil, 1<<32-1)},
	{Keyword: "destination-port", Help: "Aggregate by destination port", head: "DST-PORT", width: 11,
		key:   func(_ *CacheView, r *flow.Record) topKey { return numKey(uint64(r.DstPort), "%d") },
		parse: numberMatch(nil, 65535)},
	{Keyword: "destination-prefix", Help: "Aggregate by destination prefix", head: "DST-PREFIX", width: 19,
		key: func(_ *CacheView, r *flow.Record) topKey { return prefixKey(r.DstAddr, r.DstMask) }, parse: addrMatch},
	{Keyword: "input-interface", Help: "Aggregate by input interface", head: "INPUT-IF", width: 16,
		key: func(v *CacheView, r *flow.Record) topKey {
			n := v.ifName(r.InputIf)
			return topKey{s: n, text: n}
		}, parse: nameMatch},
	{Keyword: "nexthop-address", Help: "Aggregate by next hop address", head: "NEXTHOP-ADDR", width: 16,
		key: func(_ *CacheView, r *flow.Record) topKey { return addrKey(r.NextHop) }, parse: addrMatch},
	{Keyword: "output-interface", Help: "Aggregate by output interface", head: "OUTPUT-IF", width: 16,
		key: func(v *CacheView, r *flow.Record) topKey {
			n := v.ifName(r.OutputIf)
			return topKey{s: n, text: n}
		}, parse: nameMatch},
	{Keyword: "protocol", Help: "Aggregate by protocol", head: "PROT", width: 6,
		key:   func(_ *CacheView, r *flow.Record) topKey { return numKey(uint64(r.Proto), "%d") },
		parse: numberMatch(protocolNames, 255)},
	{Keyword: "source-address", Help: "Aggregate by source address", head: "IPV4 SRC-ADDR", width: 16,
		key: func(_ *CacheView, r *flow.Record) topKey { return addrKey(r.SrcAddr) }, parse: addrMatch},
	{Keyword: "source-as", Help: "Aggregate by source AS", head: "SRC-AS", width: 11,
		key:   func(_ *CacheView, r *flow.Record) topKey { return numKey(uint64(r.SrcAS), "%d") },
		parse: numberMatch(nil, 1<<32-1)},
	{Keyword: "source-port", Help: "Aggregate by source port", head: "SRC-PORT", width: 11,
		key:   func(_ *CacheView, r *flow.Record) topKey { return numKey(uint64(r.SrcPort), "%d") },
		parse: numberMatch(nil, 65535)},
	{Keyword: "source-prefix", Help: "Aggregate by source prefix", head: "SRC-PREFIX", width: 19,
		key: func(_ *CacheView, r *flow.Record) topKey { return prefixKey(r.SrcAddr, r.SrcMask) }, parse: addrMatch},
	{Keyword: "source-vlan", Help: "Aggregate by source VLAN", head: "SRC-VLAN", width: 11,
		key:   func(_ *CacheView, r *flow.Record) topKey { return numKey(uint64(r.VLAN), "%d") },
		parse: numberMatch(nil, 4095)},
	{Keyword: "tcp-flags", Help: "Aggregate by TCP flags", head: "TCP-FLAGS", width: 11,
		key:   func(_ *CacheView, r *flow.Record) topKey { return numKey(uint64(r.TCPFlags), "0x%02X") },
		parse: numberMatch(nil, 255)},
	{Keyword: "tos", Help: "Aggregate by type of service", head: "TOS", width: 6,
		key:   func(_ *CacheView, r *flow.Record) topKey { return numKey(uint64(r.ToS), "0x%02X") },
		parse: numberMatch(nil, 255)},
}

// TopFieldByKeyword finds a field by its full keyword.
func TopFieldByKeyword(k string) (TopField, bool) {
	i := slices.IndexFunc(TopFields, func(f TopField) bool { return f.Keyword == k })
	if i < 0 {
		return TopField{}, false
	}
	return TopFields[i], true
}

// TopSortBy orders the dynamic top talkers.
type TopSortBy string

const (
	TopSortAggregate TopSortBy = "aggregate"
	TopSortBytes     TopSortBy = "bytes"
	TopSortFlows     TopSortBy = "flows"
	TopSortPackets   TopSortBy = "packets"
)

// TopMatchSpec is one `match FIELD VALUE`.
type TopMatchSpec struct {
	Field string
	Value string
}

// TopQuery is `show ip flow top [N] [from-cache main] aggregate FIELD
// [sorted-by WHAT [ascending|descending]] [match FIELD VALUE]...`.
type TopQuery struct {
	N     int    // 0: all
	Field string // the aggregate field's keyword
	By    TopSortBy
	// Ascending reverses the order; without ascending or descending,
	// counts sort largest first and the aggregate field smallest first.
	Ascending, Descending bool
	Matches               []TopMatchSpec
}

// TopAggregate is one line: the field's value and what its flows sum to.
type TopAggregate struct {
	Key                   string
	Flows, Packets, Bytes uint64
	key                   topKey
}

// TopAggregates is the computed list.
type TopAggregates struct {
	Field      TopField
	Rows       []TopAggregate // in the asked order, at most N
	Aggregates int            // distinct values among the matched flows
	Matched    int            // flows that passed every match
	Processed  int            // IPv4 flows in the cache
	// Totals over every matched flow, the percentages' base.
	Flows, Packets, Bytes uint64
}

// ComputeTop groups the cache's IPv4 flows by the query's field. The
// numbers are sums over the same snapshot `show ip cache flow` prints.
func ComputeTop(v *CacheView, q TopQuery) (TopAggregates, error) {
	f, ok := TopFieldByKeyword(q.Field)
	if !ok {
		return TopAggregates{}, fmt.Errorf("%% Unknown aggregate field %q", q.Field)
	}
	type test struct {
		f TopField
		m topMatch
	}
	var tests []test
	for _, m := range q.Matches {
		mf, ok := TopFieldByKeyword(m.Field)
		if !ok {
			return TopAggregates{}, fmt.Errorf("%% Unknown match field %q", m.Field)
		}
		mt, err := mf.parse(m.Value)
		if err != nil {
			return TopAggregates{}, err
		}
		tests = append(tests, test{mf, mt})
	}
	out := TopAggregates{Field: f}
	index := map[topKey]int{}
	var rows []TopAggregate
	for i := range v.Flows {
		r := &v.Flows[i]
		if r.IsIPv6() {
			continue
		}
		out.Processed++
		if !slices.ContainsFunc(tests, func(t test) bool { return !t.m(t.f.key(v, r)) }) {
			out.Matched++
			out.Flows++
			out.Packets += r.Packets
			out.Bytes += r.Bytes
			k := f.key(v, r)
			j, ok := index[k]
			if !ok {
				j = len(rows)
				index[k] = j
				rows = append(rows, TopAggregate{Key: k.text, key: k})
			}
			rows[j].Flows++
			rows[j].Packets += r.Packets
			rows[j].Bytes += r.Bytes
		}
	}
	by := q.By
	if by == "" {
		by = TopSortBytes
	}
	ascending := q.Ascending || (by == TopSortAggregate && !q.Descending)
	slices.SortStableFunc(rows, func(a, b TopAggregate) int {
		var c int
		switch by {
		case TopSortAggregate:
			c = compareTopKeys(a.key, b.key)
		case TopSortFlows:
			c = cmp.Compare(a.Flows, b.Flows)
		case TopSortPackets:
			c = cmp.Compare(a.Packets, b.Packets)
		default:
			c = cmp.Compare(a.Bytes, b.Bytes)
		}
		if !ascending {
			c = -c
		}
		// Equal counts come out in the field's order.
		return cmp.Or(c, compareTopKeys(a.key, b.key))
	})
	out.Aggregates = len(rows)
	if q.N > 0 && len(rows) > q.N {
		rows = rows[:q.N]
	}
	out.Rows = rows
	return out, nil
}

// share is n's share of total with one decimal, as the screen prints it.
func share(n, total uint64) float64 {
	if total == 0 {
		return 0
	}
	return math.Round(float64(n)*1000/float64(total)) / 10
}

// IPFlowTop renders `show ip flow top N aggregate FIELD ...` (IOS's
// dynamic top talkers, vendor-behaviour.md 2.4.1): the aggregates with
// their bytes, packets and flows, each with its share of the matched
// flows' total.
func IPFlowTop(w io.Writer, t TopAggregates) {
	if len(t.Rows) == 0 {
		fmt.Fprintln(w, "% There are no matching flows to show.")
		fmt.Fprintf(w, "\n%d of %d flows matched.\n", t.Matched, t.Processed)
		return
	}
	fmt.Fprintf(w, "There are %d top talkers:\n\n", len(t.Rows))
	kw := t.Field.width
	fmt.Fprintf(w, "%-*s%11s %5s %11s %5s %10s %5s\n", kw, t.Field.head, "bytes", "%", "pkts", "%", "flows", "%")
	fmt.Fprintf(w, "%s %s %s %s %s %s %s\n", strings.Repeat("=", kw-1), strings.Repeat("=", 11), strings.Repeat("=", 5),
		strings.Repeat("=", 11), strings.Repeat("=", 5), strings.Repeat("=", 10), strings.Repeat("=", 5))
	for _, r := range t.Rows {
		fmt.Fprintf(w, "%-*s%11d %5.1f %11d %5.1f %10d %5.1f\n", kw, cut(r.Key, kw-1), r.Bytes, share(r.Bytes, t.Bytes),
			r.Packets, share(r.Packets, t.Packets), r.Flows, share(r.Flows, t.Flows))
	}
	fmt.Fprintf(w, "\n%d of %d flows matched.\n", t.Matched, t.Processed)
}

// TopJSON is `show ip flow top ... | json`.
func TopJSON(t TopAggregates) any {
	type row struct {
		Aggregate                                  string
		Bytes, Packets, Flows                      uint64
		BytesPercent, PacketsPercent, FlowsPercent float64
	}
	rows := []row{}
	for _, r := range t.Rows {
		rows = append(rows, row{r.Key, r.Bytes, r.Packets, r.Flows, share(r.Bytes, t.Bytes), share(r.Packets, t.Packets), share(r.Flows, t.Flows)})
	}
	return map[string]any{
		"Field": t.Field.Keyword, "Shown": len(rows), "Aggregates": t.Aggregates, "Matched": t.Matched, "Processed": t.Processed,
		"TABLE_top_talker": map[string]any{"ROW_top_talker": rows},
	}
}
