package flowcache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

// Engine ages one flow cache. Build it with New, drive it with Run; the
// setters and readers are safe to call from other goroutines while it runs.
type Engine struct {
	dp       Datapath
	peeker   Peeker
	clock    Clock
	log      *slog.Logger
	interval time.Duration

	// harvestMu serialises harvests (the ager's and Flush's): the datapath
	// need not support concurrent ones.
	harvestMu sync.Mutex

	mu        sync.Mutex // guards everything below
	aging     Aging
	emergency Emergency
	sinks     []Sink
	annotator Annotator
	stats     counters
	lastCheck time.Time // last Sup720 utilisation check
	lastFull  time.Time // last %FLOW-4-CACHE_FULL logged

	top topTalkers
}

// New checks cfg and builds an Engine; it does not start it.
func New(cfg Config) (*Engine, error) {
	if cfg.Datapath == nil {
		return nil, errors.New("flowcache: no datapath")
	}
	e := &Engine{
		dp:        cfg.Datapath,
		peeker:    cfg.Peeker,
		clock:     cfg.Clock,
		log:       cfg.Logger,
		interval:  cfg.AgerInterval,
		aging:     DefaultAging(),
		emergency: cfg.Emergency,
		sinks:     slices.Clone(cfg.Sinks),
		annotator: cfg.Annotator,
	}
	if e.peeker == nil {
		e.peeker, _ = cfg.Datapath.(Peeker)
	}
	if e.clock == nil {
		e.clock = SystemClock{}
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.interval <= 0 {
		e.interval = DefaultAgerInterval
	}
	if cfg.Aging != nil {
		e.aging = *cfg.Aging
	}
	if err := validateAging(e.aging); err != nil {
		return nil, fmt.Errorf("flowcache: aging: %w", err)
	}
	if err := e.emergency.validate(); err != nil {
		return nil, fmt.Errorf("flowcache: %w", err)
	}
	if err := e.top.set(cfg.TopTalkers); err != nil {
		return nil, fmt.Errorf("flowcache: %w", err)
	}
	now := e.clock.Now()
	e.stats.since = now
	return e, nil
}

// Run ages the cache until ctx is done, then returns nil. It leaves the
// flows in the datapath: the maps are pinned and outlive a restart, so a
// restarted daemon picks them up where this one left them.
func (e *Engine) Run(ctx context.Context) error {
	t := e.clock.NewTicker(e.interval)
	defer t.Stop()
	events := e.dp.Events()
	var p pending
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			p.note(ev)
		case <-t.C():
			// Events that arrived with the tick are taken now, so that a
			// FIN seen before the tick is harvested by this pass.
			p.drain(events)
			e.pass(p)
			p = pending{}
		}
	}
}

// pending is what the events since the last pass ask for.
type pending struct {
	endOfFlow, cacheFull bool
}

func (p *pending) note(ev Event) {
	switch ev.Kind {
	case EventEndOfFlow:
		p.endOfFlow = true
	case EventCacheFull:
		p.cacheFull = true
	}
}

func (p *pending) drain(events <-chan Event) {
	for events != nil {
		select {
		case ev, ok := <-events:
			if !ok {
				return
			}
			p.note(ev)
		default:
			return
		}
	}
}

// pass is one ager poll: the regular harvest, then an emergency one if the
// cache is nearly full.
func (e *Engine) pass(p pending) {
	e.harvestMu.Lock()
	defer e.harvestMu.Unlock()

	e.mu.Lock()
	aging, em := e.aging, e.emergency
	e.mu.Unlock()

	now := e.clock.Now()
	req := agingRequest(aging, now)
	req.EndOfFlow = p.endOfFlow
	e.harvest(req, now)

	used, capacity, err := e.dp.Usage()
	if err != nil {
		e.log.Error("flow cache usage", "err", err)
		e.finishPass(-1, -1, false)
		return
	}
	if p.cacheFull {
		e.logCacheFull(now, capacity)
	}
	ereq, emergency := e.emergencyRequest(em, aging, now, used, capacity, p.cacheFull)
	if emergency {
		e.harvest(ereq, now)
		if used, capacity, err = e.dp.Usage(); err != nil {
			e.log.Error("flow cache usage", "err", err)
			used, capacity = -1, -1
		}
	}
	e.finishPass(used, capacity, emergency)
}

