package daemon

import (
	"context"
	"errors"
	"fmt"
	"github.com/flowtap/flowtap/appliance/appclass"
	"log/slog"
	"maps"
	"net"
	"net/netip"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/pipeline"
	"github.com/flowtap/flowtap/appliance/spool"
	"github.com/flowtap/flowtap/appliance/subif"
	"github.com/flowtap/flowtap/appliance/tap"
	"github.com/flowtap/flowtap/datapath"
	"github.com/flowtap/flowtap/mgmt/netcfg"
)

// Options are fixed for the daemon's life.
type Options struct {
	PinDir string // bpffs directory; empty pins nothing (tests)
	// Spool keeps an export spool in PinDir, beside the flow table: the
	// records the harvest took and the collectors were not sent yet,
	// which a daemon started after a kill sends (spool.go).
	Spool bool
	// StateDir keeps the cache's statistics across a restart over the
	// pinned maps (cachestats.go); empty keeps nothing.
	StateDir string
	Logger   *slog.Logger
	// ExportSent is told of each export packet an exporter (the main
	// cache's or an aggregation cache's) writes, with its collector
	// (`debug ip flow export`); nil: nobody.
	ExportSent func(collector netip.AddrPort)
}

// Daemon is the running appliance.
type Daemon struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	settings Settings
	dp       *datapath.Datapath
	ports    map[string]*datapath.Port
	// shared are the ports past the datapath's port table whose setting
	// is another's (sharePastTable).
	shared map[string]SharedPort
	// filters are the ports' input filters in the datapath; filterBase
	// what the entries of retired ones counted.
	filters    map[string]*installedFilter
	filterBase map[aclKey]uint64
	// filterZero is what an entry had counted when its list alone was
	// cleared (`clear ipv6 access-list NAME`): shown counts start there.
	filterZero map[aclKey]uint64
	// firewallBase is what the terms of replaced JunOS filters counted,
	// until `clear firewall`.
	firewallBase map[termKey]TermCount
	// policyBase is what the classes of replaced policy filters counted,
	// until `clear counters`.
	policyBase map[classKey]TermCount
	pipe       *pipeline.Pipeline
	main       *export.Destinations
	mainCfgs   []export.DestinationConfig // what each of main's exporters was opened with
	// ledger counts the main cache's flows once each, however many
	// destinations (show ip flow export's totals, cnfESRecordsExported);
	// ledgerBase is it at the last `clear ip flow stats`.
	ledger     *export.Ledger
	ledgerBase export.CacheExportStats
	aggs       []*aggCache
	// exportBase is each exporter's counters at the last `clear ip flow
	// stats`: the CLI shows the difference, SNMP the raw Counter64s.
	exportBase map[*export.Exporter]export.Stats
	// clearedAt is when each exporter's counters were last cleared, with
	// its template sends then (IPFIX-MIB's discontinuity, ipfixview.go).
	clearedAt map[*export.Exporter]clearMark
	// dpOpened is when the first datapath (and its counters) was opened:
	// a resize's reopen carries the counters on (counters.go), so it is
	// no discontinuity; samplerSince when each sampler last started over
	// (ipfixview.go).
	dpOpened     time.Time
	samplerSince map[uint16]time.Time
	// sizeBase is the datapath's packet-size histogram at the last
	// `clear ip flow stats`, or at the start when none came since: the
	// BPF counters cannot be reset (and a pinned map outlives the
	// daemon), the views subtract it.
	sizeBase [26]uint64
	// sizeBase6 is the same for the IPv6 share (datapath.Stats'
	// SizeHistogram6), taken at the same moments.
	sizeBase6 [26]uint64
	// base is what the counter maps of closed datapaths and reset
	// samplers counted (counters.go): counters only go back on clear.
	base counterBase
	// retired sums the counters of the main cache's exporters closed so
	// far, for SNMP's export sums, which must never go back; removed
	// what those closed since the last clear counted since it, for the
	// CLI's totals, which go back only on clear.
	retired, removed export.Stats
	fanout           *fanout
	// nde counts the flows the NDE flow filter left out, once each
	// (show mls nde); ndeBase its flows and packets at the last `clear
	// ip flow stats`.
	nde     ndeTally
	ndeBase [2]uint64
	// prevEngine is the flow cache engine the last stopped pipeline ran,
	// whose statistics the next one inherits.
	prevEngine *flowcache.Engine
	// fibres counts each tap fibre's traffic across configuration changes.
	fibres tap.Meters
	// tapHistory is what tap fibres' ports meant before configuration
	// changes, so that their cached flows leave as they were metered.
	tapHistory  tap.History
	tapsApplied bool
	// formerAt is when each fibre's former ifindex (tap.Port.Former)
	// stopped being its port's (taps.go, dropFormer); lookupPort finds a
	// port's ifindex now (nil: the kernel's, tests set it).
	formerAt   map[uint32]time.Time
	lookupPort func(name string) (uint32, bool)
	// fibreIn tells a silent fibre from a quiet link (fibreinput.go).
	fibreIn fibreInput
	// fibreNote hears each fibre turning silent and receiving again
	// (OnFibreChange): the SNMP agent's notifications.
	fibreNote atomic.Pointer[func(FibreChange)]
	// apps tallies the expired flows per application class since the
	// last `clear ip flow stats`.
	apps *appclass.Counter

	// startErr is what New could not put in effect (a missing port):
	// the manager's first warnings, so a later change does not repeat them.
	startErr error

	// ovl runs overload protection.
	ovl overloadGlue

	// spool keeps the harvested records until the main cache's
	// destinations sent them (nil: no spool); replayed says the records
	// a killed daemon left in it were sent (spool.go).
	spool *spool.Spool
	// startAnnotator annotates what leaves the table before the first
	// engine runs (expire).
	startAnnotator flowcache.Annotator
	// startTally counts what leaves the table before the first engine
	// runs (expire), for that engine's statistics (startPipeline).
	startTally flowcache.StartTally
	replayed   bool
	// cacheStatsRestored: the previous daemon's cache statistics were
	// looked for (cachestats.go), by the first engine.
	cacheStatsRestored bool
	// orphanLost is what a killed daemon owed destinations this one does
	// not have (UncleanStopLoss); orphanBase its value at the last `clear
	// ip flow stats`.
	orphanLost, orphanBase UncleanStopLoss
	// heldLost is what killed daemons' aggregation caches and biflow
	// destinations held (held.go); heldBase its value at the last `clear
	// ip flow stats`.
	heldLost, heldBase []HeldLoss

	cancel    context.CancelFunc
	done      chan error
	running   bool
	stopRetry chan struct{}
}

