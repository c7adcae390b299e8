package daemon

import (
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/flowtap/flowtap/appliance/appclass"
	"io"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	iosconf "github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/appliance/spool"
	"github.com/flowtap/flowtap/appliance/subif"
	"github.com/flowtap/flowtap/cli/ios"
	"github.com/flowtap/flowtap/cli/show"
	"github.com/flowtap/flowtap/mgmt/dnsclient"
	"github.com/flowtap/flowtap/mgmt/snmp/usmkey"
)

// CLI is the IOS CLI's view of the appliance.
type CLI struct{ m *Manager }

// CLI returns the backend the IOS sessions use.
func (m *Manager) CLI() *CLI { return &CLI{m} }

var _ ios.Backend = (*CLI)(nil)

func (c *CLI) Hostname() string { return c.m.Config().HostnameOrDefault() }

func ifName(i uint32) string {
	if ifc, err := net.InterfaceByIndex(int(i)); err == nil {
		return ifc.Name
	}
	return ""
}

// ifNamer names interfaces as the screens do: subinterfaces as the
// source interface, as on a router.
func ifNamer(subs *subif.Annotator) func(uint32) string {
	return func(i uint32) string {
		if n, ok := subs.Name(i); ok {
			return n
		}
		return ifName(i)
	}
}

// Aggregations are the running aggregation caches with what each holds.
func (c *CLI) Aggregations() []show.AggregationView {
	d := c.m.d
	name := ifNamer(subif.New(d.Settings().Subifs))
	d.mu.Lock()
	caches := slices.Clone(d.aggs)
	d.mu.Unlock()
	out := make([]show.AggregationView, 0, len(caches))
	for _, ac := range caches {
		v := show.AggregationView{Now: time.Now(), Config: aggregationConfigView(ac.cache.Config()), IfName: name}
		ac.cache.Walk(func(a *export.Aggregate) bool {
			v.Aggregates = append(v.Aggregates, show.Aggregate(*a))
			return true
		})
		// After the walk: a record folded in between is in both or neither.
		d.mu.Lock()
		v.Stats = show.AggregationStats(aggSinceClear(ac.totals(), ac.base))
		d.mu.Unlock()
		_, held := d.UncleanStopHeld()
		for _, h := range held {
			if h.Kind == spool.HeldAggregation && h.Scheme == ac.cfg.Cache.Scheme {
				v.UncleanStopLost = append(v.UncleanStopLost, show.HeldLoss{Reason: h.Reason(), Collector: h.Collector,
					UncleanStopLoss: show.UncleanStopLoss{Records: h.Records, Packets: h.Packets, Doubt: h.Doubt, DoubtPackets: h.DoubtPackets}})
			}
		}
		out = append(out, v)
	}
	return out
}

// ClearAggregationStats starts the aggregation caches' counters from 0
// (`clear ip flow stats`) for the screen and IPFIX-MIB, their exporters'
// too; the totals go on, for Prometheus.
func (d *Daemon) ClearAggregationStats() {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	for _, a := range d.aggs {
		a.base, a.cleared = a.totals(), now
		for _, e := range a.dests.Exporters() {
			d.markCleared(e, now)
		}
	}
}

// aggSinceClear is what an aggregation cache counted since the base was
// taken; gauges (entries, capacity, memory) are as they are now.
func aggSinceClear(s, base export.AggregationStats) export.AggregationStats {
	s.Added -= base.Added
	s.Created -= base.Created
	s.Exported -= base.Exported
	s.Emergency -= base.Emergency
	s.SkippedIPv6 -= base.SkippedIPv6
	s.AgerPolls -= base.AgerPolls
	return s
}

func (c *CLI) CacheView() show.CacheView {
	d := c.m.d
	dp := d.Datapath()
	s := d.Settings()
	subs := subif.New(s.Subifs)
	v := show.CacheView{Now: time.Now(), Aging: s.Aging, TableBytes: dp.TableBytes(), IfName: ifNamer(subs),
		LabelPositions: s.Capture.LabelPositions, Local: c.m.Config().Clock.In}
	// Occupancy now, not as of the ager's last pass, and the flows added
	// counted with it (StatsNow): active never exceeds added.
	if e := d.Engine(); e != nil {
		v.Stats = cacheStatsView(e.StatsNow())
	} else if used, capacity, err := dp.Usage(); err == nil {
		v.Stats.Active, v.Stats.Capacity = used, capacity
	}
	if four, six, err := d.SizeHistograms(); err == nil {
		v.SizeHist4, v.SizeHist6 = four, six
	}
	dp.Peek(func(r *flow.Record) {
		v.Flows = append(v.Flows, *r)
		subs.Rewrite(&v.Flows[len(v.Flows)-1])
	})
	return v
}

