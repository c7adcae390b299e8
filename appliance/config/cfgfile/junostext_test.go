package cfgfile

import (
	"os"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/junos"
)

// TestSaveKeepsJunOSText: a pasted Junos configuration with groups,
// wildcards, inactive statements and annotations saves and loads back
// to the same model, its JunOS text (what commit does not apply, and
// what the groups gave) included.
func TestSaveKeepsJunOSText(t *testing.T) {
	src, err := os.ReadFile("../junos/testdata/pasted.conf")
	if err != nil {
		t.Fatal(err)
	}
	c, err := junos.Parse("pasted", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.JunOS.Groups) == 0 || len(c.JunOS.Inactive) == 0 || len(c.JunOS.Notes) == 0 || len(c.JunOS.Inherited) == 0 {
		t.Fatalf("the pasted configuration lacks some JunOS text: %+v", c.JunOS)
	}
	got := saveLoad(t, c)
	if d := config.Diff(c, got); len(d) > 0 {
		t.Errorf("save/load changed the model: %v\n%s", d, SaveText(c))
	}
	if junos.Render(got) != junos.Render(c) {
		t.Errorf("renders differently after save/load:\n%s", junos.Render(got))
	}
	if s := SaveText(c); !strings.Contains(s, "flowtap junos annotate ") {
		t.Errorf("annotations not saved:\n%s", s)
	}
}
