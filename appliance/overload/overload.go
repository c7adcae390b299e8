// Package overload protects the flow cache from a flood of new flows:
// once an interval shows the cache refusing more than a threshold of the
// packets that reach it (or the meter over its per-packet budget), it
// turns on the datapath's overload sampler at 1 in 2 and doubles the rate
// each overloaded interval up to a maximum; calm intervals halve it again
// until it is off. The datapath does the sampling (bpf/overload.h); this
// package only decides the rate, logs the changes and keeps the figures
// `show ip flow datapath` prints.
package overload

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Defaults for the settings an operator leaves out.
const (
	DefaultThreshold = 1 // percent of the packets reaching the cache that it refused
	DefaultMaxRate   = 1024
	DefaultInterval  = time.Second
	// RateLogEvery is the least time between two rate-change log lines;
	// entering and leaving overload are always logged.
	RateLogEvery = 10 * time.Second
)

// Config is `ip flow-cache overload-protection`.
type Config struct {
	// Threshold is the percentage (1-100) of the packets reaching the
	// cache in an interval that it refused for an interval to be
	// overloaded. It steps down below half of it.
	Threshold int
	// MaxRate is the highest 1-in-N (2-65535).
	MaxRate uint32
	// Interval is how often the rate is reconsidered.
	Interval time.Duration
	// Budget is the meter's per-packet cost above which an interval is
	// overloaded too (kernel BPF run statistics); 0: not watched.
	Budget time.Duration
}

// withDefaults fills the zero fields.
func (c Config) withDefaults() Config {
	if c.Threshold <= 0 {
		c.Threshold = DefaultThreshold
	}
	if c.MaxRate < 2 {
		c.MaxRate = DefaultMaxRate
	}
	if c.Interval <= 0 {
		c.Interval = DefaultInterval
	}
	return c
}

// Reading is the datapath's cumulative counters at one moment.
type Reading struct {
	// Metered are the packets that reached the cache (found or created a
	// flow, or were refused); Refused those it could not create a flow for.
	Metered, Refused uint64
	// SampledOut are the packets the overload sampler left out.
	SampledOut uint64
	// Run and Runs are the meter's total run time and runs (0 unless the
	// kernel's BPF statistics are on).
	Run  time.Duration
	Runs uint64
}

// Status is what `show ip flow datapath` says of overload protection.
type Status struct {
	Config  Config // with defaults filled
	Active  bool
	Rate    uint32    // 1-in-N in force, 0 when not active
	Since   time.Time // when the current overload began
	Entered uint64    // times overload sampling was turned on
	// Time is how long overload sampling has been on, in all.
	Time time.Duration
	// SampledOut are the packets it left out, in all.
	SampledOut uint64
}

// Controller decides the rate from successive readings. It is not safe
// for concurrent use; Runner serialises it.
type Controller struct {
	cfg      Config
	prev     Reading
	havePrev bool

	active     bool
	rate       uint32
	since      time.Time
	entered    uint64
	doneTime   time.Duration // of the overloads that ended
	sampledOut uint64
}

// NewController starts a controller, not overloaded.
func NewController(cfg Config) *Controller {
	return &Controller{cfg: cfg.withDefaults()}
}

// Change is what one step did.
type Change int

const (
	Unchanged Change = iota
	Entered          // overload sampling turned on
	Raised
	Lowered
	Left // overload sampling turned off
)

// Step takes the reading at now and returns the 1-in-N to set (0: off),
// what changed and, for the log, why an interval counted as overloaded.
func (c *Controller) Step(now time.Time, r Reading) (uint32, Change, string) {
	c.sampledOut = r.SampledOut
	if !c.havePrev {
		c.prev, c.havePrev = r, true
		return c.rate, Unchanged, ""
	}
	metered, refused := r.Metered-c.prev.Metered, r.Refused-c.prev.Refused
	run, runs := r.Run-c.prev.Run, r.Runs-c.prev.Runs
	c.prev = r
	th := uint64(c.cfg.Threshold)
	var why string
	switch {
	case refused > 0 && refused*100 >= th*metered:
		why = fmt.Sprintf("%d of %d packets refused by the cache", refused, metered)
	case c.cfg.Budget > 0 && runs > 0 && run/time.Duration(runs) > c.cfg.Budget:
		why = fmt.Sprintf("%v per packet over the %v budget", run/time.Duration(runs), c.cfg.Budget)
	}
	// Hysteresis: a step down needs fewer than half the threshold's
	// refusals, so a rate that just holds the flood is kept.
	calm := why == "" && refused*200 < th*metered || why == "" && metered == 0
	switch {
	case why != "" && !c.active:
		c.active, c.rate, c.since = true, 2, now
		c.entered++
		return c.rate, Entered, why
	case why != "" && c.rate < c.cfg.MaxRate:
		c.rate = min(c.rate*2, c.cfg.MaxRate)
		return c.rate, Raised, why
	case calm && c.active && c.rate > 2:
		c.rate /= 2
		return c.rate, Lowered, ""
	case calm && c.active:
		c.doneTime += now.Sub(c.since)
		c.active, c.rate = false, 0
		return 0, Left, ""
	}
	return c.rate, Unchanged, why
}

// Status reports the controller's state at now.
func (c *Controller) Status(now time.Time) Status {
	s := Status{Config: c.cfg, Active: c.active, Rate: c.rate, Entered: c.entered, Time: c.doneTime, SampledOut: c.sampledOut}
	if c.active {
		s.Since = c.since
		s.Time += now.Sub(c.since)
	}
	return s
}

