package show

import (
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
)

// CacheView is what `show ip cache [verbose] flow` needs.
type CacheView struct {
	Now   time.Time
	Stats CacheStats
	Aging platform.Aging
	// SizeHist4 and SizeHist6 are the IPv4 and the IPv6 packets per IOS
	// size bucket, from the datapath: each family's screen prints its
	// own packets' distribution (familySizes).
	SizeHist4  [26]uint64
	SizeHist6  [26]uint64
	TableBytes int // memory the flow table holds
	Flows      []flow.Record
	IfName     func(ifindex uint32) string
	// LabelPositions are `ip flow-cache mpls label-positions`: which
	// stack position each of a flow's captured labels came from.
	LabelPositions [flow.MaxLabels]uint8
	// Local puts a time on the configured clock (`clock timezone`), for
	// the columns that print wall-clock times; nil is UTC.
	Local func(time.Time) time.Time
	// familyActive are the IPv4 and IPv6 flows of the whole cache when
	// Filter narrowed Flows to some of them (nil: Flows are all).
	familyActive *[2]int
}

// Family is the counters of the cache's flows of one family (4 or 6),
// as an IOS-XE flow monitor of that family counts its own cache's:
// Active is that family's flows in Flows, Added and Expired its flows
// added and aged since the last clear, Protocols the rows of its expired
// flows (IOS's IPv4 and IPv6 caches each have a protocol table). The
// rest (polls, failures) stay the whole cache's: its one table had no
// room for either family's flow.
func (v *CacheView) Family(family int) CacheStats {
	s := v.Stats
	six := family == 6
	s.Active = v.familyFlowCount(six)
	var aged uint64
	for i := range s.Expired {
		if !six {
			s.Expired[i] -= min(s.Expired6[i], s.Expired[i])
		} else {
			s.Expired[i] = s.Expired6[i]
		}
		aged += s.Expired[i]
	}
	s.Expired6 = [len(s.Expired6)]uint64{}
	atClear := s.AtClear[0]
	if six {
		atClear = s.AtClear[1]
	}
	s.Added = 0
	if added := int64(aged) + int64(s.Active) - int64(atClear); added > 0 {
		s.Added = uint64(added)
	}
	s.Protocols = v.Stats.Protocols4
	if six {
		s.Protocols = v.Stats.Protocols6
	}
	s.Protocols4, s.Protocols6 = nil, nil
	return s
}

// ipVersion is the family a screen's ipv6 switch names, as Family takes it.
func ipVersion(ipv6 bool) int {
	if ipv6 {
		return 6
	}
	return 4
}

// familySizes is one family's packet size distribution.
func (v *CacheView) familySizes(six bool) [26]uint64 {
	if six {
		return v.SizeHist6
	}
	return v.SizeHist4
}

// familyFlowCount is how many of the cache's flows are of the family,
// counted before any filter narrowed Flows.
func (v *CacheView) familyFlowCount(six bool) int {
	if v.familyActive != nil {
		if six {
			return v.familyActive[1]
		}
		return v.familyActive[0]
	}
	n := 0
	for _, r := range v.Flows {
		if r.Key.SrcAddr.Is6() == six {
			n++
		}
	}
	return n
}

// local is t on the configured clock.
func (v *CacheView) local(t time.Time) time.Time {
	if v.Local == nil {
		return t.UTC()
	}
	return v.Local(t)
}

// PacketSizeLabels are the size distribution's bucket names, for other
// views of the same histogram (Prometheus).
func PacketSizeLabels() []string { return sizeLabels[:] }

var sizeLabels = [26]string{
	"1-32", "64", "96", "128", "160", "192", "224", "256", "288", "320", "352", "384", "416", "448", "480",
	"512", "544", "576", "1024", "1536", "2048", "2560", "3072", "3584", "4096", "4608",
}

