package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/pipeline"
	"github.com/flowtap/flowtap/datapath"
	"github.com/flowtap/flowtap/mgmt/netcfg"
)

// Options are fixed for the daemon's life.
type Options struct {
	PinDir string // bpffs directory; empty pins nothing (tests)
	Logger *slog.Logger
}

// Daemon is the running appliance.
type Daemon struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	settings Settings
	dp       *datapath.Datapath
	ports    map[string]*datapath.Port
	pipe     *pipeline.Pipeline
	main     *export.Destinations
	aggs     []*aggCache
	fanout   *fanout

	cancel    context.CancelFunc
	done      chan error
	running   bool
	stopRetry chan struct{}
}

type aggCache struct {
	cache *export.AggregationCache
	dests *export.Destinations
	stop  context.CancelFunc
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

func (f *fanout) set(sinks []flowcache.Sink) {
	f.mu.Lock()
	f.sinks = sinks
	f.mu.Unlock()
}

// New opens the datapath with s and builds everything; Start runs it.
func New(opts Options, s Settings) (*Daemon, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Daemon{opts: opts, log: log, ports: map[string]*datapath.Port{}, fanout: &fanout{}, stopRetry: make(chan struct{})}
	go d.retryPorts(d.stopRetry)
	if err := d.openDatapath(s.CacheEntries); err != nil {
		return nil, err
	}
	// Only the datapath is vital: a port that does not exist (yet), a
	// collector that cannot be reached are reported and retried, and the
	// box stays up and manageable, as a router with an absent interface.
	if err := d.apply(Settings{CacheEntries: s.CacheEntries}, s); err != nil {
		log.Warn("configuration partly applied", "err", err)
	}
	return d, nil
}

// retryPorts attaches configured ports that were missing, every few
// seconds, until stop: a NIC whose driver loads late or that is plugged
// in later starts metering without an operator.
func (d *Daemon) retryPorts(stop <-chan struct{}) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		d.mu.Lock()
		missing := false
		for _, p := range d.settings.Ports {
			if _, ok := d.ports[p.Name]; !ok {
				missing = true
			}
		}
		if missing && d.dp != nil {
			if err := d.applyPorts(d.settings.Ports); err != nil {
				d.log.Debug("ports still missing", "err", err)
			}
		}
		d.mu.Unlock()
	}
}

func (d *Daemon) openDatapath(entries int) error {
	dp, err := datapath.Open(datapath.Options{PinDir: d.opts.PinDir, Entries: entries, OnResize: d.fanout.Export})
	if err != nil {
		return fmt.Errorf("open datapath: %w", err)
	}
	d.dp = dp
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
	pipe, err := pipeline.New(pipeline.Config{Datapath: d.dp, Sinks: []flowcache.Sink{d.fanout}, Annotator: s.Annotator,
		Aging: s.Aging, Emergency: s.Emergency, TopTalkers: s.TopTalkers, AgerInterval: agerInterval, Logger: d.log,
		// The daemon flushes when it means to (Close without keep); a
		// cache-size change drains the old table through OnResize.
		KeepOnStop: true})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.pipe, d.cancel, d.done, d.running = pipe, cancel, make(chan error, 1), true
	go func(done chan error) { done <- pipe.Run(ctx) }(d.done)
	return nil
}

