package platform

import (
	"net/netip"
	"strconv"
	"strings"
)

// NDEFlowFilter is one of a PFC's NDE flow filters (`mls nde flow
// include|exclude ...`): the flows it matches are the only ones exported
// (include) or are not exported (exclude). A flow matches when every
// field the filter sets matches; a zero field matches anything, and a
// filter with no field set is not configured.
type NDEFlowFilter struct {
	Destination netip.Prefix // destination ip-addr ip-mask
	Source      netip.Prefix // source ip-addr ip-mask
	DestPort    uint16       // dest-port N
	SrcPort     uint16       // src-port N
	Protocol    uint8        // protocol tcp (6) | udp (17)
}

// Set reports whether the filter is configured.
func (f NDEFlowFilter) Set() bool { return f != NDEFlowFilter{} }

// Matches reports whether a flow with these key fields matches every field
// the filter sets. An IPv6 flow never matches an address field (the PFC's
// filters are IPv4).
func (f NDEFlowFilter) Matches(src, dst netip.Addr, srcPort, dstPort uint16, proto uint8) bool {
	switch {
	case f.Destination.IsValid() && !f.Destination.Contains(dst.Unmap()):
		return false
	case f.Source.IsValid() && !f.Source.Contains(src.Unmap()):
		return false
	case f.DestPort != 0 && dstPort != f.DestPort:
		return false
	case f.SrcPort != 0 && srcPort != f.SrcPort:
		return false
	case f.Protocol != 0 && proto != f.Protocol:
		return false
	}
	return true
}

// String is the filter as the command line spells it after include or
// exclude.
func (f NDEFlowFilter) String() string {
	var b strings.Builder
	if f.Destination.IsValid() {
		b.WriteString(" destination " + f.Destination.Addr().String() + " " + maskString(f.Destination.Bits()))
	}
	if f.Source.IsValid() {
		b.WriteString(" source " + f.Source.Addr().String() + " " + maskString(f.Source.Bits()))
	}
	if f.DestPort != 0 {
		b.WriteString(" dest-port " + strconv.Itoa(int(f.DestPort)))
	}
	if f.SrcPort != 0 {
		b.WriteString(" src-port " + strconv.Itoa(int(f.SrcPort)))
	}
	switch f.Protocol {
	case 6:
		b.WriteString(" protocol tcp")
	case 17:
		b.WriteString(" protocol udp")
	}
	return strings.TrimPrefix(b.String(), " ")
}

// NDEFilters are a PFC's include and exclude NDE flow filters.
type NDEFilters struct {
	Include, Exclude NDEFlowFilter
}

// Set reports whether either filter is configured.
func (n NDEFilters) Set() bool { return n.Include.Set() || n.Exclude.Set() }

// Exports reports whether NDE exports a flow with these key fields: it
// matches the include filter (if configured) and not the exclude filter
// (if configured).
func (n NDEFilters) Exports(src, dst netip.Addr, srcPort, dstPort uint16, proto uint8) bool {
	if n.Include.Set() && !n.Include.Matches(src, dst, srcPort, dstPort, proto) {
		return false
	}
	return !n.Exclude.Set() || !n.Exclude.Matches(src, dst, srcPort, dstPort, proto)
}

func maskString(bits int) string {
	var m [4]byte
	for i := 0; i < bits; i++ {
		m[i/8] |= 0x80 >> (i % 8)
	}
	return netip.AddrFrom4(m).String()
}
