package show

import (
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/platform"
)

// ExportView is what `show ip flow export` needs.
type ExportView struct {
	Version    platform.ExportVersion // the cache's version (`ip flow-export version`)
	AS         platform.ASMode
	BGPNextHop bool
	Source     netip.Addr // `ip flow-export source` address, if set
	SourceIf   string
	// Destinations go to `| json` once, as its TABLE_destination
	// (ExportJSON), with each last error as its message.
	Destinations []ExportStats `json:"-"`
	// Layer2VLANs is `ip flow export layer2-switched vlan`: the VLANs
	// whose tagged flows are exported (empty: every flow).
	Layer2VLANs platform.VLANSet
	// NDEFilter says a PFC's NDE flow filter (`mls nde flow`) is
	// configured.
	NDEFilter bool
	// UncleanStopLost is what a killed flowtapd had taken and not sent to
	// destinations the restarted one no longer has.
	UncleanStopLost UncleanStopLoss
	// UncleanStopHeld is what killed flowtapds lost that aggregation
	// caches and biflow destinations held, per destination.
	UncleanStopHeld []HeldLoss
	// Removed is what the destinations removed since the last clear
	// counted since it: the datagram totals keep it, so that they go
	// back only on clear (IOS counts the cache's exports, not a
	// destination's).
	Removed ExportStats `json:"-"`
	// Cache is what became of the cache's flows since the last clear,
	// each flow once: the flow totals (the datagram totals are the
	// destinations' datagrams, each sent one a datagram on the wire).
	Cache CacheExport
	// Template is what `show ip flow export template` shows; `show ip
	// flow export | json` leaves it out, as its screen does.
	Template TemplateSettings `json:"-"`
}

// UncleanStopLoss counts records lost in an unclean stop because their
// destination is no longer configured, with their flows' packets; Doubt
// those of them in the packet being written at the stop, which the
// collector may have received.
type UncleanStopLoss struct {
	Records, Packets    uint64
	Doubt, DoubtPackets uint64
}

// HeldLoss is what a kill lost that one destination held: Reason says
// where ("held in aggregation cache SCHEME", "held for biflow pairing").
type HeldLoss struct {
	Reason    string
	Collector netip.AddrPort
	UncleanStopLoss
}

// TemplateSettings are the v9/IPFIX template and options resend settings
// in force, defaults applied: the timeouts, and the refresh rates in
// export packets.
type TemplateSettings struct {
	Timeout, OptionsTimeout time.Duration
	Refresh, OptionsRefresh int
}

// templateTimeout is a resend timeout as IOS shows it, in minutes; a
// JunOS template's seconds that are no whole minutes (template-refresh-
// rate seconds 10) say their unit, flowtap's own form, not 0.
func templateTimeout(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.Itoa(int(d / time.Minute))
	}
	return strconv.Itoa(int(d/time.Second)) + " seconds"
}

// IPFlowExportTemplate renders `show ip flow export template`: the
// template and options resend settings (layout [RECALL] IOS 12.4's,
// without its template counters). The version named is the templated
// one the destinations use: one whose own version (a flowtap extension)
// is v9 or IPFIX makes the settings apply under a cache version 5, as
// CISCO-NETFLOW-MIB's cnfTemplateExportVer9Enable says.
func IPFlowExportTemplate(w io.Writer, v ExportView) {
	state := "enabled"
	if len(v.Destinations) == 0 {
		state = "disabled"
	}
	version := v.Version
	if !version.Templated() {
		// v9 first, as the MIB's Ver9 objects, else IPFIX.
		for _, d := range v.Destinations {
			if d.Version.Templated() && (!version.Templated() || d.Version == platform.V9) {
				version = d.Version
			}
		}
	}
	fmt.Fprintf(w, "Main cache %s export is %s\n", version.Label(), state)
	t := v.Template
	fmt.Fprintf(w, "  Template export information\n  Template timeout = %s\n  Template refresh rate = %d\n", templateTimeout(t.Timeout), t.Refresh)
	fmt.Fprintf(w, "  Option export information\n  Option timeout = %s\n  Option refresh rate = %d\n", templateTimeout(t.OptionsTimeout), t.OptionsRefresh)
}