// stopPipeline ends the ager, leaving the flows in the table.
func (d *Daemon) stopPipeline() error {
	if !d.running {
		return nil
	}
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
	resized := s.CacheEntries != old.CacheEntries
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
		d.dp.Close()
		if err := d.openDatapath(s.CacheEntries); err != nil {
			return err
		}
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
	if !reflect.DeepEqual(old.Exports, s.Exports) || !reflect.DeepEqual(old.Aggregations, s.Aggregations) {
		if err := d.rebuildExporters(s); err != nil {
			errs = append(errs, err)
		}
	}
	purged := resized
	if s.Mask != d.dp.Mask() {
		if err := d.dp.SetMask(s.Mask, d.fanout.Export); err != nil {
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
	errs = append(errs, d.applyPorts(s.Ports))
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
		e.SetAnnotator(s.Annotator)
	}
	d.settings = s
	return errors.Join(errs...)
}

func (d *Daemon) applyPorts(want []Port) error {
	var errs []error
	keep := map[string]bool{}
	for _, p := range want {
		keep[p.Name] = true
		cur, attached := d.ports[p.Name]
		ps := datapath.PortSettings{Verdict: p.Verdict, Meter: p.Meter}
		if attached && (p.Mode == datapath.ModeBest || p.Mode == cur.Mode) {
			if err := d.dp.SetPort(cur.Index, ps); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if attached {
			if err := d.dp.Detach(cur); err != nil {
				errs = append(errs, err)
			}
			delete(d.ports, p.Name)
		}
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
		d.log.Info("metering port", "port", p.Name, "xdp-mode", np.Mode.String(), "verdict", p.Verdict.String(), "tried", np.Tried)
		d.ports[p.Name] = np
	}
	for name, p := range d.ports {
		if !keep[name] {
			if err := d.dp.Detach(p); err != nil {
				errs = append(errs, err)
			}
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

// rebuildExporters replaces the exporters and aggregation caches. The old
// ones are closed after the swap: their partial packets are flushed, and
// no record reaches a closed exporter.
func (d *Daemon) rebuildExporters(s Settings) error {
	var sinks []flowcache.Sink
	var main *export.Destinations
	var err error
	if len(s.Exports) > 0 {
		if main, err = export.NewDestinations(s.Exports); err != nil {
			return fmt.Errorf("export destinations: %w", err)
		}
		sinks = append(sinks, main)
	}
	var aggs []*aggCache
	for _, a := range s.Aggregations {
		dests, err := export.NewDestinations(a.Destinations)
		if err != nil {
			return fmt.Errorf("aggregation cache %s: %w", a.Cache.Scheme, err)
		}
		c, err := export.NewAggregationCache(a.Cache, dests)
		if err != nil {
			dests.Close()
			return fmt.Errorf("aggregation cache %s: %w", a.Cache.Scheme, err)
		}
		ctx, stop := context.WithCancel(context.Background())
		go c.Run(ctx, agerInterval)
		aggs = append(aggs, &aggCache{cache: c, dests: dests, stop: stop})
		sinks = append(sinks, pipeline.AggregationSink{Cache: c})
	}
	oldMain, oldAggs := d.main, d.aggs
	d.fanout.set(sinks)
	d.main, d.aggs = main, aggs
	var errs []error
	if oldMain != nil {
		errs = append(errs, oldMain.Close())
	}
	for _, a := range oldAggs {
		a.stop()
		a.cache.FlushAll()
		errs = append(errs, a.dests.Close())
	}
	return errors.Join(errs...)
}

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

// ExportStats are the main cache's destinations' counters.
func (d *Daemon) ExportStats() []export.Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.main == nil {
		return nil
	}
	return d.main.Stats()
}

// Settings are the settings in force.
func (d *Daemon) Settings() Settings {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.settings
}

// Close ends this daemon. With keep (an exit to be restarted: SIGTERM
// from the supervisor, an upgrade) the flows stay in the pinned table and
// the next daemon ages and exports them; otherwise every flow is exported
// first. Either way the exporters flush and the ports are released:
// pinned links keep metering into the pinned table meanwhile.
func (d *Daemon) Close(keep bool) error {
	close(d.stopRetry)
	d.mu.Lock()
	defer d.mu.Unlock()
	var errs []error
	if !keep {
		if err := d.exportAll(); err != nil {
			errs = append(errs, fmt.Errorf("final flush: %w", err))
		}
	}
	errs = append(errs, d.stopPipeline())
	for _, p := range d.ports {
		errs = append(errs, p.Release())
	}
	d.fanout.set(nil)
	if d.main != nil {
		errs = append(errs, d.main.Close())
	}
	for _, a := range d.aggs {
		a.stop()
		a.cache.FlushAll()
		errs = append(errs, a.dests.Close())
	}
	if d.dp != nil {
		errs = append(errs, d.dp.Close())
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
		_, err = d.dp.Harvest(datapath.HarvestRequest{Force: true}, d.fanout.Export)
	}
	return err
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
