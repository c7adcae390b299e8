package daemon

import (
	"context"
	"math"
	"sync"
	"time"
)

// IOS's MQC screens give each class a "5 minute offered rate": an
// exponentially weighted average of its bits per second.

const (
	classRateTick   = 5 * time.Second
	classRateWindow = 5 * time.Minute
)

// classRates keeps the offered rate of every policy class: every
// classRateTick the bits counted since the last tick, as bits per second,
// move the average by 1-exp(-tick/window) [RECALL: IOS decays its load
// averages so; its exact constants are not in the references].
type classRates struct {
	mu   sync.Mutex
	last map[classKey]TermCount
	bps  map[classKey]float64
}

// update folds in the counters at one tick, dt after the last one. A
// counter that went down (clear counters) starts its class again.
func (r *classRates) update(counts map[classKey]TermCount, dt time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bps == nil {
		r.last, r.bps = map[classKey]TermCount{}, map[classKey]float64{}
	}
	w := 1 - math.Exp(-dt.Seconds()/classRateWindow.Seconds())
	for k, c := range counts {
		prev, seen := r.last[k]
		r.last[k] = c
		if !seen || c.Bytes < prev.Bytes {
			r.bps[k] = 0
			continue
		}
		inst := float64(c.Bytes-prev.Bytes) * 8 / dt.Seconds()
		r.bps[k] += w * (inst - r.bps[k])
	}
	for k := range r.last {
		if _, ok := counts[k]; !ok {
			delete(r.last, k)
			delete(r.bps, k)
		}
	}
}

// rate is class k's offered rate in bits per second.
func (r *classRates) rate(k classKey) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return uint64(math.Round(r.bps[k]))
}

// samplePolicies feeds r every classRateTick until ctx ends.
func (d *Daemon) samplePolicies(ctx context.Context, r *classRates) {
	last := time.Now()
	every(classRateTick, ctx.Done(), func(now time.Time) {
		r.update(d.allPolicyCounts(), now.Sub(last))
		last = now
	})
}

// allPolicyCounts is every policy class's counters on every port.
func (d *Daemon) allPolicyCounts() map[classKey]TermCount {
	d.mu.Lock()
	ports := map[[2]string]bool{}
	for _, f := range d.filters {
		if f.def.Policy != "" {
			ports[[2]string{f.port, f.def.Policy}] = true
		}
	}
	d.mu.Unlock()
	out := map[classKey]TermCount{}
	for p := range ports {
		for class, c := range d.PolicyCounts(p[0], p[1]) {
			out[classKey{p[0], p[1], class}] = c
		}
	}
	return out
}
