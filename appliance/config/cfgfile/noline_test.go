package cfgfile

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
)

// noLineExtra widens the pasted router's configuration with the commands
// it lacks, so that the test below meets each kind of line.
const noLineExtra = `
ip flow-cache timeout inactive 30
ip flow-export template refresh-rate 40
ip flow-top-talkers
 top 20
 sort-by bytes
ip flow-aggregation cache prefix
 cache entries 2048
 export destination 192.0.2.52 9995
 enabled
ip host collector1 192.0.2.90
ip name-server 192.0.2.53
logging trap warnings
login block-for 120 attempts 3 within 60
login on-failure log every 2
archive
 log config
  logging enable
  notify syslog contenttype plaintext
access-list 101 permit tcp any host 192.0.2.1 eq 80
ip access-list extended WEB
 permit tcp any any eq 443
class-map match-any WEBC
 match access-group name WEB
policy-map FLOWPOL
 class WEBC
  netflow-sampler SAMPLE-1-IN-100
interface eth3
 description spare
 ip flow ingress
 flowtap verdict passive
snmp-server enable traps
snmp-server view ALL iso included
snmp-server group G3 v3 priv read ALL
privilege exec level 5 show running-config
line con 0
 password 7 0822455D0A16
 privilege level 3
`

// TestNoOfEveryLine: `no` of each line show running-config prints, typed
// in the line's mode, removes that line and nothing else (a block's
// header removes the block), as IOS's configuration reads its own
// rendering. lineDefaults are the lines always shown, whose `no` puts the
// default back.
func TestNoOfEveryLine(t *testing.T) {
	b, err := os.ReadFile("testdata/ios-7200-netflow.conf")
	if err != nil {
		t.Fatal(err)
	}
	// The router's file ends with `end`: the extra lines go before it.
	text, _, _ := strings.Cut(string(b), "\nend\n")
	base, _ := Salvage("t", []byte(text+noLineExtra))
	if _, skipped := Salvage("extra", []byte("flow-sampler-map SAMPLE-1-IN-100\n mode random one-out-of 100\n"+noLineExtra)); len(skipped) > 0 {
		t.Fatalf("extra lines refused: %v", skipped)
	}
	// defaults: `no` of these brings the default back, shown as this.
	defaults := map[string]string{
		"hostname edge-7206": "hostname flowtap",
		"platform ios":       "platform ios",
		// Timestamps are on by default; off is a line of its own.
		"service timestamps log datetime msec localtime show-timezone": "no service timestamps log",
	}
	// refused: `no` of these is refused with this reason, as IOS refuses
	// to remove what is in use or cannot go.
	refused := map[string]string{
		"flow-sampler-map SAMPLE-1-IN-100": "flow-sampler-map SAMPLE-1-IN-100 is not configured", // eth2 and FLOWPOL use it
		" mode random one-out-of 100":      "has no mode",
		"class-map match-any WEBC":         "Class-map WEBC is being used",
		"line con 0":                       "cannot be removed",
		"line vty 0 4":                     "cannot be removed",
	}
	checkNoOfEveryLine(t, base, defaults, refused)
}

