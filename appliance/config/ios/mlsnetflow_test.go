package ios

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/platform"
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

// TestMLSNDEFlowFilter: `mls nde flow include|exclude` takes its fields
// in any order, each once, is shown in the running-config and read back,
// replaced by a new line of the same kind, removed with `no`; a bad mask
// or a repeated field is refused; the router refuses the line.
func TestMLSNDEFlowFilter(t *testing.T) {
	s := NewSession(config.Config{Platform: "pfc3bxl"}, "console")
	for _, l := range []string{
		"mls nde sender version 5",
		"mls nde flow include protocol tcp destination 192.0.2.7 255.255.255.0",
		"mls nde flow exclude dest-port 22",
		"mls nde flow exclude src-port 1024 source 10.1.0.0 255.255.0.0 dest-port 23",
	} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	c := s.Config()
	want := platform.NDEFilters{
		Include: platform.NDEFlowFilter{Destination: netip.MustParsePrefix("192.0.2.0/24"), Protocol: 6},
		Exclude: platform.NDEFlowFilter{Source: netip.MustParsePrefix("10.1.0.0/16"), DestPort: 23, SrcPort: 1024},
	}
	if c.NDEFilters != want {
		t.Fatalf("filters %+v, want %+v", c.NDEFilters, want)
	}
	rc := RunningConfig(c)
	lines := "\nmls nde sender version 5\nmls nde flow include destination 192.0.2.0 255.255.255.0 protocol tcp\nmls nde flow exclude source 10.1.0.0 255.255.0.0 dest-port 23 src-port 1024\n"
	if !strings.Contains(rc, lines) {
		t.Errorf("running-config lacks %q:\n%s", lines, rc)
	}
	back, err := Parse("back", []byte(rc))
	if err != nil || back.NDEFilters != want {
		t.Errorf("read back %+v, %v", back.NDEFilters, err)
	}
	for _, bad := range []string{
		"mls nde flow include destination 192.0.2.0 255.0.255.0",
		"mls nde flow include dest-port 80 dest-port 81",
		"mls nde flow include",
		"mls nde flow include protocol icmp",
		"mls nde flow include dest-port 0",
	} {
		if err := s.Exec(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
	if s.Config().NDEFilters != want {
		t.Errorf("a refused line changed the filters: %+v", s.Config().NDEFilters)
	}
	if got := s.Help("mls nde flow include dest-port 80 "); !slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, "  destination") }) ||
		slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, "  dest-port") }) {
		t.Errorf("help after dest-port: %q", got)
	}
	if got := s.Help("mls nde flow exclude source 10.0.0.0 "); len(got) != 1 || !strings.Contains(got[0], "Source mask") {
		t.Errorf("help for the source mask: %q", got)
	}
	if err := s.Exec("no mls nde flow include"); err != nil || s.Config().NDEFilters.Include.Set() || !s.Config().NDEFilters.Exclude.Set() {
		t.Errorf("no mls nde flow include: %v %+v", err, s.Config().NDEFilters)
	}
	if err := s.Exec("no mls nde flow exclude"); err != nil || s.Config().NDEFilters.Set() {
		t.Errorf("no mls nde flow exclude: %v %+v", err, s.Config().NDEFilters)
	}
	if rc := RunningConfig(s.Config()); strings.Contains(rc, "nde flow") {
		t.Errorf("removed filters still show:\n%s", rc)
	}
	r := NewSession(config.Config{}, "console")
	if err := r.Exec("mls nde flow include dest-port 80"); err == nil || !strings.Contains(err.Error(), "has no mls commands") {
		t.Errorf("router: %v, want the reason", err)
	}
}
