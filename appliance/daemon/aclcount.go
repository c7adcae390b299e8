package daemon

import (
	"slices"
	"sync"

	"github.com/flowtap/flowtap/appliance/config"
)

// ACLCounts applies access lists for the management plane and counts the
// packets each entry decided, as IOS does for `show access-lists`. An
// entry is counted by its list and its rule, so an edited entry starts
// from zero and an unchanged one keeps its count across other changes.
// The zero value is ready.
type ACLCounts struct {
	mu sync.Mutex
	n  map[aclKey]uint64
}

type aclKey struct {
	ref string
	e   config.ACE
}

// Permits applies the list ref of c to p (config.ManagementDecide) and
// counts the deciding entry.
func (a *ACLCounts) Permits(c config.Config, ref string, p config.Packet) bool {
	permit, l, i := c.ManagementDecide(ref, p)
	if i >= 0 {
		a.mu.Lock()
		if a.n == nil {
			a.n = map[aclKey]uint64{}
		}
		a.n[aclKey{ref, l.Entries[i]}]++
		a.mu.Unlock()
	}
	return permit
}

// Matches is how many packets the entry of list ref decided.
func (a *ACLCounts) Matches(ref string, e config.ACE) uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n[aclKey{ref, e}]
}

// Clear is `clear access-list counters`: every list's, or those named.
func (a *ACLCounts) Clear(refs ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(refs) == 0 {
		a.n = nil
		return
	}
	for k := range a.n {
		if slices.Contains(refs, k.ref) {
			delete(a.n, k)
		}
	}
}