// CacheFullLogEvery spaces the %FLOW-4-CACHE_FULL lines: a flood fills
// the cache on every pass, and one line a minute says so without
// drowning the log the analyst reads.
const CacheFullLogEvery = time.Minute

// logCacheFull says, at most once per CacheFullLogEvery, that new flows
// found the cache full: the counters say how many packets were refused,
// but an analyst reading `show logging` during a flood needs the event.
func (e *Engine) logCacheFull(now time.Time, capacity int) {
	e.mu.Lock()
	if !e.lastFull.IsZero() && now.Sub(e.lastFull) < CacheFullLogEvery {
		e.mu.Unlock()
		return
	}
	e.lastFull = now
	e.mu.Unlock()
	e.log.Warn(fmt.Sprintf("%%FLOW-4-CACHE_FULL: the flow cache is full (%d entries): packets of new flows are not metered, counted as failed flow creation (show ip flow datapath)",
		capacity), "capacity", capacity)
}

// emergencyRequest decides whether this pass needs an emergency harvest.
func (e *Engine) emergencyRequest(em Emergency, aging Aging, now time.Time, used, capacity int, full bool) (HarvestRequest, bool) {
	req := HarvestRequest{Now: now, Emergency: true}
	switch em.Mode {
	case EmergencyFewFree:
		if capacity <= 0 {
			break // a datapath that cannot tell its size gets no emergency expiry
		}
		switch free := capacity - used; {
		case free <= 1:
			req.IdleBefore = now
			return req, true
		case free <= em.lowWater(capacity) || full:
			req.IdleBefore = now.Add(-em.accelerated(aging.Inactive))
			return req, true
		}
	case EmergencyAggressive:
		e.mu.Lock()
		on := e.stats.aggressive
		if e.lastCheck.IsZero() || now.Sub(e.lastCheck) >= em.every() {
			e.lastCheck = now
			was := on
			on = capacity > 0 && used*100 >= em.percent()*capacity
			e.stats.aggressive = on
			switch {
			case on && !was:
				// The Sup720's notice, so that operators grep for what they know.
				e.log.Warn(fmt.Sprintf("%%EARL_NETFLOW-4-TCAM_THRLD: Netflow TCAM threshold exceeded, TCAM Utilization [%d%%]",
					used*100/capacity), "used", used, "capacity", capacity)
			case was && !on:
				e.log.Info("netflow table below threshold, aggressive aging off", "used", used, "capacity", capacity)
			}
		}
		e.mu.Unlock()
		if on {
			a := agingRequest(em.aggressiveAging(), now)
			req.IdleBefore, req.FastBefore, req.FastThreshold = a.IdleBefore, a.FastBefore, a.FastThreshold
			return req, true
		}
	}
	return req, false
}

func (e *Engine) finishPass(used, capacity int, emergency bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if used >= 0 {
		e.stats.active, e.stats.capacity = used, capacity
	}
	if emergency {
		e.stats.emergencyPasses++
	}
	// Counted last: a reader that sees the poll sees all its effects.
	e.stats.polls++
}

// harvest runs one Harvest, feeding annotator, statistics and sinks.
// The caller holds harvestMu.
func (e *Engine) harvest(req HarvestRequest, now time.Time) (int, error) {
	e.mu.Lock()
	sinks, annotator := e.sinks, e.annotator
	e.mu.Unlock()

	var t tally
	n, err := e.dp.Harvest(req, func(r *flow.Record) {
		if annotator != nil {
			annotator.Annotate(r)
		}
		t.add(r, now)
		for _, s := range sinks {
			s.Export(r)
		}
	})
	e.mu.Lock()
	e.stats.merge(&t)
	if err != nil {
		e.stats.harvestErrors++
	}
	e.mu.Unlock()
	if err != nil {
		err = fmt.Errorf("flowcache: harvest: %w", err)
		e.log.Error("flow cache harvest", "err", err)
	}
	return n, err
}

// Expire exports a record the datapath gave up outside a harvest (the
// drain of a resized table, the purge of a flow-mask change) as a harvest
// does: annotated, counted in the statistics, sent to the sinks. Without
// it those flows would be exported but missing from the expired counts,
// and exported + lost would no longer add up to the flows ended.
func (e *Engine) Expire(r *flow.Record) {
	now := e.clock.Now()
	e.mu.Lock()
	sinks, annotator := e.sinks, e.annotator
	e.mu.Unlock()
	if annotator != nil {
		annotator.Annotate(r)
	}
	var t tally
	t.add(r, now)
	e.mu.Lock()
	e.stats.merge(&t)
	e.mu.Unlock()
	for _, s := range sinks {
		s.Export(r)
	}
}

