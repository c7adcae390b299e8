package overload

import (
	"testing"
	"time"
)

// traffic feeds a controller interval by interval: each call adds one
// interval's metered and refused packets and returns the rate set.
type traffic struct {
	t   *testing.T
	c   *Controller
	now time.Time
	r   Reading
}

func newTraffic(t *testing.T, cfg Config) *traffic {
	tr := &traffic{t: t, c: NewController(cfg), now: time.Unix(1000, 0)}
	if rate, ch, _ := tr.c.Step(tr.now, tr.r); rate != 0 || ch != Unchanged {
		t.Fatalf("first reading: rate %d change %d, want off and unchanged", rate, ch)
	}
	return tr
}

func (tr *traffic) interval(metered, refused uint64) (uint32, Change) {
	tr.now = tr.now.Add(time.Second)
	tr.r.Metered += metered
	tr.r.Refused += refused
	rate, ch, _ := tr.c.Step(tr.now, tr.r)
	return rate, ch
}

func TestFloodRaisesToMaxAndCalmStepsBack(t *testing.T) {
	tr := newTraffic(t, Config{Threshold: 5, MaxRate: 16})
	if rate, ch := tr.interval(1000, 10); rate != 0 || ch != Unchanged {
		t.Fatalf("1%% refused under a 5%% threshold: rate %d change %d", rate, ch)
	}
	want := []struct {
		rate uint32
		ch   Change
	}{{2, Entered}, {4, Raised}, {8, Raised}, {16, Raised}, {16, Unchanged}}
	for i, w := range want {
		if rate, ch := tr.interval(1000, 900); rate != w.rate || ch != w.ch {
			t.Fatalf("flood interval %d: rate %d change %d, want %d %d", i, rate, ch, w.rate, w.ch)
		}
	}
	// 3% refused: between half the threshold and the threshold: held.
	if rate, ch := tr.interval(1000, 30); rate != 16 || ch != Unchanged {
		t.Fatalf("3%% refused: rate %d change %d, want held at 16", rate, ch)
	}
	for i, w := range []uint32{8, 4, 2} {
		if rate, ch := tr.interval(1000, 0); rate != w || ch != Lowered {
			t.Fatalf("calm interval %d: rate %d change %d, want %d lowered", i, rate, ch, w)
		}
	}
	if rate, ch := tr.interval(0, 0); rate != 0 || ch != Left {
		t.Fatalf("idle interval: rate %d change %d, want off", rate, ch)
	}
	st := tr.c.Status(tr.now)
	if st.Active || st.Entered != 1 || st.Time != 9*time.Second {
		t.Fatalf("status %+v: want inactive, entered once, 9s overloaded", st)
	}
}

func TestBudget(t *testing.T) {
	tr := newTraffic(t, Config{Budget: 100 * time.Nanosecond, MaxRate: 4})
	step := func(runs uint64, per time.Duration) (uint32, Change) {
		tr.now = tr.now.Add(time.Second)
		tr.r.Metered += runs
		tr.r.Runs += runs
		tr.r.Run += time.Duration(runs) * per
		rate, ch, _ := tr.c.Step(tr.now, tr.r)
		return rate, ch
	}
	if rate, ch := step(1000, 90*time.Nanosecond); rate != 0 || ch != Unchanged {
		t.Fatalf("under budget: rate %d change %d", rate, ch)
	}
	if rate, ch := step(1000, 150*time.Nanosecond); rate != 2 || ch != Entered {
		t.Fatalf("over budget: rate %d change %d", rate, ch)
	}
	if rate, ch := step(1000, 50*time.Nanosecond); rate != 0 || ch != Left {
		t.Fatalf("back under budget: rate %d change %d", rate, ch)
	}
}

func TestDefaults(t *testing.T) {
	c := NewController(Config{}).Status(time.Time{}).Config
	if c.Threshold != DefaultThreshold || c.MaxRate != DefaultMaxRate || c.Interval != DefaultInterval || c.Budget != 0 {
		t.Fatalf("defaults %+v", c)
	}
}
