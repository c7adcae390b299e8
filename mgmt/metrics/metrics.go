// Package metrics is flowtap's Prometheus endpoint: the counters `show ip
// flow datapath`, `show ip cache flow`, `show ip flow export` and SNMP
// show, read at each scrape, served by the official client library
// (prometheus/client_golang) on /metrics behind an access list.
//
// Counters are the sources' own: the datapath's and the exporters' never
// go back; the cache's protocol and expiry counters restart at `clear ip
// flow stats`, which Prometheus takes as a counter reset.
package metrics

import (
	"slices"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/datapath"
	"github.com/flowtap/flowtap/datapath/dpstats"
)

// Snapshot is what one scrape reads. A nil part is left out (no datapath
// attached yet, no cache running).
type Snapshot struct {
	Datapath *datapath.Stats
	// SizeLabels name Datapath.SizeHistogram's buckets as the screen does.
	SizeLabels   []string
	Cache        *flowcache.Stats
	Aging        flowcache.Aging
	Destinations []export.Stats // the main cache's, counting since each was configured
	// Removed sums what the main cache's destinations no longer configured
	// counted: its series (destination="removed") keep the sums over
	// destinations from going back when one is removed and its own
	// series vanish.
	Removed export.Stats
	// CacheExport is what became of the main cache's flows since the
	// start, each once however many destinations (nil: left out).
	CacheExport  *export.CacheExportStats
	Aggregations []Aggregation
	Samplers     []Sampler
	// Overload is overload protection's state; nil when never configured.
	Overload *dpstats.Overload
	// UncleanStopLost is what killed flowtapds lost with the records
	// they held, per reason and destination.
	UncleanStopLost []UncleanStopLoss
	// Management is the management plane's security counters; nil leaves
	// them out.
	Management *Management
	// Fibres are the tap fibres' counters since the daemon started.
	Fibres []Fibre
}

// Fibre is one fibre of a `flowtap tap`: what it metered, counted as its
// flows expired (show flowtap taps, which `clear ip flow stats` zeroes;
// these go on).
type Fibre struct {
	Tap, Side, Port       string
	Flows, Packets, Bytes uint64
}

// Management is what a security analyst watches on the management plane:
// failed SSH logins, the CLI sessions open, and SNMP requests refused for
// their credentials.
type Management struct {
	// SSHLoginFailures counts failed SSH passwords since the SSH server
	// started; SSHOn is false while no SSH server runs.
	SSHOn            bool
	SSHLoginFailures uint64
	// Sessions counts the open CLI sessions by line: "con", "vty" (SSH),
	// "ctl" (the control socket).
	Sessions map[string]int
	// SNMP is the agent's counters by MIB name (snmpInPkts,
	// usmStatsWrongDigests, ...), whole (not wrapped at 2^32 as their
	// Counter32 objects are); nil while no agent runs.
	SNMP map[string]uint64
}

// snmpAuthFailures are the SNMP counters of requests refused for their
// credentials, by the cause label they get.
var snmpAuthFailures = []struct{ cause, counter string }{
	{"bad-community", "snmpInBadCommunityNames"}, // a wrong community, or one its access list refuses
	{"bad-community-use", "snmpInBadCommunityUses"},
	{"unknown-user", "usmStatsUnknownUserNames"}, // less the access-list refusals below, which it holds too
	{"user-access-list", snmpUserACLRefused},     // a v3 user's (or its group's) access list refused the source
	{"wrong-digest", "usmStatsWrongDigests"},
	{"decryption-error", "usmStatsDecryptionErrors"},
	{"not-in-time-window", "usmStatsNotInTimeWindows"},
	{"unsupported-security-level", "usmStatsUnsupportedSecLevels"},
}

// snmpUserACLRefused is mgmt/snmp's UserACLRefused (not imported: the
// metrics do not pull in the agent).
const snmpUserACLRefused = "flowtapUsmUserAccessListRefused"

// UncleanStopLoss is what kills lost for one destination and Reason:
// "destination removed" (owed to a destination the restarted daemon no
// longer has), "aggregation cache SCHEME" (folded into aggregates not yet
// written), "biflow pairing" (held by a biflow destination).
type UncleanStopLoss struct {
	Reason      string
	Destination string
	Records     uint64
	Packets     uint64
	// Doubt and DoubtPackets are those of them in the packet being
	// written at the kill, which the collector may have received.
	Doubt, DoubtPackets uint64
}