type aggCache struct {
	cfg   Aggregation
	cache *export.AggregationCache
	dests *export.Destinations
	stop  context.CancelFunc
	// started is where its counters start: its own opening, or that of
	// the first cache of its scheme that a configuration change replaced
	// by it; carried is what those predecessors counted. base is its
	// totals at the last `clear ip flow stats` (at cleared), which the
	// screen and IPFIX-MIB count from. Guarded by Daemon.mu.
	started time.Time
	carried export.AggregationStats
	base    export.AggregationStats
	cleared time.Time
}

// totals are what the cache and its predecessors counted; the gauges
// (entries, capacity, memory) are the cache's now.
func (a *aggCache) totals() export.AggregationStats {
	s, c := a.cache.Stats(), a.carried
	s.Added += c.Added
	s.Created += c.Created
	s.Exported += c.Exported
	s.Emergency += c.Emergency
	s.SkippedIPv6 += c.SkippedIPv6
	s.AgerPolls += c.AgerPolls
	return s
}

// since is where the counts since the last clear begin.
func (a *aggCache) since() time.Time {
	if a.cleared.IsZero() {
		return a.started
	}
	return a.cleared
}

// succeed makes n count on from a, the cache of the same scheme it
// replaces: its totals, its clear and its exporters' counters (by
// collector) carry over. a is closed, so its last exports are in. d.mu
// is held.
func (d *Daemon) succeedAgg(n, a *aggCache) {
	t := a.totals()
	t.Entries, t.Capacity, t.Bytes = 0, 0, 0
	n.carried, n.started, n.base, n.cleared = t, a.started, a.base, a.cleared
	opened := slices.Clone(n.dests.Exporters()) // Exporters is the cache's own slice
	for _, e := range a.dests.Exporters() {
		if j := slices.IndexFunc(opened, func(x *export.Exporter) bool { return x.Config().Collector == e.Config().Collector }); j >= 0 {
			// e closed with its cache: the new cache's exporter numbers
			// its packets on from e's, as the one cache IOS keeps would.
			opened[j].ContinueSequence(e)
			d.succeedExporter(opened[j], e)
			opened = slices.Delete(opened, j, j+1)
		}
		delete(d.exportBase, e)
		delete(d.clearedAt, e)
	}
}

// succeedExporter makes n, a new exporter to e's collector, count on
// from e (closed): e's counters, the CLI's clear base and IPFIX-MIB's
// discontinuity go with it. d.mu is held.
func (d *Daemon) succeedExporter(n, e *export.Exporter) {
	n.Inherit(e)
	if c, ok := d.clearedAt[e]; ok {
		d.exportBase[n], d.clearedAt[n] = d.exportBase[e], c
	} else {
		// Its IPFIX-MIB session counts from the old one's start.
		d.exportBase[n], d.clearedAt[n] = export.Stats{}, clearMark{at: e.Started()}
	}
}

// fanout is the engine's one sink; it forwards to whatever exporters and
// aggregation caches are configured now, so they can be swapped while the
// engine runs.
type fanout struct {
	mu    sync.RWMutex
	sinks []flowcache.Sink
}

func (f *fanout) Export(r *flow.Record) {
	f.mu.RLock()
	for _, s := range f.sinks {
		s.Export(r)
	}
	f.mu.RUnlock()
}

func (f *fanout) set(sinks []flowcache.Sink) { f.swap(sinks, func() {}) }

// swap sets the sinks, calling before first while no record is being
// passed on.
func (f *fanout) swap(sinks []flowcache.Sink, before func()) {
	f.mu.Lock()
	before()
	f.sinks = sinks
	f.mu.Unlock()
}

// New opens the datapath with s and builds everything; Start runs it.
func New(opts Options, s Settings) (*Daemon, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Daemon{opts: opts, log: log, ports: map[string]*datapath.Port{}, fanout: &fanout{}, stopRetry: make(chan struct{}),
		apps:       appclass.NewCounter(s.AppClasses),
		exportBase: map[*export.Exporter]export.Stats{}, clearedAt: map[*export.Exporter]clearMark{},
		ledger: export.NewLedger()}
	go d.retryPorts(d.stopRetry)
	go d.watchFibres(d.stopRetry)
	// Records taken from the table before the first engine runs (a
	// pinned table of another size drained as the datapath opens, the
	// spool replayed just before it) are annotated as the engine would.
	d.startAnnotator = d.annotator(s)
	d.openSpool()
	// The exporters before the datapath: a pinned table of another size
	// (a restart with a changed cache size) is drained as it opens, into
	// whatever exporters are configured then. apply below keeps them.
	if err := d.reconcileExporters(s); err != nil {
		log.Warn("export destinations not opened before the datapath", "err", err)
	}
	if err := d.openDatapath(s.CacheEntries); err != nil {
		if d.main != nil {
			d.main.Close()
		}
		for _, a := range d.aggs {
			a.close()
		}
		if d.spool != nil {
			d.spool.Close()
		}
		return nil, err
	}
	// Only the datapath is vital: a port that does not exist (yet), a
	// collector that cannot be reached are reported and retried, and the
	// box stays up and manageable, as a router with an absent interface.
	if err := d.apply(Settings{CacheEntries: s.CacheEntries}, s); err != nil {
		log.Warn("configuration partly applied", "err", err)
		d.startErr = err
	}
	return d, nil
}

