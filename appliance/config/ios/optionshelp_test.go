package ios

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// Under `ip flow-export template options` the rates are the options',
// not the data templates' as the help said.
func TestTemplateOptionsHelp(t *testing.T) {
	s := NewSession(config.Config{}, "console")
	got := strings.Join(s.Help("ip flow-export template options "), "\n")
	for _, want := range []string{"refresh-rate  Option's refresh rate (in packets)", "timeout-rate  Option's timeout rate (in minutes)"} {
		if !strings.Contains(got, want) {
			t.Errorf("ip flow-export template options ?:\n%s\nwant a line %q", got, want)
		}
	}
	if got := strings.Join(s.Help("ip flow-export template "), "\n"); !strings.Contains(got, "refresh-rate  Template refresh rate (in packets)") {
		t.Errorf("ip flow-export template ?:\n%s", got)
	}
}
