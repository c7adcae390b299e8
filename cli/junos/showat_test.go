package junos

import (
	"strings"
	"testing"
)

// TestShowHierarchy: configuration mode's `show STATEMENT` and `show`
// at an edit level print only that part of the candidate.
func TestShowHierarchy(t *testing.T) {
	s := newTestSession(t)
	s.Exec("configure")
	s.Exec("set forwarding-options sampling input rate 100")
	s.Exec("set interfaces eth1 unit 0 family inet sampling input")
	s.Exec("set interfaces eth10 description ten")
	for _, c := range []struct{ line, want string }{
		{"show forwarding-options sampling input", "rate 100;\n"},
		{"show forwarding-options sampling input rate", "rate 100;\n"},
		{"show forwarding-options sampling", `input {
    rate 100;
}
family inet {
    output {
        flow-server 192.0.2.7 {
            port 2055;
        }
    }
}
`},
		{"show forwarding-options sampling family", `inet {
    output {
        flow-server 192.0.2.7 {
            port 2055;
        }
    }
}
`},
		{"show interfaces eth1", `unit 0 {
    family inet {
        sampling {
            input;
        }
    }
}
`},
		{"show interfaces eth1 | display set", "set interfaces eth1 unit 0 family inet sampling input\n"},
		{"show snmp", ""},
		{"edit forwarding-options sampling", ""},
		{"show input", "rate 100;\n"},
		{"show | display set", "set forwarding-options sampling input rate 100\nset forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055\n"},
	} {
		if got := s.Exec(c.line); got != c.want {
			t.Errorf("%s:\n%s\nwant\n%s", c.line, got, c.want)
		}
	}
}

// TestShowConfigurationHierarchy: operational `show configuration
// STATEMENT` prints that part of the committed configuration, in braces
// or with `| display set`, as JunOS does; before, any word after
// `configuration` was a syntax error, so an operator could only page
// through the whole configuration.
func TestShowConfigurationHierarchy(t *testing.T) {
	s := newTestSession(t)
	s.Exec("configure")
	s.Exec("set forwarding-options sampling input rate 100")
	s.Exec("set interfaces eth1 unit 0 family inet sampling input")
	s.Exec("set interfaces eth10 description ten")
	if got := s.Exec("commit"); got != "commit complete\n" {
		t.Fatalf("commit: %q", got)
	}
	s.Exec("exit")
	for _, c := range []struct{ line, want string }{
		{"show configuration forwarding-options sampling input", "rate 100;\n"},
		{"show configuration interfaces eth1", "unit 0 {\n    family inet {\n        sampling {\n            input;\n        }\n    }\n}\n"},
		{"show configuration interfaces eth1 | display set", "set interfaces eth1 unit 0 family inet sampling input\n"},
		{"show configuration forwarding-options sampling | display set",
			"set forwarding-options sampling input rate 100\nset forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055\n"},
		{"show configuration snmp", ""},
	} {
		if got := s.Exec(c.line); got != c.want {
			t.Errorf("%s:\n%q\nwant\n%q", c.line, got, c.want)
		}
	}
	if got := s.Exec("show configuration"); !strings.Contains(got, "forwarding-options {\n") || !strings.Contains(got, "interfaces {\n") {
		t.Errorf("show configuration:\n%s", got)
	}
}