// retryPorts attaches configured ports that were missing, every few
// seconds, until stop: a NIC whose driver loads late or that is plugged
// in later starts metering without an operator.
func (d *Daemon) retryPorts(stop <-chan struct{}) {
	every(5*time.Second, stop, d.portsTick)
}

// portsTick is one of retryPorts' passes, at now: the ports missing are
// attached again and the fibres follow their ports' devices.
func (d *Daemon) portsTick(now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	missing := false
	for _, p := range d.settings.Ports {
		cur, ok := d.ports[p.Name]
		if ok && d.portGone(cur) {
			ok = false
		}
		if !ok {
			missing = true
		}
	}
	if missing {
		if d.dp != nil {
			if err := d.applyPorts(d.settings.Ports); err != nil {
				d.log.Debug("ports still missing", "err", err)
			}
		}
		d.resolvePorts(now)
	}
	d.dropFormer(now)
	d.followNames()
}

// every calls f with the time of each tick of period until stop is
// closed: the daemon's background retries and samplers.
func every(period time.Duration, stop <-chan struct{}, f func(now time.Time)) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			f(now)
		}
	}
}

func (d *Daemon) openDatapath(entries int) error {
	expire := d.expire()
	// What the drain empties: at a start, the table the last daemon
	// pinned with another size; later, the cache `ip flow-cache entries`
	// just resized (the operator never saw a pinned cache).
	what := "the pinned cache of another size"
	if !d.dpOpened.IsZero() {
		what = fmt.Sprintf("the cache resized to %d entries", entries)
	}
	var drain struct {
		began   time.Time
		flows   int
		records uint64
	}
	dp, err := datapath.Open(datapath.Options{PinDir: d.opts.PinDir, Entries: entries, Spool: d.spool,
		OnResize: func(r *flow.Record) {
			drain.records++
			expire(r)
		},
		BeforeDrain: func(dp *datapath.Datapath, flows int) {
			d.replayBeforeDrain(dp)
			// Logged as it begins: a stop during it is worth knowing of
			// (the next start drains what is left).
			d.log.Info(fmt.Sprintf("%%FLOW-5-CACHE_DRAIN: draining %d flows of %s into the export destinations", flows, what),
				"flows", flows, "entries", entries)
			drain.began, drain.flows = time.Now(), flows
		}})
	if err != nil {
		return fmt.Errorf("open datapath: %w", err)
	}
	if !drain.began.IsZero() {
		d.log.Info(fmt.Sprintf("%%FLOW-5-CACHE_DRAINED: %d flow records of %s exported", drain.records, what),
			"records", drain.records, "took", time.Since(drain.began).Round(time.Millisecond).String())
	}
	d.dp = dp
	if gap, err := dp.Unharvested(); err == nil && gap > datapath.StampWindow {
		// A start over a table metered with nobody aging it for longer
		// than its flow times cover (--keep-metering, then a long stop):
		// the first pass exports every flow (datapath README, "Stamps and
		// a long absence"), which the operator should know of.
		d.log.Warn(fmt.Sprintf("%%FLOW-4-CACHE_STALE: the flow cache was last aged %d days ago, more than its flow times cover (%d days): every flow is exported now, as idle where its times prove it, else as active",
			int(gap.Hours()/24), int(datapath.StampWindow.Hours()/24)), "unaged", gap.Round(time.Second).String())
	}
	if d.spool != nil {
		dp.SetSpool(d.spool)
	}
	if d.dpOpened.IsZero() {
		d.dpOpened = time.Now()
		// The size distribution belongs to `show ip cache flow`, whose
		// statistics start with the daemon: a pinned histogram goes on
		// counting across a restart, and without this base a restart
		// after a clear would show the packets it cleared again.
		if st, err := dp.Stats(); err == nil {
			d.sizeBase, d.sizeBase6 = st.SizeHistogram, st.SizeHistogram6
		}
	}
	if d.ovl.dp.Load() == nil {
		d.ovl.dp.Store(dp)
	} // a resize hands it over once the old one's counts are in the base
	return nil
}

// Start runs the ager and exporters in the background.
func (d *Daemon) Start() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.running {
		return nil
	}
	return d.startPipeline()
}

func (d *Daemon) startPipeline() error {
	s := d.settings
	pipe, err := pipeline.New(pipeline.Config{Datapath: d.dp, Sinks: []flowcache.Sink{d.fanout}, Annotator: d.annotator(s),
		Aging: s.Aging, Emergency: s.Emergency, TopTalkers: s.TopTalkers, AgerInterval: agerInterval, Logger: d.log,
		// Harvests run under d.mu (exportAll) as well as on the ager's
		// own: read the counters without d.mu. The base changes only on a
		// resize, which replaces this pipeline.
		Counters: statsWithBase(d.dp, d.base),
		// The daemon flushes when it means to (Close without keep); a
		// cache-size change drains the old table through OnResize.
		KeepOnStop: true})
	if err != nil {
		return err
	}
	// A rebuilt cache (a resize) goes on counting where the old one
	// stopped: only `clear ip flow stats` zeroes its statistics.
	pipe.Engine().Inherit(d.prevEngine)
	// The flows drained, replayed or purged as the daemon started, before
	// any engine ran, count as expired as a harvest's do.
	pipe.Engine().Absorb(&d.startTally)
	if d.prevEngine == nil && !d.cacheStatsRestored {
		// The first engine: the previous daemon's totals go on.
		d.restoreCacheStats(pipe.Engine())
		d.cacheStatsRestored = true
	}
	// Before the first harvest, which must find the table as the killed
	// daemon left it (spool.go); done already if the datapath drained a
	// table of another size as it opened.
	d.replaySpool(d.dp, pipe.Engine().Expire)
	ctx, cancel := context.WithCancel(context.Background())
	d.pipe, d.cancel, d.done, d.running = pipe, cancel, make(chan error, 1), true
	go func(done chan error) { done <- pipe.Run(ctx) }(d.done)
	return nil
}