func (c *CLI) ExportView() show.ExportView {
	// Flexible NetFlow's exporters are collectors like the rest.
	cfg := c.m.Config().Effective()
	_, set, _ := cfg.Setting()
	v := show.ExportView{Version: set.Export, AS: cfg.Export.AS, BGPNextHop: cfg.Export.BGPNextHop,
		SourceIf: cfg.Export.Source, Destinations: exportStatsView(c.m.d.ExportStats()), Layer2VLANs: cfg.Export.Layer2VLANs,
		Removed: show.ExportStats(c.m.d.RemovedExportStats()), Cache: show.CacheExport(c.m.d.CacheExport())}
	if len(c.m.Config().MonitorBindings()) > 0 {
		// Flexible NetFlow's exporters each name their protocol (v9 by
		// default) and no ip flow-export version line names the cache's,
		// whose v5 default nothing sends: the headline is what they send
		// when they agree.
		v.Version = commonVersion(v.Destinations, v.Version)
	}
	if p, err := cfg.Persona(); err == nil && config.IsCatalyst(&p) {
		v.NDEFilter = cfg.NDEFilters.Set()
	}
	if a, err := sourceAddr(cfg.Export.Source); err == nil {
		v.Source = a
	}
	_, l := c.m.d.UncleanStopLost()
	v.UncleanStopLost = show.UncleanStopLoss{Records: l.Records, Packets: l.Packets, Doubt: l.Doubt, DoubtPackets: l.DoubtPackets}
	_, held := c.m.d.UncleanStopHeld()
	for _, h := range held {
		v.UncleanStopHeld = append(v.UncleanStopHeld, show.HeldLoss{Reason: h.Reason(), Collector: h.Collector,
			UncleanStopLoss: show.UncleanStopLoss{Records: h.Records, Packets: h.Packets, Doubt: h.Doubt, DoubtPackets: h.DoubtPackets}})
	}
	// What the exporters are given: the persona's defaults filled in.
	rs := cfg.Resend()
	v.Template = show.TemplateSettings{Timeout: rs.TemplateEvery, Refresh: rs.TemplatePackets,
		OptionsTimeout: rs.OptionEvery, OptionsRefresh: rs.OptionPackets}
	return v
}

func (c *CLI) TopTalkers(ipv6 bool) (show.TopTalkers, error) {
	e := c.m.d.Engine()
	if e == nil {
		return show.TopTalkers{}, fmt.Errorf("the flow cache is not running")
	}
	f := flowcache.FamilyIPv4
	if ipv6 {
		f = flowcache.FamilyIPv6
	}
	tt, err := e.TopTalkersOf(f)
	if errors.Is(err, flowcache.ErrTopTalkersDisabled) {
		return show.TopTalkers(tt), screenError("Top talkers are not configured: ip flow-top-talkers needs top and sort-by")
	}
	return show.TopTalkers(tt), err
}

func (c *CLI) Contention() show.ContentionView {
	dp := c.m.d.Datapath()
	used, capacity, _ := dp.Usage()
	v := show.ContentionView{Module: 5, Used: used, Capacity: capacity}
	if st, err := c.m.d.DatapathStats(); err == nil {
		v.CreationFailures, v.HashAliases = st.CreateFailPackets, st.CreateFailContention
	}
	return v
}

// MLSAging is `show mls netflow aging`: the running setting's timers,
// and fast aging's persona defaults while it is off.
func (c *CLI) MLSAging() show.MLSAgingView {
	p, set, err := c.m.Config().Setting()
	if err != nil {
		return show.MLSAgingView{}
	}
	v := show.MLSAgingView{Normal: int(set.Inactive / time.Second), Long: int(set.Active / time.Second),
		FastTime: int(p.Aging.FastTime.Default), FastThreshold: int(p.Aging.FastThreshold.Default)}
	if set.FastTime > 0 {
		v.FastOn, v.FastTime, v.FastThreshold = true, int(set.FastTime/time.Second), int(set.FastThreshold)
	}
	return v
}