// checkNoOfEveryLine types `no` before each line of base's rendering, in
// the line's mode, and checks that only that line (a header: its block)
// went, or its default came back (defaults), or it was refused with the
// reason (refused).
func checkNoOfEveryLine(t *testing.T, base config.Config, defaults, refused map[string]string) {
	t.Helper()
	rendered := ios.Render(base)
	lines := strings.Split(strings.TrimSuffix(rendered, "\n"), "\n")
	// alsoGone: removing the only block under these takes their header,
	// which shows nothing of its own.
	alsoGone := map[string]string{" log config": "archive"}
	for i, l := range lines {
		if l == "!" || l == "end" || strings.TrimSpace(l) == "" {
			continue
		}
		// The modes above the line: each less-indented header before it.
		var path []string
		indent := len(l) - len(strings.TrimLeft(l, " "))
		for j, want := i-1, indent-1; j >= 0 && want >= 0; j-- {
			h := lines[j]
			if hi := len(h) - len(strings.TrimLeft(h, " ")); hi == want && h != "!" {
				path = append([]string{strings.TrimSpace(h)}, path...)
				want--
			}
		}
		s := ios.NewSession(base, "t")
		for _, p := range path {
			if err := s.Exec(p); err != nil {
				t.Fatalf("entering %q for %q: %v", p, l, err)
			}
		}
		no := "no " + strings.TrimSpace(l)
		if strings.HasPrefix(strings.TrimSpace(l), "no ") {
			no = strings.TrimPrefix(strings.TrimSpace(l), "no ")
		}
		err := s.Exec(no)
		why, ok := refused[l]
		for prefix, w := range refused {
			if strings.HasSuffix(prefix, " ") && strings.HasPrefix(l, prefix) {
				why, ok = w, true
			}
		}
		if ok {
			if err == nil || !strings.Contains(err.Error(), why) {
				t.Errorf("%q under %q: %v, want the refusal %q", no, path, err, why)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q under %q: %v", no, path, err)
			continue
		}
		// What should be left: the rendering without the line (and the
		// lines under it), or with its default.
		var want []string
		for j := 0; j < len(lines); j++ {
			if j == i {
				if d, ok := defaults[l]; ok {
					want = append(want, d)
				}
				for j+1 < len(lines) && len(lines[j+1])-len(strings.TrimLeft(lines[j+1], " ")) > indent {
					j++
				}
				continue
			}
			if h, ok := alsoGone[l]; ok && lines[j] == h {
				continue
			}
			want = append(want, lines[j])
		}
		got := ios.Render(s.Config())
		wantText := strings.Join(want, "\n") + "\n"
		_, moved := defaults[l]
		if norm(got) != norm(wantText) && (!moved || sortedLines(got) != sortedLines(wantText)) {
			t.Errorf("%q under %q changed more than that line:\n%s", no, path, lineDiff(norm(strings.Join(want, "\n")+"\n"), norm(got)))
		}
	}
}

// sortedLines is norm's lines in order: a default may come back on a
// line of its own elsewhere in the rendering.
func sortedLines(s string) string {
	l := strings.Split(norm(s), "\n")
	slices.Sort(l)
	return strings.Join(l, "\n")
}

// norm drops the `!` separators, which come and go with sections.
func norm(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "!" && l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for _, l := range w {
		if !slices.Contains(g, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// TestNoOfEveryLinePFC: the same for a Catalyst PFC persona's lines.
func TestNoOfEveryLinePFC(t *testing.T) {
	text := `platform pfc3b
hostname cat1
mls aging normal 64
mls aging long 920
mls aging fast time 32 threshold 10
mls flow ip interface-full
mls netflow interface
mls sampling packet-based 64
mls nde sender
mls nde interface
mls nde flow include protocol tcp
mls nde tcp-flags
ip flow-export version 5
ip flow-export destination 192.0.2.50 2055
interface eth1
 ip flow ingress
 mls netflow sampling
snmp-server user nms NMS v3 auth sha authpass123 priv aes 128 privpass123
snmp-server group NMS v3 priv
`
	base, skipped := Salvage("pfc", []byte(text))
	if len(skipped) > 0 {
		t.Fatalf("refused: %v", skipped)
	}
	checkNoOfEveryLine(t, base, map[string]string{
		"hostname cat1": "hostname flowtap",
		// The export version the `ip flow-export version` line set is
		// shown on the NDE line while NDE is on, and back on its own line
		// after.
		"mls nde sender version 5": "ip flow-export version 5",
	}, map[string]string{
		// The router persona refuses the PFC's values.
		"platform pfc3b": "expected <1-60> minutes",
		// The users' keys are localized to the engine ID: IOS too
		// drops them when it changes.
		"snmp-server engineID local ": "remove the users first",
	})
}