// annotator is the subinterfaces' rewrite, then the taps', then
// s.Annotator (prefix-to-AS).
func (d *Daemon) annotator(s Settings) flowcache.Annotator {
	next := s.Annotator
	if len(s.Taps) > 0 || d.tapHistory.Len() > 0 {
		a := tap.NewAnnotator(s.Taps, &d.fibres)
		a.History = d.tapHistory
		if next != nil {
			a.Next = next
		}
		next = a
	}
	if len(s.Subifs) > 0 {
		a := subif.New(s.Subifs)
		if next != nil {
			a.Next = next
		}
		next = a
	}
	return next
}

// stopPipeline ends the ager, leaving the flows in the table.
func (d *Daemon) stopPipeline() error {
	if !d.running {
		return nil
	}
	d.prevEngine = d.pipe.Engine()
	d.pipe = nil
	d.cancel()
	err := <-d.done
	d.running = false
	return err
}

// Apply moves the running appliance to s, touching only what changed.
func (d *Daemon) Apply(s Settings) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.apply(d.settings, s)
}

func (d *Daemon) apply(old, s Settings) error {
	var errs []error
	s.Taps = carryFormer(old.Taps, s.Taps, s.Ports)
	if d.tapsApplied {
		d.tapHistory = d.tapHistory.Change(old.Taps, s.Taps, time.Now(), tapHorizon(old, s))
	}
	// The start's settings are those a daemon before kept in force (the
	// running copy): the flows it left pinned were metered under them.
	d.tapsApplied = true
	prev := old // old is rewritten on a resize; prev stays what was in force
	resized := s.CacheEntries != old.CacheEntries
	resizedFilters := map[string]*installedFilter{}
	samplersShared := false
	if resized {
		// IOS applies a new cache size by rebuilding the cache: export
		// what is there, then start over. The datapath moves its writers
		// to the new table first, so nothing is lost meanwhile.
		wasRunning := d.running
		if err := d.stopPipeline(); err != nil {
			errs = append(errs, err)
		}
		if d.opts.PinDir == "" {
			// Unpinned, the old table dies with this handle: export it
			// now. (Pinned, Open drains it after moving the writers.)
			if err := d.exportAll(); err != nil {
				errs = append(errs, fmt.Errorf("drain cache before resize: %w", err))
			}
		}
		for name, p := range d.ports {
			p.Release()
			delete(d.ports, name)
		}
		// The old datapath stays open until the new one has taken its
		// writers (Open moves the pinned links), so that what its maps
		// counted is read whole: the new datapath's counter and filter
		// maps that are not the old ones start from zero, and the daemon
		// keeps the old counts (counters.go). Counters go back to zero
		// only on clear.
		oldDP := d.dp
		if err := d.openDatapath(s.CacheEntries); err != nil {
			return err
		}
		counted := readCounters(oldDP, prev.Samplers)
		// The new datapath's filter maps start empty: keep what the
		// filters counted and install them again (applyPorts below).
		for key, f := range d.filters {
			if counts, err := oldDP.FilterCounts(f.id); err == nil {
				d.keep(f, counts, kept{acl: true, class: true, firewall: true})
			}
			if counts, err := f.termCounts(oldDP); err == nil {
				f.carried = counts
			}
			resizedFilters[key] = f
			delete(d.filters, key)
		}
		samplersShared = d.carryCounters(counted)
		d.ovl.dp.Store(d.dp)
		oldDP.Close()
		old = Settings{CacheEntries: s.CacheEntries, Exports: old.Exports, Aggregations: old.Aggregations}
		if wasRunning {
			defer func() {
				if err := d.startPipeline(); err != nil {
					d.log.Error("restart ager", "err", err)
				}
			}()
		}
	}
	// Exporters first, so a mask change's purge reaches the new ones.
	if err := d.reconcileExporters(s); err != nil {
		errs = append(errs, err)
	}
	purged := resized
	if s.Mask != d.dp.Mask() || s.Mask6 != d.dp.Mask6() {
		d.replayFirst() // a start with a flow mask purges the pinned table
		if err := d.dp.SetMasks(s.Mask, s.Mask6, d.expire()); err != nil {
			errs = append(errs, err)
		}
		purged = true
	}
	if purged {
		// As IOS on a forced export (reason FORCED): send the partial
		// packets now rather than when they age.
		errs = append(errs, d.flushExporters())
	}
	if s.Sampling != d.dp.Sampling() {
		if err := d.dp.SetSampling(s.Sampling); err != nil {
			errs = append(errs, err)
		}
	}
	if s.Capture != d.dp.Capture() {
		if err := d.dp.SetCapture(s.Capture); err != nil {
			errs = append(errs, err)
		}
	}
	if !maps.Equal(s.Samplers, old.Samplers) || !maps.Equal(s.SamplerNames, old.SamplerNames) {
		// Before the ports point at them. A changed sampler starts its
		// position over, as IOS on a changed map; its counters go on
		// (they go back only on clear). An id now given to another map,
		// or to a map again after it was removed, is a new sampler: its
		// counters start from zero, and SNMP's discontinuity moves.
		for id, c := range s.Samplers {
			_, had := prev.Samplers[id]
			same := had && prev.SamplerNames[id] == s.SamplerNames[id]
			if old.Samplers[id] == c && old.SamplerNames[id] == s.SamplerNames[id] {
				continue
			}
			if same && (!resized || samplersShared) {
				if ss, err := d.dp.SamplerStats(id); err == nil {
					d.keepSampler(id, ss)
				}
			}
			if !same {
				delete(d.base.samplers, id)
				d.markSampler(id)
			}
			errs = append(errs, d.dp.SetSampler(id, c))
		}
	}
	for id := range prev.Samplers {
		if _, ok := s.Samplers[id]; !ok {
			delete(d.base.samplers, id)
		}
	}
	errs = append(errs, d.applyPorts(s.Ports))
	// A filter installed again after a resize, with the same terms, is the
	// same selection process: it counts on from where it was.
	for key, nf := range d.filters {
		if of := resizedFilters[key]; of != nil && reflect.DeepEqual(of.def.Filter, nf.def.Filter) {
			nf.since, nf.carried = of.since, of.carried
		}
	}
	d.applyOverload(s.Overload)
	errs = append(errs, d.dp.SetSubinterfaces(subifKeys(s.Subifs)))
	if d.running && d.pipe != nil {
		e := d.pipe.Engine()
		if s.Aging != old.Aging {
			errs = append(errs, e.SetAging(s.Aging))
		}
		if s.Emergency != old.Emergency {
			errs = append(errs, e.SetEmergency(s.Emergency))
		}
		if !reflect.DeepEqual(s.TopTalkers, old.TopTalkers) {
			errs = append(errs, e.SetTopTalkers(s.TopTalkers))
		}
		e.SetAnnotator(d.annotator(s))
	}
	d.settings = s
	return errors.Join(errs...)
}

