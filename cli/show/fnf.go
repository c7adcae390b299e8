package show

import (
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
)

// FNFView is Flexible NetFlow as IOS-XE's `show flow ...` commands show
// it: the records, exporters and monitors as configured, with the main
// cache's and the collectors' counters (the same ones `show ip cache
// flow` and `show ip flow export` read: flowtap's monitors are its one
// main cache). Layouts are [RECALL] of IOS-XE 16/17.
type FNFView struct {
	Records []FNFRecord
	// Predefined are IOS-XE's predefined records, for `show flow record
	// netflow ipv4 original-input` and the like (Records holds those a
	// monitor uses).
	Predefined []FNFRecord `json:"-"`
	Exporters  []FNFExporter
	Monitors   []FNFMonitor
	// Interfaces are the ports with monitors, `show flow interface`.
	Interfaces []FNFInterface
	// Cache is the main cache, for `show flow monitor NAME statistics`
	// and `cache`.
	Cache CacheView `json:"-"`
}

// FNFRecord is one `flow record` (or a predefined one a monitor uses).
type FNFRecord struct {
	Name        string
	Description string
	Users       int // monitors that use it
	FieldBytes  int // the record's fields' size, IOS's "Total field space"
	Match       []string
	Collect     []string
}

// FNFExporter is one `flow exporter` and its collector's counters.
type FNFExporter struct {
	Name            string
	Description     string
	Protocol        platform.ExportVersion
	Destination     netip.Addr // invalid: none configured
	Port            uint16
	SourceIf        string
	TTL             int        // 0: the kernel's default
	Source          netip.Addr // the source interface's address, if any
	TemplateTimeout time.Duration
	Options         []string // "interface-table timeout 300", ...
	Users           []string // the monitors that export through it
	// Stats are the collector's counters while a bound monitor exports
	// to it (nil: not exporting).
	Stats *ExportStats
	// Templates are the templates its destination sends, as on the wire
	// (none: not exporting, or v5), for `show flow exporter templates`.
	Templates []FNFTemplate `json:"-"`
}

// FNFTemplate is one template an exporter sends: Client is what IOS-XE
// calls its owner ("Flow Monitor M", "Option options interface-table").
type FNFTemplate struct {
	Client   string
	ID       uint16
	SourceID uint32
	Options  bool
	Fields   []FNFTemplateField // an options template's scope fields first
}

// FNFTemplateField is one field specifier of a template.
type FNFTemplateField struct {
	IE         uint16
	Enterprise uint32
	Length     uint16
	Scope      bool
}

// FNFMonitor is one `flow monitor`.
type FNFMonitor struct {
	Name        string
	Description string
	Record      string
	Exporters   []string
	// Allocated: a port is bound to it, so it is the main cache.
	Allocated bool
	// Family is the one family its bindings meter (4 or 6): its
	// statistics are that family's flows'; 0 (bound for both) counts all.
	Family           int
	Entries          int
	Active, Inactive time.Duration
	Interfaces       []string // "eth1 input", "eth1 output", "eth1 input (IPv6)"
}

// FNFInterface is one port's monitors, `show flow interface`.
type FNFInterface struct {
	Name     string
	Monitors []FNFBinding
}

// FNFBinding is one `ip|ipv6 flow monitor NAME input|output`.
type FNFBinding struct {
	Monitor string
	Family  int
	Output  bool
}

// FlowRecords is `show flow record [NAME]`.
func FlowRecords(w io.Writer, v FNFView) {
	for _, r := range v.Records {
		fmt.Fprintf(w, "flow record %s:\n", r.Name)
		desc := r.Description
		if desc == "" {
			desc = "User defined"
		}
		fmt.Fprintf(w, "  %-20s%s\n", "Description:", desc)
		fmt.Fprintf(w, "  %-20s%d\n", "No. of users:", r.Users)
		fmt.Fprintf(w, "  %-20s%d bytes\n", "Total field space:", r.FieldBytes)
		fmt.Fprintf(w, "  Fields:\n")
		for _, m := range r.Match {
			fmt.Fprintf(w, "    match %s\n", m)
		}
		for _, c := range r.Collect {
			fmt.Fprintf(w, "    collect %s\n", c)
		}
	}
}

