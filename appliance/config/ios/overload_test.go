package ios

import (
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/junos"
)

// TestOverloadProtectionLine: `ip flow-cache overload-protection` with its
// options in any order reads back from the running-config, the JunOS
// statements say the same, `no` removes it, `?` lists the options left,
// and bad values are refused.
func TestOverloadProtectionLine(t *testing.T) {
	c, err := Parse("o", []byte("ip flow-cache overload-protection interval 2 threshold 5 max-rate 256 budget 400\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Overload{Enabled: true, Threshold: 5, MaxRate: 256, Interval: 2 * time.Second, Budget: 400 * time.Nanosecond}
	if c.Cache.Overload != want {
		t.Fatalf("parsed %+v, want %+v", c.Cache.Overload, want)
	}
	got := RunningConfig(c)
	if !strings.Contains(got, "\nip flow-cache overload-protection threshold 5 max-rate 256 interval 2 budget 400\n") {
		t.Errorf("running-config lacks the line:\n%s", got)
	}
	back, err := Parse("back", []byte(got))
	if err != nil || back.Cache.Overload != want {
		t.Errorf("read back: %+v, %v", back.Cache.Overload, err)
	}
	set := junos.RenderSet(c)
	for _, l := range []string{
		"set forwarding-options sampling overload-protection threshold 5",
		"set forwarding-options sampling overload-protection max-rate 256",
		"set forwarding-options sampling overload-protection interval 2",
		"set forwarding-options sampling overload-protection budget 400",
	} {
		if !strings.Contains(set, l+"\n") {
			t.Errorf("JunOS set lacks %q:\n%s", l, set)
		}
	}
	j, err := junos.Parse("j", []byte(set))
	if err != nil || j.Cache.Overload != want {
		t.Errorf("JunOS round trip: %+v, %v", j.Cache.Overload, err)
	}
	jb, err := junos.Parse("jb", []byte(junos.Render(c)))
	if err != nil || jb.Cache.Overload != want {
		t.Errorf("JunOS braces round trip: %+v, %v\n%s", jb.Cache.Overload, err, junos.Render(c))
	}

	// Defaults are left out; the bare statement in JunOS.
	c, err = Parse("d", []byte("ip flow-cache overload-protection\n"))
	if err != nil || c.Cache.Overload != (config.Overload{Enabled: true}) || !strings.Contains(RunningConfig(c), "\nip flow-cache overload-protection\n") {
		t.Errorf("defaults: %+v %v\n%s", c.Cache.Overload, err, RunningConfig(c))
	}
	if set := junos.RenderSet(c); !strings.Contains(set, "set forwarding-options sampling overload-protection\n") {
		t.Errorf("JunOS set of the defaults:\n%s", set)
	}
	j, err = junos.Parse("j", []byte("set forwarding-options sampling overload-protection\ndelete forwarding-options sampling overload-protection\n"))
	if err != nil || j.Cache.Overload != (config.Overload{}) {
		t.Errorf("JunOS delete: %+v %v", j.Cache.Overload, err)
	}

	s := NewSession(c, "console")
	if h := strings.Join(helpLabels(s.Help("ip flow-cache ")), ","); h != "  entries,  mpls,  overload-protection,  timeout" {
		t.Errorf("help for ip flow-cache: %q", h)
	}
	if h := strings.Join(helpLabels(s.Help("ip flow-cache overload-protection max-rate ")), ","); h != "  <2-65535>" {
		t.Errorf("help for max-rate: %q", h)
	}
	if err := s.Exec("no ip flow-cache overload-protection"); err != nil {
		t.Fatal(err)
	}
	if o := s.Config().Cache.Overload; o != (config.Overload{}) {
		t.Errorf("after no: %+v", o)
	}
	for _, bad := range []string{
		"ip flow-cache overload-protection threshold 0",
		"ip flow-cache overload-protection threshold 101",
		"ip flow-cache overload-protection max-rate 1",
		"ip flow-cache overload-protection interval 0",
		"ip flow-cache overload-protection threshold 5 threshold 6",
		"ip flow-cache overload-protection extra",
	} {
		if _, err := Parse("bad", []byte(bad+"\n")); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}
