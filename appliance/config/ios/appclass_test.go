package ios

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/junos"
)

// TestAppClassLines: the default is Internet2's and renders nothing; an
// edit starts from it, redefines in place, appends new classes last and
// removes by name; `none` empties the list; `no flowtap
// application-class` restores the default. Every state round-trips.
func TestAppClassLines(t *testing.T) {
	c, err := Parse("t", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := c.AppClassSet(); len(s.Rules) != 20 || s.Rules[0].Name != "udp" || s.Rules[19].Name != "port_40000-40030" {
		t.Fatalf("default set %+v", s)
	}
	if strings.Contains(RunningConfig(c), "application-class") {
		t.Error("the default is rendered")
	}
	c, err = Apply(c, "t", []byte("flowtap application-class https protocol tcp port 443 8443\n"+
		"flowtap application-class dns protocol udp port 53\n"+
		"no flowtap application-class xbox\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := c.AppClassSet()
	if len(s.Rules) != 20 || s.Rules[5].Name != "https" || len(s.Rules[5].Ports) != 2 || s.Rules[19].Name != "dns" {
		t.Fatalf("edited set %+v", s.Rules)
	}
	// dns comes after udp, so udp still takes port 53: first match wins.
	if got := s.Name(s.Classify(17, 53, 1)); got != "udp" {
		t.Errorf("udp/53 is %s", got)
	}
	out := RunningConfig(c)
	for _, want := range []string{
		"flowtap application-class none\nflowtap application-class udp protocol udp\n",
		"flowtap application-class https protocol tcp port 443 8443\n",
		"flowtap application-class port_20000-20030 protocol tcp port 20000-20030\n",
		"flowtap application-class dns protocol udp port 53\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("running-config lacks %q:\n%s", want, out)
		}
	}
	back, err := Parse("t", []byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if d := config.Diff(c, back); len(d) != 0 {
		t.Errorf("round trip changed %v", d)
	}
	c, _ = Apply(c, "t", []byte("flowtap application-class none\nflowtap application-class web protocol 6 port 80\n"))
	if s := c.AppClassSet(); len(s.Rules) != 1 || s.Rules[0].Name != "web" {
		t.Errorf("after none: %+v", s.Rules)
	}
	c, _ = Apply(c, "t", []byte("no flowtap application-class\n"))
	if c.AppClasses.Custom || len(c.AppClassSet().Rules) != 20 {
		t.Errorf("no flowtap application-class left %+v", c.AppClasses)
	}
	for _, bad := range []string{
		"flowtap application-class x protocol bogus",
		"flowtap application-class x protocol tcp port 90-80",
		"flowtap application-class x protocol tcp port",
		"flowtap application-class x",
	} {
		_, err := Parse("f", []byte(bad+"\n"))
		if err == nil || !strings.Contains(err.Error(), "f:1") {
			t.Errorf("%q: %v", bad, err)
		}
		t.Logf("%s\n%v", bad, err)
	}
}

// TestAppClassJunOS: the JunOS form (set lines and braces) builds the
// same list as the IOS lines, and each dialect renders what the other
// reads back.
func TestAppClassJunOS(t *testing.T) {
	iosText := "flowtap application-class none\n" +
		"flowtap application-class web protocol tcp port 80 8080\n" +
		"flowtap application-class dns protocol udp port 53\n" +
		"flowtap application-class high protocol tcp port 40000-40030\n"
	want, err := Parse("ios", []byte(iosText))
	if err != nil {
		t.Fatal(err)
	}
	set := "set flowtap application-class none\n" +
		"set flowtap application-class web protocol tcp\n" +
		"set flowtap application-class web port 80\n" +
		"set flowtap application-class web port 8080\n" +
		"set flowtap application-class dns protocol udp\n" +
		"set flowtap application-class dns port 53\n" +
		"set flowtap application-class high protocol tcp\n" +
		"set flowtap application-class high port 40000-40030\n"
	got, err := junos.Apply(config.Config{}, "set", []byte(set))
	if err != nil {
		t.Fatal(err)
	}
	if d := config.Diff(want, got); len(d) != 0 {
		t.Errorf("JunOS set lines differ from IOS: %v", d)
	}
	braces := junos.Render(got)
	if !strings.Contains(braces, "application-class web {") {
		t.Errorf("brace text:\n%s", braces)
	}
	back, err := junos.Apply(config.Config{}, "braces", []byte(braces))
	if err != nil {
		t.Fatalf("%v\n%s", err, braces)
	}
	if d := config.Diff(want, back); len(d) != 0 {
		t.Errorf("brace round trip: %v\n%s", d, braces)
	}
	if d := config.Diff(want, mustParse(t, RunningConfig(back))); len(d) != 0 {
		t.Errorf("JunOS to IOS: %v", d)
	}
	del, err := junos.Apply(got, "del", []byte("delete flowtap application-class web port 8080\ndelete flowtap application-class dns\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s := del.AppClassSet(); len(s.Rules) != 2 || len(s.Rules[0].Ports) != 1 || s.Rules[1].Name != "high" {
		t.Errorf("after delete: %+v", s.Rules)
	}
	del, _ = junos.Apply(del, "del", []byte("delete flowtap application-class\n"))
	if del.AppClasses.Custom {
		t.Error("delete flowtap application-class kept the custom list")
	}
}

func mustParse(t *testing.T, s string) config.Config {
	t.Helper()
	c, err := Parse("t", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
