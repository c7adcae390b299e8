package show

import (
	"fmt"
	"io"
	"net/netip"
	"sort"

	"github.com/flowtap/flowtap/appliance/appclass"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/datapath/dpstats"
)

// AccountingView is what the JunOS `show services accounting` commands
// need: the cache, its live flows and the exporters.
type AccountingView struct {
	Cache   CacheView
	Exports []ExportStats
	// Removed is what destinations removed since the last clear counted
	// since it, which the export totals keep (ExportView.Removed).
	Removed ExportStats
	// CacheExport is what became of the cache's flows since the last
	// clear, each flow once (ExportView.Cache): Flows exported.
	CacheExport CacheExport
	// Rate10s is packets and bytes over the last ten seconds, from the
	// datapath's counters.
	Packets10s, Bytes10s uint64
	Status               AccountingStatus
	Usage                AccountingUsage
}

// AccountingUsage is `show services accounting usage`: the CPU of what
// does the accounting. flowtap's services PIC is flowtapd: its uptime
// and its share of the machine's cores over five seconds and the
// decaying minute, as IOS's show processes cpu shows its row.
type AccountingUsage struct {
	UptimeMS              int64
	Load5Second, Load1Min float64
}

// AccountingStatus is `show services accounting status`: how the
// accounting is set up.
type AccountingStatus struct {
	ExportFormat     string // "cflowd v5", "cflowd v9", "IPFIX"
	RouteRecordCount int    // prefixes of the prefix-to-AS table
	ASCount          int    // AS numbers it names
	TimeSet          bool   // an NTP server set the clock
	RouteRecordSet   bool   // a prefix-to-AS table is loaded
	// Overload is overload protection (forwarding-options sampling
	// overload-protection); nil when it was never configured.
	Overload *dpstats.Overload `json:",omitempty"`
}

// ServicesAccountingStatus renders `show services accounting status`
// (vendor-behaviour.md 4.2).
func ServicesAccountingStatus(w io.Writer, v AccountingView) {
	st := &v.Status
	yes := func(b bool) string {
		if b {
			return "Yes"
		}
		return "No"
	}
	v.header(w)
	fmt.Fprintf(w, "    Export format: %s\n", st.ExportFormat)
	fmt.Fprintf(w, "    Route record count: %d, AS count: %d\n", st.RouteRecordCount, st.ASCount)
	fmt.Fprintf(w, "    Time set: %s, Route record set: %s\n", yes(st.TimeSet), yes(st.RouteRecordSet))
	switch o := st.Overload; {
	case o == nil || !o.Configured:
	case o.Active:
		fmt.Fprintf(w, "    Overload protection: Active, sampling rate: 1 in %d, overloads: %d\n", o.Rate, o.Entered)
	default:
		fmt.Fprintf(w, "    Overload protection: Enabled, not active, overloads: %d\n", o.Entered)
	}
}

// AccountingStatusJSON is `show services accounting status | display json`.
func AccountingStatusJSON(v AccountingView) any { return v.Status }

func (v *AccountingView) header(w io.Writer) {
	fmt.Fprintln(w, "  Service Accounting interface: xdp-0/0/0, Local interface index: 0")
	fmt.Fprintln(w, "  Service name: (default sampling)")
	fmt.Fprintln(w, "  Interface state: Accounting")
}

// ServicesAccountingFlow renders `show services accounting flow`.
func ServicesAccountingFlow(w io.Writer, v AccountingView) {
	f := AccountingFlowOf(v)
	v.header(w)
	fmt.Fprintf(w, "    Flow packets: %d, Flow bytes: %d\n", f.FlowPackets, f.FlowBytes)
	fmt.Fprintf(w, "    Flow packets 10-second rate: %d, Flow bytes 10-second rate: %d\n", f.FlowPackets10sRate, f.FlowBytes10sRate)
	fmt.Fprintf(w, "    Active flows: %d, Total flows: %d\n", f.ActiveFlows, f.TotalFlows)
	fmt.Fprintf(w, "    Flows exported: %d, Flows packets exported: %d\n", f.FlowsExported, f.FlowsPacketsExported)
	fmt.Fprintf(w, "    Flows inactive timed out: %d, Flows active timed out: %d\n", f.FlowsInactiveTimedOut, f.FlowsActiveTimedOut)
}