func (d *Daemon) applyPorts(want []Port) error {
	var errs []error
	want, shared := sharePastTable(want, linkIndex)
	d.noteShared(shared)
	keep := map[string]bool{}
	for _, p := range want {
		keep[p.Name] = true
		cur, attached := d.ports[p.Name]
		ps := datapath.PortSettings{Verdict: p.Verdict, Meter: p.Meter}
		if attached && (p.Mode == datapath.ModeBest || p.Mode == cur.Mode) {
			if err := d.dp.SetPort(cur.Index, ps); err != nil {
				errs = append(errs, err)
			}
			errs = append(errs, d.selectPort(cur.Index, p))
			continue
		}
		if attached {
			if err := d.dp.Detach(cur); err != nil {
				errs = append(errs, err)
			}
			delete(d.ports, p.Name)
		}
		ifc, err := net.InterfaceByName(p.Name)
		if err != nil {
			errs = append(errs, &PortMissing{Name: p.Name})
			continue
		}
		// Filter and sampler first, so no packet is metered without them.
		errs = append(errs, d.selectPort(ifc.Index, p))
		// A tap port sees other hosts' frames: without promiscuous mode
		// the NIC drops them before XDP runs.
		if err := netcfg.Monitor(p.Name); err != nil {
			errs = append(errs, err)
		}
		np, err := d.dp.Attach(p.Name, p.Mode, ps)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		attrs := []any{"port", p.Name, "xdp-mode", np.Mode.String(), "verdict", p.Verdict.String()}
		// Offload fails on nearly every NIC: when the port runs native,
		// its failure ("create link: invalid argument", on the console at
		// every attach) says nothing; a fall back to generic says why.
		if np.Mode == datapath.ModeGeneric && len(np.Tried) > 0 {
			attrs = append(attrs, "tried", np.Tried)
		} else if len(np.Tried) > 0 {
			d.log.Debug("xdp modes tried before "+np.Mode.String(), "port", p.Name, "tried", np.Tried)
		}
		d.log.Info("metering port", attrs...)
		d.ports[p.Name] = np
	}
	for name, p := range d.ports {
		if !keep[name] {
			if err := d.dp.Detach(p); err != nil {
				errs = append(errs, err)
			}
			errs = append(errs, d.dp.SetPortSelect(p.Index, datapath.PortSelect{}))
			errs = append(errs, d.releasePort(name))
			if err := netcfg.Release(name); err != nil {
				errs = append(errs, err)
			}
			delete(d.ports, name)
		}
	}
	return errors.Join(errs...)
}

// flushExporters sends every exporter's partial packet.
func (d *Daemon) flushExporters() error {
	var errs []error
	if d.main != nil {
		errs = append(errs, d.main.Flush())
	}
	for _, a := range d.aggs {
		a.cache.FlushAll()
		errs = append(errs, a.dests.Flush())
	}
	return errors.Join(errs...)
}

// PortMissing is a configured port that does not exist (yet): it is
// metered once it appears.
type PortMissing struct{ Name string }

func (e *PortMissing) Error() string {
	return fmt.Sprintf("interface %s does not exist: it is metered once it appears", e.Name)
}