// Aggregation is one running `ip flow-aggregation cache`.
type Aggregation struct {
	Scheme string
	Stats  export.AggregationStats
}

// Sampler is one `flow-sampler-map`: 1 packet in Interval. A sampler in
// the datapath (InUse: a map a port uses, the JunOS sampling instance, or
// the global sampler, "global", id 0) has its counters: the packets
// offered to it and those it selected, since it was last set up.
type Sampler struct {
	Name     string
	Interval uint32
	InUse    bool
	ID       uint16
	Observed uint64
	Selected uint64
}

// Source reads a Snapshot.
type Source func() Snapshot

// Collector is a prometheus.Collector over a Source.
type Collector struct{ src Source }

// NewCollector returns the collector; register it on a registry.
func NewCollector(src Source) *Collector { return &Collector{src: src} }

const ns = "flowtap"

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(ns+"_"+name, help, labels, nil)
}

var (
	dpFrames       = desc("datapath_frames_total", "Frames the meter saw on the monitored ports.")
	dpFrameBytes   = desc("datapath_frame_bytes_total", "Bytes of the frames the meter saw.")
	dpUnparsed     = desc("datapath_unparsed_frames_total", "Frames not metered, by the reason the parser stopped.", "reason")
	dpIP           = desc("datapath_ip_frames_total", "Frames carrying IP, by version.", "version")
	dpSampledOut   = desc("datapath_sampled_out_frames_total", "Frames a sampler left out.")
	dpOverloadRate = desc("datapath_overload_sampling_rate", "The 1-in-N overload protection samples at now; 0 when not overloaded.")
	dpOverloadSecs = desc("datapath_overload_seconds_total", "Time overload protection has sampled, in all.")
	dpOverloadEps  = desc("datapath_overloads_total", "Times overload protection began sampling.")
	dpOverloadOut  = desc("datapath_overload_sampled_out_frames_total", "Frames of datapath_sampled_out_frames_total that overload protection left out.")
	dpMetered      = desc("datapath_metered_packets_total", "Packets counted into flows.")
	dpMeteredB     = desc("datapath_metered_bytes_total", "Bytes counted into flows.")
	dpCreated      = desc("datapath_flows_created_total", "Flows the datapath created.")
	dpCreateFail   = desc("datapath_flow_create_failures_total", "Flows that could not be created, by cause.", "cause")
	dpCreateFailP  = desc("datapath_flow_create_failed_packets_total", "Packets of flows that could not be created.")
	dpEventDrops   = desc("datapath_event_drops_total", "Datapath events lost on a full ring.")
	dpCaptureFull  = desc("datapath_capture_not_stored_total", "Metered packets whose ip flow-capture entry could not be stored: the capture map was full.")
	dpPending      = desc("datapath_batch_pending_packets", "Metered packets buffered on their CPU (caches metered in batches), not yet counted into a flow or refused; the next harvest applies them.")
	dpSizes        = desc("datapath_packet_size_packets_total", "Packets by IOS packet-size bucket and IP version (show ip cache flow's distribution is family 4's, show ipv6 flow cache's family 6's).", "size", "family")

	cacheActive   = desc("cache_active_flows", "Flows in the cache.")
	cacheCapacity = desc("cache_entries", "Entries the cache holds (ip flow-cache entries).")
	cacheAdded    = desc("cache_flows_added_total", "Flows added since the last clear.")
	cacheAger     = desc("cache_ager_polls_total", "Ager passes.")
	cacheAlloc    = desc("cache_flow_alloc_failures_total", "Flow alloc failures since the last clear.")
	cacheExpired  = desc("cache_flows_expired_total", "Flows expired since the last clear, by reason.", "reason")
	cacheProtoF   = desc("cache_protocol_flows_total", "Expired flows by IOS protocol row and IP version since the last clear (family 4: show ip cache flow's table, 6: show ipv6 flow cache's).", "protocol", "family")
	cacheProtoP   = desc("cache_protocol_packets_total", "Packets of the expired flows by IOS protocol row and IP version.", "protocol", "family")
	cacheProtoB   = desc("cache_protocol_bytes_total", "Bytes of the expired flows by IOS protocol row and IP version.", "protocol", "family")
	cacheTimeout  = desc("cache_timeout_seconds", "Aging timeouts (ip flow-cache timeout).", "timeout")

	expPackets   = desc("export_packets_total", "Export packets sent to the destination.", "destination", "version")
	expRecords   = desc("export_records_total", "Flow records sent to the destination.", "destination", "version")
	expBytes     = desc("export_bytes_total", "UDP payload bytes sent to the destination.", "destination", "version")
	expErrors    = desc("export_failed_packets_total", "Export packets lost to an unreachable destination.", "destination", "version")
	expDropped   = desc("export_dropped_packets_total", "Export packets dropped for want of an export packet slot: offered to a closed exporter (an outage's queue drops count as failed, under its cause).", "destination", "version")
	expLostR     = desc("export_lost_records_total", "Flows lost to an unreachable destination.", "destination", "version")
	expLostP     = desc("export_lost_packets_total", "Packets of the flows lost to an unreachable destination.", "destination", "version")
	expLostWhyR  = desc("export_lost_records_by_reason_total", "Flows lost, by why: no-route, adjacency (ARP/ND failed), too-big (for a hop on the way), send-error (refused, unreachable), no-export-packet (offered to a closed exporter).", "destination", "version", "reason")
	expLostWhyP  = desc("export_lost_packets_by_reason_total", "Packets of the flows lost, by why.", "destination", "version", "reason")
	expUnreached = desc("export_destination_unreachable", "1 while the destination is unreachable.", "destination", "version")
	expResentR   = desc("export_unclean_stop_resent_records_total", "Flows a killed flowtapd had taken and not sent the destination, sent from the export spool.", "destination", "version")
	expResentP   = desc("export_unclean_stop_resent_packets_total", "Packets of those flows.", "destination", "version")
	expDoubtR    = desc("export_unclean_stop_doubt_records_total", "Of those flows, the ones in the packet being written at the kill: the destination may have them twice.", "destination", "version")
	expDoubtP    = desc("export_unclean_stop_doubt_packets_total", "Packets of those flows.", "destination", "version")
	expUncLostR  = desc("export_unclean_stop_lost_records_total", "Flows a killed flowtapd held and lost: folded into an aggregation cache's aggregates not yet written, held for biflow pairing, or owed to a destination no longer configured.", "reason", "destination")
	expUncLostP  = desc("export_unclean_stop_lost_packets_total", "Packets of those flows.", "reason", "destination")
	expUncLostDR = desc("export_unclean_stop_lost_doubt_records_total", "Of those flows, the ones in the packet being written at the kill: the destination may have received them.", "reason", "destination")
	expUncLostDP = desc("export_unclean_stop_lost_doubt_packets_total", "Packets of those flows.", "reason", "destination")
	expFlows     = desc("export_flows_total", "The main cache's flows by what became of them, each once however many destinations: exported (a destination sent it), or why none did: no-route, adjacency, too-big, send-error, no-export-packet, not-exportable, layer2-not-selected, nde-filtered, family-not-selected.", "outcome")
	expFlowsP    = desc("export_flow_packets_total", "Packets of those flows.", "outcome")
	expPending   = desc("export_flows_pending", "The main cache's flows offered to its destinations whose fate not every destination has settled yet (in an open export packet, a send queue, a biflow pairing): back to 0 when export is idle, so a number that only grows is flows the export path forgot.")

	aggEntries  = desc("aggregation_active_entries", "Aggregates in the cache.", "scheme")
	aggCapacity = desc("aggregation_entries", "Entries the aggregation cache holds.", "scheme")
	aggAdded    = desc("aggregation_records_added_total", "Main-cache records folded in.", "scheme")
	aggExported = desc("aggregation_exported_total", "Aggregates expired to the exporter.", "scheme")
	aggEmerg    = desc("aggregation_emergency_expired_total", "Aggregates expired early on a full cache.", "scheme")

	sshLoginFail = desc("ssh_login_failures_total", "Failed SSH logins (wrong passwords and refused logins of blocked sources) since the SSH server started.")
	cliSessions  = desc("cli_sessions", "Open CLI sessions, by line: con, vty (SSH), ctl (control socket).", "line")
	snmpIn       = desc("snmp_in_packets_total", "SNMP messages the agent received (snmpInPkts).")
	snmpAuthFail = desc("snmp_auth_failures_total", "SNMP requests refused for their credentials, by cause (snmpInBadCommunityNames, the usmStats counters, v3 user access-list refusals).", "cause")

	fibreFlows   = desc("tap_fibre_flows_total", "Flows a tap's fibre metered, counted as they expired (show flowtap taps, not zeroed by clear).", "tap", "fibre", "port")
	fibrePackets = desc("tap_fibre_packets_total", "Packets of the flows a tap's fibre metered, counted as they expired.", "tap", "fibre", "port")
	fibreBytes   = desc("tap_fibre_bytes_total", "Bytes (layer 3) of the flows a tap's fibre metered, counted as they expired.", "tap", "fibre", "port")

	samplerInterval = desc("sampler_interval", "A flow-sampler-map takes 1 packet in this many.", "sampler")
	samplerSeen     = desc("sampler_packets_observed_total", "Packets offered to a sampler in use (show flow-sampler, ipfixSelectionProcessStatsPacketsObserved).", "sampler", "id")
	samplerTaken    = desc("sampler_packets_selected_total", "Packets a sampler in use selected for metering (show flow-sampler's packets matched).", "sampler", "id")
)

