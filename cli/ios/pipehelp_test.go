package ios

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestPipeHelp: `?` in a `| filter` stage lists the filters, completes a
// partial one and names a filter's argument, in exec mode and after do.
func TestPipeHelp(t *testing.T) {
	s := NewSessionWith(&fakeBackend{cfg: config.Config{Hostname: "tap1"}}, Options{Line: LineControl, Privilege: 15})
	for _, c := range []struct{ line, want string }{
		{"show running-config | ?", `  begin            Begin with the line that matches
  count            Count number of lines which match regexp
  exclude          Exclude lines that match
  include          Include lines that match
  json             Output in JSON format
  section          Filter a section of output
`},
		{"show running-config | e?", "exclude\n"},
		{"show running-config | include ?", "  LINE             Include lines that match\n"},
		{"show running-config | frob?", "% Unrecognized command\n"},
		{"show running-config ?", "  interface        Show interface configuration\n  |                Output modifiers\n  <cr>\n"},
	} {
		if got := s.Exec(c.line); got != c.want {
			t.Errorf("%s\n%q\nwant\n%q", c.line, got, c.want)
		}
	}
	s.Exec("configure terminal")
	if got, want := s.Exec("do show running-config | inc?"), "include\n"; got != want {
		t.Errorf("do ... | inc?: %q", got)
	}
}
