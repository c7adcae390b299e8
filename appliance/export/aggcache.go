package export

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
	"unsafe"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/appliance/spool"
)

// AggregateExporter receives expired aggregates. The pointer is only valid
// during the call. Exporter and Destinations implement it.
type AggregateExporter interface {
	ExportAggregate(a *Aggregate)
}

// Aggregation-cache defaults (`ip flow-aggregation cache`; RECALL values in
// vendor-behaviour 2.5, matching the main cache's), the platform's.
const (
	DefaultAggregationEntries = platform.DefaultAggregationEntries
	DefaultActiveTimeout      = platform.DefaultActive
	DefaultInactiveTimeout    = platform.DefaultInactive
)

// AggregationConfig is one `ip flow-aggregation cache SCHEME`.
type AggregationConfig struct {
	Scheme          platform.Scheme
	Entries         int           // `cache entries`; 0 means 4096
	ActiveTimeout   time.Duration // `cache timeout active`; 0 means 30 min
	InactiveTimeout time.Duration // `cache timeout inactive`; 0 means 15 s
	// `mask source|destination minimum`, prefix schemes only.
	SourceMinMask      uint8
	DestinationMinMask uint8
	Clock              Clock
}

// AggregationStats counts what a cache did.
type AggregationStats struct {
	Entries     int    // in use now
	Capacity    int    // the entries limit
	Added       uint64 // main-cache records folded in
	Created     uint64 // aggregates started
	Exported    uint64 // aggregates expired to the exporter
	Emergency   uint64 // aggregates expired early because the cache was full
	SkippedIPv6 uint64 // records an IPv4 aggregation cache cannot take
	AgerPolls   uint64 // Expire passes
	Bytes       int    // memory the entries take, as IOS's "IP Flow Switching Cache, N bytes"
}

// AggregationCache folds main-cache records into one scheme's aggregates
// and expires them like IOS: inactive and active timeouts, and the
// least recently updated aggregate when a new one does not fit.
type AggregationCache struct {
	cfg  AggregationConfig
	sink AggregateExporter

	mu      sync.Mutex
	index   map[aggKey]int32
	entries []aggEntry
	free    []int32
	byTouch list // least recently updated first: inactive expiry
	byBirth list // oldest first: active expiry
	stats   AggregationStats
	// held are its destinations' totals in the export spool (UseSpool):
	// each record folded in is added to them, each aggregate a
	// destination writes or counts is taken out by it.
	held []*spool.Consumer
}

type aggEntry struct {
	key     aggKey
	agg     Aggregate
	created time.Time
	touched time.Time
	touch   links
	birth   links
}

// NewAggregationCache makes a cache whose expired aggregates go to sink.
func NewAggregationCache(cfg AggregationConfig, sink AggregateExporter) (*AggregationCache, error) {
	if !cfg.Scheme.Valid() {
		return nil, fmt.Errorf("aggregation cache: scheme %s: want one of the ip flow-aggregation cache schemes", cfg.Scheme)
	}
	if sink == nil {
		return nil, errors.New("aggregation cache: no exporter")
	}
	if cfg.Entries == 0 {
		cfg.Entries = DefaultAggregationEntries
	}
	if cfg.ActiveTimeout == 0 {
		cfg.ActiveTimeout = DefaultActiveTimeout
	}
	if cfg.InactiveTimeout == 0 {
		cfg.InactiveTimeout = DefaultInactiveTimeout
	}
	switch {
	case cfg.Entries < 1:
		return nil, fmt.Errorf("aggregation cache %s: entries %d: want at least 1", cfg.Scheme, cfg.Entries)
	case cfg.ActiveTimeout < 0 || cfg.InactiveTimeout < 0:
		return nil, fmt.Errorf("aggregation cache %s: negative timeout", cfg.Scheme)
	case cfg.SourceMinMask > 32 || cfg.DestinationMinMask > 32:
		return nil, fmt.Errorf("aggregation cache %s: minimum mask over 32", cfg.Scheme)
	}
	cfg.Clock = clockOrSystem(cfg.Clock)
	c := &AggregationCache{
		cfg:     cfg,
		sink:    sink,
		index:   make(map[aggKey]int32, cfg.Entries),
		entries: make([]aggEntry, cfg.Entries),
		free:    make([]int32, cfg.Entries),
		byTouch: newList(),
		byBirth: newList(),
	}
	for i := range c.free {
		c.free[i] = int32(len(c.free) - 1 - i)
	}
	c.stats.Capacity = cfg.Entries
	c.stats.Bytes = cfg.Entries * int(unsafe.Sizeof(aggEntry{}))
	return c, nil
}

// Config is the cache's configuration, defaults filled in.
func (c *AggregationCache) Config() AggregationConfig { return c.cfg }

// Scheme is the cache's aggregation scheme.
func (c *AggregationCache) Scheme() platform.Scheme { return c.cfg.Scheme }

