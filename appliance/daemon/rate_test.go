package daemon

import (
	"testing"
	"time"
)

// TestMeterRate: the window covers the last ten seconds, and a datapath
// reopened with counters from zero starts it again.
func TestMeterRate(t *testing.T) {
	var r meterRate
	t0 := time.Unix(1000, 0)
	if p, b := r.last(); p != 0 || b != 0 {
		t.Fatalf("empty: %d %d", p, b)
	}
	for i := 0; i <= 20; i++ {
		r.add(rateSample{t0.Add(time.Duration(i) * time.Second), uint64(i * 100), uint64(i * 1000)})
	}
	if p, b := r.last(); p != 1000 || b != 10000 {
		t.Errorf("after 20 s at 100 pkt/s: %d packets, %d bytes in the window, want 1000 and 10000", p, b)
	}
	r.add(rateSample{t0.Add(21 * time.Second), 50, 500})
	r.add(rateSample{t0.Add(22 * time.Second), 80, 800})
	if p, b := r.last(); p != 30 || b != 300 {
		t.Errorf("after a reopen: %d, %d, want 30, 300", p, b)
	}
}