// Flush exports every flow as EndForced: operator purge, flow-mask change.
// It returns the number of records exported.
func (e *Engine) Flush() (int, error) {
	e.harvestMu.Lock()
	defer e.harvestMu.Unlock()
	now := e.clock.Now()
	return e.harvest(HarvestRequest{Now: now, Force: true}, now)
}

// Aging returns the timeouts in force.
func (e *Engine) Aging() Aging {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.aging
}

// SetAging changes the timeouts; the next pass applies them.
func (e *Engine) SetAging(a Aging) error {
	if err := validateAging(a); err != nil {
		return fmt.Errorf("flowcache: aging: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.aging = a
	return nil
}

// SetInactive changes the inactive timeout alone.
func (e *Engine) SetInactive(d time.Duration) error {
	a := e.Aging()
	a.Inactive = d
	return e.SetAging(a)
}

// SetActive changes the active timeout alone.
func (e *Engine) SetActive(d time.Duration) error {
	a := e.Aging()
	a.Active = d
	return e.SetAging(a)
}

// SetEmergency changes the nearly-full policy.
func (e *Engine) SetEmergency(em Emergency) error {
	if err := em.validate(); err != nil {
		return fmt.Errorf("flowcache: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.emergency = em
	if em.Mode != EmergencyAggressive {
		e.stats.aggressive = false
	}
	e.lastCheck = time.Time{}
	return nil
}

// SetSinks replaces the sinks; records harvested from now on go to them.
func (e *Engine) SetSinks(sinks ...Sink) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sinks = slices.Clone(sinks)
}

// SetAnnotator replaces the annotator (nil for none).
func (e *Engine) SetAnnotator(a Annotator) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.annotator = a
}

// SetDatapathCounters copies in counters only the datapath keeps.
func (e *Engine) SetDatapathCounters(c DatapathCounters) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stats.allocFailures = c.AllocFailures
}

// Inherit takes over prev's statistics, for an engine that replaces prev
// on the same cache (a daemon rebuilds the cache on a resize): counters go
// back to zero only on Clear. Call it before Run; prev is done.
func (e *Engine) Inherit(prev *Engine) {
	if prev == nil || prev == e {
		return
	}
	prev.mu.Lock()
	c := prev.stats
	prev.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	// The new table's occupancy is its own; the flows the old one held
	// were drained into Expired, so Added stays right: expired + active
	// less the active at the last clear.
	c.active, c.capacity = e.stats.active, e.stats.capacity
	e.stats = c
}

// Stats returns a snapshot of the statistics, occupancy as of the ager's
// last pass.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats.snapshot()
}

// StatsNow is Stats with the table's occupancy read now, and Added
// derived from that occupancy: screens that show the flows active now
// must show the flows added with the same count, or a flow created since
// the last pass (or, after a restart, every flow of the pinned table
// before the first pass) is active but not added, and active > added.
// It waits for a harvest in progress, whose flows have left the table but
// are not yet counted as expired.
func (e *Engine) StatsNow() Stats {
	e.harvestMu.Lock()
	defer e.harvestMu.Unlock()
	used, capacity, err := e.dp.Usage()
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.stats
	if err == nil {
		c.active, c.capacity = used, capacity
	}
	return c.snapshot()
}

// Clear zeroes the statistics (`clear ip flow stats`); the flows stay.
// The flows active at the clear are read now, not at the last pass:
// Added counts from them, and one created since the last pass would be
// counted as added after the clear.
func (e *Engine) Clear() {
	e.harvestMu.Lock()
	defer e.harvestMu.Unlock()
	used, capacity, err := e.dp.Usage()
	// Each family's flows too, for its monitor's added count
	// (Stats.AtClear); a failed read counts fewer, so that family's added
	// reads high rather than below its active flows.
	var held [2]int
	if e.peeker != nil {
		_ = e.peeker.Peek(func(r *flow.Record) { held[b2i(r.Key.SrcAddr.Is6())]++ })
	}
	now := e.clock.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	if err == nil {
		e.stats.active, e.stats.capacity = used, capacity
	}
	e.stats.clear(now)
	e.stats.atClear = held
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
