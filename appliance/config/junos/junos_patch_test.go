package junos

import (
	"errors"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestPatchAppliesCompare: what `show | compare` prints between two
// configurations, loaded as a patch onto the first, gives the second:
// statements removed and added, a container dropped, a statement
// deactivated and an annotation added. Applied a second time it no
// longer fits (its - lines are gone) and is refused.
func TestPatchAppliesCompare(t *testing.T) {
	parse := func(src string) config.Config {
		t.Helper()
		c, err := Parse("t", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	old := parse(`set system host-name jtap
set snmp contact noc
set forwarding-options sampling input rate 100
set forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055
set forwarding-options sampling family inet output flow-server 192.0.2.7 version 9
set forwarding-options sampling family inet output flow-server 192.0.2.8 port 2055
set forwarding-options sampling family inet output flow-server 192.0.2.8 version 5
`)
	neu := parse(`set system host-name jtap
set forwarding-options sampling input rate 1000
set forwarding-options sampling input max-packets-per-second 500
set forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055
set forwarding-options sampling family inet output flow-server 192.0.2.7 version 9
set forwarding-options sampling family inet output flow-server 192.0.2.8 port 2055
set forwarding-options sampling family inet output flow-server 192.0.2.8 version 5
set forwarding-options sampling family inet output flow-server 192.0.2.9 port 9995
set forwarding-options sampling family inet output flow-server 192.0.2.9 version 9
deactivate forwarding-options sampling family inet output flow-server 192.0.2.8
annotate forwarding-options sampling family inet output flow-server 192.0.2.7 "primary"
`)
	diff := RenderDiff(old, neu)
	s := NewSession(old, "patch")
	if err := s.Patch(diff); err != nil {
		t.Fatalf("patch:\n%s\n%v", diff, err)
	}
	got, err := s.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if d := RenderDiff(neu, got); d != "" {
		t.Errorf("the patch left a difference:\n%s\npatch:\n%s", d, diff)
	}
	var pe *PatchError
	if err := NewSession(got, "patch").Patch(diff); !errors.As(err, &pe) {
		t.Errorf("the patch applied twice: %v", err)
	}
}
