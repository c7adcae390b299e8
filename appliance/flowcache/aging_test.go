package flowcache_test

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/flowcache/flowcachetest"
)

const pktBytes = 100

type meterOp struct {
	key, n int
	flags  uint8
}

// action meters packets at the current time, then advances the clock by
// advance (one ager pass; none if 0), repeat times; then flushes if asked.
// want is exactly what the action exported.
type action struct {
	meter   []meterOp
	advance time.Duration
	repeat  int
	flush   bool
	want    []short
}

func TestAging(t *testing.T) {
	fin := uint8(flowcachetest.TCPFin)
	rst := uint8(flowcachetest.TCPRst)
	ios := flowcache.DefaultAging()
	tests := []struct {
		name       string
		aging      flowcache.Aging
		script     []action
		wantActive int
	}{
		{
			name:  "inactive timeout: idle for more than 15 s",
			aging: ios,
			script: []action{
				{meter: []meterOp{{0, 3, 0}}},
				{advance: time.Second, repeat: 15},
				{advance: time.Second, want: []short{{0, flow.EndIdle, 3, 300}}},
			},
		},
		{
			name:  "active timeout ends the flow; its next packet makes a new entry",
			aging: flowcache.Aging{Inactive: 15 * time.Second, Active: time.Minute},
			script: []action{
				{meter: []meterOp{{0, 1, 0}}, advance: 10 * time.Second, repeat: 6},
				{meter: []meterOp{{0, 1, 0}}, advance: 10 * time.Second, want: []short{{0, flow.EndActive, 7, 700}}},
				{meter: []meterOp{{0, 1, 0}}, advance: 10 * time.Second, repeat: 6},
				{meter: []meterOp{{0, 2, 0}}, advance: 10 * time.Second, want: []short{{0, flow.EndActive, 8, 800}}},
				// The new entry saw nothing since: there is none.
				{advance: 16 * time.Second},
			},
		},
		{
			name:  "active timeout, then idle: the tail is its own record",
			aging: flowcache.Aging{Inactive: 15 * time.Second, Active: time.Minute},
			script: []action{
				{meter: []meterOp{{0, 1, 0}}, advance: 10 * time.Second, repeat: 7, want: []short{{0, flow.EndActive, 7, 700}}},
				{meter: []meterOp{{0, 4, 0}}, advance: 10 * time.Second},
				{advance: 10 * time.Second, want: []short{{0, flow.EndIdle, 4, 400}}},
			},
		},
		{
			name:  "FIN ends the flow at the next pass, others stay",
			aging: ios,
			script: []action{
				{meter: []meterOp{{0, 2, 0}, {1, 2, 0}, {1, 1, fin}}, advance: time.Second,
					want: []short{{1, flow.EndOfFlow, 3, 300}}},
				{advance: 15 * time.Second, want: []short{{0, flow.EndIdle, 2, 200}}},
			},
		},
		{
			name:  "RST ends the flow too",
			aging: ios,
			script: []action{
				{meter: []meterOp{{4, 1, rst}}, advance: time.Second, want: []short{{4, flow.EndOfFlow, 1, 100}}},
			},
		},
		{
			name:  "end of flow wins over idle",
			aging: ios,
			script: []action{
				{meter: []meterOp{{0, 1, fin}, {1, 1, 0}}, advance: time.Minute,
					want: []short{{0, flow.EndOfFlow, 1, 100}, {1, flow.EndIdle, 1, 100}}},
			},
		},
		{
			name:  "fast aging: fewer than threshold packets within time",
			aging: flowcache.Aging{Inactive: 300 * time.Second, FastTime: 32 * time.Second, FastThreshold: 100},
			script: []action{
				{meter: []meterOp{{1, 149, 0}}},
				{meter: []meterOp{{0, 1, 0}, {1, 1, 0}}, advance: 10 * time.Second, repeat: 3},
				{meter: []meterOp{{0, 1, 0}, {1, 1, 0}}, advance: 10 * time.Second,
					want: []short{{0, flow.EndIdle, 4, 400}}},
				{flush: true, want: []short{{1, flow.EndForced, 153, 15300}}},
			},
		},
		{
			name:  "flush forces every flow out",
			aging: ios,
			script: []action{
				{meter: []meterOp{{0, 1, 0}, {1, 5, 0}, {2, 2, fin}}, flush: true,
					want: []short{{0, flow.EndForced, 1, 100}, {1, flow.EndForced, 5, 500}, {2, flow.EndForced, 2, 200}}},
				{advance: time.Hour},
			},
		},
		{
			name:  "zero timeouts never expire",
			aging: flowcache.Aging{},
			script: []action{
				{meter: []meterOp{{0, 1, 0}}, advance: 24 * time.Hour},
			},
			wantActive: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 64, func(c *flowcache.Config) { c.Aging = &tc.aging })
			for i, a := range tc.script {
				h.rec.Reset()
				for range max(a.repeat, 1) {
					for _, m := range a.meter {
						h.meter(key(m.key), m.n, pktBytes, m.flags)
					}
					if a.advance > 0 {
						h.step(a.advance)
					}
				}
				if a.flush {
					if _, err := h.eng.Flush(); err != nil {
						t.Fatalf("action %d: Flush: %v", i, err)
					}
				}
				if got := sorted(shorten(t, h.rec.Records())); !slices.Equal(got, sorted(a.want)) {
					t.Fatalf("action %d exported\n%+v\nwant\n%+v", i, got, a.want)
				}
			}
			if used, _, _ := h.dp.Usage(); used != tc.wantActive {
				t.Errorf("entries left = %d, want %d", used, tc.wantActive)
			}
		})
	}
}