// Meter is the datapath as the runner needs it.
type Meter interface {
	OverloadReading() (Reading, error)
	SetOverloadRate(n uint32) error
}

// RunStatser is a Meter that can turn on the kernel's BPF run statistics
// (which cost the meter a little on every packet), for Config.Budget: on
// while the returned Closer is open.
type RunStatser interface {
	EnableRunStats() (io.Closer, error)
}

// Runner runs a Controller every interval against a Meter, logs and
// announces the changes.
type Runner struct {
	meter Meter
	// announce tells the exporters the rate in force (0: off), so their
	// sampler options and v5 headers say so.
	announce func(rate uint32)
	log      *slog.Logger
	now      func() time.Time

	// stats keeps the BPF run statistics on while a budget is set; only
	// the Run goroutine touches it.
	stats io.Closer

	mu        sync.Mutex
	c         *Controller
	lastLog   time.Time
	logged    uint32 // rate last logged
	announced uint32 // rate last announced
}

// NewRunner prepares a runner; Run starts it.
func NewRunner(cfg Config, m Meter, announce func(rate uint32), log *slog.Logger) *Runner {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if announce == nil {
		announce = func(uint32) {}
	}
	return &Runner{meter: m, announce: announce, log: log, now: time.Now, c: NewController(cfg)}
}

// Status is the controller's state now.
func (r *Runner) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.c.Status(r.now())
}

// Reconfigure changes the settings in place: the rate in force and the
// counters carry on.
func (r *Runner) Reconfigure(cfg Config) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.c.cfg = cfg.withDefaults()
	if r.c.rate > r.c.cfg.MaxRate {
		r.c.rate = r.c.cfg.MaxRate
	}
}

// Run steps the controller every interval until ctx ends, then turns
// overload sampling off. A runner may be run again after: its counters
// go on.
func (r *Runner) Run(ctx context.Context) {
	r.step()
	for {
		r.mu.Lock()
		iv := r.c.cfg.Interval
		r.mu.Unlock()
		t := time.NewTimer(iv)
		select {
		case <-ctx.Done():
			t.Stop()
			r.stop()
			return
		case <-t.C:
			r.step()
		}
	}
}

// runStats turns the BPF run statistics on while a budget is set, off
// when it is removed.
func (r *Runner) runStats() {
	r.mu.Lock()
	budget := r.c.cfg.Budget
	r.mu.Unlock()
	switch {
	case budget > 0 && r.stats == nil:
		e, ok := r.meter.(RunStatser)
		if !ok {
			return
		}
		c, err := e.EnableRunStats()
		if err != nil {
			r.log.Warn("overload protection: turn on BPF run statistics for the budget", "err", err)
			return
		}
		r.stats = c
	case budget == 0 && r.stats != nil:
		r.stats.Close()
		r.stats = nil
	}
}

func (r *Runner) step() {
	r.runStats()
	rd, err := r.meter.OverloadReading()
	if err != nil {
		r.log.Warn("overload protection: read the datapath", "err", err)
		return
	}
	// Decide under the lock; set, announce and log after it, so a meter
	// or an announcement that waits on its owner never holds the runner
	// (Reconfigure and Status are called under the owner's locks).
	r.mu.Lock()
	now := r.now()
	rate, ch, why := r.c.Step(now, rd)
	interval, since, st := r.c.cfg.Interval, r.c.since, r.c.Status(now)
	var msg string
	var warn bool
	switch {
	case ch == Entered:
		msg, warn = fmt.Sprintf("%%FLOW-4-OVERLOAD: Flow cache overloaded (%s in %v): sampling 1 in %d packets", why, interval, rate), true
	case ch == Left:
		msg = fmt.Sprintf("%%FLOW-5-OVERLOAD_END: Flow cache overload ended: sampling off after %v, %d packets sampled out for overload in all",
			now.Sub(since).Round(time.Second), st.SampledOut)
	case r.c.active && rate != r.logged && now.Sub(r.lastLog) >= RateLogEvery:
		// Rate changes are logged at most once per RateLogEvery: the
		// last rate in force when the time comes.
		msg = fmt.Sprintf("%%FLOW-5-OVERLOAD_RATE: Flow cache overload: sampling 1 in %d packets", rate)
	}
	if msg != "" {
		r.lastLog, r.logged = now, rate
	}
	// A change of the rate, or of its maximum (Reconfigure).
	announce := rate != r.announced
	r.announced = rate
	r.mu.Unlock()

	// Set every interval, not only on a change: a reloaded datapath
	// (cache resize) starts with the sampler off.
	if err := r.meter.SetOverloadRate(rate); err != nil {
		r.log.Warn("overload protection: set the sampling rate", "err", err)
	}
	if announce {
		r.announce(rate)
	}
	switch {
	case msg == "":
	case warn:
		r.log.Warn(msg)
	default:
		r.log.Info(msg)
	}
}

// stop turns the sampler off when the runner ends (protection removed
// from the configuration, or the daemon stopping).
func (r *Runner) stop() {
	if r.stats != nil {
		r.stats.Close()
		r.stats = nil
	}
	if err := r.meter.SetOverloadRate(0); err != nil {
		r.log.Warn("overload protection: turn the sampler off", "err", err)
	}
	r.mu.Lock()
	was := r.c.active
	if was {
		r.c.doneTime += r.now().Sub(r.c.since)
		r.c.active, r.c.rate = false, 0
	}
	r.announced = 0
	r.mu.Unlock()
	if was {
		r.announce(0)
		r.log.Info("%FLOW-5-OVERLOAD_END: Flow cache overload protection removed: sampling off")
	}
}