// AccountingFlow is `show services accounting flow`'s numbers, derived
// once for its text screen and its `| display json`.
type AccountingFlow struct {
	FlowPackets, FlowBytes                     uint64
	FlowPackets10sRate, FlowBytes10sRate       uint64
	ActiveFlows, TotalFlows                    uint64
	FlowsExported, FlowsPacketsExported        uint64
	FlowsInactiveTimedOut, FlowsActiveTimedOut uint64
}

// AccountingFlowOf derives the numbers from the snapshot: flows still in
// the cache count toward the totals.
func AccountingFlowOf(v AccountingView) AccountingFlow {
	s := &v.Cache.Stats
	total := s.Total()
	var pk, by uint64
	for _, r := range v.Cache.Flows {
		pk += r.Packets
		by += r.Bytes
	}
	// Flows once each, however many destinations; export packets are
	// each destination's datagrams.
	recs, pkts := v.CacheExport.Exported, v.Removed.Packets
	for _, e := range v.Exports {
		pkts += e.Packets
	}
	return AccountingFlow{
		FlowPackets: total.Packets + pk, FlowBytes: total.Bytes + by,
		FlowPackets10sRate: v.Packets10s / 10, FlowBytes10sRate: v.Bytes10s / 10,
		ActiveFlows: uint64(s.Active), TotalFlows: uint64(s.Added),
		FlowsExported: recs, FlowsPacketsExported: pkts,
		FlowsInactiveTimedOut: uint64(s.Expired[flow.EndIdle] + s.Expired[flow.EndNoResource]),
		FlowsActiveTimedOut:   uint64(s.Expired[flow.EndActive]),
	}
}

// AccountingMemory is `show services accounting memory`'s numbers: the
// flow table is the services PIC's memory. It is allocated whole when
// the cache starts (a BPF hash map), so an entry in use is the memory
// used and the rest is free.
type AccountingMemory struct {
	AllocationCount uint64 // flows the cache created since the last clear
	FreeCount       uint64 // flows it let go (exported or flushed) since
	// AllocationFailures are the flows the full table could not take.
	AllocationFailures uint64
	MemoryUsed         uint64 // bytes of the entries in use
	MemoryFree         uint64 // bytes of the entries free
}

// AccountingMemoryOf reads the memory screen's numbers off the cache's
// statistics, those IOS's show ip cache flow header prints.
func AccountingMemoryOf(v AccountingView) AccountingMemory {
	s := &v.Cache.Stats
	m := AccountingMemory{AllocationCount: s.Added, AllocationFailures: s.AllocFailures}
	for _, n := range s.Expired {
		m.FreeCount += n
	}
	if s.Capacity > 0 {
		per := uint64(v.Cache.TableBytes / s.Capacity)
		m.MemoryUsed, m.MemoryFree = per*uint64(s.Active), per*uint64(s.Capacity-s.Active)
	}
	return m
}

// ServicesAccountingMemory renders `show services accounting memory`
// (vendor-behaviour.md 4.2).
func ServicesAccountingMemory(w io.Writer, v AccountingView) {
	m := AccountingMemoryOf(v)
	v.header(w)
	fmt.Fprintln(w, "    Memory utilization")
	fmt.Fprintf(w, "      Allocation count: %d, Free count: %d, Allocation failures: %d\n", m.AllocationCount, m.FreeCount, m.AllocationFailures)
	fmt.Fprintf(w, "      Total memory used (in bytes): %d, Total memory free (in bytes): %d\n", m.MemoryUsed, m.MemoryFree)
}

// ServicesAccountingUsage renders `show services accounting usage`
// (vendor-behaviour.md 4.2).
func ServicesAccountingUsage(w io.Writer, v AccountingView) {
	u := v.Usage
	v.header(w)
	fmt.Fprintln(w, "    CPU utilization")
	fmt.Fprintf(w, "      Uptime: %d milliseconds\n", u.UptimeMS)
	fmt.Fprintf(w, "      Load (5 second): %d%%, Load (1 minute): %d%%\n", roundPct(u.Load5Second), roundPct(u.Load1Min))
}