// reconcileExporters moves the exporters and aggregation caches to s,
// keeping every one whose configuration did not change: its socket,
// sequence numbers, template state and counters carry on, so a change
// elsewhere (a hostname, an SNMP location) is invisible to the
// collectors. A main-cache exporter whose encoder settings alone
// changed is changed in place (export.Exporter.Reconfigure): its
// socket, sequence numbers and counters carry on too. New ones are opened before the swap and the ones no longer
// configured are closed after it: their partial packets are flushed, and
// no record reaches a closed exporter. If a new one cannot be opened,
// nothing changes.
func (d *Daemon) reconcileExporters(s Settings) error {
	var oldList []*export.Exporter
	if d.main != nil {
		oldList = d.main.Exporters()
	}
	kept := make([]bool, len(oldList))
	keptAgg := make([]bool, len(d.aggs))
	var opened []*export.Exporter
	var openedAggs []*aggCache
	fail := func(err error) error {
		for _, e := range opened {
			e.Close()
		}
		for _, a := range openedAggs {
			a.close()
		}
		return err
	}
	var list []*export.Exporter
	var cfgs []export.DestinationConfig
	type reconfigure struct {
		e *export.Exporter
		c export.DestinationConfig
	}
	var reconf []reconfigure
	for _, c := range s.Exports {
		i := slices.IndexFunc(d.mainCfgs, func(o export.DestinationConfig) bool { return sameDestination(o, c) })
		for i >= 0 && kept[i] { // the same collector twice: match the next copy
			j := slices.IndexFunc(d.mainCfgs[i+1:], func(o export.DestinationConfig) bool { return sameDestination(o, c) })
			if j < 0 {
				i = -1
				break
			}
			i += 1 + j
		}
		if i >= 0 {
			kept[i] = true
			list, cfgs = append(list, oldList[i]), append(cfgs, d.mainCfgs[i])
			continue
		}
		// The same collector with other encoder settings (template
		// rates, samplers, overload): changed in place below, so that its
		// sequence numbers, socket and counters go on as on IOS; a new
		// exporter would start its sequence over, which a collector
		// counts as lost packets.
		j := -1
		for k, o := range oldList {
			if !kept[k] && o.Config().Collector == c.Collector && o.Reconfigurable(c) && c.Encoder.Validate() == nil {
				j = k
				break
			}
		}
		if j >= 0 {
			kept[j] = true
			reconf = append(reconf, reconfigure{oldList[j], c})
			list, cfgs = append(list, oldList[j]), append(cfgs, c)
			continue
		}
		e, err := export.NewExporter(c)
		if err != nil {
			return fail(fmt.Errorf("export destination %s: %w", c.Collector, err))
		}
		e.SetLogger(d.log) // collector outages and what they lost
		if d.opts.ExportSent != nil {
			e.SetSent(d.opts.ExportSent)
		}
		opened = append(opened, e)
		if err := e.UseSpool(d.spool); err != nil {
			// It exports all the same, unprotected against a kill.
			d.log.Error("export spool", "err", err)
		}
		list, cfgs = append(list, e), append(cfgs, c)
	}
	var aggs []*aggCache
	for _, a := range s.Aggregations {
		i := slices.IndexFunc(d.aggs, func(o *aggCache) bool { return sameAggregation(o.cfg, a) })
		for i >= 0 && keptAgg[i] {
			j := slices.IndexFunc(d.aggs[i+1:], func(o *aggCache) bool { return sameAggregation(o.cfg, a) })
			if j < 0 {
				i = -1
				break
			}
			i += 1 + j
		}
		if i >= 0 {
			keptAgg[i] = true
			aggs = append(aggs, d.aggs[i])
			continue
		}
		ac, err := newAggCache(a)
		if err != nil {
			return fail(err)
		}
		if d.opts.ExportSent != nil {
			for _, e := range ac.dests.Exporters() {
				e.SetSent(d.opts.ExportSent)
			}
		}
		d.useSpoolAgg(ac)
		openedAggs = append(openedAggs, ac)
		aggs = append(aggs, ac)
	}
	for _, r := range reconf {
		// Validated above: only a closed exporter refuses, and d.mu
		// keeps them open.
		if err := r.e.Reconfigure(r.c); err != nil {
			return fail(err)
		}
	}
	d.apps.SetRules(s.AppClasses)
	sinks := []flowcache.Sink{d.apps}
	var main *export.Destinations
	if len(list) > 0 {
		main = export.DestinationsOf(list)
		main.CountIn(d.ledger)
		// Before the destinations, on the same record they get.
		sinks = append(sinks, &d.nde, main)
		d.nde.set(cfgs[0].NDEFilters, cfgs[0].Layer2VLANs)
	}
	for _, a := range aggs {
		sinks = append(sinks, pipeline.AggregationSink{Cache: a.cache})
	}
	oldAggs := d.aggs
	d.ovl.setMain(main)
	// An exporter reopened for the same collector and version (its
	// source, TTL, anonymisation changed) numbers its packets on from the
	// old one's, as one exporter would: the old one sends its last
	// packets and closes before the new one is given a record.
	var errs []error
	closed := make([]bool, len(oldList))
	d.fanout.swap(sinks, func() {
		successors := slices.Clone(opened)
		for i, e := range oldList {
			if kept[i] {
				continue
			}
			if j := slices.IndexFunc(successors, func(n *export.Exporter) bool {
				return n.Config().Collector == e.Config().Collector && n.Config().Encoder.Version == e.Config().Encoder.Version
			}); j >= 0 {
				e.Detach()
				errs = append(errs, e.Close())
				closed[i] = true
				successors[j].ContinueSequence(e)
				successors = slices.Delete(successors, j, j+1)
			}
		}
	})
	// The ones going are given no record from here on: a kill while
	// they close owes them none of the harvest's next ones.
	for i, e := range oldList {
		if !kept[i] && !closed[i] {
			e.Detach()
		}
	}
	for i, a := range oldAggs {
		if !keptAgg[i] {
			a.cache.Detach()
		}
	}
	d.main, d.mainCfgs, d.aggs = main, cfgs, aggs
	for i, e := range oldList {
		if !kept[i] {
			if !closed[i] {
				errs = append(errs, e.Close())
			}
			// A new exporter to the same collector replaces this one (its
			// encoder settings changed): it counts on from here, and the
			// CLI's clear base and SNMP's discontinuity go with it.
			if j := slices.IndexFunc(opened, func(n *export.Exporter) bool { return n.Config().Collector == e.Config().Collector }); j >= 0 {
				d.succeedExporter(opened[j], e)
				opened = slices.Delete(opened, j, j+1)
			} else {
				st := e.Stats()
				d.retired = addCounters(d.retired, st)
				d.removed = addCounters(d.removed, sinceClear(st, d.exportBase[e]))
			}
			delete(d.exportBase, e)
			delete(d.clearedAt, e)
		}
	}
	for i, a := range oldAggs {
		if !keptAgg[i] {
			errs = append(errs, a.close())
			// A new cache of the same scheme replaces this one (its
			// timeouts, size or destinations changed): it counts on, as
			// counters go back only on clear.
			if j := slices.IndexFunc(openedAggs, func(n *aggCache) bool { return n.cfg.Cache.Scheme == a.cfg.Cache.Scheme }); j >= 0 {
				d.succeedAgg(openedAggs[j], a)
				openedAggs = slices.Delete(openedAggs, j, j+1)
			} else {
				for _, e := range a.dests.Exporters() {
					delete(d.exportBase, e)
					delete(d.clearedAt, e)
				}
			}
		}
	}
	return errors.Join(errs...)
}

