package daemon

import (
	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/cli/show"
)

// The show screens render from cli/show's views, which import no
// engine; these turn the engines' snapshots into them. A view that
// mirrors its engine type field for field is a conversion, so a field
// added to one and not the other fails to build here.

// exportStatsView is the exporters' counters as `show ip flow export`
// and `show services accounting` take them.
func exportStatsView(in []export.Stats) []show.ExportStats {
	out := make([]show.ExportStats, len(in))
	for i, s := range in {
		out[i] = show.ExportStats(s)
	}
	return out
}

// aggregationConfigView is an aggregation cache's settings for its
// screen (its clock is the engine's alone).
func aggregationConfigView(c export.AggregationConfig) show.AggregationConfig {
	return show.AggregationConfig{Scheme: c.Scheme, Entries: c.Entries, ActiveTimeout: c.ActiveTimeout,
		InactiveTimeout: c.InactiveTimeout, SourceMinMask: c.SourceMinMask, DestinationMinMask: c.DestinationMinMask}
}
