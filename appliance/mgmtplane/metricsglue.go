package mgmtplane

import (
	"net/netip"
	"strconv"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/appliance/spool"
	"github.com/flowtap/flowtap/cli/show"
	"github.com/flowtap/flowtap/mgmt/metrics"
)

// metricsService runs the Prometheus endpoint while `ip http metrics` is
// configured, on its port (or the --metrics-listen address).
type metricsService struct {
	p    *Plane
	srv  *metrics.Server
	addr string
}

func (s *metricsService) apply(c config.Config) {
	p := s.p
	port := c.Metrics.Port
	if port == 0 {
		port = config.DefaultMetricsPort
	}
	addr := p.opts.MetricsListen
	if addr == "" {
		addr = ":" + strconv.Itoa(port)
	}
	if s.srv != nil && (!c.Metrics.Enabled || addr != s.addr) {
		s.close()
	}
	if !c.Metrics.Enabled || s.srv != nil {
		return
	}
	m := p.m
	// The list is looked up at each connection, so editing it or the
	// access-class applies to the next reader.
	allow := func(from, to netip.AddrPort) bool {
		cur := m.Config()
		return m.ACL().Permits(cur, cur.Metrics.AccessClass,
			config.Packet{Src: from.Addr(), Dst: to.Addr(), Protocol: 6, SrcPort: from.Port(), DstPort: to.Port()})
	}
	srv, err := metrics.Listen(addr, metrics.NewCollector(func() metrics.Snapshot {
		snap := metricsSnapshot(m)
		snap.Management = p.management()
		return snap
	}), allow, p.log)
	if err != nil {
		p.log.Error("metrics endpoint", "err", err)
		return
	}
	s.srv, s.addr = srv, addr
	p.log.Info("metrics listening", "addr", srv.Addr().String())
}

func (s *metricsService) close() {
	if s.srv != nil {
		s.srv.Close()
		s.srv = nil
	}
}

// management is the management plane's security counters: failed SSH
// logins, open CLI sessions, SNMP's refusals.
func (p *Plane) management() *metrics.Management {
	mg := &metrics.Management{Sessions: p.lines.counts(), SNMP: p.m.SNMPCounters()}
	if srv := p.sshSrv.Load(); srv != nil {
		mg.SSHOn, mg.SSHLoginFailures = true, srv.Failed()
	}
	return mg
}

// metricsSnapshot reads what the screens read: the datapath's counters,
// the cache's statistics with its occupancy now, the exporters' own
// counters (which `clear ip flow stats` leaves alone), the aggregation
// caches and the sampler maps.
func metricsSnapshot(m *daemon.Manager) metrics.Snapshot {
	d := m.Daemon()
	s := metrics.Snapshot{SizeLabels: show.PacketSizeLabels(), Aging: d.Settings().Aging}
	if st, err := d.DatapathStats(); err == nil {
		s.Datapath = &st
	}
	s.Overload = d.OverloadView()
	if e := d.Engine(); e != nil {
		// Occupancy now, and the flows added counted with it.
		st := e.StatsNow()
		s.Cache = &st
	}
	exps, removed := d.ExportersRetired()
	for _, x := range exps {
		s.Destinations = append(s.Destinations, x.Stats())
	}
	s.Removed = removed
	c := d.CacheExportTotal()
	s.CacheExport = &c
	for _, a := range d.AggregationCaches() {
		s.Aggregations = append(s.Aggregations, metrics.Aggregation{Scheme: a.Config.Scheme.String(), Stats: a.Stats})
	}
	if l, _ := d.UncleanStopLost(); l.Records != 0 {
		// Its destinations are not kept apart.
		s.UncleanStopLost = append(s.UncleanStopLost, metrics.UncleanStopLoss{Reason: "destination removed", Destination: "",
			Records: l.Records, Packets: l.Packets, Doubt: l.Doubt, DoubtPackets: l.DoubtPackets})
	}
	held, _ := d.UncleanStopHeld()
	for _, h := range held {
		reason := "biflow pairing"
		if h.Kind == spool.HeldAggregation {
			reason = "aggregation cache " + h.Scheme.String()
		}
		s.UncleanStopLost = append(s.UncleanStopLost, metrics.UncleanStopLoss{Reason: reason, Destination: h.Collector.String(),
			Records: h.Records, Packets: h.Packets, Doubt: h.Doubt, DoubtPackets: h.DoubtPackets})
	}
	inUse := map[string]bool{}
	if samplers, err := d.Samplers(); err == nil {
		for _, v := range samplers {
			inUse[v.Name] = v.ID != 0
			s.Samplers = append(s.Samplers, metrics.Sampler{Name: v.Name, Interval: v.Interval, InUse: true, ID: v.ID, Observed: v.Seen, Selected: v.Taken})
		}
	}
	for _, sm := range m.Config().Samplers {
		if !inUse[sm.Name] {
			s.Samplers = append(s.Samplers, metrics.Sampler{Name: sm.Name, Interval: sm.Rate})
		}
	}
	for _, f := range d.FibreTotals() {
		s.Fibres = append(s.Fibres, metrics.Fibre{Tap: f.Tap, Side: f.Side, Port: f.Port, Flows: f.Flows, Packets: f.Packets, Bytes: f.Bytes})
	}
	return s
}
