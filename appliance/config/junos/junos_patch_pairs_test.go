package junos

import (
	"os"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestPatchBetweenExamples: for every pair of the example JunOS
// configurations (the shipped one, the pasted corpus as set lines and as
// brace text, a bare one), show | compare from one to the other, loaded
// as a patch onto the first, gives the second: what a commit's merge
// (cli/junos update) relies on. Before, a container the grammar does
// not delete whole (forwarding-options), a leaf with a quoted value, a
// level's apply-groups-except left behind by its container's delete and
// hunks checked against each other's changes refused or mangled it.
func TestPatchBetweenExamples(t *testing.T) {
	var cs []config.Config
	names := []string{"../../../configs/junos.set", "testdata/pasted.set", "testdata/pasted.braces"}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Parse(n, b)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		cs = append(cs, c)
	}
	base, err := Parse("b", []byte("set system host-name x\n"))
	if err != nil {
		t.Fatal(err)
	}
	cs = append(cs, base)
	for i, a := range cs {
		for j, b := range cs {
			diff := RenderDiff(a, b)
			s := NewSession(a, "p")
			if err := s.Patch(diff); err != nil {
				t.Errorf("%d->%d: %v\n%s", i, j, err, diff)
				continue
			}
			got, err := s.Commit()
			if err != nil {
				t.Errorf("%d->%d commit: %v", i, j, err)
				continue
			}
			if d := RenderDiff(b, got); d != "" {
				t.Errorf("%d->%d left:\n%s", i, j, d)
			}
		}
	}
}
