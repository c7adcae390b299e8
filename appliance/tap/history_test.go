package tap

import (
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

// TestHistoryKeepsTheMappingAFlowWasMeteredUnder: a record leaves with
// the mapping in force when its flow started, across a swap of the
// fibres, the tap removed and a port made a fibre; eras older than the
// horizon are dropped.
func TestHistoryKeepsTheMappingAFlowWasMeteredUnder(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	up := Link{Name: "uplink", IfIndex: 64001, FibreA: Port{Name: "eth1", Index: 3}, FibreB: Port{Name: "eth2", Index: 4}}
	swapped := Link{Name: "uplink", IfIndex: 64001, FibreA: Port{Name: "eth2", Index: 4}, FibreB: Port{Name: "eth1", Index: 3, Former: []uint32{9}}}
	withEth5 := Link{Name: "uplink", IfIndex: 64001, FibreA: Port{Name: "eth5", Index: 5}, FibreB: Port{Name: "eth1", Index: 3}}
	var h History
	h = h.Change(nil, []Link{up}, t0, time.Time{}) // the first tap: nothing cached was its
	h = h.Change([]Link{up}, []Link{swapped}, t0.Add(time.Second), time.Time{})
	h = h.Change([]Link{swapped}, nil, t0.Add(2*time.Second), time.Time{})
	h = h.Change(nil, []Link{withEth5}, t0.Add(3*time.Second), time.Time{})
	var m Meters
	a := NewAnnotator([]Link{withEth5}, &m)
	a.History = h
	for _, tc := range []struct {
		in      uint32
		at      time.Duration
		wantIn  uint32
		wantOut uint32
	}{
		{3, -time.Second, 3, 0},                // before the tap: eth1's own
		{3, 500 * time.Millisecond, 64001, 0},  // fibre a then
		{3, 1500 * time.Millisecond, 0, 64001}, // swapped: fibre b
		{4, 500 * time.Millisecond, 0, 64001},  // eth2 was fibre b
		{4, 1500 * time.Millisecond, 64001, 0}, // then fibre a
		{4, 2500 * time.Millisecond, 4, 0},     // the tap removed: eth2's own
		{4, 4 * time.Second, 4, 0},             // eth2 is no fibre now
		{9, 1500 * time.Millisecond, 0, 64001}, // eth1's former index
		{5, 2500 * time.Millisecond, 5, 0},     // eth5 before it was a fibre
		{5, 4 * time.Second, 64001, 0},         // eth5 now fibre a
		{3, 4 * time.Second, 0, 64001},         // eth1 fibre b again
	} {
		r := flow.Record{Packets: 1, Bytes: 40, Start: t0.Add(tc.at)}
		r.InputIf = tc.in
		a.Annotate(&r)
		if r.InputIf != tc.wantIn || r.OutputIf != tc.wantOut {
			t.Errorf("port %d, flow started at %v: in %d out %d, want %d %d", tc.in, tc.at, r.InputIf, r.OutputIf, tc.wantIn, tc.wantOut)
		}
	}
	if got := m.Port("eth2"); got.Flows != 2 {
		t.Errorf("eth2 counted %d flows as a fibre, want 2", got.Flows)
	}
	if n := h.Len(); n == 0 {
		t.Fatal("no eras")
	}
	if n := h.Change(nil, nil, t0.Add(time.Hour), t0.Add(time.Hour)).Len(); n != 0 {
		t.Errorf("%d eras past the horizon kept", n)
	}
}
