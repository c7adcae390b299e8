package daemon

import (
	"testing"
	"time"

	"github.com/flowtap/flowtap/cli/show"
)

// TestLinkWatch: the first look gives no rates and no flap; a look two
// seconds on gives the rates over those seconds; a look within the
// second keeps them; a carrier change, or a carrier_changes count that
// moved between looks (a flap both ways), sets Last flapped.
func TestLinkWatch(t *testing.T) {
	var lw linkWatch
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	look := func(at time.Duration, carrier bool, changes uint32, rxB, rxP uint64) show.Interface {
		i := show.Interface{Index: 7, Carrier: carrier, RxBytes: rxB, RxPackets: rxP, TxBytes: rxB / 2, TxPackets: rxP / 2}
		lw.observe(&i, changes, t0.Add(at))
		return i
	}
	if i := look(0, true, 1, 1000, 10); i.InBps != 0 || i.InPps != 0 || !i.LastFlapped.IsZero() {
		t.Fatalf("first look: %+v", i)
	}
	i := look(2*time.Second, true, 1, 3000, 30)
	if i.InBps != 8000 || i.InPps != 10 || i.OutBps != 4000 || i.OutPps != 5 || !i.LastFlapped.IsZero() {
		t.Fatalf("2 s on: %+v", i)
	}
	if i := look(2500*time.Millisecond, true, 1, 9000, 90); i.InBps != 8000 || i.InPps != 10 {
		t.Fatalf("within the second: %+v", i)
	}
	if i := look(3*time.Second, true, 3, 9000, 90); !i.LastFlapped.Equal(t0.Add(3 * time.Second)) {
		t.Fatalf("carrier_changes moved: %+v", i)
	}
	if i := look(4*time.Second, false, 3, 9000, 90); !i.LastFlapped.Equal(t0.Add(4 * time.Second)) {
		t.Fatalf("carrier lost: %+v", i)
	}
	// The link watch heard it come back at 4.5 s: a look at 6 s keeps
	// that time.
	lw.flapped(7, true, 4, t0.Add(4500*time.Millisecond))
	if i := look(6*time.Second, true, 4, 9000, 90); !i.LastFlapped.Equal(t0.Add(4500 * time.Millisecond)) {
		t.Fatalf("after the watch heard it: %+v", i)
	}
	// Heard before any look: the first look takes it, and gives no rate.
	lw.flapped(8, true, 1, t0)
	i = show.Interface{Index: 8, Carrier: true, RxBytes: 500}
	lw.observe(&i, 1, t0.Add(time.Minute))
	if !i.LastFlapped.Equal(t0) || i.InBps != 0 {
		t.Fatalf("heard before the first look: %+v", i)
	}
}
