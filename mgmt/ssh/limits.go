package ssh

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// Limits bound what connections that have not logged in may cost. A
// connection over a limit is closed as soon as it is accepted.
type Limits struct {
	// MaxStartups caps unauthenticated connections in all (OpenSSH's
	// MaxStartups); 0 means 32.
	MaxStartups int
	// PerSource caps them per source address; 0 means 4.
	PerSource int
	// Rate is new connections per second a source may open, with a burst
	// of Burst; 0 means 4 and 16.
	Rate  float64
	Burst int
	// MaxSources bounds the per-source table (a spray of addresses
	// cannot grow it further); 0 means 65536.
	MaxSources int
}

func (l Limits) withDefaults() Limits {
	if l.MaxStartups == 0 {
		l.MaxStartups = 32
	}
	if l.PerSource == 0 {
		l.PerSource = 4
	}
	if l.Rate == 0 {
		l.Rate = 4
	}
	if l.Burst == 0 {
		l.Burst = 16
	}
	if l.MaxSources == 0 {
		l.MaxSources = 65536
	}
	return l
}

// Reasons a connection is refused, as logged.
const (
	refusedQuiet     = "login block-for quiet mode"
	refusedRate      = "per-source connection rate"
	refusedPerSource = "per-source unauthenticated connections"
	refusedStartups  = "unauthenticated connections"
	refusedTable     = "source table full"
	// evictedStartups: an unauthenticated connection closed to give its
	// slot to a source holding fewer (admit).
	evictedStartups = "unauthenticated connections full, closed the oldest of the source holding the most"
)

// source is what the front end remembers of one address.
type source struct {
	unauth     int       // connections not yet logged in
	tokens     float64   // rate bucket
	refill     time.Time // when tokens was last brought up to date
	fails      []time.Time
	within     time.Duration // the window fails count in, as of the last failure
	quietUntil time.Time
}

// pending is one admitted connection that has not logged in yet.
type pending struct {
	src      netip.Addr
	conn     net.Conn
	since    time.Time
	released bool // done, or evicted: no longer counted
}

// sources is the per-source state, shared by the accept loop and the
// password callbacks.
type sources struct {
	lim     Limits
	mu      sync.Mutex
	m       map[netip.Addr]*source
	unauth  int
	pending map[*pending]struct{}  // at most MaxStartups
	runs    map[string]*refusalRun // per refusal reason
	counts  map[string]int         // refusals since the reason's last line
}

// refusalRun is a run of refusals for one reason: when its first line
// was logged, its last line, and its latest refusal.
type refusalRun struct{ first, logged, last time.Time }

// refusedLogMax is the longest a run of refusals goes unlogged, and the
// quiet that ends a run.
const refusedLogMax = time.Hour

func newSources(l Limits) *sources {
	return &sources{lim: l, m: map[netip.Addr]*source{}, pending: map[*pending]struct{}{}, runs: map[string]*refusalRun{}, counts: map[string]int{}}
}