// IPFlowExport renders `show ip flow export`. Destinations whose version
// differs from the cache's (a flowtap extension) say so on their line.
func IPFlowExport(w io.Writer, v ExportView) {
	if len(v.Destinations) == 0 {
		fmt.Fprintf(w, "Flow export %s is disabled for main cache\n", v.Version.Label())
		if removedCounted(v.Removed) {
			// The last destination went since the clear: the totals
			// keep what it counted, as IOS's do ([RECALL] IOS shows
			// them under a disabled export).
			removedLost(w, v.Removed)
			exportTotals(w, v, v.Removed)
		}
		uncleanStopLost(w, v.UncleanStopLost)
		uncleanStopHeld(w, v.UncleanStopHeld)
		return
	}
	fmt.Fprintf(w, "Flow export %s is enabled for main cache\n", v.Version.Label())
	fmt.Fprintln(w, "  Export source and destination details :")
	fmt.Fprintln(w, "  VRF ID : Default")
	if v.Source.IsValid() {
		fmt.Fprintf(w, "    Source(1)       %s (%s)\n", v.Source, v.SourceIf)
	}
	s := ExportStats{Packets: v.Removed.Packets, Records: v.Removed.Records, Dropped: v.Removed.Dropped,
		DroppedRecords: v.Removed.DroppedRecords, Errors: v.Removed.Errors, NotExportable: v.Removed.NotExportable,
		NoRoute: v.Removed.NoRoute, Adjacency: v.Removed.Adjacency, TooBig: v.Removed.TooBig,
		Layer2NotSelected: v.Removed.Layer2NotSelected, Layer2NotSelectedPackets: v.Removed.Layer2NotSelectedPackets,
		NDEFiltered: v.Removed.NDEFiltered, NDEFilteredPackets: v.Removed.NDEFilteredPackets,
		FamilyNotSelected: v.Removed.FamilyNotSelected, FamilyNotSelectedPackets: v.Removed.FamilyNotSelectedPackets}
	for i, d := range v.Destinations {
		line := fmt.Sprintf("    Destination(%d)  %s (%d)", i+1, d.Collector.Addr(), d.Collector.Port())
		if d.Version != v.Version {
			line += " " + d.Version.Label()
		}
		fmt.Fprintln(w, line)
		// flowtap: what each destination lost, as flows and the packets
		// they counted, so an outage is visible per collector.
		if d.Anon != "" {
			fmt.Fprintf(w, "      Addresses: %s\n", d.Anon)
		}
		if d.Family != 0 {
			// flowtap: a JunOS flow-server under one family.
			fmt.Fprintf(w, "      IPv%d flows only: %d flows (%d packets) of the other family not sent\n", d.Family, d.FamilyNotSelected, d.FamilyNotSelectedPackets)
		}
		if d.Biflow {
			fmt.Fprintf(w, "      Biflows (RFC 5103): %d directions waiting for their partner\n", d.BiflowWaiting)
		}
		// flowtap: what this destination sent; the totals below count
		// each flow once, however many destinations sent it.
		fmt.Fprintf(w, "      %d flow records sent in %d udp datagrams\n", d.Records, d.Packets)
		if d.Unreachable {
			fmt.Fprintln(w, "      Collector unreachable: flows are being lost")
		}
		if d.LostRecords > 0 {
			why := "collector unreachable"
			if d.TooBig == d.Errors && d.DroppedRecords == 0 {
				why = "too big for a hop on the way"
			}
			fmt.Fprintf(w, "      %d flows (%d packets) lost, %s\n", d.LostRecords, d.LostPackets, why)
			lostByCause(w, d)
		}
		if d.Resent > 0 {
			fmt.Fprintf(w, "      %d flows (%d packets) taken but not sent before an unclean stop, exported after it\n", d.Resent, d.ResentPackets)
			fmt.Fprintf(w, "      %d flows (%d packets) of them possibly sent twice (in the packet being written at the stop)\n", d.Doubt, d.DoubtPackets)
		}
		s.Packets += d.Packets
		s.Records += d.Records
		s.Dropped += d.Dropped
		s.DroppedRecords += d.DroppedRecords
		s.Errors += d.Errors
		s.NoRoute += d.NoRoute
		s.Adjacency += d.Adjacency
		s.TooBig += d.TooBig
		s.NotExportable += d.NotExportable
		s.Layer2NotSelected += d.Layer2NotSelected
		s.Layer2NotSelectedPackets += d.Layer2NotSelectedPackets
		s.NDEFiltered += d.NDEFiltered
		s.NDEFilteredPackets += d.NDEFilteredPackets
		s.FamilyNotSelected += d.FamilyNotSelected
		s.FamilyNotSelectedPackets += d.FamilyNotSelectedPackets
	}
	removedLost(w, v.Removed)
	exportTotals(w, v, s)
	uncleanStopLost(w, v.UncleanStopLost)
	uncleanStopHeld(w, v.UncleanStopHeld)
}

// removedCounted says whether destinations removed since the clear
// counted anything the totals keep.
func removedCounted(r ExportStats) bool {
	return r.Packets+r.Records+r.Errors+r.Dropped+r.DroppedRecords+r.LostRecords+r.NotExportable+r.Layer2NotSelected+r.NDEFiltered+r.FamilyNotSelected > 0
}

// removedLost says (flowtap) what the destinations removed since the
// clear lost while they were configured: their lines went with them.
func removedLost(w io.Writer, r ExportStats) {
	if r.LostRecords == 0 {
		return
	}
	fmt.Fprintln(w, "    Destinations removed since the last clear")
	fmt.Fprintf(w, "      %d flows (%d packets) lost\n", r.LostRecords, r.LostPackets)
	lostByCause(w, r)
}