// protocolName is the export protocol as `show flow exporter` words it.
func protocolName(v platform.ExportVersion) string {
	switch v {
	case platform.V5:
		return "NetFlow Version 5"
	case platform.IPFIX:
		return "IPFIX (Version 10)"
	}
	return "NetFlow Version 9"
}

// FlowExporters is `show flow exporter [NAME]`.
func FlowExporters(w io.Writer, v FNFView) {
	for _, e := range v.Exporters {
		fmt.Fprintf(w, "Flow Exporter %s:\n", e.Name)
		desc := e.Description
		if desc == "" {
			desc = "User defined"
		}
		row := func(k, f string, a ...any) { fmt.Fprintf(w, "  %-26s"+f+"\n", append([]any{k + ":"}, a...)...) }
		row("Description", "%s", desc)
		row("Export protocol", "%s", protocolName(e.Protocol))
		fmt.Fprintf(w, "  Transport Configuration:\n")
		sub := func(k, f string, a ...any) { fmt.Fprintf(w, "    %-24s"+f+"\n", append([]any{k + ":"}, a...)...) }
		if e.Destination.IsValid() {
			sub("Destination IP address", "%s", e.Destination)
		} else {
			sub("Destination IP address", "%s", "Not configured")
		}
		if e.Source.IsValid() {
			sub("Source IP address", "%s", e.Source)
		}
		if e.SourceIf != "" {
			sub("Source Interface", "%s", e.SourceIf)
		}
		sub("Transport Protocol", "UDP")
		sub("Destination Port", "%d", e.Port)
		sub("DSCP", "0x0")
		if e.TTL != 0 {
			sub("TTL", "%d", e.TTL)
		} else {
			sub("TTL", "64 (the kernel's default)")
		}
		sub("Output Features", "Not Used")
		if len(e.Options) > 0 {
			fmt.Fprintf(w, "  Options Configuration:\n")
			for _, o := range e.Options {
				fmt.Fprintf(w, "    %s\n", o)
			}
		}
		fmt.Fprintf(w, "  %-26s%d seconds\n", "Template data timeout:", int(e.TemplateTimeout/time.Second))
	}
}

// FlowExporterStatistics is `show flow exporter [NAME] statistics`: the
// collector's counters, as `show ip flow export` counts them.
func FlowExporterStatistics(w io.Writer, v FNFView) {
	for _, e := range v.Exporters {
		fmt.Fprintf(w, "Flow Exporter %s:\n", e.Name)
		s := ExportStats{}
		if e.Stats != nil {
			s = *e.Stats
		}
		fmt.Fprintf(w, "  Packet send statistics:\n")
		fmt.Fprintf(w, "    %-27s%-22d(%d bytes)\n", "Successfully sent:", s.Packets, s.Bytes)
		if s.Errors != 0 || s.Dropped != 0 {
			fmt.Fprintf(w, "  Reason not given:\n")
			fmt.Fprintf(w, "    %-27s%-22d(%d records)\n", "Send errors:", s.Errors, s.ErrorRecords)
			fmt.Fprintf(w, "    %-27s%-22d(%d records)\n", "Dropped:", s.Dropped, s.DroppedRecords)
		}
		fmt.Fprintf(w, "  Client send statistics:\n")
		if len(e.Users) == 0 {
			continue
		}
		// The monitors are flowtap's one cache: their records are counted
		// together, as one client.
		if len(e.Users) == 1 {
			fmt.Fprintf(w, "    Client: Flow Monitor %s\n", e.Users[0])
		} else {
			fmt.Fprintf(w, "    Client: Flow Monitors %s (one cache)\n", strings.Join(e.Users, ", "))
		}
		fmt.Fprintf(w, "      %-23s%d\n", "Records added:", s.Records+s.LostRecords)
		fmt.Fprintf(w, "        %-21s%d\n", "- sent:", s.Records)
		if s.LostRecords != 0 {
			fmt.Fprintf(w, "        %-21s%d\n", "- failed to send:", s.LostRecords)
			// flowtap: why, as show ip flow export words the causes, with
			// the packets the lost records counted, so every metered packet
			// is sent or counted here with its reason.
			for _, c := range []struct {
				what             string
				records, packets uint64
			}{
				{"no fib", s.NoRouteRecords, s.NoRoutePackets}, {"adjacency issues", s.AdjacencyRecords, s.AdjacencyPackets},
				{"fragmentation failures", s.TooBigRecords, s.TooBigPackets}, {"send errors", s.SendErrorRecords, s.SendErrorPackets},
				{"lack of export packet", s.DroppedRecords, s.DroppedPackets},
			} {
				if c.records != 0 {
					fmt.Fprintf(w, "          %-23s%d (%d packets)\n", c.what+":", c.records, c.packets)
				}
			}
		}
	}
}

