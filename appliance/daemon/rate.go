package daemon

import (
	"context"
	"sync"
	"time"
)

// rateWindow is JunOS's "10-second rate" window.
const rateWindow = 10 * time.Second

// meterRate keeps the meter's packet and byte counters once a second
// over the last rateWindow, so that `show services accounting flow` can
// say what went through in the last ten seconds.
type meterRate struct {
	mu      sync.Mutex
	samples []rateSample // oldest first, at most rateWindow apart end to end
}

type rateSample struct {
	at             time.Time
	packets, bytes uint64
}

// add records a sample. Counters that went down mean the datapath was
// reopened (a new cache size): the window starts again.
func (r *meterRate) add(s rateSample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := len(r.samples); n > 0 && (s.packets < r.samples[n-1].packets || s.bytes < r.samples[n-1].bytes) {
		r.samples = r.samples[:0]
	}
	r.samples = append(r.samples, s)
	// Keep the newest sample that is at least a window old, and the rest.
	i := 0
	for i+1 < len(r.samples) && s.at.Sub(r.samples[i+1].at) >= rateWindow {
		i++
	}
	r.samples = r.samples[i:]
}

// last is what the counters grew by over the window (or over the time
// since the first sample, when that is shorter).
func (r *meterRate) last() (packets, bytes uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.samples) < 2 {
		return 0, 0
	}
	first, newest := r.samples[0], r.samples[len(r.samples)-1]
	return newest.packets - first.packets, newest.bytes - first.bytes
}

// sampleMeter feeds r from the datapath's counters every second until ctx
// ends.
func (d *Daemon) sampleMeter(ctx context.Context, r *meterRate) {
	every(time.Second, ctx.Done(), func(now time.Time) {
		if st, err := d.DatapathStats(); err == nil {
			r.add(rateSample{now, st.MeteredPackets, st.MeteredBytes})
		}
	})
}
