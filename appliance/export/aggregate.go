package export

import (
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
)

// Aggregate is one aggregation-cache entry. Record holds the scheme's key
// fields (prefixes already masked, other key fields zero), the summed
// packets and bytes, the earliest start and latest end; Flows is how many
// main-cache flows were folded in (v8 dFlows, v9 FLOWS).
type Aggregate struct {
	flow.Record
	Flows uint64
	// Scheme is the cache that built the aggregate. Encoders refuse an
	// aggregate of another scheme; zero skips the check, for callers that
	// build aggregates themselves (a Catalyst persona exporting its
	// main-cache flows as v8 full-flow records, say).
	Scheme platform.Scheme
}

// schemeMismatch reports whether a cannot be encoded by an encoder for s.
func (a *Aggregate) schemeMismatch(s platform.Scheme) bool {
	return a.Scheme != platform.SchemeNone && a.Scheme != s
}
