package junos

import (
	"errors"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestPatchAppliesCompare: what `show | compare` prints between two
// configurations, loaded as a patch onto the first, gives the second:
// statements removed and added, a container dropped, a statement
// deactivated, an annotation added to one that stays and a new one
// with its own. Applied a second time it no
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
annotate forwarding-options sampling family inet output flow-server 192.0.2.9 "new one"
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

// TestPatchRemovesAnnotatedStatement: a statement removed with its
// comment goes, comment and all, and a comment removed from one that
// stays is taken off it.
func TestPatchRemovesAnnotatedStatement(t *testing.T) {
	old, err := Parse("t", []byte(`set system host-name jtap
set forwarding-options sampling input rate 100
set forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055
set forwarding-options sampling family inet output flow-server 192.0.2.8 port 2055
annotate forwarding-options sampling family inet output flow-server 192.0.2.8 "going"
annotate forwarding-options sampling input rate "halved soon"
`))
	if err != nil {
		t.Fatal(err)
	}
	neu, err := Parse("t", []byte(`set system host-name jtap
set forwarding-options sampling input rate 100
set forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055
`))
	if err != nil {
		t.Fatal(err)
	}
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
}