func newAggCache(a Aggregation) (*aggCache, error) {
	dests, err := export.NewDestinations(a.Destinations)
	if err != nil {
		return nil, fmt.Errorf("aggregation cache %s: %w", a.Cache.Scheme, err)
	}
	c, err := export.NewAggregationCache(a.Cache, dests)
	if err != nil {
		dests.Close()
		return nil, fmt.Errorf("aggregation cache %s: %w", a.Cache.Scheme, err)
	}
	ctx, stop := context.WithCancel(context.Background())
	go c.Run(ctx, agerInterval)
	return &aggCache{cfg: a, cache: c, dests: dests, stop: stop, started: time.Now()}, nil
}

// close stops the cache, exports what it holds and closes its exporters.
func (a *aggCache) close() error {
	a.stop()
	a.cache.FlushAll()
	return a.dests.Close()
}

// sameDestination reports whether an exporter opened for a can serve b.
// The boot time is left out: it is derived from the clocks at each
// change and moves by a few nanoseconds, and an exporter keeps the one
// it started with so that its sysUptime never jumps.
func sameDestination(a, b export.DestinationConfig) bool {
	a.Encoder.BootTime, b.Encoder.BootTime = time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

func sameAggregation(a, b Aggregation) bool {
	if !reflect.DeepEqual(a.Cache, b.Cache) || len(a.Destinations) != len(b.Destinations) {
		return false
	}
	for i := range a.Destinations {
		if !sameDestination(a.Destinations[i], b.Destinations[i]) {
			return false
		}
	}
	return true
}

// Applications is the tally of expired flows per application class
// since the last ClearApplications.
func (d *Daemon) Applications() *appclass.Tally { return d.apps.Snapshot() }

// AppClasses is the rule set in force.
func (d *Daemon) AppClasses() appclass.Set { return d.apps.Set() }

// ClearApplications zeroes the expired-flow tally (`clear ip flow stats`).
func (d *Daemon) ClearApplications() { d.apps.Clear() }

// Datapath is the meter, for show commands and tests.
func (d *Daemon) Datapath() *datapath.Datapath {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dp
}

// Engine is the flow cache, nil while the ager is stopped.
func (d *Daemon) Engine() *flowcache.Engine {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.pipe == nil {
		return nil
	}
	return d.pipe.Engine()
}

// ExportStats are the main cache's destinations' counters since the last
// `clear ip flow stats` (`show ip flow export`).
func (d *Daemon) ExportStats() []export.Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.main == nil {
		return nil
	}
	out := d.main.Stats()
	for i, e := range d.main.Exporters() {
		if b, ok := d.exportBase[e]; ok {
			out[i] = sinceClear(out[i], b)
		}
	}
	return out
}

// ClearExportStats starts the CLI's export counters from 0 (`clear ip
// flow stats`). The exporters' own counters go on: SNMP's Counter64s
// never go back.
func (d *Daemon) ClearExportStats() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.orphanBase = d.orphanLost
	d.heldBase = slices.Clone(d.heldLost)
	d.removed = export.Stats{}
	d.ledgerBase = d.ledger.Stats()
	d.ndeBase = [2]uint64{d.nde.flows.Load(), d.nde.packets.Load()}
	if d.main == nil {
		return
	}
	now := time.Now()
	for _, e := range d.main.Exporters() {
		d.markCleared(e, now)
	}
}

// ClearExportStatsOf starts the CLI's counters of the main cache's
// destination that sends to collector from 0, the others' going on
// (`clear flow exporter NAME statistics`).
func (d *Daemon) ClearExportStatsOf(collector netip.AddrPort) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.main == nil {
		return
	}
	now := time.Now()
	for _, e := range d.main.Exporters() {
		if e.Config().Collector == collector {
			d.markCleared(e, now)
		}
	}
}

// markCleared notes e's counters at `clear ip flow stats`: what the CLI
// and IPFIX-MIB count from. d.mu is held.
func (d *Daemon) markCleared(e *export.Exporter, now time.Time) {
	d.exportBase[e] = e.Stats()
	m := clearMark{at: now, templates: e.TemplateSends(), records: map[uint16]uint64{}}
	for _, t := range e.TemplateInfo() {
		m.records[t.ID] = t.Records
	}
	d.clearedAt[e] = m
}

// NDEFiltered is how many flows the NDE flow filter left out, and their
// packets, since the last `clear ip flow stats`: each flow once, however
// many destinations there are (`show mls nde`).
func (d *Daemon) NDEFiltered() (flows, packets uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.nde.flows.Load() - d.ndeBase[0], d.nde.packets.Load() - d.ndeBase[1]
}

// CacheExport is what became of the main cache's flows since the last
// `clear ip flow stats`, each flow once however many destinations it
// had: show ip flow export's totals.
func (d *Daemon) CacheExport() export.CacheExportStats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ledger.Stats().Since(d.ledgerBase)
}

// CacheExportTotal is CacheExport since the start: SNMP's and
// Prometheus's counters, which clear does not move.
func (d *Daemon) CacheExportTotal() export.CacheExportStats { return d.ledger.Stats() }

// RetiredExportStats sums what the main cache's exporters that are no
// longer configured sent.
func (d *Daemon) RetiredExportStats() export.Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.retired
}

// RemovedExportStats sums what the main cache's destinations removed
// since the last `clear ip flow stats` counted since it: show ip flow
// export's totals keep them, as IOS's cache counters do.
func (d *Daemon) RemovedExportStats() export.Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.removed
}

// sinceClear is s counted from base: every counter (each uint64 field,
// so that counters added to export.Stats follow) minus its value at the
// clear.
func sinceClear(s, base export.Stats) export.Stats {
	sv, bv := reflect.ValueOf(&s).Elem(), reflect.ValueOf(base)
	for i := range sv.NumField() {
		if f := sv.Field(i); f.Kind() == reflect.Uint64 {
			f.SetUint(f.Uint() - bv.Field(i).Uint())
		}
	}
	return s
}

// Settings are the settings in force.
func (d *Daemon) Settings() Settings {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.settings
}

