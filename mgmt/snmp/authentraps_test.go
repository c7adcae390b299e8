package snmp

import (
	"strings"
	"sync/atomic"
	"testing"
)

// authenSetter is the fake backend that also takes snmpEnableAuthenTraps
// and, as the daemon's configuration apply does, passes it to the agent.
type authenSetter struct {
	*fakeBackend
	agent atomic.Pointer[Agent]
}

func (s *authenSetter) SetAuthenTraps(on bool) error {
	return s.record("SetAuthenTraps", on, func() { s.agent.Load().SetAuthenTraps(on) })
}

// TestSnmpEnableAuthenTraps: snmpEnableAuthenTraps says whether
// authenticationFailure is sent (`snmp-server enable traps [snmp
// authentication]`), and a Set is that configuration line. It used to read
// disabled(2) whatever the configuration, so an NMS took a box that sent
// the notifications for one that did not.
func TestSnmpEnableAuthenTraps(t *testing.T) {
	const oid = ".1.3.6.1.2.1.11.30.0"
	s := &authenSetter{fakeBackend: newFakeBackend()}
	cfg := testConfig(s.fakeBackend)
	cfg.Setter, cfg.AuthenTraps = s, true
	a, v4, _ := startAgent(t, cfg)
	s.agent.Store(a)
	wantLines(t, get1(t, "-v2c", "-c", roCommunity, v4, oid), oid+" = INTEGER: 1")
	a.SetAuthenTraps(false) // the configuration line removed
	wantLines(t, get1(t, "-v2c", "-c", roCommunity, v4, oid), oid+" = INTEGER: 2")

	if _, stderr, err := setCmd(t, rwCommunity, v4, oid, "i", "1"); err != nil {
		t.Fatalf("set enabled(1): %v\n%s", err, stderr)
	}
	if !a.authenTraps.Load() {
		t.Error("enabled(1) did not turn authenticationFailure on")
	}
	wantLines(t, get1(t, "-v2c", "-c", roCommunity, v4, oid), oid+" = INTEGER: 1")
	for _, v := range []string{"0", "3"} {
		if _, stderr, err := setCmd(t, rwCommunity, v4, oid, "i", v); err == nil || !strings.Contains(stderr, "wrongValue") {
			t.Errorf("set %s: %v, want wrongValue\n%s", v, err, stderr)
		}
	}
	if _, stderr, err := setCmd(t, rwCommunity, v4, oid, "i", "2"); err != nil {
		t.Fatalf("set disabled(2): %v\n%s", err, stderr)
	}
	if got, want := strings.Join(s.Calls(), "\n"), "SetAuthenTraps true\nSetAuthenTraps false"; got != want {
		t.Errorf("setter calls:\n%s\nwant:\n%s", got, want)
	}
	if a.authenTraps.Load() {
		t.Error("disabled(2) did not turn authenticationFailure off")
	}
}
