package platform

import "time"

// AggregationSpec is what an `ip flow-aggregation cache` takes; every
// persona that has the command takes the same (RECALL, vendor-behaviour.md
// 2.5). The defaults are the router's main-cache ones.
type AggregationSpec struct {
	Entries  Limit // cache entries
	Active   Limit // cache timeout active, minutes
	Inactive Limit // cache timeout inactive, seconds
	// MinMask is `mask source|destination minimum` of the prefix
	// schemes, in bits (no line: 0, no minimum).
	MinMask Limit
}

// Aggregation is the aggregation caches' ranges and defaults.
func Aggregation() AggregationSpec {
	return AggregationSpec{
		Entries:  Limit{Command: "cache entries", Default: DefaultAggregationEntries, Min: 1024, Max: 524288},
		Active:   Limit{Command: "cache timeout active", Default: int64(DefaultActive / time.Minute), Min: 1, Max: 60, Unit: time.Minute},
		Inactive: Limit{Command: "cache timeout inactive", Default: int64(DefaultInactive / time.Second), Min: 10, Max: 600, Unit: time.Second},
		MinMask:  Limit{Command: "mask minimum", Min: 1, Max: 32},
	}
}
