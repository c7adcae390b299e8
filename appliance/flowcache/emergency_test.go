package flowcache_test

import (
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
)

func TestEmergencyFewFree(t *testing.T) {
	tests := []struct {
		name     string
		capacity int
		em       flowcache.Emergency
		old      int // flows metered at t0
		young    int // flows metered 2 s later
		// after the pass at t0+3 s:
		wantNoResource uint64
		wantActive     int
		wantEmergency  uint64
	}{
		{
			name: "plenty free: nothing happens", capacity: 100,
			em:  flowcache.Emergency{Mode: flowcache.EmergencyFewFree, LowWater: 10, Accelerated: 2 * time.Second},
			old: 40, young: 40, wantActive: 80,
		},
		{
			name: "few free: flows idle for the accelerated timeout go", capacity: 100,
			em:  flowcache.Emergency{Mode: flowcache.EmergencyFewFree, LowWater: 10, Accelerated: 2 * time.Second},
			old: 50, young: 45, wantNoResource: 50, wantActive: 45, wantEmergency: 1,
		},
		{
			name: "default low water is max(30, capacity/50)", capacity: 100,
			em:  flowcache.Emergency{Mode: flowcache.EmergencyFewFree, Accelerated: 2 * time.Second},
			old: 40, young: 30, wantNoResource: 40, wantActive: 30, wantEmergency: 1,
		},
		{
			name: "one free: every flow goes regardless of age", capacity: 100,
			em:  flowcache.Emergency{Mode: flowcache.EmergencyFewFree, LowWater: 10, Accelerated: 2 * time.Second},
			old: 50, young: 49, wantNoResource: 99, wantEmergency: 1,
		},
		{
			name: "off: nothing happens even when full", capacity: 100,
			old: 50, young: 60, wantActive: 100,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.capacity, func(c *flowcache.Config) { c.Emergency = tc.em })
			for i := range tc.old {
				h.meter(key(i), 1, pktBytes, 0)
			}
			h.step(2 * time.Second)
			for i := range tc.young {
				h.meter(key(tc.old+i), 1, pktBytes, 0)
			}
			h.step(time.Second)
			st := h.eng.Stats()
			if st.Expired[flow.EndNoResource] != tc.wantNoResource || st.Active != tc.wantActive ||
				st.EmergencyPasses != tc.wantEmergency || st.ExpiredTotal() != tc.wantNoResource {
				t.Errorf("no-resource %d, active %d, emergency passes %d, expired %d; want %d, %d, %d, %d",
					st.Expired[flow.EndNoResource], st.Active, st.EmergencyPasses, st.ExpiredTotal(),
					tc.wantNoResource, tc.wantActive, tc.wantEmergency, tc.wantNoResource)
			}
			if exp := h.rec.Totals().Packets; exp != tc.wantNoResource {
				t.Errorf("exported %d packets, want %d", exp, tc.wantNoResource)
			}
		})
	}
}

// A normal expiry in the same pass keeps its own reason: the emergency
// harvest comes after the regular one.
func TestEmergencyAfterRegularPass(t *testing.T) {
	h := newHarness(t, 40, func(c *flowcache.Config) {
		c.Emergency = flowcache.Emergency{Mode: flowcache.EmergencyFewFree, LowWater: 5, Accelerated: 5 * time.Second}
	})
	for i := range 10 {
		h.meter(key(i), 1, pktBytes, 0)
	}
	h.step(10 * time.Second)
	for i := range 28 {
		h.meter(key(10+i), 1, pktBytes, 0)
	}
	h.step(6 * time.Second) // t0+16: the first 10 idle out, the rest are 6 s idle
	st := h.eng.Stats()
	if st.Expired[flow.EndIdle] != 10 || st.Expired[flow.EndNoResource] != 0 || st.Active != 28 {
		t.Fatalf("idle %d, no-resource %d, active %d; want 10, 0, 28",
			st.Expired[flow.EndIdle], st.Expired[flow.EndNoResource], st.Active)
	}
	// Ten more fill it to 38 of 40: free 2 <= 5, the 28 idle for 7 s go.
	for i := range 10 {
		h.meter(key(100+i), 1, pktBytes, 0)
	}
	h.step(time.Second)
	st = h.eng.Stats()
	if st.Expired[flow.EndNoResource] != 28 || st.Active != 10 || st.EmergencyPasses != 1 {
		t.Fatalf("no-resource %d, active %d, emergency passes %d; want 28, 10, 1",
			st.Expired[flow.EndNoResource], st.Active, st.EmergencyPasses)
	}
}

