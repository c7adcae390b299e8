package junos

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// samples are values the walk tries where the grammar wants a value; the
// first the parser takes there leads on.
var samples = []string{"5", "10", "eth0", "sp-0/0/0", "192.0.2.1", "10.0.0.0/8", "tcp", "22", "web", "cflowd"}

// TestHelpDescribesEveryStatement walks the whole grammar through Help,
// from `set`: every word the parser offers anywhere has its description,
// so the table and the parser cannot drift apart.
func TestHelpDescribesEveryStatement(t *testing.T) {
	s := NewSession(config.Config{Platform: DefaultPlatform}, "terminal")
	seen := map[string]bool{}
	words := 0
	var walk func(line string, depth int)
	walk = func(line string, depth int) {
		if depth > 16 {
			return
		}
		items, _, err := s.Help(line)
		if err != nil {
			t.Fatalf("Help(%q): %v", line, err)
		}
		f := strings.Fields(line)
		last := strings.Join(f[max(len(f)-2, 0):], " ")
		for _, it := range items {
			if it.Help == "" {
				t.Errorf("Help(%q): %s has no description", line, it.Label)
			}
			key := last + "|" + it.Label
			if strings.HasPrefix(it.Label, "<") {
				// The same value after the same two words may lead on
				// to different statements (a flow-server's template
				// name, a flow-monitoring template's): one more word.
				key = strings.Join(f[max(len(f)-3, 0):], " ") + "|" + it.Label
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			words++
			if !strings.HasPrefix(it.Label, "<") {
				walk(line+it.Label+" ", depth+1)
				continue
			}
			for _, v := range samples {
				if _, _, err := s.Help(line + v + " "); err == nil {
					walk(line+v+" ", depth+1)
					break
				}
			}
		}
	}
	walk("set ", 0)
	// activate, deactivate and annotate take any statement; a group
	// holds any statement.
	walk("deactivate ", 0)
	walk("activate ", 0)
	walk("annotate ", 0)
	walk("set groups ", 0)
	walk("set interfaces eth1 apply-groups-except ", 0)
	// Every statement of the grammar was reached (a floor: the walk
	// must not stop at the top level).
	if words < 120 {
		t.Errorf("the walk reached %d words only", words)
	}
	for _, w := range []string{"rate", "flow-server", "tcp-initial", "fibre-b", "overload-protection", "biflow", "ipfix", "version-ipfix", "option-refresh-rate", "inline-jflow", "sampling-instance", "ipv6-template", "syslog", "facility-override", "notice", "local0", "encrypted-password", "super-user", "ssh", "groups", "<group-name>", "apply-groups", "apply-groups-except", "<comment>"} {
		found := false
		for k := range seen {
			if strings.HasSuffix(k, "|"+w) {
				found = true
			}
		}
		if !found {
			t.Errorf("the walk never reached %s", w)
		}
	}
}

// TestHelpAgreesWithRender: every word of every rendered statement of
// the example configuration is one `?` offers at that point, described.
func TestHelpAgreesWithRender(t *testing.T) {
	src, err := os.ReadFile("../../../configs/junos.set")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("junos.set", src)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(config.Config{Platform: DefaultPlatform}, "terminal")
	for _, l := range strings.Split(strings.TrimSpace(RenderSet(c)), "\n") {
		ws, err := splitJunOS(l)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(ws); i++ {
			prefix := l[:ws[i].Col]
			items, _, err := s.Help(prefix)
			if err != nil {
				t.Fatalf("Help(%q): %v", prefix, err)
			}
			ok := false
			for _, it := range items {
				if it.Help != "" && (it.Label == ws[i].Text || strings.HasPrefix(it.Label, "<")) {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%q: `?` after %q does not offer %q: %v", l, prefix, ws[i].Text, items)
			}
		}
	}
}

// TestHelpAgreesWithGroups: every word of the pasted configuration's
// set lines (groups, wildcards, apply-groups at the top and deeper) is
// one `?` offers there, described.
func TestHelpAgreesWithGroups(t *testing.T) {
	c, err := Parse("pasted", pasted(t))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(config.Config{Platform: DefaultPlatform}, "terminal")
	for _, l := range strings.Split(strings.TrimSpace(RenderSet(c)), "\n") {
		if strings.HasPrefix(l, "deactivate ") {
			continue
		}
		ws, err := splitJunOS(l)
		if err != nil {
			t.Fatal(err)
		}
		inList := false
		for i := 1; i < len(ws); i++ {
			if inList || ws[i].Text == "[" {
				inList = true
				continue // a list's brackets and names
			}
			prefix := l[:ws[i].Col]
			items, _, err := s.Help(prefix)
			if err != nil {
				t.Fatalf("Help(%q): %v", prefix, err)
			}
			ok := false
			for _, it := range items {
				if it.Help != "" && (it.Label == ws[i].Text || strings.HasPrefix(it.Label, "<")) {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%q: `?` after %q does not offer %q: %v", l, prefix, ws[i].Text, items)
			}
		}
	}
}

func TestHelpScreens(t *testing.T) {
	s := NewSession(config.Config{Platform: DefaultPlatform}, "terminal")
	for _, tc := range []struct {
		line     string
		want     []string
		complete bool
	}{
		{"set forwarding-options sampling ", []string{"apply-groups", "apply-groups-except", "family", "input", "instance", "output", "overload-protection"}, false},
		{"set forwarding-options sampling input rate ", []string{"<rate>"}, false},
		{"set forwarding-options sampling input o", nil, false},
		{"set forwarding-options sampling input rate 1", []string{"<rate>"}, false},
		{"set interfaces e", []string{"<interface-name>"}, false},
		{"set firewall family inet filter F term T from ", []string{"apply-groups", "apply-groups-except", "destination-address", "destination-port", "protocol", "source-address", "source-port", "tcp-established", "tcp-initial"}, false},
		{"set firewall family inet filter F term T then s", []string{"sample"}, false},
		{"set forwarding-options sampling output flow-server 192.0.2.1 ", []string{"apply-groups", "apply-groups-except", "aggregation", "autonomous-system-type", "biflow", "crypto-pan", "port", "source-address", "truncate", "version", "version-ipfix", "version9"}, true},
		{"set system syslog host 192.0.2.1 ", []string{"apply-groups", "apply-groups-except", "any", "facility-override", "port"}, true},
		{"set system syslog host 192.0.2.1 any ", []string{"emergency", "alert", "critical", "error", "warning", "notice", "info", "any"}, false},
		{"set ", []string{"apply-groups", "chassis", "firewall", "flowtap", "forwarding-options", "groups", "interfaces", "services", "snmp", "system"}, false},
		{"set groups ", []string{"<group-name>"}, false},
		{"annotate forwarding-options ", []string{"<comment>", "sampling"}, false},
		{"set groups G ", []string{"chassis", "firewall", "flowtap", "forwarding-options", "interfaces", "services", "snmp", "system"}, true},
		{"set apply-groups ", []string{"<group-name>"}, false},
		{"set interfaces apply-groups-except ", []string{"<group-name>"}, false},
		{"set interfaces eth1 ", []string{"apply-groups", "apply-groups-except", "description", "disable", "no-traps", "traps", "unit"}, true},
		// apply-groups wherever a level holds statements, not where a
		// value goes.
		{"set interfaces eth1 unit 0 ", []string{"apply-groups", "apply-groups-except", "family"}, false},
		{"set interfaces eth1 unit ", []string{"0"}, false},
		{"set forwarding-options sampling input ", []string{"apply-groups", "apply-groups-except", "family", "max-packets-per-second", "rate", "run-length"}, false},
		{"set forwarding-options sampling output flow-server 192.0.2.1 aggregation ", []string{"autonomous-system", "destination-prefix", "protocol-port", "source-destination-prefix", "source-prefix"}, false},
	} {
		items, complete, err := s.Help(tc.line)
		if err != nil && tc.want != nil {
			t.Errorf("Help(%q): %v", tc.line, err)
			continue
		}
		var got []string
		for _, it := range items {
			got = append(got, it.Label)
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") || complete != tc.complete {
			t.Errorf("Help(%q) = %v complete %v, want %v complete %v", tc.line, got, complete, tc.want, tc.complete)
		}
	}
	if _, _, err := s.Help("set forwarding-options bogus "); err == nil {
		t.Error("a bad word before ? is no error")
	}
}

// TestApplyGroupsWhereOffered: `?` offers apply-groups at a level
// exactly when the parser takes `set LEVEL apply-groups G` there: at
// every level that holds statements, and not where a value goes (the
// parser took it after `input rate` and `?` offered it only at the top,
// under a top-level statement and under an interface).
func TestApplyGroupsWhereOffered(t *testing.T) {
	for _, tc := range []struct {
		level string
		takes bool
	}{
		{"forwarding-options", true},
		{"interfaces eth1", true},
		{"forwarding-options sampling", true},
		{"forwarding-options sampling input", true},
		{"forwarding-options sampling family inet output flow-server 192.0.2.1", true},
		{"firewall family inet filter F term T from", true},
		{"system syslog host 192.0.2.1", true},
		{"forwarding-options sampling input rate", false},
		{"interfaces eth1 unit", false},
		{"interfaces eth1 description", false},
		{"system syslog host 192.0.2.1 any", false},
	} {
		s := NewSession(config.Config{Platform: DefaultPlatform}, "terminal")
		if err := s.Exec("set groups G forwarding-options sampling input rate 5"); err != nil {
			t.Fatal(err)
		}
		items, _, err := s.Help("set " + tc.level + " ")
		if err != nil {
			t.Fatalf("Help(%q): %v", tc.level, err)
		}
		offered := slices.ContainsFunc(items, func(it HelpItem) bool { return it.Label == "apply-groups" })
		line := "set " + tc.level + " apply-groups G"
		err = s.Exec(line)
		if offered != tc.takes || (err == nil) != tc.takes {
			t.Errorf("%s: ? offers apply-groups %v, parser: %v; want both %v", tc.level, offered, err, tc.takes)
		}
		var le *config.LineError
		if err != nil && (!errors.As(err, &le) || le.Col != strings.Index(line, "apply-groups")) {
			t.Errorf("%s: %v, want a syntax error at apply-groups", line, err)
		}
	}
}
