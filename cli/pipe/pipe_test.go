package pipe

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

const text = `interface eth1
 description a|b
 ip flow ingress
interface eth2
 ip flow egress
hostname tap
`

func run(t *testing.T, sx Syntax, line string) string {
	t.Helper()
	p, err := sx.Parse(line)
	if err != nil {
		return "ERR " + err.Error() + "\n"
	}
	var b strings.Builder
	p.Apply(&b, text)
	return b.String()
}

func TestIOS(t *testing.T) {
	for _, c := range []struct{ line, cmd, want string }{
		{"show run", "show run", text},
		{"show run | include eth", "show run", "interface eth1\ninterface eth2\n"},
		{"show run | inc eth1|host", "show run", "interface eth1\nhostname tap\n"}, // IOS: the rest of the line is the regexp
		{"show run | ex ip flow", "show run", "interface eth1\n description a|b\ninterface eth2\nhostname tap\n"},
		{"show run | begin eth2", "show run", "interface eth2\n ip flow egress\nhostname tap\n"},
		{"show run | section eth1", "show run", "interface eth1\n description a|b\n ip flow ingress\n"},
		{"show run | count interface", "show run", "Number of lines which match regexp = 2\n"},
		{"show run | count", "show run", "Number of lines which match regexp = 6\n"},
		// IOS's `_`: a space, comma, brace, parenthesis or either end.
		{"show run | include _flow_", "show run", " ip flow ingress\n ip flow egress\n"},
		{"show run | include _tap", "show run", "hostname tap\n"},
		{"show run | include ^ ip_", "show run", " ip flow ingress\n ip flow egress\n"},
		{"show run | include eth_", "show run", ""},
		{"show run | include ^hostname_tap$", "show run", "hostname tap\n"},
		{"show run | include ^ ip flow [ie]", "show run", " ip flow ingress\n ip flow egress\n"},
		{"show run | include [_]", "show run", ""},
		{"show run | count ^interface eth[0-9]+$", "show run", "Number of lines which match regexp = 2\n"},
		{"show run | frobnicate x", "", "ERR % Invalid input detected at '^' marker.\n"},
		{"show run | e x", "show run", text}, // a verb by its unique prefix
		{"show run | include", "", "ERR % Incomplete command.\n"},
		{"show run | include (", "", "ERR % Invalid regular expression \"(\"\n"},
	} {
		if got := run(t, IOS(), c.line); got != c.want {
			t.Errorf("%q:\n%q\nwant\n%q", c.line, got, c.want)
		}
		if p, err := IOS().Parse(c.line); err == nil && p.Cmd != c.cmd {
			t.Errorf("%q: command %q, want %q", c.line, p.Cmd, c.cmd)
		}
	}
}

func TestJunOS(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{`show configuration | match "eth1|host"`, "interface eth1\nhostname tap\n"},
		{`show configuration | match "a\|b"`, " description a|b\n"},
		{`show configuration | match eth1|host`, "ERR error: unknown pipe command \"host\"\n"},
		{`show configuration | match "eth|host" | except eth2`, "interface eth1\nhostname tap\n"},
		{`show configuration | find eth2 | count`, "Count: 3 lines\n"},
		{`show configuration | last 2`, " ip flow egress\nhostname tap\n"},
		{`show configuration | last x`, "ERR error: last wants a number of lines\n"},
		{`show configuration | trim 10`, "eth1\non a|b\nngress\neth2\ngress\nap\n"},
		{`show configuration | display set | no-more`, text},
		{`show configuration | frob`, "ERR error: unknown pipe command \"frob\"\n"},
		{`show configuration | match (`, "ERR error: invalid regular expression \"(\"\n"},
		// Without a pattern: JunOS's error, not every line (an empty
		// pattern matches them all, and except then hid them all).
		{`show configuration | match`, "ERR syntax error, expecting <pattern>.\n"},
		{`show configuration | except`, "ERR syntax error, expecting <pattern>.\n"},
		{`show configuration | find | count`, "ERR syntax error, expecting <pattern>.\n"},
	} {
		if got := run(t, JunOS(), c.line); got != c.want {
			t.Errorf("%q:\n%q\nwant\n%q", c.line, got, c.want)
		}
	}
	p, err := JunOS().Parse(`show | compare rollback 1 | display set`)
	if err != nil {
		t.Fatal(err)
	}
	if st, ok := p.Find("compare"); !ok || st.Arg != "rollback 1" || !p.Has("display set") || p.Has("display xml") || p.Cmd != "show" {
		t.Errorf("stages %+v", p)
	}
}

func TestCompletions(t *testing.T) {
	for _, c := range []struct {
		sx          Syntax
		line        string
		want        []Item
		partial, ok bool
	}{
		{JunOS(), "show configuration", nil, false, false},
		{JunOS(), `show configuration | match "x|y" | l`, []Item{{"last", "Display end of output only"}}, true, true},
		{JunOS(), "show configuration | trim ", []Item{{"<columns>", "Trim specified number of columns from start of line"}}, false, true},
		{JunOS(), "show configuration | count ", nil, false, true},
		{IOS(), "show run | include a|", nil, false, true}, // IOS: one stage, the rest is its regexp
		{IOS(), "show run | s", []Item{{"section", "Filter a section of output"}}, true, true},
	} {
		got, partial, ok := c.sx.Completions(c.line)
		if !reflect.DeepEqual(got, c.want) || partial != c.partial || ok != c.ok {
			t.Errorf("%q: %v %v %v", c.line, got, partial, ok)
		}
	}
}

// TestIOSUnderscore: IOS's _ is a delimiter, and an underscore still
// matches itself, as the log's mnemonics need.
func TestIOSUnderscore(t *testing.T) {
	for _, c := range []struct {
		expr, line string
		match      bool
	}{
		{"LOGIN_FAILED", "*Dec  6: %SEC_LOGIN-4-LOGIN_FAILED: Login failed", true},
		{"_80_", "tcp 10.0.0.1:80 (est)", false},
		{"_80_", "permit tcp any any eq 80", true},
		{"_80_", "(80)", true},
		{"_80_", "8080", false},
		{`a\_b`, "a b", false},
		{`a\_b`, "a_b", true},
	} {
		re, err := regexp.Compile(iosRegexp(c.expr))
		if err != nil || re.MatchString(c.line) != c.match {
			t.Errorf("%q on %q: %v, want %v (%v)", c.expr, c.line, !c.match, c.match, err)
		}
	}
}