// FlowDetailOptions are the `flow-detail` modifiers.
type FlowDetailOptions struct {
	Limit   int  // 0: all
	ByBytes bool // order bytes, else order packets
	Terse   bool
	// The filters; each left zero matches every flow. Limit counts the
	// flows that pass them.
	SrcPrefix, DstPrefix netip.Prefix
	SrcPort, DstPort     *appclass.PortRange
	Proto                *uint8
	InputIf              string // the input interface's name
}

// match reports whether r passes o's filters.
func (o *FlowDetailOptions) match(v *AccountingView, r *flow.Record) bool {
	inPrefix := func(p netip.Prefix, a netip.Addr) bool {
		return !p.IsValid() || p.Contains(a.Unmap())
	}
	inPorts := func(pr *appclass.PortRange, port uint16) bool {
		return pr == nil || pr.Lo <= port && port <= pr.Hi
	}
	return inPrefix(o.SrcPrefix, r.SrcAddr) && inPrefix(o.DstPrefix, r.DstAddr) &&
		inPorts(o.SrcPort, r.SrcPort) && inPorts(o.DstPort, r.DstPort) &&
		(o.Proto == nil || *o.Proto == r.Proto) &&
		(o.InputIf == "" || v.Cache.ifName(r.InputIf) == o.InputIf)
}

// ServicesAccountingFlowDetail renders `show services accounting
// flow-detail`: one block per live flow, largest first.
func ServicesAccountingFlowDetail(w io.Writer, v AccountingView, o FlowDetailOptions) {
	flows := detailFlows(v, o)
	v.header(w)
	if o.Terse {
		fmt.Fprintln(w, "  Protocol  Source address   Source port  Destination address  Destination port  Packets  Bytes")
		for _, r := range flows {
			fmt.Fprintf(w, "  %-8d  %-15s  %-11s  %-19s  %-16s  %-7d  %d\n", r.Proto, r.SrcAddr, junosPort(r.Proto, r.SrcPort), r.DstAddr, junosPort(r.Proto, r.DstPort), r.Packets, r.Bytes)
		}
		return
	}
	for _, r := range flows {
		fmt.Fprintf(w, "    Protocol: %d, Input interface: %s\n", r.Proto, v.Cache.ifName(r.InputIf))
		fmt.Fprintf(w, "    Source address: %s, Source port: %s\n", r.SrcAddr, junosPort(r.Proto, r.SrcPort))
		fmt.Fprintf(w, "    Destination address: %s, Destination port: %s\n", r.DstAddr, junosPort(r.Proto, r.DstPort))
		fmt.Fprintf(w, "    TOS: 0x%02x\n", r.ToS)
		fmt.Fprintf(w, "    Packet count: %d, Byte count: %d\n", r.Packets, r.Bytes)
		fmt.Fprintf(w, "    Time since last active timeout: %d seconds\n", int(v.Cache.Now.Sub(r.Start).Seconds()))
		fmt.Fprintln(w)
	}
}

// detailFlows are the flows flow-detail lists, in its order.
func detailFlows(v AccountingView, o FlowDetailOptions) []flow.Record {
	var flows []flow.Record
	for i := range v.Cache.Flows {
		if o.match(&v, &v.Cache.Flows[i]) {
			flows = append(flows, v.Cache.Flows[i])
		}
	}
	sort.SliceStable(flows, func(i, j int) bool {
		if o.ByBytes {
			return flows[i].Bytes > flows[j].Bytes
		}
		return flows[i].Packets > flows[j].Packets
	})
	if o.Limit > 0 && len(flows) > o.Limit {
		flows = flows[:o.Limit]
	}
	return flows
}