// FlowMonitors is `show flow monitor [NAME]`.
func FlowMonitors(w io.Writer, v FNFView) {
	for _, m := range v.Monitors {
		fmt.Fprintf(w, "Flow Monitor %s:\n", m.Name)
		desc := m.Description
		if desc == "" {
			desc = "User defined"
		}
		row := func(k, f string, a ...any) { fmt.Fprintf(w, "  %-19s"+f+"\n", append([]any{k + ":"}, a...)...) }
		row("Description", "%s", desc)
		rec := m.Record
		if rec == "" {
			rec = "Not configured"
		}
		row("Flow Record", "%s", rec)
		for _, e := range m.Exporters {
			row("Flow Exporter", "%s", e)
		}
		fmt.Fprintf(w, "  Cache:\n")
		sub := func(k, f string, a ...any) { fmt.Fprintf(w, "    %-22s"+f+"\n", append([]any{k + ":"}, a...)...) }
		sub("Type", "normal (Platform cache)")
		if m.Allocated {
			sub("Status", "allocated")
		} else {
			sub("Status", "not allocated")
		}
		sub("Size", "%d entries", m.Entries)
		sub("Inactive Timeout", "%d secs", int(m.Inactive/time.Second))
		sub("Active Timeout", "%d secs", int(m.Active/time.Second))
		if len(m.Interfaces) > 0 {
			fmt.Fprintf(w, "  Status:\n")
			for i, it := range m.Interfaces {
				if i == 0 {
					fmt.Fprintf(w, "    %-16s%s\n", "Interfaces:", it)
				} else {
					fmt.Fprintf(w, "    %-16s%s\n", "", it)
				}
			}
		}
	}
}

// fnfCacheHeader is the cache counters `show flow monitor NAME
// statistics` and `cache` print: the main cache's, as `show ip cache
// flow` counts them.
func fnfCacheHeader(w io.Writer, m FNFMonitor, c CacheView) {
	st := c.Stats
	if m.Family != 0 {
		st = c.Family(m.Family)
	}
	var aged uint64
	for _, n := range st.Expired {
		aged += n
	}
	row := func(k string, n uint64) { fmt.Fprintf(w, "  %-38s%10d\n", k, n) }
	fmt.Fprintf(w, "  %-27s%23s\n", "Cache type:", "Normal (Platform cache)")
	row("Cache size:", uint64(m.Entries))
	row("Current entries:", uint64(st.Active))
	fmt.Fprintln(w)
	row("Flows added:", st.Added)
	row("Flows aged:", aged)
	reason := func(label string, d time.Duration, r flow.EndReason) {
		if d != 0 {
			fmt.Fprintf(w, "    - %-18s(%6d secs)%13d\n", label, int(d/time.Second), st.Expired[r])
		} else {
			fmt.Fprintf(w, "    - %-30s%14d\n", label, st.Expired[r])
		}
	}
	reason("Active timeout", m.Active, flow.EndActive)
	reason("Inactive timeout", m.Inactive, flow.EndIdle)
	reason("Event aged", 0, flow.EndOfFlow)
	reason("Emergency aged", 0, flow.EndNoResource)
	reason("Forced (clear)", 0, flow.EndForced)
	// flowtap: the flows the cache had no room for, show ip cache flow's
	// "flow alloc failures" (their packets: show ip flow datapath).
	row("Flows not added (cache full):", st.AllocFailures)
}