func sourceOf(a net.Addr) netip.Addr {
	if ap, err := netip.ParseAddrPort(a.String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// get returns the source's state, creating it (nil when the table is
// full even after dropping idle entries).
func (s *sources) get(a netip.Addr, now time.Time) *source {
	if e, ok := s.m[a]; ok {
		return e
	}
	if len(s.m) >= s.lim.MaxSources {
		for k, e := range s.m {
			if e.idle(now, s.lim) {
				delete(s.m, k)
			}
		}
		if len(s.m) >= s.lim.MaxSources {
			return nil
		}
	}
	e := &source{tokens: float64(s.lim.Burst), refill: now}
	s.m[a] = e
	return e
}

// idle: forgetting the entry changes nothing. Failures older than
// their window count for nothing: a source that once mistyped a password
// must not keep its entry for ever, or sources that each failed once
// fill the table over the months and every new one is refused.
func (e *source) idle(now time.Time, l Limits) bool {
	e.bring(now, l)
	e.forget(now)
	return e.unauth == 0 && now.After(e.quietUntil) && e.tokens >= float64(l.Burst) && len(e.fails) == 0
}

// forget drops the failures that have left the `within` window.
func (e *source) forget(now time.Time) {
	keep := e.fails[:0]
	for _, t := range e.fails {
		if now.Sub(t) < e.within {
			keep = append(keep, t)
		}
	}
	e.fails = keep
}

func (e *source) bring(now time.Time, l Limits) {
	e.tokens = min(float64(l.Burst), e.tokens+now.Sub(e.refill).Seconds()*l.Rate)
	e.refill = now
}

// admission is admit's decision on a connection.
type admission struct {
	p         *pending // admitted: counted as unauthenticated until done(p)
	why       string   // refused: the reason
	quietOver bool     // the source's quiet mode has just ended
	// evicted is a connection that gave its slot to this one: the caller
	// closes it.
	evicted *pending
}

// admit decides on a new connection c from a. When every slot is taken,
// the newcomer takes the slot of the oldest connection of the source
// that holds the most, if that source holds more than one and is not
// the newcomer's: a flood from a few addresses that fills MaxStartups
// then locks out nobody (the operator's own login holds one slot, so it
// is never the flood's victim), while a source still cannot hold more
// than PerSource. Only a flood from MaxStartups distinct addresses, one
// connection each, still fills the slots.
func (s *sources) admit(a netip.Addr, c net.Conn, now time.Time) (ad admission) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.get(a, now)
	switch {
	case e == nil:
		ad.why = refusedTable
		return ad
	case now.Before(e.quietUntil):
		ad.why = refusedQuiet
		return ad
	case !e.quietUntil.IsZero():
		e.quietUntil, ad.quietOver = time.Time{}, true
	}
	e.bring(now, s.lim)
	switch {
	case e.tokens < 1:
		ad.why = refusedRate
		return ad
	case e.unauth >= s.lim.PerSource:
		ad.why = refusedPerSource
		return ad
	case s.unauth >= s.lim.MaxStartups:
		v := s.victim(a)
		if v == nil {
			ad.why = refusedStartups
			return ad
		}
		s.release(v)
		ad.evicted = v
	}
	e.tokens--
	e.unauth++
	s.unauth++
	ad.p = &pending{src: a, conn: c, since: now}
	s.pending[ad.p] = struct{}{}
	return ad
}

// victim picks the connection that gives its slot to one from a: the
// oldest of the source holding the most, when that is more than one and
// the source is not a. nil when there is none.
func (s *sources) victim(a netip.Addr) *pending {
	var v *pending
	most := 1
	for p := range s.pending {
		if p.src == a {
			continue
		}
		n := s.m[p.src].unauth
		if n > most || n == most && v != nil && p.since.Before(v.since) {
			v, most = p, n
		}
	}
	return v
}

// release stops counting p. Called with s.mu held.
func (s *sources) release(p *pending) {
	if p.released {
		return
	}
	p.released = true
	delete(s.pending, p)
	if e, ok := s.m[p.src]; ok && e.unauth > 0 {
		e.unauth--
		s.unauth--
	}
}

// done ends a connection's unauthenticated life (it logged in or left).
func (s *sources) done(p *pending) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.release(p)
}

// quiet reports whether a is in quiet mode.
func (s *sources) quiet(a netip.Addr, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[a]
	return ok && now.Before(e.quietUntil)
}

// failed records a failed login from a under `login block-for blockFor
// attempts n within within`; it reports when that starts quiet mode, and
// for how long.
func (s *sources) failed(a netip.Addr, now time.Time, blockFor time.Duration, n int, within time.Duration) (time.Duration, bool) {
	if n <= 0 {
		return 0, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.get(a, now)
	if e == nil || now.Before(e.quietUntil) {
		return 0, false
	}
	// Only the last n failures matter: the list stays bounded.
	e.within = within
	e.forget(now)
	e.fails = append(e.fails, now)
	if len(e.fails) > n {
		e.fails = e.fails[len(e.fails)-n:]
	}
	if len(e.fails) < n {
		return 0, false
	}
	e.fails = e.fails[:0]
	e.quietUntil = now.Add(blockFor)
	return blockFor, true
}

// logDue rate-limits the log of refusals per reason: the first refusal
// of a run at once, then a line after 1, 2, 4 ... seconds of refusals, up
// to one an hour; an hour without one ends the run. A line a second, as
// before, was 86,400 a day while a scanner kept at the port, which left
// nothing else in show logging. It returns how many were refused since
// the last line.
func (s *sources) logDue(why string, now time.Time) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[why]++
	r := s.runs[why]
	switch {
	case r == nil || now.Sub(r.last) >= refusedLogMax:
		r = &refusalRun{first: now}
		s.runs[why] = r
	case now.Sub(r.logged) < min(max(r.logged.Sub(r.first), time.Second), refusedLogMax):
		r.last = now
		return 0, false
	}
	r.logged, r.last = now, now
	n := s.counts[why]
	s.counts[why] = 0
	return n, true
}
