package junos

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
)

// TestFlowDetailFilters: each filter keeps exactly the flows it names,
// in the terse screen and in JSON alike, and limit counts what passed.
func TestFlowDetailFilters(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(tableBackend{acctBackend{&fakeBackend{history: []config.Config{base}}}}, "ops")
	// The flows: 10.0.0.1 tcp 443 (30 pk), 10.0.0.2 tcp 443 (12 pk),
	// 10.0.0.3 udp 53 (50 pk), all to 192.0.2.1.
	sources := func(out string) string {
		var got []string
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) == 7 && f[0] != "Protocol" {
				got = append(got, f[1])
			}
		}
		return strings.Join(got, " ")
	}
	for _, c := range []struct{ opts, want string }{
		{"", "10.0.0.3 10.0.0.1 10.0.0.2"},
		{"source-prefix 10.0.0.0/31", "10.0.0.1"},
		{"source-prefix 10.0.0.2", "10.0.0.2"},
		{"destination-prefix 192.0.2.0/24 protocol tcp", "10.0.0.1 10.0.0.2"},
		{"destination-prefix 198.51.100.0/24", ""},
		{"protocol 17", "10.0.0.3"},
		{"destination-port https", "10.0.0.1 10.0.0.2"},
		{"destination-port 50-60", "10.0.0.3"},
		{"source-port 1-65535", ""},
		{"protocol tcp limit 1", "10.0.0.1"},
		{"protocol tcp order bytes limit 1", "10.0.0.1"},
		{"limit 1 protocol tcp", "10.0.0.1"},
	} {
		out := s.Exec("show services accounting flow-detail terse " + c.opts)
		if got := sources(out); got != c.want {
			t.Errorf("flow-detail %s: %q, want %q\n%s", c.opts, got, c.want, out)
		}
		js := s.Exec("show services accounting flow-detail " + c.opts + " | display json")
		if n := strings.Count(js, "\"source_address\""); n != len(strings.Fields(c.want)) {
			t.Errorf("flow-detail %s | display json: %d flows, want %d", c.opts, n, len(strings.Fields(c.want)))
		}
	}
	for line, want := range map[string]string{
		"show services accounting flow-detail source-prefix 10.0.0.300": "show services accounting flow-detail source-prefix 10.0.0.300\n                                                   ^\nsyntax error, expecting <command>.\n",
		"show services accounting flow-detail protocol":                 "show services accounting flow-detail protocol\n                                              ^\nsyntax error, expecting <protocol>.\n",
	} {
		if got := s.Exec(line); got != want {
			t.Errorf("%s:\n%q\nwant\n%q", line, got, want)
		}
	}
}
