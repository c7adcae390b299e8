package appclass

import (
	"reflect"
	"sync"

	"github.com/flowtap/flowtap/appliance/flow"
)

// Counter tallies the flows the cache expires, since it was made or last
// cleared; it is a flow cache sink, safe for concurrent use.
type Counter struct {
	mu    sync.Mutex
	set   Set
	tally *Tally
}

// NewCounter counts by s.
func NewCounter(s Set) *Counter {
	c := &Counter{set: s}
	c.tally = NewTally(&c.set)
	return c
}

// Export counts one expired flow.
func (c *Counter) Export(r *flow.Record) {
	c.mu.Lock()
	c.tally.Add(r.Proto, r.SrcPort, r.DstPort, r.Bytes, r.Packets)
	c.mu.Unlock()
}

// SetRules changes the rules; totals under other rules would be
// meaningless, so a change clears them.
func (c *Counter) SetRules(s Set) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if reflect.DeepEqual(c.set, s) {
		return
	}
	c.set = s
	c.tally = NewTally(&c.set)
}

// Clear zeroes the totals.
func (c *Counter) Clear() {
	c.mu.Lock()
	c.tally = NewTally(&c.set)
	c.mu.Unlock()
}

// Snapshot returns a copy of the totals and of the rules they are under.
func (c *Counter) Snapshot() *Tally {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Set{Rules: append([]Rule(nil), c.set.Rules...)}
	t := NewTally(&s)
	copy(t.counts, c.tally.counts)
	return t
}

// Set returns the rules in force.
func (c *Counter) Set() Set {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Set{Rules: append([]Rule(nil), c.set.Rules...)}
}
