package ios

import (
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestMLSNDEInterface: `mls nde interface`, the line Cisco's guides (and
// collectors' setup pages) give a Sup2/Sup720 to fill the next hop and
// output interface, is taken by the PFC personas: offered by `mls nde ?`,
// shown in the running-config, read back, removed with `no`; a router
// refuses it with the reason. Before, a pasted Sup720 config lost it to
// "% Invalid input".
func TestMLSNDEInterface(t *testing.T) {
	for _, p := range []string{"pfc2", "pfc3a", "pfc3b", "pfc3bxl", "pfc4", "pfc4xl"} {
		s := NewSession(config.Config{Platform: p}, "console")
		if got := s.Help("mls nde "); !slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, "  interface") }) {
			t.Errorf("%s: mls nde ? = %q, want interface", p, got)
		}
		for _, l := range []string{"mls flow ip interface-full", "mls nde sender version 5", "mls nde interface"} {
			if err := s.Exec(l); err != nil {
				t.Fatalf("%s: %s: %v", p, l, err)
			}
		}
		c := s.Config()
		if !c.NDEInterface || !c.NDE {
			t.Errorf("%s: NDEInterface %v NDE %v after mls nde interface", p, c.NDEInterface, c.NDE)
		}
		rc := RunningConfig(c)
		if !strings.Contains(rc, "\nmls nde sender version 5\nmls nde interface\n") {
			t.Errorf("%s: running-config lacks the lines:\n%s", p, rc)
		}
		back, err := Parse("back", []byte(rc))
		if err != nil || !back.NDEInterface {
			t.Errorf("%s: read back NDEInterface %v, %v", p, back.NDEInterface, err)
		}
		if again := RunningConfig(back); again != rc {
			t.Errorf("%s: second rendering differs:\n%s\nfrom\n%s", p, again, rc)
		}
		if err := s.Exec("no mls nde interface"); err != nil || s.Config().NDEInterface || !s.Config().NDE {
			t.Errorf("%s: no mls nde interface: %v NDEInterface %v NDE %v", p, err, s.Config().NDEInterface, s.Config().NDE)
		}
		if rc := RunningConfig(s.Config()); strings.Contains(rc, "nde interface") {
			t.Errorf("%s: removed line still shows:\n%s", p, rc)
		}
		if err := s.Exec("mls nde interface extra"); err == nil {
			t.Errorf("%s: mls nde interface extra was accepted", p)
		}
	}
	s := NewSession(config.Config{}, "console")
	if err := s.Exec("mls nde interface"); err == nil || !strings.Contains(err.Error(), "has no mls commands") {
		t.Errorf("router: mls nde interface: %v, want the reason", err)
	}
}
