package snmp

import (
	"errors"
	"strings"
	"testing"
)

// strictNames is the fake backend with a dry run that refuses, as the
// configuration model does, a host name or description with a blank.
type strictNames struct{ *fakeBackend }

func (s strictNames) DryRun() Setter { return strictDry(s) }

type strictDry struct{ *fakeBackend }

func (strictDry) SetSysName(v string) error {
	if strings.Contains(v, " ") {
		return errors.New(`hostname "` + v + `": letters, digits and hyphens only`)
	}
	return nil
}
func (strictDry) SetInterfaceDescription(_, d string) error {
	if strings.TrimSpace(d) != d {
		return errors.New("leading or trailing blanks")
	}
	return nil
}

// TestNetSNMPSetDryRun: a DisplayString the configuration would refuse is
// refused in the Set's test phase, with wrongValue and nothing changed,
// rather than failing its commit (commitFailed told the manager nothing
// about its value); what the model takes is set.
func TestNetSNMPSetDryRun(t *testing.T) {
	b := newFakeBackend()
	cfg := testConfig(b)
	cfg.Setter = strictNames{b}
	_, v4, _ := startAgent(t, cfg)
	for _, args := range [][]string{
		{".1.3.6.1.2.1.1.5.0", "s", "core router"},
		{".1.3.6.1.2.1.31.1.1.1.18.2", "s", " uplink "},
	} {
		if _, stderr, err := setCmd(t, rwCommunity, v4, args...); err == nil || !strings.Contains(stderr, "wrongValue") {
			t.Errorf("set %v: %v, want wrongValue\n%s", args, err, stderr)
		}
	}
	if calls := b.Calls(); len(calls) != 0 {
		t.Errorf("refused sets reached the configuration: %q", calls)
	}
	if _, stderr, err := setCmd(t, rwCommunity, v4, ".1.3.6.1.2.1.1.5.0", "s", "core-router", ".1.3.6.1.2.1.31.1.1.1.18.2", "s", "uplink"); err != nil {
		t.Fatalf("valid set: %v\n%s", err, stderr)
	}
	if got := strings.Join(b.Calls(), "\n"); !strings.Contains(got, "core-router") || !strings.Contains(got, "uplink") {
		t.Errorf("calls after the valid set: %q", got)
	}
}
