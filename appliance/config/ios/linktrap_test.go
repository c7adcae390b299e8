package ios

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/junos"
)

// TestLinkStatusTrapLine: `no snmp trap link-status` under an interface
// (IOS's default is on) is kept, rendered under the interface, turned back
// by `snmp trap link-status`, and goes through the JunOS rendering as
// `no-traps` and back.
func TestLinkStatusTrapLine(t *testing.T) {
	s := NewSession(config.Config{}, "console")
	for _, l := range []string{"interface eth1", " ip flow ingress", " no snmp trap link-status", " exit",
		"interface eth2", " no snmp trap link-status", " snmp trap link-status", " exit"} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
	}
	c := s.Config()
	if i, _ := c.Interface("eth1"); !i.NoLinkTrap {
		t.Errorf("eth1: no snmp trap link-status not kept")
	}
	if i, _ := c.Interface("eth2"); i.NoLinkTrap {
		t.Errorf("eth2: snmp trap link-status did not turn it back on")
	}
	text := Render(c)
	if !strings.Contains(text, "interface eth1\n ip flow ingress\n no snmp trap link-status\n") || strings.Count(text, "snmp trap link-status") != 1 {
		t.Errorf("rendering:\n%s", text)
	}
	back, err := Parse("running", []byte(text))
	if err != nil || !config.Equal(back, c) {
		t.Fatalf("round trip: %v\n%v", err, config.Diff(c, back))
	}
	set := junos.RenderSet(c)
	if !strings.Contains(set, "set interfaces eth1 no-traps\n") {
		t.Errorf("JunOS rendering has no no-traps:\n%s", set)
	}
	jback, err := junos.Parse("set", []byte(set))
	if err != nil {
		t.Fatal(err)
	}
	if i, _ := jback.Interface("eth1"); !i.NoLinkTrap {
		t.Errorf("JunOS no-traps did not parse back:\n%s", set)
	}
	for _, bad := range []string{" snmp trap", " snmp trap link-status extra"} {
		s := NewSession(c, "console")
		s.Exec("interface eth1")
		if err := s.Exec(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