func TestAgingChangesAtRunTime(t *testing.T) {
	h := newHarness(t, 16, nil)
	if got := h.eng.Aging(); got != flowcache.DefaultAging() {
		t.Fatalf("default aging = %+v, want IOS defaults", got)
	}
	h.meter(key(0), 1, pktBytes, 0)
	h.step(5 * time.Second)
	if err := h.eng.SetInactive(4 * time.Second); err != nil {
		t.Fatal(err)
	}
	h.step(time.Second)
	want := []short{{0, flow.EndIdle, 1, 100}}
	if got := shorten(t, h.rec.Records()); !slices.Equal(got, want) {
		t.Fatalf("after shortening inactive: %+v, want %+v", got, want)
	}

	h.rec.Reset()
	if err := h.eng.SetActive(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	h.meter(key(1), 1, pktBytes, 0)
	h.step(time.Second)
	h.meter(key(1), 1, pktBytes, 0)
	h.step(2 * time.Second)
	want = []short{{1, flow.EndActive, 2, 200}}
	if got := shorten(t, h.rec.Records()); !slices.Equal(got, want) {
		t.Fatalf("after shortening active: %+v, want %+v", got, want)
	}
	if err := h.eng.SetAging(flowcache.Aging{Inactive: -1}); err == nil {
		t.Error("SetAging accepted a negative timeout")
	}
	if err := h.eng.SetAging(flowcache.Aging{FastTime: time.Second}); err == nil {
		t.Error("SetAging accepted fast aging without a threshold")
	}
}

func TestEndOfFlowEventsAreBatched(t *testing.T) {
	h := newHarness(t, 256, nil)
	// More FINs than the event buffer holds: the overflow is dropped, as a
	// full ring buffer drops, and one pass still takes every ended flow.
	n := flowcachetest.EventBuffer + 36
	for i := range n {
		h.meter(key(i), 1, pktBytes, flowcachetest.TCPFin)
	}
	h.meter(key(n), 1, pktBytes, 0)
	h.step(time.Second)
	st := h.eng.Stats()
	if st.AgerPolls != 1 || st.Expired[flow.EndOfFlow] != uint64(n) || st.Active != 1 {
		t.Fatalf("after one pass: polls %d, end-of-flow %d, active %d; want 1, %d, 1",
			st.AgerPolls, st.Expired[flow.EndOfFlow], st.Active, n)
	}
}

func TestFakeDropsEventsWhenFull(t *testing.T) {
	dp := flowcachetest.NewDatapath(256)
	for i := range flowcachetest.EventBuffer + 36 {
		dp.Meter(flowcachetest.Packet{Key: key(i), Bytes: 1, TCPFlags: flowcachetest.TCPFin, Time: t0})
	}
	if got := dp.DroppedEvents(); got != 36 {
		t.Fatalf("dropped events = %d, want 36", got)
	}
}

func TestVerdict(t *testing.T) {
	now := t0.Add(time.Hour)
	first, last := now.Add(-40*time.Second), now.Add(-20*time.Second)
	tests := []struct {
		name       string
		req        flowcache.HarvestRequest
		packets    uint64
		ended      bool
		wantAction flowcache.Action
		wantReason flow.EndReason
	}{
		{"nothing asked", flowcache.HarvestRequest{}, 5, true, flowcache.Keep, 0},
		{"force", flowcache.HarvestRequest{Force: true, EndOfFlow: true}, 5, true, flowcache.Expire, flow.EndForced},
		{"end of flow", flowcache.HarvestRequest{EndOfFlow: true, IdleBefore: now}, 5, true, flowcache.Expire, flow.EndOfFlow},
		{"end of flow not asked", flowcache.HarvestRequest{}, 5, true, flowcache.Keep, 0},
		{"idle", flowcache.HarvestRequest{IdleBefore: last.Add(time.Millisecond)}, 5, false, flowcache.Expire, flow.EndIdle},
		{"idle boundary", flowcache.HarvestRequest{IdleBefore: last}, 5, false, flowcache.Keep, 0},
		{"idle emergency", flowcache.HarvestRequest{IdleBefore: now, Emergency: true}, 5, false, flowcache.Expire, flow.EndNoResource},
		{"fast below threshold", flowcache.HarvestRequest{FastBefore: now, FastThreshold: 6}, 5, false, flowcache.Expire, flow.EndIdle},
		{"fast at threshold", flowcache.HarvestRequest{FastBefore: now, FastThreshold: 5}, 5, false, flowcache.Keep, 0},
		{"fast too young", flowcache.HarvestRequest{FastBefore: first, FastThreshold: 100}, 5, false, flowcache.Keep, 0},
		{"fast emergency", flowcache.HarvestRequest{FastBefore: now, FastThreshold: 100, Emergency: true}, 5, false, flowcache.Expire, flow.EndNoResource},
		{"active", flowcache.HarvestRequest{ActiveBefore: now}, 5, false, flowcache.Expire, flow.EndActive},
		{"idle wins over active", flowcache.HarvestRequest{ActiveBefore: now, IdleBefore: now}, 5, false, flowcache.Expire, flow.EndIdle},
		{"husk, idle", flowcache.HarvestRequest{IdleBefore: now}, 0, false, flowcache.Discard, 0},
		{"husk, forced", flowcache.HarvestRequest{Force: true}, 0, false, flowcache.Discard, 0},
		{"husk, active", flowcache.HarvestRequest{ActiveBefore: now, FastBefore: now, FastThreshold: 9}, 0, false, flowcache.Keep, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, r := tc.req.Verdict(tc.packets, first, last, tc.ended)
			if a != tc.wantAction || r != tc.wantReason {
				t.Errorf("Verdict = %v, %v; want %v, %v", a, r, tc.wantAction, tc.wantReason)
			}
		})
	}
}

// sorted orders records by key and reason: the order within one pass is
// the datapath's business.
func sorted(s []short) []short {
	s = slices.Clone(s)
	slices.SortFunc(s, func(a, b short) int { return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Reason, b.Reason)) })
	return s
}