func TestAggressiveAging(t *testing.T) {
	h := newHarness(t, 100, func(c *flowcache.Config) {
		c.Aging = &flowcache.Aging{Inactive: 300 * time.Second, Active: 1920 * time.Second}
		c.Emergency = flowcache.Emergency{Mode: flowcache.EmergencyAggressive}
	})
	h.meter(key(0), 199, pktBytes, 0) // a big flow survives the fast rule
	on := func() bool { return h.eng.Stats().AggressiveAging }
	for sec := 1; sec <= 61; sec++ {
		for i := range 92 {
			h.meter(key(i), 1, pktBytes, 0) // all busy: none idles
		}
		h.step(time.Second)
		st := h.eng.Stats()
		switch {
		case sec < 33:
			// Checked at 1 s: 92 % >= 90 %, on; at 31 s still on. Nothing is
			// 32 s old yet.
			if !on() || st.ExpiredTotal() != 0 {
				t.Fatalf("at %d s: aggressive %v, expired %d; want on, 0", sec, on(), st.ExpiredTotal())
			}
		case sec == 33:
			// Flows first seen at t0 are older than 32 s with 33 packets < 100.
			if st.Expired[flow.EndNoResource] != 91 || st.Active != 1 {
				t.Fatalf("at 33 s: no-resource %d, active %d; want 91, 1", st.Expired[flow.EndNoResource], st.Active)
			}
		case sec < 61:
			if !on() {
				t.Fatalf("at %d s: aggressive aging went off before the 30 s check", sec)
			}
		}
	}
	// The check at 61 s saw 92 flows again (recreated since 33 s)...
	if !on() {
		t.Fatal("at 61 s: aggressive aging off with the table 92 % full")
	}
	// ... so drop to 1 flow and let the next check turn it off.
	if _, err := h.eng.Flush(); err != nil {
		t.Fatal(err)
	}
	h.meter(key(0), 1, pktBytes, 0)
	h.steps(30, time.Second)
	if on() {
		t.Fatal("at 91 s: aggressive aging still on with the table 1 % full")
	}
}

func TestAllocFailuresAndCacheFull(t *testing.T) {
	h := newHarness(t, 3, nil)
	for i := range 5 {
		h.meter(key(i), 2, pktBytes, 0)
	}
	// Each packet of the two flows that found no room is a failed creation.
	if got := h.dp.AllocFailures(); got != 4 {
		t.Fatalf("fake alloc failures = %d, want 4", got)
	}
	h.eng.SetDatapathCounters(flowcache.DatapathCounters{AllocFailures: h.dp.AllocFailures()})
	h.step(time.Second)
	st := h.eng.Stats()
	if st.AllocFailures != 4 || st.Active != 3 || st.Capacity != 3 || st.ExpiredTotal() != 0 {
		t.Fatalf("alloc failures %d, active %d/%d, expired %d; want 4, 3/3, 0",
			st.AllocFailures, st.Active, st.Capacity, st.ExpiredTotal())
	}
	// Packets of flows that could not be created are counted, not exported.
	if f := h.dp.Failed(); f.Packets != 4 {
		t.Fatalf("failed packets = %d, want 4", f.Packets)
	}
}
