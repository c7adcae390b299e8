package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/datapath"
)

// Config wires one pipeline.
type Config struct {
	Datapath     *datapath.Datapath
	Sinks        []flowcache.Sink
	Annotator    flowcache.Annotator
	Aging        flowcache.Aging
	Emergency    flowcache.Emergency
	TopTalkers   flowcache.TopTalkersConfig
	AgerInterval time.Duration
	Clock        flowcache.Clock
	Logger       *slog.Logger
	// Counters reads the datapath's counters as the daemon reports them
	// (carried across reopened datapaths); nil reads Datapath's own.
	Counters func() (datapath.Stats, error)
	// KeepOnStop leaves the live flows in the datapath when Run ends, for
	// a daemon that exits to be restarted: the table is pinned and the next
	// one exports them. Otherwise Run exports them all (EndForced).
	KeepOnStop bool
}

// Pipeline is the datapath aged by the flow cache engine and exported to
// its sinks.
type Pipeline struct {
	keep   bool
	dp     *datapath.Datapath
	engine *flowcache.Engine
	src    *source
	log    *slog.Logger
}

// New builds the pipeline; Run drives it.
func New(cfg Config) (*Pipeline, error) {
	if cfg.Datapath == nil {
		return nil, errors.New("pipeline needs a datapath")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	src := &source{dp: cfg.Datapath, counters: cfg.Counters, events: make(chan flowcache.Event, 1024)}
	if src.counters == nil {
		src.counters = cfg.Datapath.Stats
	}
	aging := cfg.Aging
	engine, err := flowcache.New(flowcache.Config{
		Datapath: src, Peeker: src, Sinks: cfg.Sinks, Annotator: cfg.Annotator,
		Clock: cfg.Clock, Logger: log, AgerInterval: cfg.AgerInterval,
		Aging: &aging, Emergency: cfg.Emergency, TopTalkers: cfg.TopTalkers,
	})
	if err != nil {
		return nil, fmt.Errorf("flow cache: %w", err)
	}
	src.engine = engine
	return &Pipeline{keep: cfg.KeepOnStop, dp: cfg.Datapath, engine: engine, src: src, log: log}, nil
}

// Engine is the flow cache: statistics, timeouts, top talkers.
func (p *Pipeline) Engine() *flowcache.Engine { return p.engine }

// Run ages and exports until ctx ends, then (unless KeepOnStop) exports
// every flow left (EndForced), as a router does when NetFlow is turned off.
func (p *Pipeline) Run(ctx context.Context) error {
	evctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- p.dp.ReadEvents(evctx, p.src.deliver) }()
	err := p.engine.Run(ctx)
	stop()
	if evErr := <-done; evErr != nil && !errors.Is(evErr, context.Canceled) {
		p.log.Warn("datapath events ended", "err", evErr)
	}
	if p.keep {
		return err
	}
	if _, ferr := p.engine.Flush(); ferr != nil {
		err = errors.Join(err, fmt.Errorf("final flush: %w", ferr))
	}
	return err
}

// source adapts the datapath to the engine's view of it.
type source struct {
	dp       *datapath.Datapath
	counters func() (datapath.Stats, error)
	engine   *flowcache.Engine
	events   chan flowcache.Event
	fullSeen atomic.Bool
	dropped  atomic.Uint64
}

func (s *source) deliver(ev datapath.Event) {
	k := flowcache.EventEndOfFlow
	if ev.Kind == datapath.EventCacheFull {
		k = flowcache.EventCacheFull
		s.fullSeen.Store(true)
	}
	select {
	case s.events <- flowcache.Event{Kind: k, Time: ev.Time}:
	default:
		// The engine harvests every tick anyway; a lost notice only
		// delays an expiry to the next pass.
		s.dropped.Add(1)
	}
}

func (s *source) Harvest(req flowcache.HarvestRequest, emit func(*flow.Record)) (int, error) {
	n, err := s.dp.Harvest(datapath.HarvestRequest{
		IdleBefore: req.IdleBefore, ActiveBefore: req.ActiveBefore,
		EndOfFlow: req.EndOfFlow, Force: req.Force, Emergency: req.Emergency,
		FastBefore: req.FastBefore, FastThreshold: req.FastThreshold,
	}, emit)
	if err != nil {
		return n, err
	}
	// The meter raises one cache-full notice per CPU until told the cache
	// was aged: re-arm it now.
	if s.fullSeen.Swap(false) {
		if err := s.dp.AckCacheFull(); err != nil {
			return n, err
		}
	}
	if st, err := s.counters(); err == nil {
		s.engine.SetDatapathCounters(flowcache.DatapathCounters{AllocFailures: st.CreateFailPackets})
	}
	return n, nil
}

func (s *source) Usage() (int, int, error) { return s.dp.Usage() }

func (s *source) Events() <-chan flowcache.Event { return s.events }

func (s *source) Peek(emit func(*flow.Record)) error { return s.dp.Peek(emit) }
