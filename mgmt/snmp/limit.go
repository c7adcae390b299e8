package snmp

import (
	"net/netip"
	"sync"
	"time"
)

// RateLimit bounds what one manager address may make the agent do, so
// that a flood from one source (a GetBulk storm, a community guesser)
// leaves the agent answering everyone else. Zero fields take the defaults
// named.
type RateLimit struct {
	// PerSocket is the requests per second one manager socket (address
	// and port) may send (DefaultPerSocket), with SocketBurst more at
	// once (DefaultSocketBurst): a flood from one socket leaves an NMS on
	// the same host answered.
	PerSocket   float64
	SocketBurst int
	// PerSource is the requests per second one address may send over all
	// its ports (DefaultPerSource), with Burst more at once
	// (DefaultBurst): a flood that changes ports is held to it.
	PerSource float64
	Burst     int
	// FailuresPerSource is how many authentication failures (unknown
	// community, refused by its access list, wrong USM digest) per second
	// one address may cause (DefaultFailuresPerSource), FailureBurst at
	// once (DefaultFailureBurst). A source over it is ignored altogether
	// until its failures age out.
	FailuresPerSource float64
	FailureBurst      int
	// Off turns limiting off.
	Off bool
}

// Rate limit defaults, in tokens (a request, and a GetBulk's large
// answer more: responseOctetsPerToken). A manager that walks with
// GetNext (snmpwalk, many NMSs' discovery) sends its next request as soon
// as the last answer arrives, over a LAN or loopback 1,000-3,000 a
// second: a socket limit below that drops its requests, and each drop
// costs the walker its retry timeout (a second by default), so 100
// requests/s turned a 715-object walk into 6 s with 6 timeouts. 1,000
// tokens/s with 2,000 at once lets such a walk through and holds a
// GetBulk flood from one socket to about 70 full answers a second (100
// before); one address gets two such sockets' worth, so a flood from
// one of its ports leaves its others answered.
const (
	DefaultPerSocket         = 1000
	DefaultSocketBurst       = 2000
	DefaultPerSource         = 2000
	DefaultBurst             = 4000
	DefaultFailuresPerSource = 1
	DefaultFailureBurst      = 10
	// maxSources bounds the per-source table; spoofed sources beyond it
	// replace random entries rather than grow it.
	maxSources = 4096
	// authTrapsPerSecond bounds authenticationFailure notifications, so a
	// guesser does not turn the agent into a trap flood either.
	authTrapsPerSecond = 1
	authTrapBurst      = 5
)

type bucket struct {
	tokens, fails float64
	at            time.Time
}

// limiter is a token bucket per source address for requests and one for
// authentication failures.
type limiter struct {
	cfg RateLimit
	now func() time.Time

	mu    sync.Mutex
	src   map[netip.Addr]*bucket
	sock  map[netip.AddrPort]*bucket
	traps bucket
}

func newLimiter(cfg RateLimit, now func() time.Time) *limiter {
	if cfg.PerSocket <= 0 {
		cfg.PerSocket = DefaultPerSocket
	}
	if cfg.SocketBurst <= 0 {
		cfg.SocketBurst = DefaultSocketBurst
	}
	if cfg.PerSource <= 0 {
		cfg.PerSource = DefaultPerSource
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultBurst
	}
	if cfg.FailuresPerSource <= 0 {
		cfg.FailuresPerSource = DefaultFailuresPerSource
	}
	if cfg.FailureBurst <= 0 {
		cfg.FailureBurst = DefaultFailureBurst
	}
	return &limiter{cfg: cfg, now: now, src: map[netip.Addr]*bucket{}, sock: map[netip.AddrPort]*bucket{},
		traps: bucket{tokens: authTrapBurst, at: now()}}
}

func (l *limiter) bucket(a netip.Addr) *bucket {
	now := l.now()
	b := l.src[a]
	if b == nil {
		if len(l.src) >= maxSources {
			for k := range l.src { // map order is random: a random victim
				delete(l.src, k)
				break
			}
		}
		b = &bucket{tokens: float64(l.cfg.Burst), fails: float64(l.cfg.FailureBurst), at: now}
		l.src[a] = b
		return b
	}
	dt := now.Sub(b.at).Seconds()
	if dt > 0 {
		b.tokens = min(b.tokens+dt*l.cfg.PerSource, float64(l.cfg.Burst))
		b.fails = min(b.fails+dt*l.cfg.FailuresPerSource, float64(l.cfg.FailureBurst))
		b.at = now
	}
	return b
}

// socket is the per-socket bucket of from, refilled.
func (l *limiter) socket(from netip.AddrPort) *bucket {
	now := l.now()
	b := l.sock[from]
	if b == nil {
		if len(l.sock) >= maxSources {
			for k := range l.sock {
				delete(l.sock, k)
				break
			}
		}
		b = &bucket{tokens: float64(l.cfg.SocketBurst), at: now}
		l.sock[from] = b
		return b
	}
	if dt := now.Sub(b.at).Seconds(); dt > 0 {
		b.tokens = min(b.tokens+dt*l.cfg.PerSocket, float64(l.cfg.SocketBurst))
		b.at = now
	}
	return b
}

// allow takes one request from a manager socket; false means drop it
// unanswered.
func (l *limiter) allow(from netip.AddrPort) bool {
	if l.cfg.Off {
		return true
	}
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	l.mu.Lock()
	defer l.mu.Unlock()
	b, s := l.bucket(from.Addr()), l.socket(from)
	if b.fails < 1 || b.tokens < 1 || s.tokens < 1 {
		return false
	}
	b.tokens--
	s.tokens--
	return true
}

// responseOctetsPerToken prices an answer: a request takes one token
// as it arrives and, once answered, one more per this many octets of
// its response past the first, so the buckets meter the work a manager
// causes rather than its datagrams. A GetNext answer costs its one
// token; a GetBulk filling a 1,472-octet answer about fourteen.
const responseOctetsPerToken = 100

// charge takes from a manager socket's buckets what its answered request
// cost beyond the token allow took. The buckets may go below zero, down
// to minus their burst: the socket then waits until it has paid.
func (l *limiter) charge(from netip.AddrPort, respOctets int) {
	extra := float64(respOctets/responseOctetsPerToken - 1)
	if l.cfg.Off || extra <= 0 {
		return
	}
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	l.mu.Lock()
	defer l.mu.Unlock()
	b, s := l.bucket(from.Addr()), l.socket(from)
	b.tokens = max(b.tokens-extra, -float64(l.cfg.Burst))
	s.tokens = max(s.tokens-extra, -float64(l.cfg.SocketBurst))
}

// failed records an authentication failure from a.
func (l *limiter) failed(a netip.Addr) {
	if l.cfg.Off {
		return
	}
	a = a.Unmap()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(a)
	b.fails = max(b.fails-1, 0)
}

// trap reports whether an authenticationFailure notification may go out.
func (l *limiter) trap() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.traps.tokens = min(l.traps.tokens+now.Sub(l.traps.at).Seconds()*authTrapsPerSecond, authTrapBurst)
	l.traps.at = now
	if l.traps.tokens < 1 {
		return false
	}
	l.traps.tokens--
	return true
}
