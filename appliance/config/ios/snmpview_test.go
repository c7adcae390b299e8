package ios

import (
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestSNMPViewLines: `snmp-server view NAME OID-TREE included|excluded`
// builds a view line by line (a name and its number are one subtree), a
// group takes `read V write V`, both read back from the running-config,
// and `no snmp-server view NAME [OID-TREE]` removes one subtree or the
// view. Bad trees are refused with the IOS marker.
func TestSNMPViewLines(t *testing.T) {
	text := "snmp-server view LIM iso included\n" +
		"snmp-server view LIM system excluded\n" +
		"snmp-server view LIM 1.3.6.1.2.1.1.3 included\n" +
		"snmp-server view LIM 1.3.6.1.2.1.1 excluded\n" + // same as system: replaces it
		"snmp-server view W 1.3.6.1.4.1.9.9.387 included\n" +
		"snmp-server group NMS v3 priv read LIM write W access 10\n" +
		"access-list 10 permit 192.0.2.1\n"
	c, err := Parse("views", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []config.SNMPView{
		{Name: "LIM", Subtrees: []config.ViewSubtree{{OID: "iso"}, {OID: "1.3.6.1.2.1.1", Excluded: true}, {OID: "1.3.6.1.2.1.1.3"}}},
		{Name: "W", Subtrees: []config.ViewSubtree{{OID: "1.3.6.1.4.1.9.9.387"}}},
	}
	if !slices.EqualFunc(c.SNMP.Views, want, func(a, b config.SNMPView) bool {
		return a.Name == b.Name && slices.Equal(a.Subtrees, b.Subtrees)
	}) {
		t.Errorf("views %+v, want %+v", c.SNMP.Views, want)
	}
	if g := c.SNMP.Groups; len(g) != 1 || g[0] != (config.SNMPGroup{Name: "NMS", Level: config.LevelPriv, Read: "LIM", Write: "W", ACL: "10"}) {
		t.Errorf("groups %+v", g)
	}
	got := RunningConfig(c)
	for _, line := range []string{
		"snmp-server view LIM iso included\nsnmp-server view LIM 1.3.6.1.2.1.1 excluded\nsnmp-server view LIM 1.3.6.1.2.1.1.3 included\n" +
			"snmp-server view W 1.3.6.1.4.1.9.9.387 included\n",
		"snmp-server group NMS v3 priv read LIM write W access 10\n",
	} {
		if !strings.Contains(got, line) {
			t.Errorf("running-config lacks\n%s in\n%s", line, got)
		}
	}
	back, err := Parse("back", []byte(got))
	if err != nil || !config.Equal(back, c) {
		t.Errorf("read back: %v, %v", config.Diff(c, back), err)
	}

	s := NewSession(c, "console")
	for _, line := range []string{"no snmp-server view LIM system", "no snmp-server view W"} {
		if err := s.Exec(line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	if v := s.Config().SNMP.Views; len(v) != 1 || v[0].Name != "LIM" || len(v[0].Subtrees) != 2 {
		t.Errorf("after the no lines: %+v", v)
	}
	if v, _ := c.SNMP.View("LIM"); len(v.Subtrees) != 3 {
		t.Errorf("the session changed the parsed config's view: %+v", v)
	}
	for _, bad := range []string{
		"snmp-server view LIM 1.3.x included",
		"snmp-server view LIM nosuchname included",
		"snmp-server view LIM iso",
		"snmp-server view LIM iso maybe",
		"snmp-server group G v3 priv read",
	} {
		err := s.Exec(bad)
		if err == nil || !strings.Contains(err.Error(), "% Invalid input detected at '^' marker.") && !strings.Contains(err.Error(), "% Incomplete command.") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestSNMPGroupHelp: `?` after a group's level offers every option it
// takes, access as well as the views.
func TestSNMPGroupHelp(t *testing.T) {
	c, err := Parse("none", []byte("hostname p\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := helpLabels(NewSession(c, "console").Help("snmp-server group G v3 priv "))
	want := []string{"  access", "  read", "  write", "  <cr>"}
	if !slices.Equal(got, want) {
		t.Errorf("help %q, want %q", got, want)
	}
}
