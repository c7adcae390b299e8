package daemon

import (
	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flowcache"
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

// cacheStatsView is the engine's counters for the cache screens: the
// protocol rows named, in the engine's order.
func cacheStatsView(s flowcache.Stats) show.CacheStats {
	v := show.CacheStats{Active: s.Active, Capacity: s.Capacity, Added: s.Added, Expired: s.Expired, Expired6: s.Expired6, AtClear: s.AtClear,
		AgerPolls: s.AgerPolls, AllocFailures: s.AllocFailures, EmergencyPasses: s.EmergencyPasses,
		AggressiveAging: s.AggressiveAging, HarvestErrors: s.HarvestErrors, LastCleared: s.LastCleared, Since: s.Since,
		Protocols:  make([]show.ProtocolStats, 0, flowcache.NumProtocols-1),
		Protocols4: make([]show.ProtocolStats, 0, flowcache.NumProtocols-1),
		Protocols6: make([]show.ProtocolStats, 0, flowcache.NumProtocols-1)}
	four := s.Protocols4()
	row := func(i int, p flowcache.ProtocolStats) show.ProtocolStats {
		return show.ProtocolStats{Name: flowcache.Protocol(i).String(), Flows: p.Flows,
			Packets: p.Packets, Bytes: p.Bytes, ActiveMillis: p.ActiveMillis, IdleMillis: p.IdleMillis}
	}
	for i := 1; i < flowcache.NumProtocols; i++ {
		v.Protocols = append(v.Protocols, row(i, s.Protocols[i]))
		v.Protocols4 = append(v.Protocols4, row(i, four[i]))
		v.Protocols6 = append(v.Protocols6, row(i, s.Protocols6[i]))
	}
	return v
}
