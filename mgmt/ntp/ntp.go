// Package ntp keeps the clock on the configured NTP servers (`ntp
// server`): flow times are the datapath's monotonic stamps turned into
// wall-clock time, so the wall clock is what makes exported times right.
package ntp

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"slices"
	"sync"
	"time"

	bntp "github.com/beevik/ntp"
	"golang.org/x/sys/unix"
)

// Reason says why a poll got no time in an operator's words, not the
// socket's error chain ("read udp 10.0.2.15:53358->192.0.2.1:123:
// recvmsg: connection refused" was on the console at every boot of a box
// whose NTP server was not reachable yet). `show ntp status` and the log
// say the same.
func Reason(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "no answer"
	case errors.Is(err, unix.ECONNREFUSED):
		return "refused: no NTP server at that address"
	case errors.Is(err, unix.ENETUNREACH), errors.Is(err, unix.EHOSTUNREACH):
		return "unreachable"
	}
	return err.Error()
}

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
	// UpdateCalendar is `ntp update-calendar`, read at each poll: with
	// Step, the hardware clock (Calendar) is set from NTP time after the
	// clock is stepped and then once every CalendarEvery while a server
	// answers, so that the next boot starts near the right time. As on
	// IOS, NTP leaves the calendar alone without it.
	UpdateCalendar func() bool
	// Calendar sets the hardware clock; nil means SetRTC on /dev/rtc0.
	Calendar func(time.Time) error

	mu     sync.Mutex
	last   Status
	synced bool // a poll has succeeded
	kick   chan struct{}
	peers  map[netip.Addr]*Association
	// failing is, per server that stopped answering, when that was last
	// logged; now reads the clock for it (tests set it).
	failing map[netip.Addr]*failing
	now     func() time.Time
	// calendarAt is when the calendar was last set; calendarErr, whether
	// the last try failed (logged once per run of failures).
	calendarAt  time.Time
	calendarErr bool
}

// CalendarEvery is how often a synchronised clock is written to the
// hardware clock again: it drifts by seconds a day.
const CalendarEvery = time.Hour

// RTCDevice is the hardware clock SetRTC writes by default.
const RTCDevice = "/dev/rtc0"

// SetRTC sets the hardware clock dev to t, in UTC (RTC_SET_TIME), as
// hwclock --systohc does.
func SetRTC(dev string, t time.Time) error {
	f, err := os.OpenFile(dev, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("hardware clock: %w", err)
	}
	defer f.Close()
	u := t.UTC()
	tm := unix.RTCTime{Sec: int32(u.Second()), Min: int32(u.Minute()), Hour: int32(u.Hour()), Mday: int32(u.Day()),
		Mon: int32(u.Month()) - 1, Year: int32(u.Year()) - 1900, Wday: int32(u.Weekday()), Yday: int32(u.YearDay()) - 1}
	if err := unix.IoctlSetRTCTime(int(f.Fd()), &tm); err != nil {
		return fmt.Errorf("hardware clock %s: set time: %w", dev, err)
	}
	return nil
}

// updateCalendar writes the clock to the hardware clock when
// `ntp update-calendar` asks for it and it is due: after a step, or
// CalendarEvery after the last write.
func (c *Client) updateCalendar(server netip.Addr, stepped bool) {
	if !c.Step || c.UpdateCalendar == nil || !c.UpdateCalendar() {
		return
	}
	c.mu.Lock()
	due := stepped || c.calendarAt.IsZero() || time.Since(c.calendarAt) >= CalendarEvery
	c.mu.Unlock()
	if !due {
		return
	}
	set := c.Calendar
	if set == nil {
		set = func(t time.Time) error { return SetRTC(RTCDevice, t) }
	}
	err := set(time.Now())
	c.mu.Lock()
	first, failedBefore := c.calendarAt.IsZero(), c.calendarErr
	c.calendarErr = err != nil
	if err == nil {
		c.calendarAt = time.Now()
	}
	c.mu.Unlock()
	switch {
	case err != nil && !failedBefore:
		c.log().Warn("ntp update-calendar: the hardware clock is not set", "err", err.Error())
	case err == nil && (first || stepped || failedBefore):
		c.log().Info("hardware clock set from ntp time", "server", server.String())
	}
}

// failing is a run of failed polls of one server.
type failing struct{ first, logged time.Time }

// FailLogEvery is how often a server that goes on not answering is
// logged again. Every failed poll was logged before: one server down for
// a month wrote a line every 64 s, which pushed everything else out of
// `show logging` (4096 bytes by default hold about 30 lines) and filled
// the syslog hosts, as IOS, which says once that a peer is unreachable,
// does not.
const FailLogEvery = time.Hour