// render is a show renderer's text, for the Backend methods whose
// screens the session prints as they come.
func render[V any](f func(io.Writer, V), v V) string {
	var b strings.Builder
	f(&b, v)
	return b.String()
}

func (c *CLI) Version() string {
	cfg := c.m.Config()
	mach := readMachine()
	return render(show.Version, show.VersionView{Arch: runtime.GOARCH, Version: c.m.opts.Version, GoVersion: runtime.Version(),
		Kernel: mach.Kernel, Hostname: cfg.HostnameOrDefault(), SystemUptime: mach.SystemUptime, Uptime: time.Since(c.m.started),
		Persona: cfg.PlatformName(), Model: mach.Model, MemoryKB: mach.MemoryKB, Serial: mach.Serial, ReloadReason: c.m.opts.ReloadReason})
}

func (c *CLI) Platform() string {
	p, set, err := c.m.Config().Setting()
	if err != nil {
		return fmt.Sprintf("%% %v\n", err)
	}
	return render(show.Platform, show.PlatformView{Name: p.Name, Description: p.Description, CacheEntries: set.CacheEntries,
		TableBytes: c.m.d.Datapath().TableBytes(), Mask: fmt.Sprint(set.Mask), Ports: c.m.d.PortModes()})
}

func (c *CLI) Interfaces() ([]show.Interface, error) { return c.m.interfaces() }

func (c *CLI) Clock() show.ClockView {
	sync := c.m.clockSyncNow()
	// IOS shows UTC until `clock timezone` says otherwise (never the
	// image's /etc/localtime, which is whatever the build host's was).
	clk, now := c.m.Config().Clock, time.Now()
	start, end := clk.NextSummer(now)
	ntp := c.m.ntpStatusNow()
	ntp.Servers = len(c.m.Config().NTP.Servers)
	if !ntp.When.IsZero() {
		ntp.When = clk.In(ntp.When)
	}
	return show.ClockView{Now: clk.In(now), Synced: sync == config.ClockSynced, SyncLost: sync == config.ClockSyncLost,
		SummerStart: start, SummerEnd: end, NTP: ntp}
}

// SSH is `show ip ssh`: the running server's algorithms and host key,
// with `ip ssh time-out` and `authentication-retries` as the server reads
// them at each connection.
func (c *CLI) SSH() show.SSHView {
	c.m.mu.Lock()
	f := c.m.sshServer
	c.m.mu.Unlock()
	var v show.SSHView
	if f != nil {
		v = f()
	}
	cfg := c.m.Config()
	timeout, retries := cfg.SSH.LoginLimits()
	v.TimeoutSecs, v.Retries = int(timeout/time.Second), retries
	// IOS names the key pair after the host (HOSTNAME.DOMAIN unless
	// labelled); flowtap's one host key has no label of its own.
	v.KeyName = cfg.HostnameOrDefault()
	if cfg.Names.Domain != "" {
		v.KeyName += "." + cfg.Names.Domain
	}
	return v
}

