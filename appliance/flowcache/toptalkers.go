package flowcache

import (
	"cmp"
	"container/heap"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
)

// Top-talkers limits: `top <1-200>` and cache-timeout <1-3600000> ms,
// default 5000, are RECALL in vendor-behaviour.md 2.4.
const (
	MaxTopTalkers             = platform.MaxTopTalkers
	DefaultTopTalkersTimeout  = platform.DefaultTopTalkersTimeout
	maxTopTalkersCacheTimeout = 3600000 * time.Millisecond
)

// PortMatch is `match {source|destination} port {N | min N | max N}`.
type PortMatch struct {
	Set      bool
	Min, Max uint16
}

func (m PortMatch) match(p uint16) bool { return !m.Set || (p >= m.Min && p <= m.Max) }

// CountMatch is `match {byte-range|packet-range}`; Max 0 is no upper bound.
type CountMatch struct {
	Min, Max uint64
}

func (m CountMatch) match(v uint64) bool { return v >= m.Min && (m.Max == 0 || v <= m.Max) }

// ToSMatch is `match tos {N | dscp N | precedence N}`: the bits of the
// ToS byte under Mask equal Value (tos N: all eight; dscp: the top six;
// precedence: the top three). Mask 0 matches any.
type ToSMatch struct {
	Mask, Value uint8
}

func (m ToSMatch) match(tos uint8) bool { return tos&m.Mask == m.Value }

// Match holds the `ip flow-top-talkers` match criteria; zero fields match
// anything.
type Match struct {
	ProtocolSet bool
	Protocol    uint8
	Src, Dst    netip.Prefix // `match source address A mask M`; invalid (zero) matches any
	SrcPort     PortMatch
	DstPort     PortMatch
	Bytes       CountMatch
	Packets     CountMatch
	ToS         ToSMatch
	// InputIf and OutputIf are `match input-interface|output-interface
	// IF` as ifIndexes (a subinterface's, as the records carry it); 0
	// matches any.
	InputIf, OutputIf uint32
	NextHop           netip.Prefix // `match nexthop-address A mask M`
	// SrcAS and DstAS are `match source|destination as N`, compared with
	// the AS the record carries once annotated (prefix-as-file); 0
	// matches any.
	SrcAS, DstAS uint32
}

func (m *Match) match(r *flow.Record) bool {
	return (!m.ProtocolSet || r.Proto == m.Protocol) &&
		(!m.Src.IsValid() || m.Src.Contains(r.SrcAddr.Unmap())) &&
		(!m.Dst.IsValid() || m.Dst.Contains(r.DstAddr.Unmap())) &&
		m.SrcPort.match(r.SrcPort) && m.DstPort.match(r.DstPort) &&
		m.Bytes.match(r.Bytes) && m.Packets.match(r.Packets) &&
		m.ToS.match(r.ToS) &&
		(m.InputIf == 0 || r.InputIf == m.InputIf) &&
		(m.OutputIf == 0 || r.OutputIf == m.OutputIf) &&
		(!m.NextHop.IsValid() || m.NextHop.Contains(r.NextHop.Unmap())) &&
		(m.SrcAS == 0 || r.SrcAS == m.SrcAS) && (m.DstAS == 0 || r.DstAS == m.DstAS)
}

// TopTalkersConfig is the `ip flow-top-talkers` block.
type TopTalkersConfig struct {
	Top          int
	SortBy       platform.SortBy
	CacheTimeout time.Duration // default 5 s
	Match        Match
}

// Enabled reports whether IOS would show the block: it needs both `top`
// and `sort-by`.
func (c TopTalkersConfig) Enabled() bool {
	return c.Top > 0 && (c.SortBy == platform.SortByBytes || c.SortBy == platform.SortByPackets)
}

