package ios

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/internal/grammar"
)

// HelpItem is one line of `?`: a word that may come next and what it
// does. Help is empty for a value the table does not describe.
type HelpItem struct {
	Label, Help string
	key         string // the line of keywordHelp Help comes from
}

// Help answers `?` typed after line in configuration mode, as IOS lists
// it: what may follow ("line ?"), each with its one-line help in a
// column, or the keywords a partial last word may become ("line wo?");
// "<cr>" when the line is complete. It tries the line on a copy of the
// session, so nothing is applied.
func (s *Session) Help(line string) []string {
	partial := ""
	if !strings.HasSuffix(line, " ") && strings.TrimSpace(line) != "" {
		i := strings.LastIndex(line, " ")
		partial, line = strings.ToLower(line[i+1:]), line[:i+1]
	}
	items, cr, ok := s.HelpItems(line)
	if !ok {
		return []string{"% Unrecognized command"}
	}
	if partial != "" {
		var ws []string
		for _, it := range items {
			if strings.HasPrefix(it.Label, partial) {
				ws = append(ws, it.Label)
			}
		}
		if len(ws) == 0 {
			return []string{"% Unrecognized command"}
		}
		return []string{strings.Join(ws, "  ")}
	}
	if len(items) == 0 && !cr {
		return []string{"% Unrecognized command"}
	}
	// As IOS: the help column starts two spaces after the longest word.
	width := 0
	for _, it := range items {
		width = max(width, len(it.Label))
	}
	var out []string
	for _, it := range items {
		if it.Help == "" {
			out = append(out, "  "+it.Label)
			continue
		}
		out = append(out, fmt.Sprintf("  %-*s  %s", width, it.Label, it.Help))
	}
	if cr {
		out = append(out, "  <cr>")
	}
	return out
}

// HelpItems is what may follow line (typed in full up to its last space)
// in IOS's order, each described from keywordHelp; cr tells whether the
// line is a command as it stands; ok is false when the line does not
// parse so far.
func (s *Session) HelpItems(line string) (items []HelpItem, cr, ok bool) {
	next, cr, ok := s.next(line)
	if !ok {
		return nil, false, false
	}
	ctx, raw := s.contextRaw(grammar.SplitWords(line))
	for _, n := range helpOrder(next) {
		// Where the words before do not say what a word means, its
		// place does (an entry's source or destination).
		key, help := "positional "+n, positionalHelp(n, ctx, raw)
		if help == "" {
			key, help = describe(n, ctx)
		}
		items = append(items, HelpItem{Label: n, Help: help, key: key})
	}
	return items, cr, true
}

// next lists what the grammar offers after line, as it offers it.
func (s *Session) next(line string) (next []string, cr, ok bool) {
	try := *s
	try.cfg = s.cfg.Clone()
	try.where = grammar.Origins{}
	try.offline = true
	err := try.Exec(line)
	var le *config.LineError
	switch {
	case strings.TrimSpace(line) == "":
		// Nothing typed yet: everything the mode takes.
		if errors.As(try.Exec("?"), &le) {
			return le.Expected, false, true
		}
		return nil, false, true
	case errors.As(err, &le) && le.Kind == config.ErrIncomplete:
		return le.Expected, false, true
	case err == nil:
		return append([]string(nil), try.offered...), true, true
	}
	return nil, false, false
}

// contextRaw is the path a help line is looked up under: the mode's prompt
// ("config-if"), then the typed words as the grammar reads them, each
// abbreviation as its keyword and each value as its form ("WORD",
// "<1-60>") and without a leading no or default, so that `ip flow-ex ?` and `ip flow-export ?` describe the
// same words.
//
// raw is, for each word of ctx after the prompt, the word as typed (a
// list's number, where ctx has its form).
func (s *Session) contextRaw(words []grammar.Word) (ctx, raw []string) {
	ctx = []string{s.Prompt()}
	line := ""
	for i, w := range words {
		next, _, _ := s.next(line)
		var kws, vals []string
		for _, n := range next {
			if isValue(n) {
				vals = append(vals, n)
			} else {
				kws = append(kws, n)
			}
		}
		word := strings.ToLower(w.Text)
		if k, _ := grammar.MatchKeyword(word, kws, true); k != "" {
			word = k
		} else if len(vals) > 0 {
			word = vals[0]
		}
		line += w.Text + " "
		// `no ip flow` and `default ip flow` mean what `ip flow` does.
		if i == 0 && (word == "no" || word == "default") {
			continue
		}
		ctx = append(ctx, word)
		raw = append(raw, w.Text)
	}
	return ctx, raw
}

// describe finds w's line of keywordHelp under the longest tail of ctx
// that has one ("ip flow-export version" before "flow-export version"
// before "version"): a word means what the words just before it make it
// mean.
//
// A number's range may differ between personas (`ip flow-cache entries`,
// `mls sampling`): a key may name it "<N>", which any range or list of
// numbers in that place matches when no key names its exact form.
func describe(w string, ctx []string) (key, help string) {
	forms := []string{w}
	if isNumberForm(w) {
		forms = append(forms, "<N>")
	}
	for _, f := range forms {
		for i := range ctx {
			key = strings.Join(ctx[i:], " ") + " " + f
			if h, ok := keywordHelp[key]; ok {
				return key, h
			}
		}
	}
	return w, keywordHelp[w]
}

// isNumberForm tells a number's form, "<1-60>" or "64|128", from the
// other values.
func isNumberForm(w string) bool {
	if strings.Contains(w, "|") {
		return true
	}
	var lo, hi int
	n, _ := fmt.Sscanf(w, "<%d-%d>", &lo, &hi)
	return n == 2 && !strings.Contains(w, " ")
}

// isValue tells a value's form (<1-60>, A.B.C.D, WORD, 64|128) from a
// keyword; RO and dot1Q are keywords, whatever their case.
func isValue(e string) bool {
	return strings.HasPrefix(e, "<") || strings.ContainsAny(e, ".:/|") || valueForms[e]
}

// valueForms are the names the grammar gives its value words.
var valueForms = map[string]bool{
	"WORD": true, "LINE": true, "NAME": true, "KEY": true, "HEX": true, "HASH": true, "BASE64": true,
	"PATH": true, "PORT": true, "PROTOCOL": true, "OID-TREE": true,
}

// helpOrder lists what `?` shows as IOS does: the values a position
// takes (<1-60>, A.B.C.D, WORD) first, as the grammar offers them, then
// the keywords in ASCII order (RO before view, as IOS), then the rest of
// the line as text (LINE: `password ?` lists 0 and 7 before it), then
// <cr>; the grammar offers them in the order it tries them.
func helpOrder(next []string) []string {
	var values, keywords, text []string
	for _, e := range next {
		switch {
		case e == "<cr>":
		case e == "LINE":
			text = append(text, e)
		case isValue(e):
			values = append(values, e)
		default:
			keywords = append(keywords, e)
		}
	}
	slices.Sort(keywords)
	keywords = slices.Compact(keywords)
	return append(append(values, keywords...), text...)
}
