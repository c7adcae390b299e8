package flowcache_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/flowcache/flowcachetest"
	"github.com/flowtap/flowtap/internal/syncbuf"
)

func TestNewNeedsADatapath(t *testing.T) {
	if _, err := flowcache.New(flowcache.Config{}); err == nil {
		t.Error("New without a datapath succeeded")
	}
	dp := flowcachetest.NewDatapath(1)
	bad := []flowcache.Config{
		{Datapath: dp, Aging: &flowcache.Aging{Active: -time.Second}},
		{Datapath: dp, Emergency: flowcache.Emergency{Mode: 9}},
		{Datapath: dp, Emergency: flowcache.Emergency{Percent: 101}},
		{Datapath: dp, TopTalkers: flowcache.TopTalkersConfig{Top: 500}},
	}
	for _, c := range bad {
		if _, err := flowcache.New(c); err == nil {
			t.Errorf("New(%+v) succeeded", c)
		}
	}
}

func TestHarvestFailureKeepsWhatWasEmitted(t *testing.T) {
	h := newHarness(t, 16, nil)
	for i := range 3 {
		h.meter(key(i), 1, pktBytes, 0)
	}
	h.dp.FailHarvest(flowcachetest.ErrInjected, 1)
	h.step(16 * time.Second)
	st := h.eng.Stats()
	if st.HarvestErrors != 1 || st.Expired[flow.EndIdle] != 1 || len(h.rec.Records()) != 1 || st.Active != 2 {
		t.Fatalf("errors %d, idle %d, exported %d, active %d; want 1, 1, 1, 2",
			st.HarvestErrors, st.Expired[flow.EndIdle], len(h.rec.Records()), st.Active)
	}
	h.step(time.Second)
	if st := h.eng.Stats(); st.Expired[flow.EndIdle] != 3 || st.Active != 0 {
		t.Fatalf("next pass: idle %d, active %d; want 3, 0", st.Expired[flow.EndIdle], st.Active)
	}
}

func TestSetSinks(t *testing.T) {
	h := newHarness(t, 16, nil)
	other := &flowcachetest.Recorder{}
	h.eng.SetSinks(other)
	h.meter(key(0), 2, pktBytes, 0)
	if _, err := h.eng.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(h.rec.Records()) != 0 || other.Totals().Packets != 2 {
		t.Errorf("old sink %d records, new sink %+v", len(h.rec.Records()), other.Totals())
	}
	h.eng.SetSinks()
	h.meter(key(0), 1, pktBytes, 0)
	if n, err := h.eng.Flush(); err != nil || n != 1 {
		t.Errorf("Flush with no sinks = %d, %v", n, err)
	}
	if st := h.eng.Stats(); st.Expired[flow.EndForced] != 2 {
		t.Errorf("forced %d, want 2: statistics count records no sink took", st.Expired[flow.EndForced])
	}
}

func TestAggressiveAgingIsLogged(t *testing.T) {
	var buf syncbuf.Buffer
	h := newHarness(t, 10, func(c *flowcache.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&buf, nil))
		c.Emergency = flowcache.Emergency{Mode: flowcache.EmergencyAggressive}
	})
	for i := range 9 {
		h.meter(key(i), 1, pktBytes, 0)
	}
	h.step(time.Second)
	if !strings.Contains(buf.String(), "%EARL_NETFLOW-4-TCAM_THRLD: Netflow TCAM threshold exceeded, TCAM Utilization [90%]") {
		t.Errorf("log = %q", buf.String())
	}
}

// TestCacheFullIsLogged: new flows refused by a full cache (a flood) log
// %FLOW-4-CACHE_FULL on the next pass, at most once a minute however
// often the cache fills, and again once a minute has passed.
func TestCacheFullIsLogged(t *testing.T) {
	var buf syncbuf.Buffer
	h := newHarness(t, 10, func(c *flowcache.Config) { c.Logger = slog.New(slog.NewTextHandler(&buf, nil)) })
	const line = "%FLOW-4-CACHE_FULL: the flow cache is full (10 entries)"
	h.meter(key(0), 1, pktBytes, 0)
	h.step(time.Second)
	if strings.Contains(buf.String(), "CACHE_FULL") {
		t.Fatalf("logged with the cache not full: %q", buf.String())
	}
	for i := range 12 {
		h.meter(key(100+i), 1, pktBytes, 0)
	}
	waitLog := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); strings.Count(buf.String(), line) < n; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("want %d %q lines; log = %q", n, line, buf.String())
			}
			h.step(time.Second)
		}
	}
	waitLog(1)
	for range 5 {
		h.meter(key(200), 1, pktBytes, 0)
		h.step(time.Second)
	}
	if n := strings.Count(buf.String(), line); n != 1 {
		t.Errorf("%d lines within a minute, want 1: %q", n, buf.String())
	}
	h.clk.Advance(flowcache.CacheFullLogEvery)
	h.meter(key(300), 1, pktBytes, 0)
	waitLog(2)
}
