package ios

import (
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestMLSNDETCPFlags: `mls nde tcp-flags`, flowtap's extension that makes
// a PFC persona export the TCP flags it saw instead of the PFC's 0, is
// offered by `mls nde ?`, shows in the running-config, reads back and
// goes with `no`; a router refuses it with the reason.
func TestMLSNDETCPFlags(t *testing.T) {
	for _, p := range []string{"pfc2", "pfc3a", "pfc3b", "pfc3bxl", "pfc4", "pfc4xl"} {
		s := NewSession(config.Config{Platform: p}, "console")
		if got := s.Help("mls nde "); !slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, "  tcp-flags") }) {
			t.Errorf("%s: mls nde ? = %q, want tcp-flags", p, got)
		}
		if rc := RunningConfig(s.Config()); strings.Contains(rc, "tcp-flags") {
			t.Errorf("%s: the default shows in the running-config:\n%s", p, rc)
		}
		for _, l := range []string{"mls nde sender version 5", "mls nde tcp-flags"} {
			if err := s.Exec(l); err != nil {
				t.Fatalf("%s: %s: %v", p, l, err)
			}
		}
		c := s.Config()
		if !c.NDETCPFlags || !c.NDE {
			t.Errorf("%s: NDETCPFlags %v NDE %v after mls nde tcp-flags", p, c.NDETCPFlags, c.NDE)
		}
		rc := RunningConfig(c)
		if !strings.Contains(rc, "\nmls nde sender version 5\nmls nde tcp-flags\n") {
			t.Errorf("%s: running-config lacks the lines:\n%s", p, rc)
		}
		back, err := Parse("back", []byte(rc))
		if err != nil || !back.NDETCPFlags || !back.NDE {
			t.Errorf("%s: read back NDETCPFlags %v NDE %v, %v", p, back.NDETCPFlags, back.NDE, err)
		}
		if again := RunningConfig(back); again != rc {
			t.Errorf("%s: second rendering differs:\n%s\nfrom\n%s", p, again, rc)
		}
		if err := s.Exec("no mls nde tcp-flags"); err != nil || s.Config().NDETCPFlags || !s.Config().NDE {
			t.Errorf("%s: no mls nde tcp-flags: %v NDETCPFlags %v NDE %v", p, err, s.Config().NDETCPFlags, s.Config().NDE)
		}
		if rc := RunningConfig(s.Config()); strings.Contains(rc, "tcp-flags") {
			t.Errorf("%s: removed line still shows:\n%s", p, rc)
		}
		if err := s.Exec("mls nde tcp-flags extra"); err == nil {
			t.Errorf("%s: mls nde tcp-flags extra was accepted", p)
		}
	}
	s := NewSession(config.Config{}, "console")
	if err := s.Exec("mls nde tcp-flags"); err == nil || !strings.Contains(err.Error(), "has no mls commands") {
		t.Errorf("router: mls nde tcp-flags: %v, want the reason", err)
	}
}
