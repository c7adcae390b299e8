package snmp

import (
	"net/netip"
	"testing"
	"time"
)

// sessionsProvider is the fake backend with an IPFIX reading the test
// sets, to add and remove destinations between readings.
type sessionsProvider struct {
	*fakeBackend
	st IPFIXState
}

func (p *sessionsProvider) IPFIX() (IPFIXState, error) { return p.st, nil }

// TestIPFIXSessionIndexForgetsRemovedDestinations: a destination removed
// from the configuration leaves the session index (before, one entry per
// destination ever configured stayed, and its rate sample with it); the
// sessions still configured keep their index, and a removed one's index
// is not given to another session.
func TestIPFIXSessionIndexForgetsRemovedDestinations(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 12, 6, 19, 0, 0, 0, time.UTC))
	p := &sessionsProvider{fakeBackend: newFakeBackend()}
	m := &ipfixMIB{p: p, uptime: func(time.Time) uint32 { return 0 }, now: clock.now,
		sessions: map[string]uint32{}, rates: map[uint32]rateSample{}}
	sess := func(keys ...string) {
		p.st.Sessions = nil
		for i, k := range keys {
			p.st.Sessions = append(p.st.Sessions, IPFIXSession{Key: k, Version: 10, Protocol: 17,
				Collector: netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)}), 2055)})
		}
	}
	read := func(keys ...string) map[string]uint32 {
		t.Helper()
		sess(keys...)
		clock.add(time.Second) // past stateTTL: a fresh reading
		st, idx, err := m.state()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]uint32{}
		for i, s := range st.Sessions {
			got[s.Key] = idx[i]
			m.rate(idx[i], 1000)
		}
		return got
	}
	check := func(got map[string]uint32, want map[string]uint32) {
		t.Helper()
		for k, n := range want {
			if got[k] != n {
				t.Errorf("session %s index %d, want %d (all: %v)", k, got[k], n, got)
			}
		}
		if len(m.sessions) != len(want) || len(m.rates) != len(want) {
			t.Errorf("remembered %d sessions and %d rate samples, want %d: %v", len(m.sessions), len(m.rates), len(want), m.sessions)
		}
	}
	check(read("a", "b"), map[string]uint32{"a": 1, "b": 2})
	check(read("b", "c"), map[string]uint32{"b": 2, "c": 3})
	check(read("c"), map[string]uint32{"c": 3})
	// a configured again is a new session: a new index, not 1 or 2.
	check(read("a", "c"), map[string]uint32{"a": 4, "c": 3})
	for range 100 {
		read("c", "x")
		read("c", "y")
	}
	if len(m.sessions) != 2 || len(m.rates) != 2 {
		t.Errorf("after 200 changes: %d sessions, %d rate samples remembered, want 2", len(m.sessions), len(m.rates))
	}
}