// Validate checks the ranges.
func (c TopTalkersConfig) Validate() error {
	switch {
	case c.Top < 0 || c.Top > MaxTopTalkers:
		return fmt.Errorf("top talkers: top %d not in <1-%d>", c.Top, MaxTopTalkers)
	case c.SortBy > platform.SortByBytes:
		return fmt.Errorf("top talkers: unknown sort-by %d", c.SortBy)
	case c.CacheTimeout < 0 || c.CacheTimeout > maxTopTalkersCacheTimeout:
		return fmt.Errorf("top talkers: cache-timeout %v not in <1-3600000> ms", c.CacheTimeout)
	case c.Match.Src.IsValid() && c.Match.Src != c.Match.Src.Masked(),
		c.Match.Dst.IsValid() && c.Match.Dst != c.Match.Dst.Masked(),
		c.Match.NextHop.IsValid() && c.Match.NextHop != c.Match.NextHop.Masked():
		return errors.New("top talkers: match address has bits outside its mask")
	case c.Match.SrcPort.Min > c.Match.SrcPort.Max, c.Match.DstPort.Min > c.Match.DstPort.Max:
		return errors.New("top talkers: match port min above max")
	case c.Match.ToS.Value&^c.Match.ToS.Mask != 0:
		return errors.New("top talkers: match tos value has bits outside its mask")
	}
	return nil
}

func (c TopTalkersConfig) timeout() time.Duration {
	if c.CacheTimeout > 0 {
		return c.CacheTimeout
	}
	return DefaultTopTalkersTimeout
}

// ErrTopTalkersDisabled is returned while `top` or `sort-by` is unset.
var ErrTopTalkersDisabled = errors.New("flowcache: top talkers not configured (needs top and sort-by)")

// TopTalkers is one computed list, as `show ip flow top-talkers` prints it
// ("10 of 10 top talkers shown. 49 flows processed.").
type TopTalkers struct {
	Generated time.Time
	SortBy    platform.SortBy
	Flows     []flow.Record // best first
	Matched   int           // flows that passed the match criteria
	Processed int           // live flows looked at
}

// topTalkers caches the last list: IOS computes it on demand and keeps it
// for cache-timeout, and any change of the settings forces a recompute.
type topTalkers struct {
	mu     sync.Mutex
	cfg    TopTalkersConfig
	cached [3]*TopTalkers // by Family
}

// Family is the flows a top-talkers list ranks: every flow (SNMP's
// cnfTopFlows), IPv4's (`show ip flow top-talkers`, as IOS) or IPv6's
// (`show ipv6 flow top-talkers`).
type Family uint8

const (
	FamilyAny Family = iota
	FamilyIPv4
	FamilyIPv6
)

func (f Family) has(r *flow.Record) bool {
	switch f {
	case FamilyIPv4:
		return !r.IsIPv6()
	case FamilyIPv6:
		return r.IsIPv6()
	}
	return true
}

func (t *topTalkers) set(c TopTalkersConfig) error {
	if err := c.Validate(); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cfg, t.cached = c, [3]*TopTalkers{}
	return nil
}

// SetTopTalkers replaces the top-talkers settings and drops the cached list.
func (e *Engine) SetTopTalkers(c TopTalkersConfig) error {
	if err := e.top.set(c); err != nil {
		return fmt.Errorf("flowcache: %w", err)
	}
	return nil
}

// TopTalkersConfig returns the top-talkers settings.
func (e *Engine) TopTalkersConfig() TopTalkersConfig {
	e.top.mu.Lock()
	defer e.top.mu.Unlock()
	return e.top.cfg
}

// TopTalkers returns the top N live flows, from the cache if it is younger
// than cache-timeout. The returned list is the caller's.
func (e *Engine) TopTalkers() (TopTalkers, error) { return e.TopTalkersOf(FamilyAny) }

