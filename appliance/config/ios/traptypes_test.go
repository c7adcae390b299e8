package ios

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestTrapTypesEntityAndFibre: `snmp-server enable traps entity` (IOS's
// type for entConfigChange, refused before as a notification flowtap did
// not have) and `snmp-server enable traps fibre` (flowtap's silent-fibre
// alarms) are taken, rendered and parsed back; `no` of one, after
// `snmp-server enable traps` turned every notification on, leaves every
// other type on.
func TestTrapTypesEntityAndFibre(t *testing.T) {
	s := NewSession(config.Config{}, "console")
	for _, l := range []string{"snmp-server enable traps entity", "snmp-server enable traps fibre"} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
	}
	c := s.Config()
	if tt := c.SNMP.TrapTypes; !tt.Entity || !tt.Fibre || c.SNMP.Traps {
		t.Fatalf("after the two lines: %+v (all: %v)", tt, c.SNMP.Traps)
	}
	text := Render(c)
	if !strings.Contains(text, "snmp-server enable traps entity\nsnmp-server enable traps fibre\n") {
		t.Errorf("rendering:\n%s", text)
	}
	back, err := Parse("running", []byte(text))
	if err != nil || !config.Equal(back, c) {
		t.Fatalf("round trip: %v\n%v", err, config.Diff(c, back))
	}

	s = NewSession(config.Config{}, "console")
	for _, l := range []string{"snmp-server enable traps", "no snmp-server enable traps fibre"} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
	}
	c = s.Config()
	want := config.TrapTypes{LinkDown: true, LinkUp: true, ColdStart: true, WarmStart: true, Config: true, Entity: true}
	if c.SNMP.Traps || c.SNMP.TrapTypes != want || !c.SNMP.AuthTraps {
		t.Errorf("all on, then no fibre: traps %v, types %+v, want %+v", c.SNMP.Traps, c.SNMP.TrapTypes, want)
	}
	if err := NewSession(c, "console").Exec("snmp-server enable traps entity-diag"); err == nil || !strings.Contains(err.Error(), "no entity-diag notifications") {
		t.Errorf("entity-diag: %v, want refused as a type flowtap has no notification for", err)
	}
}