// FlowMonitorStatistics is `show flow monitor [NAME] statistics`.
func FlowMonitorStatistics(w io.Writer, v FNFView) {
	for _, m := range v.Monitors {
		fmt.Fprintf(w, "Flow Monitor %s:\n", m.Name)
		if !m.Allocated {
			fmt.Fprintf(w, "  Cache is not allocated\n")
			continue
		}
		fnfCacheHeader(w, m, v.Cache)
	}
}

// CacheQuery is what `show flow monitor NAME cache` asks beyond the
// monitor's family's flows: IOS-XE's Top N Talkers options [RECALL for
// their words and the summary lines; the feature is SRC: Cisco's
// "Flexible NetFlow - Top N Talkers Support" guide filters, sorts and
// limits the cache's flows as it shows them].
type CacheQuery struct {
	// Format is "table" (flowtap's default), "record" or "csv".
	Format string
	// Filter keeps the flows it is true for; nil keeps all.
	Filter func(flow.Record) bool
	// Sort orders the flows (negative: a first); nil keeps the cache's
	// order.
	Sort func(a, b flow.Record) int
	// Top shows only the first Top flows after sorting; 0 shows all.
	Top int
}

// Rows is the flows q keeps, in its order, and how many its filter
// matched before the top cut; flows is left as it was.
func (q CacheQuery) Rows(flows []flow.Record) ([]flow.Record, int) {
	var rows []flow.Record
	for _, r := range flows {
		if q.Filter == nil || q.Filter(r) {
			rows = append(rows, r)
		}
	}
	matched := len(rows)
	if q.Sort != nil {
		slices.SortStableFunc(rows, q.Sort)
	}
	if q.Top > 0 && len(rows) > q.Top {
		rows = rows[:q.Top]
	}
	return rows, matched
}

