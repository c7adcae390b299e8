// Package flowcachetest holds in-memory fakes of what the flow cache
// engine talks to: a datapath and a clock. Other packages' tests may use
// them too.
package flowcachetest

import (
	"sync"
	"time"

	"github.com/flowtap/flowtap/appliance/flowcache"
)

// Clock is a manual clock. Advance moves it and fires due tickers.
type Clock struct {
	mu      sync.Mutex
	cond    *sync.Cond
	now     time.Time
	tickers []*ticker
}

// NewClock returns a clock reading start.
func NewClock(start time.Time) *Clock {
	c := &Clock{now: start}
	c.cond = sync.NewCond(&c.mu)
	return c
}

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *Clock) NewTicker(d time.Duration) flowcache.Ticker {
	if d <= 0 {
		panic("flowcachetest: non-positive ticker interval")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &ticker{clock: c, period: d, next: c.now.Add(d), ch: make(chan time.Time, 1)}
	c.tickers = append(c.tickers, t)
	c.cond.Broadcast()
	return t
}

// Advance moves the clock by d. A ticker that came due gets one tick, not
// one per period crossed, as a time.Ticker whose reader was slow: a test
// then knows that one Advance is at most one tick.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	for _, t := range c.tickers {
		if t.stopped || c.now.Before(t.next) {
			continue
		}
		for !c.now.Before(t.next) {
			t.next = t.next.Add(t.period)
		}
		select {
		case t.ch <- c.now:
		default:
		}
	}
}

// WaitTickers blocks until n tickers have been created, so that a test
// does not advance the clock before the engine's loop has started.
func (c *Clock) WaitTickers(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.tickers) < n {
		c.cond.Wait()
	}
}

type ticker struct {
	clock   *Clock
	period  time.Duration
	next    time.Time
	stopped bool
	ch      chan time.Time
}

func (t *ticker) C() <-chan time.Time { return t.ch }

func (t *ticker) Stop() {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	t.stopped = true
}
