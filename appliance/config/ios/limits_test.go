package ios

import (
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestHelpReadsThePersona: the `?` ranges come from the persona and the
// aggregation limits in platform, not from the grammar. The router takes
// its active timeout in minutes 1-60; cflowd keeps 60-1800 s, which IOS
// words as 1-30 minutes.
func TestHelpReadsThePersona(t *testing.T) {
	for _, c := range []struct {
		platform, line, want string
	}{
		{"", "ip flow-cache timeout active ", "  <1-60>"},
		{"cflowd", "ip flow-cache timeout active ", "  <1-30>"},
		{"", "ip flow-cache timeout inactive ", "  <10-600>"},
		{"cflowd", "ip flow-cache timeout inactive ", "  <15-1800>"},
		{"pfc3bxl", "mls flow ip ", "  interface-full"},
	} {
		s := NewSession(config.Config{Platform: c.platform}, "console")
		if got := s.Help(c.line); !slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, c.want) }) {
			t.Errorf("%s: Help(%q) = %q, want a line starting %q", c.platform, c.line, got, c.want)
		}
	}
	s := NewSession(config.Config{}, "console")
	for _, l := range []string{"ip flow-aggregation cache as", " cache timeout active "} {
		if l[0] == ' ' {
			if got := s.Help(l); !slices.ContainsFunc(got, func(h string) bool { return strings.HasPrefix(h, "  <1-60>") }) {
				t.Errorf("Help(%q) = %q, want <1-60>", l, got)
			}
			continue
		}
		if err := s.Exec(l); err != nil {
			t.Fatal(err)
		}
	}
}
