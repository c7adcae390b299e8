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
