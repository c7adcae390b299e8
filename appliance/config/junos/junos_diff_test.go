package junos

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestRenderDiffActivationAndNotes: a container activated and a leaf
// deactivated are `!` lines, not a removal and an addition of the same
// statements; an annotation changed or removed is its comment line
// signed over the statement, which is not itself changed.
func TestRenderDiffActivationAndNotes(t *testing.T) {
	parse := func(text string) config.Config {
		t.Helper()
		c, err := Parse("t", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	old := parse(`set system host-name jtap
set interfaces eth1 unit 0 family inet sampling input
set forwarding-options sampling input rate 100
set forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055
set forwarding-options sampling family inet output flow-server 192.0.2.7 version 9
deactivate forwarding-options sampling family inet output flow-server 192.0.2.7
annotate interfaces eth1 "tap A"
`)
	new := parse(`set system host-name jtap
set interfaces eth1 unit 0 family inet sampling input
set forwarding-options sampling input rate 100
deactivate forwarding-options sampling input rate
set forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055
set forwarding-options sampling family inet output flow-server 192.0.2.7 version 9
annotate interfaces eth1 "tap B"
annotate forwarding-options sampling input rate "halved soon"
`)
	want := `[edit interfaces]
-   /* tap A */
+   /* tap B */
    eth1 { ... }
[edit forwarding-options sampling input]
+   /* halved soon */
!   inactive: rate 100;
[edit forwarding-options sampling family inet output]
!   active: flow-server 192.0.2.7 { ... }
`
	if got := RenderDiff(old, new); got != want {
		t.Errorf("RenderDiff:\n%s\nwant:\n%s", got, want)
	}
	back := `[edit interfaces]
-   /* tap B */
+   /* tap A */
    eth1 { ... }
[edit forwarding-options sampling input]
-   /* halved soon */
!   active: rate 100;
[edit forwarding-options sampling family inet output]
!   inactive: flow-server 192.0.2.7 { ... }
`
	if got := RenderDiff(new, old); got != back {
		t.Errorf("RenderDiff back:\n%s\nwant:\n%s", got, back)
	}
}