// Describe sends the descriptions.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(c, ch) }

// Collect reads one Snapshot and sends its metrics.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.src()
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	if o := s.Overload; o != nil {
		gauge(dpOverloadRate, float64(o.Rate))
		ch <- prometheus.MustNewConstMetric(dpOverloadSecs, prometheus.CounterValue, o.Time.Seconds())
		counter(dpOverloadEps, o.Entered)
	}
	if dp := s.Datapath; dp != nil {
		counter(dpFrames, dp.Frames)
		counter(dpFrameBytes, dp.FrameBytes)
		for i, name := range datapath.ParseReasons[1:] {
			counter(dpUnparsed, dp.Unparsed[i+1], name)
		}
		counter(dpIP, dp.IPv4, "4")
		counter(dpIP, dp.IPv6, "6")
		counter(dpSampledOut, dp.SampledOut)
		counter(dpOverloadOut, dp.OverloadSampledOut)
		counter(dpMetered, dp.MeteredPackets)
		counter(dpMeteredB, dp.MeteredBytes)
		counter(dpCreated, dp.FlowsCreated)
		counter(dpCreateFail, dp.CreateFailFull, "cache-full")
		counter(dpCreateFail, dp.CreateFailContention, "hash-contention")
		counter(dpCreateFailP, dp.CreateFailPackets)
		counter(dpEventDrops, dp.EventDrops)
		counter(dpCaptureFull, dp.CaptureFull)
		gauge(dpPending, float64(dp.BatchPending))
		four := dp.SizeHistogram4()
		for i := range dp.SizeHistogram {
			if i < len(s.SizeLabels) {
				counter(dpSizes, four[i], s.SizeLabels[i], "4")
				counter(dpSizes, dp.SizeHistogram6[i], s.SizeLabels[i], "6")
			}
		}
	}
	if cs := s.Cache; cs != nil {
		gauge(cacheActive, float64(cs.Active))
		gauge(cacheCapacity, float64(cs.Capacity))
		counter(cacheAdded, cs.Added)
		counter(cacheAger, cs.AgerPolls)
		counter(cacheAlloc, cs.AllocFailures)
		for r := flow.EndIdle; int(r) < len(cs.Expired); r++ {
			counter(cacheExpired, cs.Expired[r], r.String())
		}
		four := cs.Protocols4()
		for p := 1; p < len(cs.Protocols); p++ {
			name := flowcache.Protocol(p).String()
			for _, f := range []struct {
				rows   *[flowcache.NumProtocols]flowcache.ProtocolStats
				family string
			}{{&four, "4"}, {&cs.Protocols6, "6"}} {
				counter(cacheProtoF, f.rows[p].Flows, name, f.family)
				counter(cacheProtoP, f.rows[p].Packets, name, f.family)
				counter(cacheProtoB, f.rows[p].Bytes, name, f.family)
			}
		}
		gauge(cacheTimeout, s.Aging.Active.Seconds(), "active")
		gauge(cacheTimeout, s.Aging.Inactive.Seconds(), "inactive")
	}
	for _, u := range s.UncleanStopLost {
		counter(expUncLostR, u.Records, u.Reason, u.Destination)
		counter(expUncLostP, u.Packets, u.Reason, u.Destination)
		counter(expUncLostDR, u.Doubt, u.Reason, u.Destination)
		counter(expUncLostDP, u.DoubtPackets, u.Reason, u.Destination)
	}
	if c := s.CacheExport; c != nil {
		for _, o := range []struct {
			name           string
			flows, packets uint64
		}{
			{"exported", c.Exported, c.ExportedPackets}, {"no-route", c.NoRoute, c.NoRoutePackets},
			{"adjacency", c.Adjacency, c.AdjacencyPackets}, {"too-big", c.TooBig, c.TooBigPackets},
			{"send-error", c.SendError, c.SendErrorPackets}, {"no-export-packet", c.NoBuffer, c.NoBufferPackets},
			{"not-exportable", c.NotExportable, c.NotExportablePackets},
			{"layer2-not-selected", c.Layer2NotSelected, c.Layer2NotSelectedPackets},
			{"nde-filtered", c.NDEFiltered, c.NDEFilteredPackets},
			{"family-not-selected", c.FamilyNotSelected, c.FamilyNotSelectedPackets},
		} {
			counter(expFlows, o.flows, o.name)
			counter(expFlowsP, o.packets, o.name)
		}
		gauge(expPending, float64(c.Pending))
	}
	dests := s.Destinations
	if r := s.Removed; r.Packets+r.Errors+r.Dropped+r.DroppedRecords+r.LostRecords+r.Resent > 0 {
		dests = append(slices.Clone(dests), r)
	}
	for i, d := range dests {
		l := []string{d.Collector.String(), d.Version.String()}
		removed := i == len(s.Destinations)
		if removed {
			l = []string{"removed", ""}
		}
		counter(expPackets, d.Packets, l...)
		counter(expRecords, d.Records, l...)
		counter(expBytes, d.Bytes, l...)
		counter(expErrors, d.Errors, l...)
		counter(expDropped, d.Dropped, l...)
		counter(expLostR, d.LostRecords, l...)
		counter(expLostP, d.LostPackets, l...)
		for _, r := range d.LostBy() {
			counter(expLostWhyR, r.Records, l[0], l[1], r.Name)
			counter(expLostWhyP, r.Packets, l[0], l[1], r.Name)
		}
		counter(expResentR, d.Resent, l...)
		counter(expResentP, d.ResentPackets, l...)
		counter(expDoubtR, d.Doubt, l...)
		counter(expDoubtP, d.DoubtPackets, l...)
		if removed {
			continue // no state now
		}
		unreachable := 0.0
		if d.Unreachable {
			unreachable = 1
		}
		gauge(expUnreached, unreachable, l...)
	}
	for _, a := range s.Aggregations {
		gauge(aggEntries, float64(a.Stats.Entries), a.Scheme)
		gauge(aggCapacity, float64(a.Stats.Capacity), a.Scheme)
		counter(aggAdded, a.Stats.Added, a.Scheme)
		counter(aggExported, a.Stats.Exported, a.Scheme)
		counter(aggEmerg, a.Stats.Emergency, a.Scheme)
	}
	if mg := s.Management; mg != nil {
		if mg.SSHOn {
			counter(sshLoginFail, mg.SSHLoginFailures)
		}
		for _, l := range []string{"con", "vty", "ctl"} {
			gauge(cliSessions, float64(mg.Sessions[l]), l)
		}
		if mg.SNMP != nil {
			counter(snmpIn, mg.SNMP["snmpInPkts"])
			for _, f := range snmpAuthFailures {
				n := mg.SNMP[f.counter]
				if f.counter == "usmStatsUnknownUserNames" {
					// Each cause once: the refusals have their own.
					n -= mg.SNMP[snmpUserACLRefused]
				}
				counter(snmpAuthFail, n, f.cause)
			}
		}
	}
	for _, f := range s.Fibres {
		counter(fibreFlows, f.Flows, f.Tap, f.Side, f.Port)
		counter(fibrePackets, f.Packets, f.Tap, f.Side, f.Port)
		counter(fibreBytes, f.Bytes, f.Tap, f.Side, f.Port)
	}
	for _, sm := range s.Samplers {
		if sm.InUse {
			id := strconv.Itoa(int(sm.ID))
			counter(samplerSeen, sm.Observed, sm.Name, id)
			counter(samplerTaken, sm.Selected, sm.Name, id)
		}
		if sm.ID != 0 || !sm.InUse {
			gauge(samplerInterval, float64(sm.Interval), sm.Name)
		}
	}
}