// UseSpool gives each of the cache's destinations (sink, when it is
// Destinations) an entry in sp for the totals of what the cache and the
// destination hold for it: aggregates live up to the active timeout, far
// longer than the spool's ring keeps a record, so a kill loses them, and
// the next daemon counts that loss from the totals. A destination the
// spool has no room for is left out (returned as the error).
func (c *AggregationCache) UseSpool(sp *spool.Spool) error {
	d, ok := c.sink.(*Destinations)
	if sp == nil || !ok {
		return nil
	}
	var errs []error
	var held []*spool.Consumer
	for _, e := range d.Exporters() {
		h, err := e.HoldAggregates(sp, c.cfg.Scheme)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		held = append(held, h)
	}
	c.mu.Lock()
	c.held = held
	c.mu.Unlock()
	return errors.Join(errs...)
}

// Detach says the cache is given no more records (it is out of the
// fanout and about to close): see Exporter.Detach.
func (c *AggregationCache) Detach() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, h := range c.held {
		h.Stop()
	}
}

// Add folds one expired main-cache record into its aggregate.
func (c *AggregationCache) Add(rec *flow.Record) {
	if rec.IsIPv6() {
		c.mu.Lock()
		c.stats.SkippedIPv6++
		for _, h := range c.held {
			h.Fold(rec.SpoolSeq, spool.Tally{}) // taken, and counted
		}
		c.mu.Unlock()
		return
	}
	k := aggKeyFor(c.cfg.Scheme, rec, c.cfg.SourceMinMask, c.cfg.DestinationMinMask)
	now := c.cfg.Clock.Now()

	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats.Added++
	// Held from here until a destination writes the aggregate, each
	// update whole or not at all (a kill between two leaves the record
	// either folded, in the totals, or not taken: Seq below it).
	t := spool.Tally{Flows: 1, Packets: rec.Packets, Bytes: rec.Bytes}
	for _, h := range c.held {
		h.Fold(rec.SpoolSeq, t)
	}
	if i, ok := c.index[k]; ok {
		e := &c.entries[i]
		a := &e.agg
		a.Flows++
		a.Packets += rec.Packets
		a.Bytes += rec.Bytes
		if rec.Start.Before(a.Start) {
			a.Start = rec.Start
		}
		if rec.End.After(a.End) {
			a.End = rec.End
		}
		a.TCPFlags |= rec.TCPFlags
		e.touched = now
		c.byTouch.moveToBack(c.entries, i, touchLinks)
		return
	}
	if len(c.free) == 0 {
		c.expire(c.byTouch.head, flow.EndNoResource)
		c.stats.Emergency++
	}
	i := c.free[len(c.free)-1]
	c.free = c.free[:len(c.free)-1]
	e := &c.entries[i]
	e.key = k
	e.agg = newAggregate(c.cfg.Scheme, k, rec)
	e.agg.Flows = 1
	e.agg.Packets, e.agg.Bytes, e.agg.TCPFlags = rec.Packets, rec.Bytes, rec.TCPFlags
	e.created, e.touched = now, now
	c.byTouch.pushBack(c.entries, i, touchLinks)
	c.byBirth.pushBack(c.entries, i, birthLinks)
	c.index[k] = i
	c.stats.Created++
}

// Expire exports the aggregates whose inactive or active timeout has run
// out and returns how many.
func (c *AggregationCache) Expire() int {
	now := c.cfg.Clock.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats.AgerPolls++
	n := 0
	for i := c.byTouch.head; i >= 0 && now.Sub(c.entries[i].touched) >= c.cfg.InactiveTimeout; i = c.byTouch.head {
		c.expire(i, flow.EndIdle)
		n++
	}
	for i := c.byBirth.head; i >= 0 && now.Sub(c.entries[i].created) >= c.cfg.ActiveTimeout; i = c.byBirth.head {
		c.expire(i, flow.EndActive)
		n++
	}
	return n
}

// FlushAll exports every aggregate (`clear ip flow stats`, shutdown) and
// returns how many.
func (c *AggregationCache) FlushAll() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for i := c.byBirth.head; i >= 0; i = c.byBirth.head {
		c.expire(i, flow.EndForced)
		n++
	}
	return n
}

// expire exports entry i and frees it; c.mu is held.
func (c *AggregationCache) expire(i int32, why flow.EndReason) {
	e := &c.entries[i]
	e.agg.EndReason = why
	c.sink.ExportAggregate(&e.agg)
	c.byTouch.remove(c.entries, i, touchLinks)
	c.byBirth.remove(c.entries, i, birthLinks)
	delete(c.index, e.key)
	*e = aggEntry{}
	c.free = append(c.free, i)
	c.stats.Exported++
}

// Walk calls fn for each aggregate, oldest first, until fn returns false;
// it is for `show ip cache flow aggregation`. fn must not call back into c.
func (c *AggregationCache) Walk(fn func(a *Aggregate) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := c.byBirth.head; i >= 0; i = c.entries[i].birth.next {
		if !fn(&c.entries[i].agg) {
			return
		}
	}
}

// Stats returns the cache counters.
func (c *AggregationCache) Stats() AggregationStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Entries = len(c.index)
	return s
}

// Run calls Expire every interval until ctx is done. Tests drive Expire
// directly with a fake clock instead.
func (c *AggregationCache) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.Expire()
		}
	}
}