// AccountingFlowDetailJSON is `show services accounting flow-detail |
// display json`: the same flows in the same order, with what the
// detailed screen prints of each.
func AccountingFlowDetailJSON(v AccountingView, o FlowDetailOptions) any {
	type row struct {
		Protocol                          uint8
		InputInterface                    string
		SourceAddress, DestinationAddress string
		SourcePort, DestinationPort       uint16
		ToS                               uint8
		PacketCount, ByteCount            uint64
		TimeSinceLastActiveTimeout        int64
	}
	rows := []row{}
	for _, r := range detailFlows(v, o) {
		rows = append(rows, row{r.Proto, v.Cache.ifName(r.InputIf), addr(r.SrcAddr), addr(r.DstAddr), r.SrcPort, r.DstPort,
			r.ToS, r.Packets, r.Bytes, int64(v.Cache.Now.Sub(r.Start).Seconds())})
	}
	return map[string]any{"Flows": rows}
}

// ServicesAccountingAggregation renders `show services accounting
// aggregation protocol-port`: live flows summed by protocol and port.
func ServicesAccountingAggregation(w io.Writer, v AccountingView) {
	v.header(w)
	fmt.Fprintln(w, "  Protocol  Destination port  Flow count  Packet count  Byte count")
	for _, a := range protocolPortSums(v) {
		fmt.Fprintf(w, "  %-8d  %-16d  %-10d  %-12d  %d\n", a.Protocol, a.DestinationPort, a.FlowCount, a.PacketCount, a.ByteCount)
	}
}

// protocolPortSum is one line of `show services accounting aggregation`.
type protocolPortSum struct {
	Protocol                          uint8
	DestinationPort                   uint16
	FlowCount, PacketCount, ByteCount uint64
}

// protocolPortSums are the live flows summed by protocol and destination
// port, most bytes first.
func protocolPortSums(v AccountingView) []protocolPortSum {
	type key struct {
		proto uint8
		port  uint16
	}
	index := map[key]int{}
	var out []protocolPortSum
	for _, r := range v.Cache.Flows {
		k := key{r.Proto, r.DstPort}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, protocolPortSum{Protocol: r.Proto, DestinationPort: r.DstPort})
		}
		a := &out[i]
		a.FlowCount++
		a.PacketCount += r.Packets
		a.ByteCount += r.Bytes
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ByteCount > out[j].ByteCount })
	return out
}

// AccountingAggregationJSON is `show services accounting aggregation |
// display json`.
func AccountingAggregationJSON(v AccountingView) any {
	rows := protocolPortSums(v)
	if rows == nil {
		rows = []protocolPortSum{}
	}
	return map[string]any{"Aggregations": rows}
}

// ServicesAccountingErrors renders `show services accounting errors`.
func ServicesAccountingErrors(w io.Writer, v AccountingView) {
	e := AccountingErrorsOf(v)
	v.header(w)
	fmt.Fprintf(w, "    Service sets dropped because of overload: %d\n", e.ServiceSetsDroppedOverload)
	fmt.Fprintf(w, "    Flow creation failures: %d\n", e.FlowCreationFailures)
	fmt.Fprintf(w, "    Export packet send errors: %d\n", e.ExportSendErrors)
	fmt.Fprintf(w, "    Export packets dropped (queue full): %d\n", e.ExportQueueDrops)
	fmt.Fprintf(w, "    Flows not exportable in the configured version: %d\n", e.FlowsNotExportable)
	fmt.Fprintf(w, "    Harvest errors: %d\n", e.HarvestErrors)
}

// AccountingErrors is `show services accounting errors`'s numbers, for
// its screen and its `| display json`.
type AccountingErrors struct {
	ServiceSetsDroppedOverload uint64
	FlowCreationFailures       uint64
	ExportSendErrors           uint64
	ExportQueueDrops           uint64
	FlowsNotExportable         uint64
	HarvestErrors              uint64
}

// AccountingErrorsOf sums the exporters' errors and takes the cache's.
func AccountingErrorsOf(v AccountingView) AccountingErrors {
	// Flows once each (the cache's); packets each destination's.
	e := AccountingErrors{ExportSendErrors: v.Removed.Errors, ExportQueueDrops: v.Removed.Dropped, FlowsNotExportable: v.CacheExport.NotExportable}
	for _, x := range v.Exports {
		e.ExportSendErrors += x.Errors
		e.ExportQueueDrops += x.Dropped
	}
	s := &v.Cache.Stats
	e.FlowCreationFailures, e.HarvestErrors = uint64(s.AllocFailures), uint64(s.HarvestErrors)
	return e
}
