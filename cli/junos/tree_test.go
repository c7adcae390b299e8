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
  set                  Set CLI properties
  show                 Show system information`},
		{"show services accounting ", `Possible completions:
  aggregation          Show aggregation information
  errors               Show error information
  flow                 Show flow information
  flow-detail          Show flow details
  memory               Show memory information
  status               Show status information
  usage                Show usage information`},
		{"show services accounting flow-detail limit 5 ", `Possible completions:
  destination-port     Show flows to a destination port
  destination-prefix   Show flows to a destination prefix
  detail               Display detailed output
  extensive            Display extensive output
  input-interface      Show flows received on an interface
  limit                Maximum number of flows to show
  order                Order of the flows
  protocol             Show flows of a protocol
  source-port          Show flows from a source port
  source-prefix        Show flows from a source prefix
  terse                Display terse output
  <[Enter]>            Execute this command
  |                    Pipe through a command`},
		{"sh", `Possible completions:
  show                 Show system information`},
		{"show configuration | m", `Possible completions:
  match                Show only text that matches a pattern`},
		{"show frob ", "syntax error."},
		{"show services accounting aggregation ", `Possible completions:
  as                   Show autonomous system aggregation
  destination-prefix   Show destination prefix aggregation
  protocol-port        Show protocol and port aggregation
  source-destination-prefix Show source and destination prefix aggregation
  source-prefix        Show source prefix aggregation
  <[Enter]>            Execute this command
  |                    Pipe through a command`},
		{"show forwarding-options ", `Possible completions:
  sampling             Show the samplers and their counters`},
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
  comment              Message to write to commit log
  confirmed            Automatically rollback if not confirmed
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

// TestConfigurationHelp is `?` after set, delete and edit: the grammar's
// statements with their descriptions, at the edit level too.
func TestConfigurationHelp(t *testing.T) {
	s := newTestSession(t)
	h := shell{s}
	s.Exec("configure")
	for _, c := range []struct{ line, want string }{
		{"set forwarding-options sampling ", `Possible completions:
  apply-groups         Groups from which to inherit configuration data
  apply-groups-except  Don't inherit configuration data from these groups
  family               Protocol family
  input                Setting for packet sampling
  instance             Sampling instance (flowtap takes one)
  output               Setting for sampling output
  overload-protection  Sample fewer flows while the meter is overloaded (flowtap)`},
		{"set forwarding-options sampling input rate ", `Possible completions:
  <rate>               Ratio of packets to be sampled (1..4294967295)`},
		{"set firewall family inet filter F term T from ", `Possible completions:
  apply-groups         Groups from which to inherit configuration data
  apply-groups-except  Don't inherit configuration data from these groups
  destination-address  Match IP destination address
  destination-port     Match TCP/UDP destination port
  protocol             Match IP protocol type
  source-address       Match IP source address
  source-port          Match TCP/UDP source port
  tcp-established      Match packet of an established TCP connection
  tcp-initial          Match initial packet of a TCP connection`},
		{"set firewall family inet filter F term T then s", `Possible completions:
  sample               Sample the packet`},
		{"set interfaces eth0 ", `Possible completions:
  apply-groups         Groups from which to inherit configuration data
  apply-groups-except  Don't inherit configuration data from these groups
  description          Text description of interface
  disable              Disable this interface
  no-traps             Don't enable SNMP notifications on state changes
  traps                Enable SNMP notifications on state changes
  unit                 Logical interface
  <[Enter]>            Execute this command
  |                    Pipe through a command`},
		{"annotate forwarding-options sampling ", `Possible completions:
  <comment>            Comment text, in double quotes ("" removes the comment)
  family               Protocol family
  input                Setting for packet sampling
  instance             Sampling instance (flowtap takes one)
  output               Setting for sampling output
  overload-protection  Sample fewer flows while the meter is overloaded (flowtap)`},
		{"set groups jflow interfaces <eth*> ", `Possible completions:
  description          Text description of interface
  disable              Disable this interface
  no-traps             Don't enable SNMP notifications on state changes
  traps                Enable SNMP notifications on state changes
  unit                 Logical interface
  <[Enter]>            Execute this command
  |                    Pipe through a command`},
		{"delete forwarding-options sampling input ", `Possible completions:
  family               Protocol family
  max-packets-per-second Threshold of packets per second to be sampled
  rate                 Ratio of packets to be sampled (1 out of N)
  run-length           Number of samples after initial trigger
  <[Enter]>            Execute this command
  |                    Pipe through a command`},
		{"show forwarding-options sampling ", `Possible completions:
  apply-groups         Groups from which to inherit configuration data
  apply-groups-except  Don't inherit configuration data from these groups
  family               Protocol family
  input                Setting for packet sampling
  instance             Sampling instance (flowtap takes one)
  output               Setting for sampling output
  overload-protection  Sample fewer flows while the meter is overloaded (flowtap)
  <[Enter]>            Execute this command
  |                    Pipe through a command`},
		{"set forwarding-options frob ", "syntax error."},
		{"set services frob ", "syntax error."},
		{"set services flow-monitoring ", `Possible completions:
  apply-groups         Groups from which to inherit configuration data
  apply-groups-except  Don't inherit configuration data from these groups
  version-ipfix        Define IPFIX flow monitoring templates
  version9             Define version 9 flow monitoring templates`},
	} {
		if got := strings.Join(h.Help(c.line), "\n"); got != c.want {
			t.Errorf("%q ?\n%s\nwant\n%s", c.line, got, c.want)
		}
	}
	// At an edit level the statements are the level's.
	s.Exec("edit forwarding-options sampling output")
	want := `Possible completions:
  apply-groups         Groups from which to inherit configuration data
  apply-groups-except  Don't inherit configuration data from these groups
  cflowd               Configure sending traffic aggregates in cflowd format (JunOS 8 form)
  flow-active-timeout  Interval after which an active flow is exported
  flow-inactive-timeout Interval of inactivity that marks a flow inactive
  flow-server          Configure sending traffic aggregates in cflowd format
  inline-jflow         Inline processing of sampled packets
  interface            Interfaces used to send monitored information`
	if got := strings.Join(h.Help("set "), "\n"); got != want {
		t.Errorf("[edit ... output] set ?\n%s\nwant\n%s", got, want)
	}
	for line, want := range map[string]string{
		"set flow-server 192.0.2.7 b":  "set flow-server 192.0.2.7 biflow ",
		"set flow-server 192.0.2.7 v":  "set flow-server 192.0.2.7 v",
		"set flow-server 192.0.2.7 ":   "set flow-server 192.0.2.7 ",
		"set flow-ser":                 "set flow-server ",
		"set flow-":                    "set flow-",
		"set flow-server 192.0.2.7 x":  "set flow-server 192.0.2.7 x",
		"set flow-server 192.0.2.7 po": "set flow-server 192.0.2.7 port ",
	} {
		if got := h.Complete(line); got != want {
			t.Errorf("Tab after %q: %q, want %q", line, got, want)
		}
	}
	if got := strings.Join(h.Help("set flow-server 192.0.2.7 v"), "\n"); got != "Possible completions:\n  version              Format of exported cflowd aggregates\n"+
		"  version-ipfix        Export in IPFIX with a flow-monitoring template\n  version9             Export in version 9 with a flow-monitoring template" {
		t.Errorf("set flow-server A v?\n%s", got)
	}
}

// TestSyntaxErrorForms: JunOS names what a line lacks, and an unknown
// command word is "unknown command.".
func TestSyntaxErrorForms(t *testing.T) {
	s := newTestSession(t)
	for _, c := range []struct{ line, want string }{
		{"frob", "frob\n^\nunknown command.\n"},
		{"show frob", "show frob\n     ^\nsyntax error, expecting <command>.\n"},
		{"show firewall filter", "show firewall filter\n                     ^\nsyntax error, expecting <filter-name>.\n"},
		{"configure", "Entering configuration mode\n\n"},
		{"set", "set\n    ^\nsyntax error, expecting <statement>.\n"},
		{"frob", "frob\n^\nunknown command.\n"},
		{"set forwarding-options sampling", "set forwarding-options sampling\n                                ^\nsyntax error, expecting <statement>.\n"},
		{"set forwarding-options sampling input rate", "set forwarding-options sampling input rate\n                                           ^\nsyntax error, expecting <number>.\n"},
	} {
		if got := s.Exec(c.line); got != c.want {
			t.Errorf("%s:\n%q\nwant\n%q", c.line, got, c.want)
		}
	}
}
