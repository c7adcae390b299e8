package ios

import (
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestMLSNetflowInterfaceAndSampling: the Sup720 lines `mls netflow
// interface` (global) and `mls netflow sampling` (under an interface) are
// taken by the PFC personas: offered by `?`, shown in the running-config
// where IOS puts them, read back, removed with `no`; the router refuses
// both with the reason. Before, a pasted Sup720 config lost them to
// "% Invalid input".
func TestMLSNetflowInterfaceAndSampling(t *testing.T) {
	for _, p := range []string{"pfc2", "pfc3a", "pfc3b", "pfc3bxl", "pfc4", "pfc4xl"} {
		s := NewSession(config.Config{Platform: p}, "console")
		if got := s.Help("mls netflow "); !slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, "  interface") }) {
			t.Errorf("%s: mls netflow ? = %q, want interface", p, got)
		}
		for _, l := range []string{"mls flow ip interface-full", "mls sampling packet-based 64", "mls netflow interface", "interface eth1", "ip flow ingress"} {
			if err := s.Exec(l); err != nil {
				t.Fatalf("%s: %s: %v", p, l, err)
			}
		}
		if got := s.Help("mls netflow "); !slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, "  sampling") }) {
			t.Errorf("%s: interface mls netflow ? = %q, want sampling", p, got)
		}
		if err := s.Exec("mls netflow sampling"); err != nil {
			t.Fatalf("%s: mls netflow sampling: %v", p, err)
		}
		c := s.Config()
		if !c.MLSNetflowInterface || len(c.Interfaces) != 1 || !c.Interfaces[0].MLSSampling {
			t.Fatalf("%s: MLSNetflowInterface %v interfaces %+v", p, c.MLSNetflowInterface, c.Interfaces)
		}
		rc := RunningConfig(c)
		for _, want := range []string{"\nmls sampling packet-based 64\nmls netflow interface\n", "\ninterface eth1\n ip flow ingress\n mls netflow sampling\n"} {
			if !strings.Contains(rc, want) {
				t.Errorf("%s: running-config lacks %q:\n%s", p, want, rc)
			}
		}
		back, err := Parse("back", []byte(rc))
		if err != nil || !back.MLSNetflowInterface || !back.Interfaces[0].MLSSampling {
			t.Errorf("%s: read back %v %+v, %v", p, back.MLSNetflowInterface, back.Interfaces, err)
		}
		if again := RunningConfig(back); again != rc {
			t.Errorf("%s: second rendering differs:\n%s\nfrom\n%s", p, again, rc)
		}
		if err := s.Exec("no mls netflow sampling"); err != nil || s.Config().Interfaces[0].MLSSampling {
			t.Errorf("%s: no mls netflow sampling: %v %+v", p, err, s.Config().Interfaces)
		}
		if err := s.Exec("mls netflow sampling extra"); err == nil {
			t.Errorf("%s: mls netflow sampling extra was accepted", p)
		}
		for _, l := range []string{"exit", "no mls netflow interface"} {
			if err := s.Exec(l); err != nil {
				t.Fatalf("%s: %s: %v", p, l, err)
			}
		}
		c = s.Config()
		if c.MLSNetflowInterface || c.NetflowOff {
			t.Errorf("%s: after no mls netflow interface: MLSNetflowInterface %v NetflowOff %v", p, c.MLSNetflowInterface, c.NetflowOff)
		}
		if rc := RunningConfig(c); strings.Contains(rc, "mls netflow") {
			t.Errorf("%s: removed lines still show:\n%s", p, rc)
		}
	}
	s := NewSession(config.Config{}, "console")
	if err := s.Exec("mls netflow interface"); err == nil || !strings.Contains(err.Error(), "has no mls commands") {
		t.Errorf("router: mls netflow interface: %v, want the reason", err)
	}
	if err := s.Exec("interface eth1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Exec("mls netflow sampling"); err == nil || !strings.Contains(err.Error(), "has no mls commands") {
		t.Errorf("router: mls netflow sampling: %v, want the reason", err)
	}
	// A router config file carrying the line: reported with file:line.
	if _, err := Parse("r.cfg", []byte("interface eth1\n ip flow ingress\n mls netflow sampling\n")); err == nil || !strings.Contains(err.Error(), "r.cfg:3") {
		t.Errorf("router file: %v, want r.cfg:3", err)
	}
}
