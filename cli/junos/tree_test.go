package junos

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
)

func newTestSession(t *testing.T) *Session {
	t.Helper()
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\nset forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055\n"))
	if err != nil {
		t.Fatal(err)
	}
	return NewSession(&fakeBackend{history: []config.Config{base}}, "ops")
}

func TestHelpTree(t *testing.T) {
	s := newTestSession(t)
	h := shell{s}
	for _, c := range []struct{ line, want string }{
		{"", `Possible completions:
  clear                Clear information in the system
  configure            Manipulate software configuration information
  exit                 Exit the management session
  quit                 Exit the management session
  show                 Show system information`},
		{"show services accounting ", `Possible completions:
  aggregation          Show aggregation information
  errors               Show error information
  flow                 Show flow information
  flow-detail          Show flow details
  status               Show status information`},
		{"show services accounting flow-detail limit 5 ", `Possible completions:
  detail               Display detailed output
  extensive            Display extensive output
  limit                Maximum number of flows to show
  order                Order of the flows
  terse                Display terse output
  <[Enter]>            Execute this command
  |                    Pipe through a command`},
		{"sh", `Possible completions:
  show                 Show system information`},
		{"show configuration | m", `Possible completions:
  match                Show only text that matches a pattern`},
		{"show frob ", "syntax error."},
	} {
		if got := strings.Join(h.Help(c.line), "\n"); got != c.want {
			t.Errorf("%q ?\n%s\nwant\n%s", c.line, got, c.want)
		}
	}
	if got := h.Complete("show serv"); got != "show services " {
		t.Errorf("Tab: %q", got)
	}
	s.Exec("configure")
	if got := strings.Join(h.Help("commit "), "\n"); got != `Possible completions:
  and-quit             Quit configuration mode if commit succeeds
  check                Check correctness of syntax; do not apply changes
  <[Enter]>            Execute this command
  |                    Pipe through a command` {
		t.Errorf("commit ?\n%s", got)
	}
}

func TestPipesAndErrors(t *testing.T) {
	s := newTestSession(t)
	for _, c := range []struct{ line, want string }{
		{`show configuration | display set | match "host-name|flow-server"`,
			"set system host-name jtap\nset forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055\n"},
		{`show configuration | display set | match "port|version" | count`, "Count: 1 lines\n"},
		{`show configuration | display set | last 1 | trim 4`, "forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055\n"},
		{`show services`, "show services\n              ^\nsyntax error, expecting <command>.\n"},
		{`show services accounting flow-detail limit x`, "show services accounting flow-detail limit x\n                                           ^\nsyntax error, expecting <command>.\n"},
		{`c`, "c\n^\n'c' is ambiguous.\n"},
		{`show configuration | frob`, "error: unknown pipe command \"frob\"\n"},
	} {
		if got := s.Exec(c.line); got != c.want {
			t.Errorf("%s:\n%q\nwant\n%q", c.line, got, c.want)
		}
	}
}
