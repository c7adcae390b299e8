// Package ntp keeps the clock on the configured NTP servers (`ntp
// server`): flow times are the datapath's monotonic stamps turned into
// wall-clock time, so the wall clock is what makes exported times right.
package ntp

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	bntp "github.com/beevik/ntp"
	"golang.org/x/sys/unix"
)

// StepThreshold is the offset past which the clock is stepped; smaller
// offsets are left alone (the kernel's own discipline, if any, keeps them).
const StepThreshold = 128 * time.Millisecond

// Status is the last poll's outcome, for `show ntp status`.
type Status struct {
	Server  netip.Addr
	Offset  time.Duration
	Stratum uint8
	When    time.Time
	Stepped bool
	Err     error
}

// Client polls servers.
type Client struct {
	// Servers is read at each poll, so a config change applies at once.
	Servers func() []netip.Addr
	// Step lets the client set the system clock (the appliance); on a host
	// that runs its own time daemon it only measures.
	Step     bool
	Interval time.Duration // 0 means 64 s, NTP's minimum poll
	Port     int           // 0 means 123 (tests use another)
	Logger   *slog.Logger

	mu     sync.Mutex
	last   Status
	synced bool // a poll has succeeded
	kick   chan struct{}
}

// Kick makes Run poll now rather than at the next interval: the server
// list changed, and the operator expects the new servers to answer (or
// not) at once, as IOS associates with a new `ntp server` at once.
func (c *Client) Kick() {
	c.mu.Lock()
	if c.kick == nil {
		c.kick = make(chan struct{}, 1)
	}
	k := c.kick
	c.mu.Unlock()
	select {
	case k <- struct{}{}:
	default: // a poll is due already
	}
}

// Status returns the last poll's result.
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// Run polls until ctx ends.
func (c *Client) Run(ctx context.Context) {
	every := c.Interval
	if every == 0 {
		every = 64 * time.Second
	}
	c.mu.Lock()
	if c.kick == nil {
		c.kick = make(chan struct{}, 1)
	}
	kick := c.kick
	c.mu.Unlock()
	for {
		c.Poll()
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		case <-kick:
		}
	}
}

// Poll asks the servers in order and acts on the first answer.
func (c *Client) Poll() Status {
	var st Status
	for _, s := range c.Servers() {
		st = c.query(s)
		if st.Err == nil {
			break
		}
	}
	c.mu.Lock()
	c.last = st
	if st.Err == nil && !st.When.IsZero() {
		c.synced = true
	}
	c.mu.Unlock()
	return st
}

// Synced says whether the last poll got an answer (now) and whether any
// did (ever): a clock that NTP set and no longer keeps is ever but not
// now, which IOS marks with "." rather than "*".
func (c *Client) Synced() (now, ever bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last.Err == nil && !c.last.When.IsZero(), c.synced
}

func (c *Client) query(s netip.Addr) Status {
	st := Status{Server: s, When: time.Now()}
	opts := bntp.QueryOptions{Timeout: 2 * time.Second, Port: c.Port}
	r, err := bntp.QueryWithOptions(s.String(), opts)
	if err == nil {
		err = r.Validate()
	}
	if err != nil {
		st.Err = fmt.Errorf("ntp server %s: %w", s, err)
		c.log().Warn("ntp poll failed", "server", s.String(), "err", err)
		return st
	}
	st.Offset, st.Stratum = r.ClockOffset, r.Stratum
	if c.Step && (st.Offset > StepThreshold || st.Offset < -StepThreshold) {
		tv := unix.NsecToTimeval(time.Now().Add(st.Offset).UnixNano())
		if err := unix.Settimeofday(&tv); err != nil {
			st.Err = fmt.Errorf("step clock by %v: %w", st.Offset, err)
			return st
		}
		st.Stepped = true
		c.log().Info("clock stepped to ntp time", "server", s.String(), "offset", st.Offset.String())
	}
	return st
}

func (c *Client) log() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}
