package junos

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
)

// TestSNMPViews: `set snmp view NAME oid OID include|exclude` and `set snmp
// community C view V` build the same views IOS's `snmp-server view` does,
// render back in braces and set form, and a view configured in IOS shows
// in JunOS's configuration. Before, JunOS had no view statement and its
// rendering left a community's view out, so `show configuration snmp`
// showed a restricted community as reading everything.
func TestSNMPViews(t *testing.T) {
	c, err := Parse("views", []byte(`set snmp view LIM oid .1 include
set snmp view LIM oid system exclude
set snmp view LIM oid 1.3.6.1.2.1.1.3 include
set snmp community public authorization read-only
set snmp community public view LIM
`))
	if err != nil {
		t.Fatal(err)
	}
	v, ok := c.SNMP.View("LIM")
	if !ok || len(v.Subtrees) != 3 || v.Subtrees[0].OID != "1" || !v.Subtrees[1].Excluded || v.Subtrees[1].OID != "system" {
		t.Fatalf("view %+v", v)
	}
	if cm := c.SNMP.Communities; len(cm) != 1 || cm[0].View != "LIM" || cm[0].RW {
		t.Fatalf("communities %+v", cm)
	}
	set := RenderSet(c)
	for _, l := range []string{
		"set snmp community public authorization read-only\n",
		"set snmp community public view LIM\n",
		"set snmp view LIM oid 1 include\n",
		"set snmp view LIM oid system exclude\n",
		"set snmp view LIM oid 1.3.6.1.2.1.1.3 include\n",
	} {
		if !strings.Contains(set, l) {
			t.Errorf("set form lacks %q:\n%s", l, set)
		}
	}
	back, err := Parse("back", []byte(set))
	if err != nil || !config.Equal(back, c) {
		t.Errorf("set form read back: %v %v", config.Diff(c, back), err)
	}
	if braces := Render(c); !strings.Contains(braces, "    view LIM {\n        oid 1 include;\n        oid system exclude;\n") {
		t.Errorf("braces:\n%s", braces)
	}
	// The same model through IOS: the views are one.
	if rc := ios.RunningConfig(c); !strings.Contains(rc, "snmp-server community public view LIM RO\n") ||
		!strings.Contains(rc, "snmp-server view LIM system excluded\n") {
		t.Errorf("IOS rendering:\n%s", rc)
	}

	s := NewSession(c, "t")
	for _, l := range []string{"delete snmp view LIM oid system", "delete snmp community public view"} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	got := s.Candidate()
	if v, _ := got.SNMP.View("LIM"); len(v.Subtrees) != 2 {
		t.Errorf("after delete ... oid system: %+v", v)
	}
	if got.SNMP.Communities[0].View != "" {
		t.Errorf("after delete ... view: %+v", got.SNMP.Communities[0])
	}
	if err := s.Exec("set snmp view LIM oid 1.3.x include"); err == nil {
		t.Error("a bad OID was accepted")
	}
}