// TopTalkersOf is TopTalkers over one family's flows: Processed and
// Matched count that family's flows only.
func (e *Engine) TopTalkersOf(f Family) (TopTalkers, error) {
	if f > FamilyIPv6 {
		return TopTalkers{}, fmt.Errorf("flowcache: top talkers: unknown family %d", f)
	}
	t := &e.top
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.cfg.Enabled() {
		return TopTalkers{}, ErrTopTalkersDisabled
	}
	// The flows are ranked and matched as they will be exported and as
	// `show ip cache flow` shows them: on their subinterface, with their
	// AS numbers and masks. Unannotated, a subinterface's flow showed its
	// parent port and `match source as` never matched.
	e.mu.Lock()
	annotator := e.annotator
	e.mu.Unlock()
	now := e.clock.Now()
	if c := t.cached[f]; c != nil && now.Sub(c.Generated) < t.cfg.timeout() {
		return c.clone(), nil
	}
	if e.peeker == nil {
		return TopTalkers{}, errors.New("flowcache: top talkers: the datapath cannot list live flows")
	}
	tt, err := computeTopTalkers(e.peeker, annotator, &t.cfg, now, f)
	if err != nil {
		return TopTalkers{}, fmt.Errorf("flowcache: top talkers: %w", err)
	}
	t.cached[f] = &tt
	return tt.clone(), nil
}

func (tt *TopTalkers) clone() TopTalkers {
	c := *tt
	c.Flows = slices.Clone(tt.Flows)
	return c
}

func computeTopTalkers(p Peeker, a Annotator, c *TopTalkersConfig, now time.Time, f Family) (TopTalkers, error) {
	h := &recordHeap{by: c.SortBy}
	tt := TopTalkers{Generated: now, SortBy: c.SortBy}
	err := p.Peek(func(live *flow.Record) {
		r := live
		if a != nil {
			// A copy: the peeked record is the datapath's to reuse.
			cp := *live
			a.Annotate(&cp)
			r = &cp
		}
		if !f.has(r) {
			return
		}
		tt.Processed++
		if !c.Match.match(r) {
			return
		}
		tt.Matched++
		if h.Len() < c.Top {
			heap.Push(h, *r)
		} else if h.better(r, &h.recs[0]) {
			h.recs[0] = *r
			heap.Fix(h, 0)
		}
	})
	if err != nil {
		return TopTalkers{}, err
	}
	slices.SortFunc(h.recs, func(a, b flow.Record) int { return h.compare(&b, &a) })
	tt.Flows = h.recs
	return tt, nil
}

// recordHeap is a min-heap on the sort order, so that the root is the
// weakest of the N kept.
type recordHeap struct {
	by   platform.SortBy
	recs []flow.Record
}

// compare orders by the sort key, then the other counter, then the flow
// key, so that equal counts come out in a stable order.
func (h *recordHeap) compare(a, b *flow.Record) int {
	first, second := cmp.Compare(a.Bytes, b.Bytes), cmp.Compare(a.Packets, b.Packets)
	if h.by == platform.SortByPackets {
		first, second = second, first
	}
	if first != 0 {
		return first
	}
	if second != 0 {
		return second
	}
	return compareKeys(&b.Key, &a.Key) // lower key ranks higher
}

func compareKeys(a, b *flow.Key) int {
	return cmp.Or(
		a.SrcAddr.Compare(b.SrcAddr), a.DstAddr.Compare(b.DstAddr),
		cmp.Compare(a.Proto, b.Proto), cmp.Compare(a.SrcPort, b.SrcPort),
		cmp.Compare(a.DstPort, b.DstPort), cmp.Compare(a.ToS, b.ToS),
		cmp.Compare(a.InputIf, b.InputIf),
	)
}

func (h *recordHeap) better(a, b *flow.Record) bool { return h.compare(a, b) > 0 }
func (h *recordHeap) Len() int                      { return len(h.recs) }
func (h *recordHeap) Less(i, j int) bool            { return h.compare(&h.recs[i], &h.recs[j]) < 0 }
func (h *recordHeap) Swap(i, j int)                 { h.recs[i], h.recs[j] = h.recs[j], h.recs[i] }
func (h *recordHeap) Push(x any)                    { h.recs = append(h.recs, x.(flow.Record)) }
func (h *recordHeap) Pop() any {
	r := h.recs[len(h.recs)-1]
	h.recs = h.recs[:len(h.recs)-1]
	return r
}