func (c *CLI) SNMP() show.SNMPView {
	c.m.mu.Lock()
	counts, notify := c.m.snmpCounts, c.m.snmpNotify
	c.m.mu.Unlock()
	cfg := c.m.Config()
	v := show.SNMPView{Contact: cfg.SNMP.Contact, Location: cfg.SNMP.Location}
	if counts == nil {
		return v
	}
	n := counts()
	g := func(name string) uint64 { return n[name] }
	v.Enabled = true
	v.InPkts, v.OutPkts = g("snmpInPkts"), g("snmpOutPkts")
	v.InBadVersions, v.InBadCommunityNames, v.InBadCommunityUses = g("snmpInBadVersions"), g("snmpInBadCommunityNames"), g("snmpInBadCommunityUses")
	v.InASNParseErrs, v.InTotalReqVars, v.InTotalSetVars = g("snmpInASNParseErrs"), g("snmpInTotalReqVars"), g("snmpInTotalSetVars")
	v.InGetRequests, v.InGetNexts, v.InSetRequests = g("snmpInGetRequests"), g("snmpInGetNexts"), g("snmpInSetRequests")
	// IOS's "Input queue packet drops" are the requests its SNMP queue
	// had no room for: flowtap's equivalent is the rate limit's drops
	// (mgmt/snmp's RateLimited), dropped before they were read, not
	// snmpSilentDrops (answers too big to send even empty).
	v.InputQueueDrops = g("flowtapSnmpRateLimited")
	// The refusals are in usmStatsUnknownUserNames too; show each once.
	// (flowtapUsmUserAccessListRefused is mgmt/snmp's UserACLRefused.)
	v.InUserACLRefused = g("flowtapUsmUserAccessListRefused")
	v.InUnknownUserNames = n["usmStatsUnknownUserNames"] - n["flowtapUsmUserAccessListRefused"]
	v.OutTooBigs, v.OutNoSuchNames, v.OutBadValues, v.OutGenErrs = g("snmpOutTooBigs"), g("snmpOutNoSuchNames"), g("snmpOutBadValues"), g("snmpOutGenErrs")
	v.OutGetResponses, v.OutTraps = g("snmpOutGetResponses"), g("snmpOutTraps")
	if notify != nil {
		v.Logging = notify()
	}
	return v
}

// SNMPAccess is the SNMPv3 users, groups and MIB views, for `show snmp
// user|group|view`.
func (c *CLI) SNMPAccess() show.SNMPAccessView {
	s := c.m.Config().SNMP
	v := show.SNMPAccessView{EngineID: s.EngineID}
	if v.EngineID == "" {
		// The agent's default, derived again: the host's first MAC
		// address, as when the agent started.
		v.EngineID = hex.EncodeToString(usmkey.DefaultEngineID())
	}
	for _, c := range s.Communities {
		v.Communities = append(v.Communities, show.SNMPCommunityView{Name: c.Name, ACL: c.ACL})
	}
	for _, e := range s.RemoteEngines {
		v.RemoteEngines = append(v.RemoteEngines, show.SNMPRemoteEngineView{EngineID: e.EngineID, Addr: e.Addr.String(), Port: int(cmp.Or(e.Port, config.DefaultTrapPort))})
	}
	for _, h := range s.Hosts {
		hv := show.SNMPHostView{Addr: h.Addr.String(), Port: int(cmp.Or(h.Port, config.DefaultTrapPort)), Informs: h.Informs, User: h.Name}
		switch h.Version {
		case config.SNMPv1:
			hv.Model = "v1"
		case config.SNMPv2c:
			hv.Model = "v2c"
		default:
			hv.Model = "v3 " + [...]string{config.LevelNoAuth: "noauth", config.LevelAuth: "auth", config.LevelPriv: "priv"}[min(int(h.Level), 2)]
		}
		v.Hosts = append(v.Hosts, hv)
	}
	for _, u := range s.Users {
		uv := show.SNMPUserView{Name: u.Name, Group: u.Group, Auth: u.Auth.String(), Priv: privName(u.Priv), ACL: u.ACL}
		if u.Remote.IsValid() {
			uv.Remote, uv.RemoteEngineID = config.RemoteKey(u.Remote, u.RemotePort), s.RemoteEngineID(u.Remote, u.RemotePort)
		} else {
			_, uv.Refused = s.GroupOf(u)
		}
		if u.Auth == config.AuthNone {
			uv.Auth = "None"
		}
		v.Users = append(v.Users, uv)
	}
	levels := [...]string{config.LevelNoAuth: "noauth", config.LevelAuth: "auth", config.LevelPriv: "priv"}
	for _, g := range s.Groups {
		v.Groups = append(v.Groups, show.SNMPGroupView{Name: g.Name, Level: levels[min(int(g.Level), len(levels)-1)], Read: g.Read, Write: g.Write, ACL: g.ACL})
	}
	// The built-in v1default first, as IOS lists it [RECALL: the order
	// against configured views], from the definition the agent enforces;
	// a view configured under its name replaces it in both.
	views := s.Views
	if _, ok := s.View(config.V1Default); !ok {
		views = append([]config.SNMPView{config.V1DefaultView()}, views...)
	}
	for _, mv := range views {
		_, configured := s.View(mv.Name)
		for _, t := range mv.Subtrees {
			v.Views = append(v.Views, show.SNMPMIBView{Name: mv.Name, Subtree: t.OID, Excluded: t.Excluded, Permanent: !configured})
		}
	}
	return v
}