// exportTotals renders the cache's totals below the destinations: its
// flows, each once (v.Cache), and the datagrams each destination sent
// or lost, summed in s.
func exportTotals(w io.Writer, v ExportView, s ExportStats) {
	c := v.Cache
	opts := ""
	if v.AS != platform.ASNone {
		opts = ", " + v.AS.String()
	}
	if v.BGPNextHop {
		opts += ", bgp-nexthop"
	}
	name := fmt.Sprintf("Version %d", v.Version)
	if v.Version == platform.IPFIX {
		name = "IPFIX"
	}
	fmt.Fprintf(w, "  %s flow records%s\n", name, opts)
	fmt.Fprintf(w, "  %d flows exported in %d udp datagrams\n", c.Exported, s.Packets)
	fmt.Fprintf(w, "  %d flows failed due to lack of export packet\n", c.NoBuffer)
	fmt.Fprintln(w, "  0 export packets were sent up to process level")
	// IOS's causes, disjoint: a packet lost to an outage counts under
	// the outage's cause, send errors are the other refusals.
	fmt.Fprintf(w, "  %d export packets were dropped due to no fib\n", s.NoRoute)
	fmt.Fprintf(w, "  %d export packets were dropped due to adjacency issues\n", s.Adjacency)
	fmt.Fprintf(w, "  %d export packets were dropped due to fragmentation failures\n", s.TooBig)
	fmt.Fprintln(w, "  0 export packets were dropped due to encapsulation fixup failures")
	fmt.Fprintf(w, "  %d export packets were dropped due to send errors\n", s.Errors-s.NoRoute-s.Adjacency-s.TooBig)
	fmt.Fprintf(w, "  %d flows were not exportable in this version (IPv6)\n", c.NotExportable)
	if lost := c.NoRoute + c.Adjacency + c.TooBig + c.SendError; lost > 0 {
		// flowtap: the flows no destination got to its collector, so
		// that flows ended = exported + not exported adds up.
		fmt.Fprintf(w, "  %d flows (%d packets) were not exported, every destination lost them\n",
			lost, c.NoRoutePackets+c.AdjacencyPackets+c.TooBigPackets+c.SendErrorPackets)
	}
	if len(v.Layer2VLANs) > 0 {
		// flowtap: what the layer 2-switched VLAN list kept back.
		fmt.Fprintf(w, "  Layer 2-switched flows exported for VLANs %s\n", v.Layer2VLANs)
		fmt.Fprintf(w, "  %d flows (%d packets) of other VLANs were not exported\n", c.Layer2NotSelected, c.Layer2NotSelectedPackets)
	}
	if v.NDEFilter || c.NDEFiltered > 0 {
		// flowtap: what a PFC's NDE flow filters kept back.
		fmt.Fprintf(w, "  %d flows (%d packets) were not exported, filtered by NDE flow filter\n", c.NDEFiltered, c.NDEFilteredPackets)
	}
	if c.FamilyNotSelected > 0 {
		// flowtap: flows of a family no flow-server is configured for.
		fmt.Fprintf(w, "  %d flows (%d packets) were not exported, no destination takes their address family\n", c.FamilyNotSelected, c.FamilyNotSelectedPackets)
	}
}

// lostByCause says (flowtap) under which of IOS's causes the flows a
// destination lost fall, in flows, the causes with none left out.
func lostByCause(w io.Writer, d ExportStats) {
	var parts []string
	for _, c := range []struct {
		n    uint64
		what string
	}{
		{d.NoRouteRecords, "no fib"}, {d.AdjacencyRecords, "adjacency issues"}, {d.TooBigRecords, "fragmentation failures"},
		{d.SendErrorRecords, "send errors"}, {d.DroppedRecords, "lack of export packet"},
	} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "        flows lost by cause: %s\n", strings.Join(parts, ", "))
	}
}

// uncleanStopHeld says (flowtap) what kills lost that was held in an
// aggregation cache or for biflow pairing, per destination.
func uncleanStopHeld(w io.Writer, ls []HeldLoss) {
	for _, l := range ls {
		fmt.Fprintf(w, "  %d flows (%d packets) lost at an unclean stop: %s for %s\n", l.Records, l.Packets, l.Reason, l.Collector)
		fmt.Fprintf(w, "  %d flows (%d packets) of them possibly received (in the packet being written at the stop)\n", l.Doubt, l.DoubtPackets)
	}
}

// uncleanStopLost says (flowtap) what a kill left owed to destinations
// removed before the restart, if anything.
func uncleanStopLost(w io.Writer, l UncleanStopLoss) {
	if l.Records == 0 {
		return
	}
	fmt.Fprintf(w, "  %d flows (%d packets) taken but not sent before an unclean stop were lost: destination no longer configured\n", l.Records, l.Packets)
	fmt.Fprintf(w, "  %d flows (%d packets) of them possibly received (in the packet being written at the stop)\n", l.Doubt, l.DoubtPackets)
}