// FlowMonitorCache is `show flow monitor NAME cache [filter ...] [sort
// highest|lowest FIELD [top [N]]] [format table|record|csv]`: the
// counters, then the main cache's flows of the monitor's family that the
// query keeps, in its order. csv prints the flows alone, a header line of
// the table's column names then one line a flow, for a script.
func FlowMonitorCache(w io.Writer, v FNFView, m FNFMonitor, family int, q CacheQuery) {
	if !m.Allocated {
		fmt.Fprintf(w, "%% Cache for flow monitor %s is not allocated\n", m.Name)
		return
	}
	var ofFamily []flow.Record
	for _, r := range v.Cache.Flows {
		if (family == 6) == r.Key.SrcAddr.Is6() {
			ofFamily = append(ofFamily, r)
		}
	}
	processed := len(ofFamily)
	rows, matched := q.Rows(ofFamily)
	if q.Format != "csv" {
		fnfCacheHeader(w, m, v.Cache)
		fmt.Fprintln(w)
		if q.Filter != nil || q.Sort != nil || q.Top > 0 {
			fmt.Fprintf(w, "Processed %d flows\n", processed)
			if q.Filter != nil {
				fmt.Fprintf(w, "Matched %d flows\n", matched)
			}
			if q.Top > 0 {
				fmt.Fprintf(w, "Showing the top %d flows\n", len(rows))
			}
			fmt.Fprintln(w)
		}
	}
	ifname := func(i uint32) string {
		if v.Cache.IfName != nil {
			if n := v.Cache.IfName(i); n != "" {
				return n
			}
		}
		return fmt.Sprint(i)
	}
	first := func(r flow.Record) string { return v.Cache.local(r.Start).Format("15:04:05.000") }
	last := func(r flow.Record) string { return v.Cache.local(r.End).Format("15:04:05.000") }
	fam := "IPV4"
	if family == 6 {
		fam = "IPV6"
	}
	switch q.Format {
	case "record":
		for _, r := range rows {
			row := func(k string, val any) { fmt.Fprintf(w, "%-28s%v\n", k+":", val) }
			row(fam+" SOURCE ADDRESS", r.Key.SrcAddr)
			row(fam+" DESTINATION ADDRESS", r.Key.DstAddr)
			row("TRNS SOURCE PORT", r.Key.SrcPort)
			row("TRNS DESTINATION PORT", r.Key.DstPort)
			row("INTERFACE INPUT", ifname(r.Key.InputIf))
			row("IP TOS", fmt.Sprintf("0x%02X", r.Key.ToS))
			row("IP PROTOCOL", r.Key.Proto)
			row("interface output", ifname(r.OutputIf))
			row("counter bytes long", r.Bytes)
			row("counter packets long", r.Packets)
			row("timestamp abs first", first(r))
			row("timestamp abs last", last(r))
			fmt.Fprintln(w)
		}
		return
	case "csv":
		fmt.Fprintf(w, "%s SRC ADDR,%s DST ADDR,TRNS SRC PORT,TRNS DST PORT,INTF INPUT,IP TOS,IP PROT,intf output,bytes long,pkts long,time first,time last\n", fam, fam)
		for _, r := range rows {
			fmt.Fprintf(w, "%s,%s,%d,%d,%s,0x%02X,%d,%s,%d,%d,%s,%s\n", r.Key.SrcAddr, r.Key.DstAddr, r.Key.SrcPort, r.Key.DstPort,
				ifname(r.Key.InputIf), r.Key.ToS, r.Key.Proto, ifname(r.OutputIf), r.Bytes, r.Packets, first(r), last(r))
		}
		return
	}
	addrW := 15
	if family == 6 {
		addrW = 39
	}
	fmt.Fprintf(w, "%-*s  %-*s  %-13s  %-13s  %-10s  %-6s  %-7s  %-11s  %-15s  %-14s  %-12s  %-12s\n",
		addrW, fam+" SRC ADDR", addrW, fam+" DST ADDR", "TRNS SRC PORT", "TRNS DST PORT", "INTF INPUT", "IP TOS", "IP PROT",
		"intf output", "bytes long", "pkts long", "time first", "time last")
	fmt.Fprintf(w, "%s  %s  %s  %s  %s  %s  %s  %s  %s  %s  %s  %s\n", strings.Repeat("=", addrW), strings.Repeat("=", addrW),
		strings.Repeat("=", 13), strings.Repeat("=", 13), strings.Repeat("=", 10), strings.Repeat("=", 6), strings.Repeat("=", 7),
		strings.Repeat("=", 11), strings.Repeat("=", 15), strings.Repeat("=", 14), strings.Repeat("=", 12), strings.Repeat("=", 12))
	for _, r := range rows {
		fmt.Fprintf(w, "%-*s  %-*s  %13d  %13d  %-10s  0x%02X    %7d  %-11s  %15d  %14d  %-12s  %-12s\n",
			addrW, r.Key.SrcAddr, addrW, r.Key.DstAddr, r.Key.SrcPort, r.Key.DstPort, ifname(r.Key.InputIf), r.Key.ToS, r.Key.Proto,
			ifname(r.OutputIf), r.Bytes, r.Packets, first(r), last(r))
	}
}

// FlowInterfaces is `show flow interface [IFNAME]`.
func FlowInterfaces(w io.Writer, ifs []FNFInterface) {
	for _, i := range ifs {
		fmt.Fprintf(w, "Interface %s\n", i.Name)
		for _, b := range i.Monitors {
			dir, traffic := "Input", "ip"
			if b.Output {
				dir = "Output"
			}
			if b.Family == 6 {
				traffic = "ipv6"
			}
			fmt.Fprintf(w, "  FNF:  %-17s%s\n", "monitor:", b.Monitor)
			fmt.Fprintf(w, "        %-17s%s\n", "direction:", dir)
			fmt.Fprintf(w, "        %-17s%s\n", "traffic("+traffic+"):", "on")
		}
	}
}