// privName is a privacy protocol as IOS's show snmp user writes it.
func privName(p config.PrivProtocol) string {
	switch p {
	case config.PrivAES128:
		return "AES128"
	case config.PrivDES:
		return "DES"
	}
	return "None"
}

func (c *CLI) FlowInterfaces() []show.FlowInterface {
	var ifs []show.FlowInterface
	var shared map[string]SharedPort
	if c.m.d != nil { // a daemon not started yet has set no port
		shared = c.m.d.SharedPorts()
	}
	// The configuration as typed, not Effective's: a port's flow
	// monitors are listed as themselves, not as the ingress or egress
	// metering they fold into.
	for _, i := range c.m.Config().Interfaces {
		if i.Metered() {
			fi := show.FlowInterface{Name: i.Name, Ingress: i.Ingress, Egress: i.Egress, Monitors: i.MonitorLines(), Sampler: i.Sampler}
			if sp, ok := shared[i.Name]; ok {
				fi.Shared = &show.SharedPort{IfIndex: sp.Index, Setting: sp.describe(), From: sp.From}
			}
			ifs = append(ifs, fi)
		}
	}
	return ifs
}

func (c *CLI) NDE() string {
	cfg := c.m.Config()
	_, set, _ := cfg.Setting()
	v := show.NDEView{Enabled: cfg.NDE, Version: int(set.Export), Mask: fmt.Sprint(set.Mask), TCPFlagsZeroed: zeroTCPFlags(cfg),
		Include: cfg.NDEFilters.Include, Exclude: cfg.NDEFilters.Exclude}
	// The device's count, each flow once: the PFC filters a flow before
	// NDE sends it anywhere (show ip flow export keeps each
	// destination's, beside the flows each was sent).
	if c.m.d != nil { // a daemon not started yet has counted nothing
		v.Filtered, v.FilteredPackets = c.m.d.NDEFiltered()
	}
	for _, d := range cfg.Export.Destinations {
		v.Destinations = append(v.Destinations, d.Addr)
	}
	return render(show.MLSNDE, v)
}

func (c *CLI) Logging() string { return c.m.opts.Logs.Show() }

func (c *CLI) Debug(what string, on bool) string { return c.m.Debug(what, on) }
func (c *CLI) Debugging() string                 { return c.m.Debugging() }

// AccessLists reads each entry's matches once, for the screen and for
// `| json` alike.
func (c *CLI) AccessLists(name string) show.AccessListsView {
	cfg := c.m.Config()
	var v show.AccessListsView
	lists := iosconf.AccessListsShown(cfg, name, func(ref string, e config.ACE) uint64 {
		return c.m.acl.Matches(ref, e) + c.m.d.InputFilterMatches(ref, e)
	})
	for _, l := range lists {
		al := show.AccessList{Kind: l.Kind, Name: l.Name}
		for _, e := range l.Entries {
			al.Entries = append(al.Entries, show.AccessListEntry(e))
		}
		v.Lists = append(v.Lists, al)
	}
	v.Text = iosconf.AccessListsText(lists)
	return v
}

// FlowSampler is `show flow-sampler [NAME]`: every map, with the id the
// exports carry and what it took, when a port uses it.
func (c *CLI) FlowSampler(name string) []show.FlowSampler {
	cfg := c.m.Config()
	ids, _ := samplerIDs(cfg)
	// The counters SNMP (ipfixSelectionProcessStatsTable) and Prometheus
	// read too.
	taken := map[uint16]uint64{}
	if views, err := c.m.d.Samplers(); err == nil {
		for _, v := range views {
			taken[v.ID] = v.Taken
		}
	}
	var out []show.FlowSampler
	for _, m := range cfg.Samplers {
		if name != "" && m.Name != name {
			continue
		}
		s := show.FlowSampler{Name: m.Name, ID: int(ids[m.Name]), Deterministic: m.Deterministic, Interval: m.Rate}
		if s.ID != 0 {
			s.Matched = taken[uint16(s.ID)]
		}
		out = append(out, s)
	}
	return out
}

