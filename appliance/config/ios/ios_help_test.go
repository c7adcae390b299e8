package ios

import (
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

func TestIOSHelp(t *testing.T) {
	s := NewSession(config.Config{}, "console")
	for _, c := range []struct {
		line string
		want string // one of the lines Help prints
	}{
		{"ip flow-cache timeout ", "  active"},
		{"ip flow-cache timeout ", "  inactive"},
		{"ip flow-cache tim", "timeout"},
		{"ip flow-cache timeout active 5 ", "  <cr>"},
		{"frobnicate ", "% Unrecognized command"},
		// A complete line lists the optional words that may follow it
		// before <cr>, not <cr> alone.
		{"ip flow-export destination 192.0.2.1 2055 ", "  version\n  <cr>"},
		{"ip flow-export destination 192.0.2.1 2055 ", "  truncate"},
		{"ip flow-export destination 192.0.2.1 2055 version 9 ", "  source-address"},
		{"ip flow-export destination 192.0.2.1 2055 ver", "version"},
		{"ip flow-export version 9 ", "  origin-as"},
		{"ip flow-export version 9 ", "  bgp-nexthop"},
		{"username bob privilege 3 ", "  secret"},
		// Each version on a line of its own ("ipfix" came twice, once
		// inside "5|7|8|9|ipfix").
		{"ip flow-export version ", "  5\n  7\n  8\n  9\n  ipfix"},
	} {
		got := helpLabels(s.Help(c.line))
		if !strings.Contains(strings.Join(got, "\n"), c.want) {
			t.Errorf("Help(%q) = %q, want a line %q", c.line, got, c.want)
		}
	}
	if got := s.Help("ip flow-export destination 192.0.2.1 2055 version "); strings.Count(strings.Join(got, "\n"), "ipfix") != 1 {
		t.Errorf("version ? lists ipfix other than once: %q", got)
	}
	// IOS's order: values first, then keywords alphabetically, <cr> last
	// (the grammar offers them in the order it tries them).
	for line, want := range map[string][]string{
		"username bob ":               {"  nopassword", "  password", "  privilege", "  secret", "  ssh-key"},
		"username bob privilege 3 ":   {"  nopassword", "  password", "  privilege", "  secret", "  ssh-key", "  <cr>"},
		"":                            nil,
		"ip flow-export destination ": {"  Hostname or A.B.C.D or X:X:X:X::X"},
	} {
		got := helpLabels(s.Help(line))
		if line == "" {
			if !slices.IsSorted(got) {
				t.Errorf("? at the top is not in order: %q", got)
			}
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("Help(%q) = %q, want %q", line, got, want)
		}
	}
	if got := s.Config(); !config.Equal(got, config.Config{}) {
		t.Fatalf("Help changed the configuration: %+v", got)
	}
}

func TestIOSDefaultForm(t *testing.T) {
	s := NewSession(config.Config{}, "console")
	for _, l := range []string{"ip flow-cache timeout active 5", "interface eth1", " ip flow ingress", " default ip flow ingress", " exit", "default ip flow-cache timeout active"} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
	}
	c := s.Config()
	eth1, _ := c.Interface("eth1")
	if c.Cache.Active != 0 || eth1.Ingress {
		t.Fatalf("default did not restore: active %v, eth1 %+v", c.Cache.Active, eth1)
	}
}

// helpLabels keeps of each line of `?` its word, as "  word": what the
// tests of the grammar's order and offers look at (the descriptions
// have tests of their own).
func helpLabels(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if label, _, ok := strings.Cut(strings.TrimPrefix(l, "  "), "  "); ok && strings.HasPrefix(l, "  ") {
			l = "  " + label
		}
		out[i] = l
	}
	return out
}
