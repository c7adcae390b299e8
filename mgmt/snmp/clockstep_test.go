package snmp

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestTimeStampsAcrossClockSteps: the agent has run an hour when NTP
// steps the wall clock back 8 hours (a clock kept in local time, set
// right). sysUpTime goes on from an hour, as net-snmp reads it, and the
// TimeStamp of a flow that started 30 s ago (cnfTopFlowsFirstSwitched:
// the flow's times are wall-clock times) is 30 s before it. Before, both
// were counted from the start by the wall clock: 0 for the next 7 hours
// (and off by the step for the agent's life after a step forward).
func TestTimeStampsAcrossClockSteps(t *testing.T) {
	var mu sync.Mutex
	wall := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	up := time.Duration(0)
	cfg := testConfig(newFakeBackend())
	cfg.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return wall
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a.engine.up = func() time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return up
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	mu.Lock()
	wall, up = wall.Add(time.Hour), up+time.Hour // an hour's run
	wall = wall.Add(-8 * time.Hour)              // the step
	flowStart := wall.Add(-30 * time.Second)
	mu.Unlock()

	if got := a.ticksAt(flowStart); got != 357000 {
		t.Errorf("a flow started 30 s ago is at %d ticks, want 357000 (an hour less 30 s)", got)
	}
	out, _, err := run(t, "snmpget", "-v2c", "-c", roCommunity, "-On", "-Ot", a.LocalAddrs()[0].String(), "1.3.6.1.2.1.1.3.0")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(strings.TrimSpace(out), "= 360000") {
		t.Errorf("sysUpTime after the step: %s; want 360000 (an hour)", out)
	}
}