func (c *CLI) ClearACLCounters(lists ...string) {
	if len(lists) == 0 {
		c.m.acl.Clear()
		if err := c.m.d.ClearInputFilterCounters(); err != nil {
			c.m.log.Error("clear input filter counters", "err", err)
		}
		return
	}
	cfg := c.m.Config()
	var ls []config.AccessList
	for _, ref := range lists {
		if l, ok := cfg.FindAccessList(ref); ok {
			ls = append(ls, l)
		}
	}
	c.m.acl.Clear(lists...)
	c.m.d.ClearInputFilterMatches(ls)
}

func (c *CLI) RunningConfig() string { return iosconf.RunningConfig(c.m.Config()) }

func (c *CLI) Modified() bool { return c.m.Modified() }

func (c *CLI) Messages() (<-chan string, func()) { return c.m.opts.Logs.Subscribe() }

// ConsoleMessages is Messages for the console's session: the hand-over
// from the supervisor's copy of the messages is marked (SubscribeConsole).
func (c *CLI) ConsoleMessages() (<-chan string, func()) { return c.m.opts.Logs.SubscribeConsole() }

func (c *CLI) StartupConfig() (string, error) {
	text, err := c.m.StartupConfig()
	if reason, ok := osReason(err); ok {
		return "", fmt.Errorf("Error opening startup-config (%s)", reason)
	}
	return text, err
}

// WriteMemory saves; a failure says why in the system's words, as IOS
// does ("%Error opening nvram:startup-config (Permission denied)").
func (c *CLI) WriteMemory() error {
	err := c.m.WriteMemory()
	if reason, ok := osReason(err); ok {
		return fmt.Errorf("Error writing startup-config (%s)", reason)
	}
	return err
}

// EraseStartup is `write erase`: the startup-config file goes.
func (c *CLI) EraseStartup() error {
	err := c.m.EraseStartup()
	if reason, ok := osReason(err); ok {
		return errors.New(reason)
	}
	return err
}

// Applications is `show ip flow applications`: the live cache's flows,
// then the flows expired since the last clear, per application class.
func (c *CLI) Applications() show.ApplicationsView {
	d := c.m.d
	set := d.AppClasses()
	live := appclass.NewTally(&set)
	d.Datapath().Peek(func(r *flow.Record) { live.Add(r.Proto, r.SrcPort, r.DstPort, r.Bytes, r.Packets) })
	return show.ApplicationsView{Live: live, Expired: d.Applications()}
}

func (c *CLI) ClearFlowStats() {
	c.m.d.ClearApplications()
	if e := c.m.d.Engine(); e != nil {
		e.Clear()
	}
	c.m.d.ClearExportStats()
	c.m.d.ClearSizeHistogram()
	c.m.d.ClearAggregationStats()
	c.m.d.fibres.Clear()
}

// commonVersion is the version every destination sends, or def when they
// differ or there are none.
func commonVersion(dests []show.ExportStats, def platform.ExportVersion) platform.ExportVersion {
	for i, d := range dests {
		if i > 0 && d.Version != dests[0].Version {
			return def
		}
	}
	if len(dests) == 0 {
		return def
	}
	return dests[0].Version
}

// ClearCacheStats starts the main cache's counters from 0 (`clear flow
// monitor NAME statistics`): what show ip cache flow and show flow
// monitor statistics count, not the export counters.
func (c *CLI) ClearCacheStats() {
	if e := c.m.d.Engine(); e != nil {
		e.Clear()
	}
	c.m.d.ClearSizeHistogram()
}

// ClearExporterStats starts one destination's CLI counters from 0 (`clear
// flow exporter NAME statistics`).
func (c *CLI) ClearExporterStats(collector netip.AddrPort) { c.m.d.ClearExportStatsOf(collector) }

// ClearMLSNetflow purges the table, exporting what it held (nothing is
// lost, as everywhere in flowtap).
func (c *CLI) ClearMLSNetflow() error { return c.m.d.Purge() }

// ReloadAvailable refuses reload where flowtapd may not restart the
// machine (without --reboot-on-reload: a host, not the appliance).
func (c *CLI) ReloadAvailable() error {
	if c.m.opts.Reload == nil {
		return fmt.Errorf("%% reload is not available in host mode")
	}
	return nil
}

func (c *CLI) Reload(by string) error {
	if err := c.ReloadAvailable(); err != nil {
		return err
	}
	logIOS(c.m.log, "SYS-5-RELOAD", "Reload requested by %s. Reload Reason: Reload Command.", by)
	return c.m.opts.Reload()
}