// Close ends this daemon. With keep (an exit to be restarted: a daemon
// run with --keep-metering, an upgrade) the pinned links go on metering
// into the pinned table and the next daemon ages and exports the flows.
// Without keep (an orderly stop) the ports are detached, so they carry
// traffic as before flowtapd, and every flow is exported. Either way the
// exporters flush.
func (d *Daemon) Close(keep bool) error {
	close(d.stopRetry)
	d.stopOverload()
	d.mu.Lock()
	defer d.mu.Unlock()
	var errs []error
	// Stopped before it started: what a killed daemon left in the spool
	// goes out before the exporters close and give up their marks.
	d.replayFirst()
	if !keep {
		// Leave the ports as they were before flowtapd (no XDP program,
		// not promiscuous) first, so that nothing is metered after the
		// last harvest.
		for name, p := range d.ports {
			errs = append(errs, d.dp.Detach(p), netcfg.Release(name))
			delete(d.ports, name)
		}
		if err := d.exportAll(); err != nil {
			errs = append(errs, fmt.Errorf("final flush: %w", err))
		}
	}
	errs = append(errs, d.stopPipeline())
	// After the final flush: the next daemon's totals go on from these.
	errs = append(errs, d.saveCacheStats(d.prevEngine))
	for _, p := range d.ports {
		errs = append(errs, p.Release())
	}
	d.fanout.set(nil)
	if d.main != nil {
		errs = append(errs, d.main.Close())
	}
	for _, a := range d.aggs {
		errs = append(errs, a.close())
	}
	if d.dp != nil {
		errs = append(errs, d.dp.Close())
	}
	if d.spool != nil {
		errs = append(errs, d.spool.Close())
	}
	return errors.Join(errs...)
}

// Purge exports every flow and empties the table (`clear mls netflow`).
func (d *Daemon) Purge() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.exportAll(); err != nil {
		return err
	}
	return d.flushExporters()
}

// exportAll takes every flow out of the table to the exporters: through
// the engine when it runs, so its statistics count them. d.mu is held.
func (d *Daemon) exportAll() error {
	var err error
	if d.running {
		_, err = d.pipe.Engine().Flush()
	} else {
		d.replayFirst()
		_, err = d.dp.Harvest(datapath.HarvestRequest{Force: true}, d.expire())
	}
	return err
}

// expire is where flows taken out of the table outside the engine's
// harvests go (a resize's drain, a mask change's purge, a flush while the
// ager is stopped): through the engine whose statistics count on (the
// running one, or the stopped one the next inherits), so they are counted
// as expired, annotated and exported; before any engine ran, annotated
// with the startup settings' annotators and straight to the exporters,
// and tallied for the first engine's statistics (startTally). d.mu is
// held.
func (d *Daemon) expire() func(*flow.Record) {
	if d.pipe != nil {
		return d.pipe.Engine().Expire
	}
	if d.prevEngine != nil {
		return d.prevEngine.Expire
	}
	// No engine yet (a start's drain, replay or purge): the records go
	// straight to the exporters, counted for the engine to come, whose
	// `show ip cache flow` then counts every flow the collectors got.
	a := d.startAnnotator
	return func(r *flow.Record) {
		if a != nil {
			a.Annotate(r)
		}
		d.startTally.Add(r, time.Now())
		d.fanout.Export(r)
	}
}

// PortModes says how each metered port is attached.
func (d *Daemon) PortModes() map[string]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]string{}
	for name, p := range d.ports {
		out[name] = p.Mode.String()
	}
	return out
}

// Exporters are the main cache's exporters now.
func (d *Daemon) Exporters() []*export.Exporter {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.main == nil {
		return nil
	}
	return d.main.Exporters()
}

// ExportersRetired are Exporters and RetiredExportStats read together, so
// that a destination removed meanwhile is counted once, in one or the
// other: sums over both never go back.
func (d *Daemon) ExportersRetired() ([]*export.Exporter, export.Stats) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.main == nil {
		return nil, d.retired
	}
	return d.main.Exporters(), d.retired
}

// SizeHistograms are the packet-size distributions (`IP packet size
// distribution`) of IPv4 packets (`show ip cache flow`,
// cnfPSPacketSizeDistribution) and of IPv6 packets (`show ipv6 flow
// cache`) since the last clear. The meter counts both families and the
// IPv6 share: IPv4 is the difference.
func (d *Daemon) SizeHistograms() (four, six [26]uint64, err error) {
	st, err := d.DatapathStats()
	if err != nil {
		return four, six, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range st.SizeHistogram {
		st.SizeHistogram[i] -= min(st.SizeHistogram[i], d.sizeBase[i])
		st.SizeHistogram6[i] -= min(st.SizeHistogram6[i], d.sizeBase6[i])
	}
	return st.SizeHistogram4(), st.SizeHistogram6, nil
}

// ClearSizeHistogram starts the size distributions of both families from
// 0 (`clear ip flow stats`).
func (d *Daemon) ClearSizeHistogram() {
	st, err := d.DatapathStats()
	if err != nil {
		return
	}
	d.mu.Lock()
	d.sizeBase, d.sizeBase6 = st.SizeHistogram, st.SizeHistogram6
	d.mu.Unlock()
}

// AggregationView is one running aggregation cache. Stats count from
// Started, across configuration changes (Prometheus: they never go
// back); SinceClear from Since, the last `clear ip flow stats` (the
// screen and IPFIX-MIB).
type AggregationView struct {
	Config     export.AggregationConfig
	Stats      export.AggregationStats
	SinceClear export.AggregationStats
	Started    time.Time
	Since      time.Time
}

// AggregationCaches are the running `ip flow-aggregation cache`s.
func (d *Daemon) AggregationCaches() []AggregationView {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]AggregationView, 0, len(d.aggs))
	for _, a := range d.aggs {
		t := a.totals()
		out = append(out, AggregationView{Config: a.cfg.Cache, Stats: t, SinceClear: aggSinceClear(t, a.base),
			Started: a.started, Since: a.since()})
	}
	return out
}
