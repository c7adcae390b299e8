package daemon

import (
	"math"
	"testing"
)

// TestClassRates: a class counting 10,000 bytes every 5 s offers 16,000
// bit/s; the average moves towards it by 1-exp(-5/300) a tick, starts
// from the second tick, and starts again after clear counters.
func TestClassRates(t *testing.T) {
	var r classRates
	k := classKey{"eth1", "NF", "SSH"}
	w := 1 - math.Exp(-5.0/300)
	want := 0.0
	for i := range 400 {
		r.update(map[classKey]TermCount{k: {Bytes: uint64(i) * 10_000}}, classRateTick)
		if i > 0 {
			want += w * (16_000 - want)
		}
		if got := r.rate(k); got != uint64(math.Round(want)) {
			t.Fatalf("tick %d: %d bps, want %.0f", i, got, want)
		}
	}
	if got := r.rate(k); got < 15_900 || got > 16_000 {
		t.Errorf("after 400 ticks (33 min): %d bps, want about 16000", got)
	}
	r.update(map[classKey]TermCount{k: {Bytes: 50}}, classRateTick)
	if got := r.rate(k); got != 0 {
		t.Errorf("after clear counters: %d bps, want 0", got)
	}
	r.update(map[classKey]TermCount{}, classRateTick)
	if _, ok := r.bps[k]; ok {
		t.Error("a class no longer applied keeps its rate")
	}
}