func (c *CLI) CheckEnable(secret string) bool {
	cfg := c.m.Config()
	if cfg.EnableSecret.IsSet() {
		return cfg.EnableSecret.Verify(secret)
	}
	// IOS checks the enable password only when no secret is set.
	return cfg.EnablePassword.Verify(secret)
}

// Access is the enable secret's presence and `privilege exec level`.
func (c *CLI) Access() ios.Access {
	cfg := c.m.Config()
	a := ios.Access{EnableSecret: cfg.EnableSecret.IsSet() || cfg.EnablePassword.IsSet(), ExecLevels: map[string]int{}, ConfigLog: cfg.Archive}
	for _, e := range cfg.ExecLevels {
		a.ExecLevels[e.Command] = e.Level
	}
	a.ModeLevels = ios.ModeLevelsOf(cfg.ModeLevels)
	return a
}

// ConfigLog is the configuration logger's log, one for every session.
func (c *CLI) ConfigLog() *ios.ConfigLog { return &c.m.configLog }

// BeginConfig starts a configuration session on the running config; each
// accepted line is applied at once.
func (c *CLI) BeginConfig() ios.ConfigSession {
	s := iosconf.NewSession(c.m.Config(), "console")
	s.SetResolver(c.m.Hosts())
	return &liveConfig{m: c.m, Session: s}
}

// Hosts is `show hosts`: the configured host table (perm), then the
// names the name servers answered (temp), with the servers and domain a
// lookup uses now: the configured ones, or the DHCP lease's.
func (c *CLI) Hosts() show.HostsView { return hostsView(c.m.Config().Names, c.m.Hosts()) }

// ClearHost is `clear host NAME|*`: the temp entries go, the `ip host`
// ones stay.
func (c *CLI) ClearHost(name string) int {
	return c.m.Hosts().Clear(name, hostsView(c.m.Config().Names, c.m.Hosts()).Domain)
}

func hostsView(n config.Names, cache *dnsclient.Cache) show.HostsView {
	v := show.HostsView{Domain: n.Domain, Lookup: !n.NoLookup, Servers: n.Servers}
	ls, ld := cache.Learned()
	if v.Domain == "" && ld != "" {
		v.Domain, v.DomainLearned = ld, true
	}
	if len(v.Servers) == 0 && len(ls) > 0 {
		v.Servers, v.ServersLearned = ls, true
	}
	for _, h := range n.Hosts {
		v.Hosts = append(v.Hosts, show.HostEntry{Name: h.Name, Perm: true, Addrs: h.Addrs})
	}
	now := time.Now()
	for _, e := range cache.Entries() {
		v.Hosts = append(v.Hosts, show.HostEntry{Name: e.Name, Age: now.Sub(e.Added), Addrs: e.Addrs, Expired: e.Expired(now)})
	}
	return v
}

type liveConfig struct {
	m *Manager
	*iosconf.Session
}

// End logs what IOS logs when a session leaves configuration mode.
func (l *liveConfig) End(by string) {
	logIOS(l.m.log, "SYS-5-CONFIG_I", "Configured from console by %s", by)
	l.m.note(ConfigNote{By: by})
}

// Exec applies one line. A line the runtime refuses changes nothing, in
// the running config or in this session, and says why after `%`; one it
// applied but cannot put fully in effect yet (a port that does not exist)
// says so as a warning.
func (l *liveConfig) Exec(line string) error {
	st := l.Session.State()
	before := l.Session.Config()
	if err := l.Session.Exec(line); err != nil {
		return err
	}
	after := l.Session.Config()
	if config.Equal(before, after) {
		return nil
	}
	err := l.m.Apply(after)
	var w Warnings
	switch {
	case err == nil:
		return nil
	case errors.As(err, &w):
		lines := make([]string, len(w))
		for i, e := range w {
			lines[i] = "% Warning: " + e.Error()
		}
		return screenError(strings.Join(lines, "\n"))
	}
	l.Session.Restore(st)
	return screenError("% " + err.Error())
}

// screenError is worded for the CLI, after its `%`: capitalised, as IOS
// writes its messages.
type screenError string

func (e screenError) Error() string { return string(e) }