// Association is what the client knows of one configured server, for
// `show ntp associations`. Servers are polled in order until one answers,
// so a server after one that answers is not polled and its Reach does not
// move.
type Association struct {
	Server netip.Addr
	// Reach has a bit per poll of this server, the newest lowest: 1 if it
	// answered (NTP's reach register, shown in octal).
	Reach uint8
	// Polled is false until the server is first asked.
	Polled bool
	// The last answer's: zero LastReply means none yet.
	LastReply time.Time
	RefID     string // the server's own reference: .GPS. at stratum 1, else an address
	Stratum   uint8
	Delay     time.Duration // round trip
	Offset    time.Duration
	// Dispersion is the answer's sample dispersion (RFC 5905 8): the
	// server's precision plus the frequency tolerance over the round trip
	// (our clock's precision, a nanosecond, is left out).
	Dispersion time.Duration
	// InUse: the last poll's time came from this server (IOS's sys.peer).
	InUse bool
}

// phi is RFC 5905's frequency tolerance, 15 ppm.
const phi = 15e-6

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

// PollInterval is the time between polls.
func (c *Client) PollInterval() time.Duration {
	if c.Interval == 0 {
		return 64 * time.Second
	}
	return c.Interval
}

// Associations are the configured servers, in Servers' order, with what
// the polls learnt of each.
func (c *Client) Associations() []Association {
	servers := c.Servers()
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Association, 0, len(servers))
	for _, s := range servers {
		a := Association{Server: s}
		if p := c.peers[s]; p != nil {
			a = *p
		}
		a.InUse = c.last.Err == nil && !c.last.When.IsZero() && c.last.Server == s
		out = append(out, a)
	}
	return out
}

// heard records one poll of s in its association: r is its answer, nil
// when there was none.
func (c *Client) heard(s netip.Addr, r *bntp.Response, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.peers == nil {
		c.peers = make(map[netip.Addr]*Association)
	}
	p := c.peers[s]
	if p == nil {
		p = &Association{Server: s}
		c.peers[s] = p
	}
	p.Polled = true
	p.Reach <<= 1
	if r == nil {
		return
	}
	p.Reach |= 1
	p.LastReply, p.Stratum, p.Delay, p.Offset = at, r.Stratum, r.RTT, r.ClockOffset
	p.Dispersion = r.Precision + time.Duration(phi*float64(r.RTT))
	p.RefID = refID(r)
}

// refID is the server's reference as ntpq and IOS show it: a stratum 1
// clock's code between dots, a kiss code at stratum 0, else an address.
func refID(r *bntp.Response) string {
	if r.Stratum > 1 {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], r.ReferenceID)
		return netip.AddrFrom4(b).String()
	}
	return "." + r.ReferenceString() + "."
}

// Run polls until ctx ends.
func (c *Client) Run(ctx context.Context) {
	every := c.PollInterval()
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
	servers := c.Servers()
	for _, s := range servers {
		st = c.query(s)
		if st.Err == nil {
			break
		}
	}
	c.mu.Lock()
	c.last = st
	for s := range c.peers { // a removed server starts over if it comes back
		if !slices.Contains(servers, s) {
			delete(c.peers, s)
			delete(c.failing, s)
		}
	}
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
		c.heard(s, nil, st.When)
		st.Err = fmt.Errorf("ntp server %s: %w", s, err)
		switch since, log := c.failed(s); {
		case log && since == 0:
			c.log().Warn("ntp poll failed", "server", s.String(), "reason", Reason(err))
		case log:
			c.log().Warn("ntp poll failed", "server", s.String(), "reason", Reason(err), "down-for", since.Round(time.Second).String())
		}
		return st
	}
	c.heard(s, r, time.Now())
	if c.answered(s) {
		c.log().Info("ntp server answers again", "server", s.String())
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
	c.updateCalendar(s, st.Stepped)
	return st
}

// failed notes a failed poll of s and says whether to log it: the first
// of a run of failures, then one each FailLogEvery; since is how long s
// has not answered.
func (c *Client) failed(s netip.Addr) (since time.Duration, log bool) {
	now := time.Now()
	if c.now != nil {
		now = c.now()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failing == nil {
		c.failing = make(map[netip.Addr]*failing)
	}
	f := c.failing[s]
	if f == nil {
		c.failing[s] = &failing{first: now, logged: now}
		return 0, true
	}
	if now.Sub(f.logged) < FailLogEvery {
		return now.Sub(f.first), false
	}
	f.logged = now
	return now.Sub(f.first), true
}

// answered notes an answer from s and says whether it had stopped
// answering.
func (c *Client) answered(s netip.Addr) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, was := c.failing[s]
	delete(c.failing, s)
	return was
}

func (c *Client) log() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}
