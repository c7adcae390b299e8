package junos

import (
	"flag"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

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
		dests = append(dests, fmt.Sprintf("%s %s %s", d.Addr, d.Version, d.Template))
	}
	if got := strings.Join(dests, ","); got != "192.0.2.10:4739 ipfix ipv4,192.0.2.20:4739 ipfix ipv4" {
		t.Errorf("collectors %s: want the local one and group ipfix-collectors' one, not the inactive 192.0.2.30", got)
	}
	// The inline J-Flow parts fold as without groups: the template's
	// timeouts are the cache's, its refresh the exporter's.
	if c.Cache.Active != 60*time.Second || c.Cache.Inactive != 30*time.Second || c.Resend().TemplateEvery != 60*time.Second ||
		c.Export.ServicesSource.String() != "192.0.2.1" || !c.JFlow.Inline || c.JFlow.Instance != "jflow" || len(c.JFlow.FPCs) != 1 {
		t.Errorf("inline J-Flow: cache %v/%v, template refresh %v, source %v inline %v instance %q fpcs %+v",
			c.Cache.Active, c.Cache.Inactive, c.Resend().TemplateEvery, c.Export.ServicesSource, c.JFlow.Inline, c.JFlow.Instance, c.JFlow.FPCs)
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

// TestGroupPriority: the first group listed wins over the next, a
// deeper level's groups over the top's, local statements over every
// group; a group no level applies gives nothing; an undefined group and
// apply-groups-except at the top are refused.
func TestGroupPriority(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		rate      uint32
		err       string
	}{
		{"first listed wins", "set groups a forwarding-options sampling input rate 10\nset groups b forwarding-options sampling input rate 20\nset apply-groups [ a b ]\n", 10, ""},
		{"order of the list", "set groups a forwarding-options sampling input rate 10\nset groups b forwarding-options sampling input rate 20\nset apply-groups [ b a ]\n", 20, ""},
		{"deeper level wins", "set groups a forwarding-options sampling input rate 10\nset groups b forwarding-options sampling input rate 20\nset apply-groups a\nset forwarding-options sampling apply-groups b\n", 20, ""},
		{"local wins", "set groups a forwarding-options sampling input rate 10\nset apply-groups a\nset forwarding-options sampling input rate 30\n", 30, ""},
		{"not applied", "set groups a forwarding-options sampling input rate 10\n", 0, ""},
		{"excepted below", "set groups a forwarding-options sampling input rate 10\nset apply-groups a\nset forwarding-options sampling apply-groups-except a\n", 0, ""},
		{"inactive group statement", "set groups a forwarding-options sampling input rate 10\nset apply-groups a\ndeactivate groups a forwarding-options\n", 0, ""},
		{"inactive apply-groups", "set groups a forwarding-options sampling input rate 10\nset apply-groups a\ndeactivate apply-groups\n", 0, ""},
		{"undefined group", "set apply-groups nosuch\n", 0, "group 'nosuch' is not defined"},
		{"except at the top", "set groups a system host-name x\nset apply-groups-except a\n", 0, "syntax error"},
	} {
		c, err := Parse(tc.name, []byte(tc.src))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if c.Sampling.Rate != tc.rate {
			t.Errorf("%s: rate %d, want %d", tc.name, c.Sampling.Rate, tc.rate)
		}
	}
}

// TestActivateKeepsText: deactivate then activate gives back the same
// candidate, and a deactivated container takes its annotations along.
func TestActivateKeepsText(t *testing.T) {
	c, err := Parse("pasted", pasted(t))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(c, "terminal")
	for _, l := range []string{"deactivate forwarding-options sampling", "activate forwarding-options sampling", "activate interfaces eth3",
		`annotate groups lab "lab rate"`, "deactivate groups lab", "activate groups lab"} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	got, err := s.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(got.Interfaces, func(it config.Interface) bool { return it.Name == "eth3" && it.Ingress }) {
		t.Errorf("eth3 active again takes the <eth*> group's sampling: %+v", got.Interfaces)
	}
	if got.Sampling.Rate != 1000 || len(got.JunOS.Notes) != 4 {
		t.Errorf("after deactivate/activate: rate %d, notes %+v", got.Sampling.Rate, got.JunOS.Notes)
	}
	if err := s.Exec("delete forwarding-options sampling instance jflow family inet output flow-server 192.0.2.30"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(SaveText(s.Candidate()), "192.0.2.30") {
		t.Errorf("delete left the inactive server or its note:\n%s", SaveText(s.Candidate()))
	}
}

// TestOverrideDropsText: load override's base has none of the JunOS
// text and none of what the groups gave, so the loaded text is the
// whole JunOS part.
func TestOverrideDropsText(t *testing.T) {
	c, err := Parse("pasted", pasted(t))
	if err != nil {
		t.Fatal(err)
	}
	base := OverrideBase(c)
	if !reflect.DeepEqual(base.JunOS, config.JunOSText{}) || len(base.Export.Destinations) != 0 || len(base.Interfaces) != 0 {
		t.Errorf("override base keeps %+v, destinations %+v, interfaces %+v", base.JunOS, base.Export.Destinations, base.Interfaces)
	}
	s := NewSession(base, "terminal")
	if errs := s.Load("set forwarding-options sampling input rate 5\n"); len(errs) > 0 {
		t.Fatal(errs)
	}
	got, err := s.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if got.Sampling.Rate != 5 || len(got.Export.Destinations) != 0 {
		t.Errorf("after override: rate %d, destinations %+v", got.Sampling.Rate, got.Export.Destinations)
	}
}

// TestWildcardReachesGroupNames: a wildcard in one group reaches an
// interface only another group gives (as on Junos, where the groups'
// statements are part of the configuration the wildcard is matched
// against), and a name a wildcard gives feeds the next wildcard; the
// inheritance view names each statement's own group.
func TestWildcardReachesGroupNames(t *testing.T) {
	c, err := Parse("wild", []byte(`set system host-name wtap
set interfaces eth1 description local
set groups ports interfaces eth3 description "from ports"
set groups jflow interfaces <eth*> unit 0 family inet sampling input
set groups traps interfaces <*> unit 0 family inet sampling output
set apply-groups [ ports jflow traps ]
`))
	if err != nil {
		t.Fatal(err)
	}
	var ifs []string
	for _, it := range c.Interfaces {
		ifs = append(ifs, fmt.Sprintf("%s:%v:%v:%q", it.Name, it.Ingress, it.Egress, it.Description))
	}
	if got, want := strings.Join(ifs, ","), `eth1:true:true:"local",eth3:true:true:"from ports"`; got != want {
		t.Errorf("interfaces %s, want %s", got, want)
	}
	inh := RenderInheritanceAt(c, []string{"interfaces", "eth3"})
	for _, want := range []string{"## 'from ports' was inherited from group 'ports'", "## 'input' was inherited from group 'jflow'", "## 'output' was inherited from group 'traps'"} {
		if !strings.Contains(inh, want) {
			t.Errorf("display inheritance lacks %q:\n%s", want, inh)
		}
	}
}
