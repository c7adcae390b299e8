package show

import (
	"fmt"
	"io"
	"time"
)

// ContentionView is the PFC's view of its NetFlow table.
type ContentionView struct {
	Module           int
	Used, Capacity   int    // entries in the table (the TCAM)
	CreationFailures uint64 // flows that found no room
	HashAliases      uint64 // ... of them because both hash groups were full
}

func percent(n, of int) int {
	if of == 0 {
		return 0
	}
	return n * 100 / of
}

// MLSTableContentionDetailed renders `show mls netflow table-contention
// detailed` (layout SRC: cisco-nsp). flowtap's table has no ICAM: hash
// overflow is a creation failure at once, counted as an alias. The caller
// passes the failures since the last aging pass, as the PFC shows them.
func MLSTableContentionDetailed(w io.Writer, v ContentionView) {
	fmt.Fprintf(w, "Earl in Module %d\n", v.Module)
	fmt.Fprintln(w, "Detailed Netflow CAM (TCAM and ICAM) Utilization")
	fmt.Fprintln(w, "================================================")
	fmt.Fprintf(w, "TCAM Utilization             :   %d%%\n", percent(v.Used, v.Capacity))
	fmt.Fprintf(w, "ICAM Utilization             :   %d%%\n", 0)
	fmt.Fprintf(w, "Netflow TCAM count           :   %d\n", v.Used)
	fmt.Fprintf(w, "Netflow ICAM count           :   %d\n", 0)
	fmt.Fprintf(w, "Netflow Creation Failures    :   %d\n", v.CreationFailures)
	fmt.Fprintf(w, "Netflow CAM aliases          :   %d\n", v.HashAliases)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "** All failures in the last aging time")
}

// MLSTableContentionAggregate renders the `aggregate` form: totals since
// boot.
func MLSTableContentionAggregate(w io.Writer, v ContentionView) {
	fmt.Fprintf(w, "Earl in Module %d\n", v.Module)
	fmt.Fprintln(w, "Aggregate Netflow CAM Contention Information")
	fmt.Fprintf(w, "Netflow Creation Failures    :   %d\n", v.CreationFailures)
	fmt.Fprintf(w, "Netflow Hash Aliases         :   %d\n", v.HashAliases)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "** All failures to create entries since last reboot")
}

var protoNames = map[uint8]string{1: "icmp", 6: "tcp", 17: "udp", 47: "gre", 50: "esp", 58: "icmp6", 132: "sctp"}

// MLSNetflowIP renders `show mls netflow ip`: two lines per entry, as the
// 12.2SX layout (RECALL in the reference).
func MLSNetflowIP(w io.Writer, v CacheView) {
	fmt.Fprintln(w, "Displaying Netflow entries in Supervisor Earl")
	fmt.Fprintln(w, "DstIP           SrcIP           Prot:SrcPort:DstPort  Src i/f         :AdjPtr")
	fmt.Fprintln(w, "-----------------------------------------------------------------------------")
	fmt.Fprintln(w, "Pkts         Bytes         Age   LastSeen  Attributes")
	fmt.Fprintln(w, "---------------------------------------------------")
	flows := ipv4Flows(&v)
	for _, r := range flows {
		proto := protoNames[r.Proto]
		if proto == "" {
			proto = fmt.Sprint(r.Proto)
		}
		fmt.Fprintf(w, "%-16s%-16s%-4s:%-6d:%-9d %-16s:0x0\n", addr(r.DstAddr), addr(r.SrcAddr), proto, r.SrcPort, r.DstPort,
			cut(v.ifName(r.InputIf), 16))
		age := int(v.Now.Sub(r.Start) / time.Second)
		fmt.Fprintf(w, "%-13d%-14d%-6d%-10s%s\n", r.Packets, r.Bytes, age, v.local(r.End).Format("15:04:05"), "L3 - Dynamic")
	}
	fmt.Fprintf(w, "Number of shortcuts = %d\n", len(flows))
}

// MLSAgingView is `show mls netflow aging`: the three aging timers in
// seconds, as configured (a PFC2 divides the normal time per flow mask
// when it ages; the screen shows the configured value), fast aging's
// packet threshold, and whether fast aging is on. With it off the screen
// shows the times `mls aging fast` alone would set.
type MLSAgingView struct {
	Normal, Long, FastTime int
	FastThreshold          int
	FastOn                 bool
}

// MLSNetflowAging renders `show mls netflow aging` (layout RECALL,
// docs/vendor-behaviour.md 1.3): a row per timer with whether it ages,
// its time and, for fast aging, its packet threshold.
func MLSNetflowAging(w io.Writer, v MLSAgingView) {
	row := func(name string, on bool, secs int, threshold string) {
		fmt.Fprintf(w, "%-16s%-7t%-9d%s\n", name, on, secs, threshold)
	}
	fmt.Fprintln(w, "                enable timeout  packet threshold")
	fmt.Fprintln(w, "                ------ -------  ----------------")
	row("normal aging", true, v.Normal, "N/A")
	row("fast aging", v.FastOn, v.FastTime, fmt.Sprint(v.FastThreshold))
	row("long aging", true, v.Long, "N/A")
}
