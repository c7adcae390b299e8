package ios

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// sampleValue is a value the walk types where the grammar wants form.
func sampleValue(form string) []string {
	var lo, hi int
	if n, _ := fmt.Sscanf(form, "<%d-%d>", &lo, &hi); n == 2 {
		return []string{fmt.Sprint(lo)}
	}
	switch {
	case strings.HasPrefix(form, "A.B.C.D"):
		return []string{"192.0.2.1", "255.255.255.0"}
	case strings.HasPrefix(form, "X:X"):
		return []string{"2001:db8::1", "2001:db8::/32"}
	case form == "hh:mm":
		return []string{"02:00"}
	case form == "KEY":
		// An SHA-1 localized key, 20 octets; MD5's are 16.
		return []string{strings.Repeat("ab", 20), strings.Repeat("ab", 16)}
	}
	return []string{"eth0", "w1", "1", "10", "0", "192.0.2.1", "text", "hh:mm:ss", "00:00:00", "1.3.6.1", "5", "9"}
}

// helpPair is one keyword `?` lists, where it lists it.
type helpPair struct {
	Prompt, Context, Label, Help, key string
	Value                             bool // a value's form, not a keyword
}

// walkHelp walks the whole configuration grammar through HelpItems: every
// word offered after every line the walk can type, in global mode and
// in every sub-mode a line it types enters.
func walkHelp(t *testing.T) []helpPair {
	t.Helper()
	var pairs []helpPair
	seen := map[string]bool{}
	// Modes by kind: line vty and line console share a prompt, not
	// their commands.
	modes := map[modeKind]bool{}
	var walk func(s *Session, line string, depth int)
	walkMode := func(s *Session) {
		if modes[s.mode.kind] {
			return
		}
		modes[s.mode.kind] = true
		walk(s, "", 0)
	}
	walk = func(s *Session, line string, depth int) {
		if depth > 15 {
			return
		}
		items, cr, ok := s.HelpItems(line)
		if !ok {
			// A word offered that leads nowhere (`no exit`): a leaf.
			return
		}
		if cr && line != "" {
			try := *s
			try.cfg = s.cfg.Clone()
			if err := try.Exec(line); err == nil && !try.Done() && try.mode.kind != s.mode.kind {
				walkMode(&try)
			}
		}
		f := strings.Fields(line)
		last := strings.Join(f[max(len(f)-2, 0):], " ")
		if len(f) > 2 && f[0] == "login" {
			// `login on-failure log every` and `login on-success log
			// every` offer one value with help of their own. (Three words
			// everywhere would walk four times as long.)
			last = strings.Join(f[1:], " ")
		}
		for _, it := range items {
			// `no line vty 0` is not `line vty 0`: the first word too.
			key := fmt.Sprint(s.mode.kind) + "|" + strings.Join(f[:min(len(f), 1)], "") + "|" + last + "|" + it.Label
			if seen[key] {
				continue
			}
			seen[key] = true
			if !isValue(it.Label) {
				pairs = append(pairs, helpPair{s.Prompt(), strings.TrimSpace(line), it.Label, it.Help, it.key, false})
				walk(s, line+it.Label+" ", depth+1)
				continue
			}
			pairs = append(pairs, helpPair{s.Prompt(), strings.TrimSpace(line), it.Label, it.Help, it.key, true})
			for _, v := range sampleValue(it.Label) {
				if _, _, ok := s.HelpItems(line + v + " "); ok {
					walk(s, line+v+" ", depth+1)
					break
				}
			}
		}
	}
	// The router, and a PFC for the mls commands only a Catalyst
	// persona has. Some sub-modes are entered only under what exists (a
	// policy-map's class needs its class-map).
	for _, platform := range []string{"", "pfc3bxl"} {
		clear(modes)
		clear(seen)
		s := NewSession(config.Config{Platform: platform}, "console")
		// A remote user needs its engine's ID first.
		for _, l := range []string{"class-map match-all w1", "exit", "snmp-server engineID remote 192.0.2.1 800000090300aabbccddeeff"} {
			if err := s.Exec(l); err != nil {
				t.Fatalf("%q: %v", l, err)
			}
		}
		walkMode(s)
	}
	return pairs
}

// TestHelpDescribesEveryKeyword: every keyword `?` lists anywhere in the
// configuration grammar, and every value position (the form after a
// keyword: <1-65535>, A.B.C.D, WORD), has its one line of help, so the
// table and the parser cannot drift apart.
func TestHelpDescribesEveryKeyword(t *testing.T) {
	pairs := walkHelp(t)
	words := map[string]bool{}
	used := map[string]bool{}
	var missing []string
	values := 0
	for _, p := range pairs {
		used[p.key] = true
		if p.Value {
			values++
		} else {
			words[p.Label] = true
		}
		if strings.Contains(p.Label, "  ") {
			t.Errorf("%s: %q then %q: the form carries its help; give it a line in keywordHelp", p.Prompt, p.Context, p.Label)
		}
		h := strings.TrimSpace(p.Help)
		switch {
		case h == "":
			missing = append(missing, fmt.Sprintf("%s: %q then %s", p.Prompt, p.Context, p.Label))
		case h != p.Help || strings.Contains(h, "  ") || strings.HasSuffix(h, "."):
			t.Errorf("%s: %q then %s: help %q has stray spaces or a full stop", p.Prompt, p.Context, p.Label, p.Help)
		case strings.EqualFold(h, p.Label):
			t.Errorf("%s: %q then %s: help only repeats the word", p.Prompt, p.Context, p.Label)
		}
	}
	// A line no keyword takes is a word removed from the grammar or a
	// context that never matches: either way `?` does not say it.
	for k := range keywordHelp {
		if !used[k] {
			t.Errorf("keywordHelp[%q] describes nothing the grammar offers", k)
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("no help: %s", m)
	}
	t.Logf("%d keywords, %d word/context pairs (%d of them values), %d without help", len(words), len(pairs), values, len(missing))
	// A floor: the walk must reach the sub-modes, not stop at the top.
	if len(words) < 140 || values < 1000 {
		t.Errorf("the walk reached %d keywords and %d value positions only", len(words), values)
	}
}
