package flowcache

import (
	"sync"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

// NumEndReasons sizes tables indexed by flow.EndReason (index 0 unused).
const NumEndReasons = int(flow.EndNoResource) + 1

// ProtocolStats is one row of the protocol table: totals over the flows
// expired since the last clear. The renderer derives the per-flow and
// per-second columns from these and Stats.Since. Durations are summed in
// milliseconds: nanoseconds would overflow after a few hundred years of
// summed flow time, which a busy cache reaches.
type ProtocolStats struct {
	Flows        uint64
	Packets      uint64
	Bytes        uint64
	ActiveMillis uint64 // sum of first-to-last packet times
	IdleMillis   uint64 // sum of last-packet-to-expiry times
}

func (p *ProtocolStats) add(o ProtocolStats) {
	p.Flows += o.Flows
	p.Packets += o.Packets
	p.Bytes += o.Bytes
	p.ActiveMillis += o.ActiveMillis
	p.IdleMillis += o.IdleMillis
}

// Stats is a snapshot of the cache statistics.
type Stats struct {
	Active   int // entries in use at the last pass
	Capacity int // entries the map holds
	// Added is the flows created since the last clear, derived as
	// expired + active - active at the clear (IOS prints added = total
	// expired + active). A flow the active timeout ends counts as
	// expired, and its continuation as added.
	Added   uint64
	Expired [NumEndReasons]uint64 // indexed by flow.EndReason
	// Expired6 is the IPv6 flows' share of Expired, and AtClear the
	// IPv4 and IPv6 flows the table held at the last clear (as a Peek
	// counts them): an IPv4 and an IPv6 flow monitor on IOS-XE have a
	// cache each, and show flow monitor statistics counts one family's.
	Expired6        [NumEndReasons]uint64
	AtClear         [2]int
	AgerPolls       uint64 // ager passes
	AllocFailures   uint64 // flows the datapath could not create
	EmergencyPasses uint64 // harvests made because the cache was nearly full
	AggressiveAging bool   // Sup720 aggressive aging is on
	HarvestErrors   uint64

	Protocols [NumProtocols]ProtocolStats // indexed by Protocol
	// Protocols6 is the IPv6 flows' share of Protocols: IOS's IPv4 and
	// IPv6 caches are separate, and show ipv6 flow cache's protocol
	// table counts the IPv6 one's.
	Protocols6 [NumProtocols]ProtocolStats

	LastCleared time.Time // zero: never
	Since       time.Time // last clear, or the engine's start
}

// ExpiredTotal is the number of records exported since the last clear.
func (s *Stats) ExpiredTotal() uint64 {
	var n uint64
	for _, v := range s.Expired {
		n += v
	}
	return n
}

// Total sums the protocol rows: the `Total:` line.
func (s *Stats) Total() ProtocolStats {
	var t ProtocolStats
	for _, p := range s.Protocols {
		t.add(p)
	}
	return t
}

// Protocols4 is the IPv4 flows' share of Protocols: the rows less
// Protocols6, as show ip cache flow's table counts them.
func (s *Stats) Protocols4() [NumProtocols]ProtocolStats {
	out := s.Protocols
	sub := func(a *uint64, b uint64) { *a -= min(*a, b) }
	for i := range out {
		p, q := &out[i], s.Protocols6[i]
		sub(&p.Flows, q.Flows)
		sub(&p.Packets, q.Packets)
		sub(&p.Bytes, q.Bytes)
		sub(&p.ActiveMillis, q.ActiveMillis)
		sub(&p.IdleMillis, q.IdleMillis)
	}
	return out
}

// DatapathCounters are counters only the datapath can know; the daemon
// copies them in from the datapath's statistics.
type DatapathCounters struct {
	AllocFailures uint64 // since the datapath started; the engine subtracts the value at the last clear
}

// tally collects one harvest's effect, so that the engine lock is taken
// once per pass and never while a sink runs.
type tally struct {
	expired    [NumEndReasons]uint64
	expired6   [NumEndReasons]uint64 // the IPv6 records' share of expired
	protocols  [NumProtocols]ProtocolStats
	protocols6 [NumProtocols]ProtocolStats // the IPv6 records' share of protocols
}

func (t *tally) add(r *flow.Record, now time.Time) {
	if int(r.EndReason) < NumEndReasons {
		t.expired[r.EndReason]++
		if r.Key.SrcAddr.Is6() {
			t.expired6[r.EndReason]++
		}
	}
	c := Classify(&r.Key)
	p := ProtocolStats{Flows: 1, Packets: r.Packets, Bytes: r.Bytes,
		ActiveMillis: millis(r.End.Sub(r.Start)), IdleMillis: millis(now.Sub(r.End))}
	t.protocols[c].add(p)
	if r.Key.SrcAddr.Is6() {
		t.protocols6[c].add(p)
	}
}

func millis(d time.Duration) uint64 {
	if d <= 0 {
		return 0
	}
	return uint64(d / time.Millisecond)
}

// StartTally counts the records that leave the table while no engine
// runs: as a daemon starts, the drain of a pinned table of another size,
// the export spool's replay before it and a flow mask's purge go straight
// to the exporters. Engine.Absorb puts them into the statistics of the
// engine that starts next, as Expire would have counted them, so that
// `show ip cache flow` counts every flow the collectors get from the
// cache. Safe for concurrent use.
type StartTally struct {
	mu sync.Mutex
	t  tally
	n  uint64
}

// Add counts r, expired at now.
func (s *StartTally) Add(r *flow.Record, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t.add(r, now)
	s.n++
}

// Records is how many records it holds.
func (s *StartTally) Records() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// Absorb adds what t counted to the statistics and empties t.
func (e *Engine) Absorb(t *StartTally) {
	t.mu.Lock()
	c := t.t
	t.t, t.n = tally{}, 0
	t.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stats.merge(&c)
}

// counters is the engine's running state behind Stats.
type counters struct {
	tally
	polls, emergencyPasses, harvestErrors uint64
	active, capacity, activeAtClear       int
	allocFailures, allocAtClear           uint64
	atClear                               [2]int // IPv4, IPv6 flows held at the clear
	aggressive                            bool
	cleared, since                        time.Time
}

func (c *counters) merge(t *tally) {
	for i, v := range t.expired {
		c.expired[i] += v
	}
	for i, v := range t.expired6 {
		c.expired6[i] += v
	}
	for i := range t.protocols {
		c.protocols[i].add(t.protocols[i])
		c.protocols6[i].add(t.protocols6[i])
	}
}

func (c *counters) snapshot() Stats {
	s := Stats{
		Active:          c.active,
		Capacity:        c.capacity,
		Expired:         c.expired,
		Expired6:        c.expired6,
		AtClear:         c.atClear,
		AgerPolls:       c.polls,
		EmergencyPasses: c.emergencyPasses,
		AggressiveAging: c.aggressive,
		HarvestErrors:   c.harvestErrors,
		Protocols:       c.protocols,
		Protocols6:      c.protocols6,
		LastCleared:     c.cleared,
		Since:           c.since,
	}
	if c.allocFailures > c.allocAtClear {
		s.AllocFailures = c.allocFailures - c.allocAtClear
	}
	added := int64(s.ExpiredTotal()) + int64(c.active) - int64(c.activeAtClear)
	if added > 0 {
		s.Added = uint64(added)
	}
	return s
}

func (c *counters) clear(now time.Time) {
	active, capacity, alloc, aggressive := c.active, c.capacity, c.allocFailures, c.aggressive
	*c = counters{
		active: active, capacity: capacity, activeAtClear: active,
		allocFailures: alloc, allocAtClear: alloc, aggressive: aggressive,
		cleared: now, since: now,
	}
}

// SavedStats is what an engine's statistics need to go on in another
// process: a daemon restarted over the pinned table (an upgrade, a stop
// and start) takes them back, so that the cache's totals go back to zero
// only on `clear`. The occupancy is not in it: the table says that.
type SavedStats struct {
	Expired   [NumEndReasons]uint64
	Expired6  [NumEndReasons]uint64 `json:",omitempty"`
	AtClear   [2]int                `json:",omitempty"`
	Protocols [NumProtocols]ProtocolStats
	// Protocols6 is the IPv6 share of Protocols; a daemon older than it
	// saved none, and its IPv6 flows stay in the IPv4 table until a clear.
	Protocols6      [NumProtocols]ProtocolStats
	AgerPolls       uint64
	EmergencyPasses uint64
	HarvestErrors   uint64
	// ActiveAtClear is the flows active at the last clear (Added counts
	// from them); AllocAtClear the datapath's allocation failures then.
	ActiveAtClear int
	AllocAtClear  uint64
	Cleared       time.Time // zero: never
	Since         time.Time
}

// Save returns the statistics for Restore in the next daemon.
func (e *Engine) Save() SavedStats {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := &e.stats
	return SavedStats{Expired: c.expired, Expired6: c.expired6, AtClear: c.atClear, Protocols: c.protocols, Protocols6: c.protocols6, AgerPolls: c.polls,
		EmergencyPasses: c.emergencyPasses, HarvestErrors: c.harvestErrors, ActiveAtClear: c.activeAtClear,
		AllocAtClear: c.allocAtClear, Cleared: c.cleared, Since: c.since}
}

// Restore makes the statistics go on from s, saved by the engine of the
// previous daemon on the same (pinned) table, with what this one counted
// so far (Absorb's) added. Call it before Run.
func (e *Engine) Restore(s SavedStats) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := &e.stats
	c.merge(&tally{expired: s.Expired, expired6: s.Expired6, protocols: s.Protocols, protocols6: s.Protocols6})
	c.polls += s.AgerPolls
	c.emergencyPasses += s.EmergencyPasses
	c.harvestErrors += s.HarvestErrors
	c.activeAtClear, c.allocAtClear, c.atClear = s.ActiveAtClear, s.AllocAtClear, s.AtClear
	c.cleared, c.since = s.Cleared, s.Since
}
