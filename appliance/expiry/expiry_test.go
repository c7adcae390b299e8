package expiry

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/flow"
)

// The husk cases: flowcache's TestVerdict covers the rest through its
// wrapper, which reports no reason for Discard.
func TestDecideHusk(t *testing.T) {
	tests := []struct {
		name   string
		p      Pass
		e      Entry
		action Action
		reason flow.EndReason
	}{
		{"forced", Pass{Force: true}, Entry{}, Discard, flow.EndForced},
		{"idle", Pass{}, Entry{IdlePast: true}, Discard, flow.EndIdle},
		{"idle emergency", Pass{Emergency: true}, Entry{IdlePast: true}, Discard, flow.EndNoResource},
		{"FIN before the split", Pass{EndOfFlow: true}, Entry{Ended: true}, Keep, 0},
		{"old, no packet since", Pass{FastThreshold: 5}, Entry{FastPast: true, ActivePast: true}, Keep, 0},
		{"one packet since", Pass{FastThreshold: 5}, Entry{Packets: 1, FastPast: true, ActivePast: true}, Expire, flow.EndIdle},
	}
	for _, tc := range tests {
		if a, r := tc.p.Decide(tc.e); a != tc.action || r != tc.reason {
			t.Errorf("%s: Decide = %v, %v; want %v, %v", tc.name, a, r, tc.action, tc.reason)
		}
	}
}

// After an absence the stamps cannot date (Stale) nothing is kept: what
// is certain keeps its reason, the rest leaves as EndActive, whole.
func TestDecideStale(t *testing.T) {
	tests := []struct {
		name   string
		p      Pass
		e      Entry
		action Action
		reason flow.EndReason
	}{
		{"certainly idle", Pass{Stale: true}, Entry{Packets: 3, IdlePast: true, ActivePast: true}, Expire, flow.EndIdle},
		{"ended", Pass{Stale: true, EndOfFlow: true}, Entry{Packets: 3, Ended: true}, Expire, flow.EndOfFlow},
		{"fast aged", Pass{Stale: true, FastThreshold: 5}, Entry{Packets: 3, FastPast: true}, Expire, flow.EndIdle},
		{"looks young", Pass{Stale: true}, Entry{Packets: 3}, Expire, flow.EndActive},
		{"active, not restarted", Pass{Stale: true}, Entry{Packets: 3, ActivePast: true}, Expire, flow.EndActive},
		{"forced", Pass{Stale: true, Force: true}, Entry{Packets: 3}, Expire, flow.EndForced},
		{"husk", Pass{Stale: true}, Entry{}, Discard, flow.EndActive},
		{"husk, idle", Pass{Stale: true}, Entry{IdlePast: true}, Discard, flow.EndIdle},
		{"not stale keeps", Pass{}, Entry{Packets: 3}, Keep, 0},
	}
	for _, tc := range tests {
		if a, r := tc.p.Decide(tc.e); a != tc.action || r != tc.reason {
			t.Errorf("%s: Decide = %v, %v; want %v, %v", tc.name, a, r, tc.action, tc.reason)
		}
	}
}
