package pipeline

import (
	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/datapath"
)

// AggregationSink feeds an aggregation cache from the main cache: every
// record the main cache expires is folded into the aggregate of its
// scheme, as IOS's `ip flow-aggregation cache` does.
type AggregationSink struct{ Cache *export.AggregationCache }

// Export implements flowcache.Sink. A record replayed from the export
// spool was folded in by the daemon before, which may have exported the
// aggregate: it is not folded in again.
func (s AggregationSink) Export(r *flow.Record) {
	if !r.Replayed {
		s.Cache.Add(r)
	}
}

// ExportSampler is the sampler the exporters announce (v5 header, v9/IPFIX
// options) for the datapath's sampling setting, so collectors can scale.
func ExportSampler(s datapath.Sampling, id uint8) export.Sampler {
	if s.Interval <= 1 {
		return export.Sampler{}
	}
	m := export.SamplingDeterministic
	if s.Mode == datapath.SampleRandom {
		m = export.SamplingRandom
	} else if s.Mode == datapath.SampleNone {
		return export.Sampler{}
	}
	return export.Sampler{ID: id, Mode: m, Interval: s.Interval}
}