// writeSizeDistribution prints the two-row packet size table: 15 buckets,
// then 11, the first column 7 wide and the rest 5.
func writeSizeDistribution(w io.Writer, hist [26]uint64) {
	var total uint64
	for _, n := range hist {
		total += n
	}
	fmt.Fprintf(w, "IP packet size distribution (%d total packets):\n", total)
	for i, row := range [][2]int{{0, 15}, {15, 26}} {
		if i > 0 {
			fmt.Fprintln(w)
		}
		for j := row[0]; j < row[1]; j++ {
			width := 5
			if j == row[0] {
				width = 7
			}
			fmt.Fprintf(w, "%*s", width, sizeLabels[j])
		}
		fmt.Fprintln(w)
		for j := row[0]; j < row[1]; j++ {
			width := 5
			if j == row[0] {
				width = 7
			}
			fmt.Fprintf(w, "%*s", width, fraction(hist[j], total))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

// writeCacheHeader is the cache's header for one family's screen (IOS's
// IPv4 and IPv6 caches are separate): that family's flows active and
// added since the clear; inactive are the free entries, which flowtap's
// one table gives either family. The memory, polls and failures are the
// table's.
func writeCacheHeader(w io.Writer, v *CacheView, six bool) {
	s := &v.Stats
	fam := v.Family(ipVersion(six))
	fmt.Fprintf(w, "IP Flow Switching Cache, %d bytes\n", v.TableBytes)
	fmt.Fprintf(w, "  %d active, %d inactive, %d added\n", fam.Active, max(0, s.Capacity-s.Active), fam.Added)
	fmt.Fprintf(w, "  %d ager polls, %d flow alloc failures\n", s.AgerPolls, s.AllocFailures)
	fmt.Fprintf(w, "  Active flows timeout in %d minutes\n", int(v.Aging.Active/time.Minute))
	fmt.Fprintf(w, "  Inactive flows timeout in %d seconds\n", int(v.Aging.Inactive/time.Second))
	fmt.Fprintf(w, "  last clearing of statistics %s\n", hms(s.LastCleared, v.Now))
}

// writeProtocolTable is the protocol table of one family's screen: its
// expired flows' rows.
func writeProtocolTable(w io.Writer, v *CacheView, six bool) {
	fmt.Fprintln(w, "Protocol         Total    Flows   Packets Bytes  Packets Active(Sec) Idle(Sec)")
	fmt.Fprintln(w, "--------         Flows     /Sec     /Flow  /Pkt     /Sec     /Flow     /Flow")
	for _, p := range protocolRows(v, six) {
		fmt.Fprintf(w, "%-12s%10d%9.1f%10d%6d%9.1f%10.1f%10.1f\n", p.Protocol, p.TotalFlows, p.FlowsPerSec,
			p.PacketsPerFlow, p.BytesPerPacket, p.PacketsPerSec, p.ActiveSecondsPerFlow, p.IdleSecondsPerFlow)
	}
	fmt.Fprintln(w)
}

// ipv4Flows are the live IPv4 flows in a stable order: the IPv4 cache is
// what `show ip cache flow` lists (IPv6 flows are `show ipv6 flow cache`).
func ipv4Flows(v *CacheView) []flow.Record { return familyFlows(v, false) }

// familyFlows is one family's flows, sorted by addresses, protocol and
// ports.
func familyFlows(v *CacheView, ipv6 bool) []flow.Record {
	var out []flow.Record
	for _, r := range v.Flows {
		if r.IsIPv6() == ipv6 {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if c := a.SrcAddr.Compare(b.SrcAddr); c != 0 {
			return c < 0
		}
		if c := a.DstAddr.Compare(b.DstAddr); c != 0 {
			return c < 0
		}
		if a.Proto != b.Proto {
			return a.Proto < b.Proto
		}
		if a.SrcPort != b.SrcPort {
			return a.SrcPort < b.SrcPort
		}
		if a.DstPort != b.DstPort {
			return a.DstPort < b.DstPort
		}
		// One 5-tuple on two interfaces (two VLANs' subinterfaces): by
		// ifIndex, so the screen does not change between two looks.
		return a.InputIf < b.InputIf
	})
	return out
}

func (v *CacheView) ifName(i uint32) string {
	if i == 0 {
		return "Null"
	}
	if v.IfName != nil {
		if n := v.IfName(i); n != "" {
			return n
		}
	}
	return fmt.Sprintf("if%d", i)
}

// IPv6FlowCache renders `show ipv6 flow cache` in the IOS 12.4 layout:
// the cache header, then one line per IPv6 flow with the protocol and
// ports in hex.
func IPv6FlowCache(w io.Writer, v CacheView) {
	writeSizeDistribution(w, v.familySizes(true))
	writeCacheHeader(w, &v, true)
	writeProtocolTable(w, &v, true)
	fmt.Fprintln(w, "SrcAddress                              InpIf      DstAddress                              OutIf      Prot SrcPrt DstPrt Packets")
	for _, r := range familyFlows(&v, true) {
		fmt.Fprintf(w, "%-40s%-11s%-40s%-11s0x%02X 0x%04X 0x%04X %d\n", strings.ToUpper(addr(r.SrcAddr)), cut(v.ifName(r.InputIf), 10),
			strings.ToUpper(addr(r.DstAddr)), cut(v.ifName(r.OutputIf), 10), r.Proto, r.SrcPort, r.DstPort, r.Packets)
	}
}

// IPCacheFlow renders `show ip cache flow`.
func IPCacheFlow(w io.Writer, v CacheView) {
	writeSizeDistribution(w, v.familySizes(false))
	writeCacheHeader(w, &v, false)
	writeProtocolTable(w, &v, false)
	fmt.Fprintln(w, "SrcIf         SrcIPaddress    DstIf         DstIPaddress    Pr SrcP DstP  Pkts")
	for _, r := range ipv4Flows(&v) {
		fmt.Fprintf(w, "%-14s%-16s%-14s%-16s%02X %04X %04X%6d\n", cut(v.ifName(r.InputIf), 13), addr(r.SrcAddr),
			cut(v.ifName(r.OutputIf), 13), addr(r.DstAddr), r.Proto, r.SrcPort, r.DstPort, r.Packets)
	}
}

// IPCacheVerboseFlow renders `show ip cache verbose flow`: two lines per
// flow, adding ToS, flags, masks, AS, next hop, bytes per packet and the
// flow's age, plus the ip flow-capture style MAC/VLAN/TTL line.
func IPCacheVerboseFlow(w io.Writer, v CacheView) {
	writeSizeDistribution(w, v.familySizes(false))
	writeCacheHeader(w, &v, false)
	writeProtocolTable(w, &v, false)
	writeVerboseHeading(w)
	for _, r := range ipv4Flows(&v) {
		writeVerboseFlow(w, &v, &r)
	}
}

// writeVerboseHeading and writeVerboseFlow are the verbose flow list, for
// the cache and for `show ip flow top-talkers verbose`.
func writeVerboseHeading(w io.Writer) {
	fmt.Fprintln(w, "SrcIf          SrcIPaddress    DstIf          DstIPaddress    Pr TOS Flgs  Pkts")
	fmt.Fprintln(w, "Port Msk AS                    Port Msk AS    NextHop              B/Pk  Active")
}

func writeVerboseFlow(w io.Writer, v *CacheView, r *flow.Record) {
	fmt.Fprintf(w, "%-15s%-16s%-15s%-16s%02X %02X  %02X %9d\n", cut(v.ifName(r.InputIf), 14), addr(r.SrcAddr),
		cut(v.ifName(r.OutputIf), 14), addr(r.DstAddr), r.Proto, r.ToS, r.TCPFlags, r.Packets)
	fmt.Fprintf(w, "%04X /%-2d %-22d%04X /%-2d %-5d %-16s%9d %7.1f\n", r.SrcPort, r.SrcMask, r.SrcAS,
		r.DstPort, r.DstMask, r.DstAS, addr(r.NextHop), div(r.Bytes, r.Packets), r.End.Sub(r.Start).Seconds())
	fmt.Fprintf(w, "MAC: (VLAN id) %s (%03d)      %s (%03d)\n", dotted(r.SrcMAC), r.VLAN, dotted(r.DstMAC), r.InnerVLAN)
	fmt.Fprintf(w, "Min TTL:   %3d              Max TTL:   %3d\n", r.MinTTL, r.MaxTTL)
	writeCaptured(w, v, &r.Captured, r.Proto)
}

// writeCaptured prints a flow's ip flow-capture lines as IOS does, the
// second value of a pair in the second column; a field the flow was not
// captured with has no line.
func writeCaptured(w io.Writer, v *CacheView, c *flow.Captured, proto uint8) {
	pair := func(l1 string, v1 uint32, l2 string, v2 uint32) {
		fmt.Fprintf(w, "%-10s%8d%28s%-10s%10d\n", l1, v1, "", l2, v2)
	}
	if c.Fields&flow.CapPacketLength != 0 {
		pair("Min plen:", uint32(c.MinLength), "Max plen:", uint32(c.MaxLength))
	}
	if c.Fields&flow.CapICMP != 0 && (proto == 1 || proto == 58) {
		pair("ICMP type:", uint32(c.ICMPTypeCode>>8), "ICMP code:", uint32(c.ICMPTypeCode&0xff))
	}
	switch ipid, fo := c.Fields&flow.CapIPID != 0, c.Fields&flow.CapFragOffset != 0; {
	case ipid && fo:
		pair("IP id:", c.IPID, "FO:", uint32(c.FragOffset))
	case ipid:
		fmt.Fprintf(w, "%-10s%8d\n", "IP id:", c.IPID)
	case fo:
		fmt.Fprintf(w, "%-10s%8d\n", "FO:", c.FragOffset)
	}
	if c.Fields&flow.CapMPLS != 0 && c.Depth > 0 {
		line, n := "Pos:Lbl-Exp-S", 0
		for i, e := range c.Labels {
			p := v.LabelPositions[i]
			if p == 0 || p > c.Depth {
				continue
			}
			s := 0
			if flow.BottomOfStack(e) {
				s = 1
			}
			line += fmt.Sprintf(" %d:%d-%d-%d", p, flow.Label(e), flow.EXP(e), s)
			n++
		}
		if n > 0 { // a view without the positions (top talkers) has none
			fmt.Fprintln(w, line)
		}
	}
}

// dotted prints a MAC as Cisco does: aaaa.bbbb.cccc.
func dotted(m [6]byte) string {
	return fmt.Sprintf("%02x%02x.%02x%02x.%02x%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}

// CacheFilter is IOS's `show ip cache [PREFIX MASK] [INTERFACE] [verbose]
// flow`: only the flows with an address in Prefix (source or
// destination) and, with Interface, whose input or output interface it
// is. The header and the protocol table still describe the whole cache,
// as on IOS.
type CacheFilter struct {
	Prefix    netip.Prefix // invalid: any address
	Interface string       // "": any interface
}

// Filter is the view with only the flows f selects.
func (v CacheView) Filter(f CacheFilter) CacheView {
	if !f.Prefix.IsValid() && f.Interface == "" {
		return v
	}
	var keep []flow.Record
	for _, r := range v.Flows {
		if f.Prefix.IsValid() && !f.Prefix.Contains(r.SrcAddr) && !f.Prefix.Contains(r.DstAddr) {
			continue
		}
		if f.Interface != "" && v.ifName(r.InputIf) != f.Interface && v.ifName(r.OutputIf) != f.Interface {
			continue
		}
		keep = append(keep, r)
	}
	if v.familyActive == nil {
		v.familyActive = &[2]int{v.familyFlowCount(false), v.familyFlowCount(true)}
	}
	v.Flows = keep
	return v
}
