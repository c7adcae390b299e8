package junos

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// pasted (testdata/pasted.conf) is a real-looking Junos inline-jflow
// configuration an operator pastes: groups with wildcards applied at the
// top and deeper, apply-groups-except, inactive statements and
// annotations.
func pasted(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile("testdata/pasted.conf")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestPastedGroups loads the pasted configuration and checks what commit
// applies: local statements over the groups, the first group listed over
// the next, wildcards over the interfaces the configuration has, the
// except list, inactive statements kept but not applied; and that each
// rendering (braces, set, inheritance) is JunOS's and reads back.
func TestPastedGroups(t *testing.T) {
	c, err := Parse("pasted", pasted(t))
	if err != nil {
		t.Fatal(err)
	}
	if c.Sampling.Rate != 1000 {
		t.Errorf("rate %d: the local statement must win over group lab's 10", c.Sampling.Rate)
	}
	var dests []string
	for _, d := range c.Export.Destinations {
		dests = append(dests, fmt.Sprintf("%s v%s", d.Addr, d.Version))
	}
	if got := strings.Join(dests, ","); got != "192.0.2.10:2055 v9,192.0.2.20:2055 v9" {
		t.Errorf("collectors %s: want the local one and group collectors' one, not the inactive 192.0.2.30", got)
	}
	var ifs []string
	for _, it := range c.Interfaces {
		ifs = append(ifs, fmt.Sprintf("%s:%v", it.Name, it.Ingress))
	}
	if got := strings.Join(ifs, ","); got != "eth1:true,eth2:true,lo:false" {
		t.Errorf("interfaces %s: want <eth*> sampling eth1 and eth2, lo excepted, eth3 inactive", got)
	}
	for name, got := range map[string]string{"braces": Render(c), "set": RenderSet(c), "inheritance": RenderInheritance(c)} {
		golden(t, "testdata/pasted."+name, got)
	}
	// Every rendering reads back to the same settings and text.
	for _, src := range []string{Render(c), SaveText(c)} {
		back, err := Parse("back", []byte(src))
		if err != nil {
			t.Fatalf("%v\n%s", err, src)
		}
		if d := config.Diff(c, back); len(d) != 0 {
			t.Errorf("read back differs: %v", d)
		}
	}
}

// golden compares got with the file, rewritten with -update.
func golden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n%s", file, got)
	}
}

var update = flag.Bool("update", false, "rewrite the golden files")
