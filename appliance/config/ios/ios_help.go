package ios

import (
	"errors"
	"slices"
	"strings"
	"unicode"

	"github.com/flowtap/flowtap/appliance/config"
)

// Help answers `?` typed after line in configuration mode, as IOS lists
// it: what may follow ("line ?"), or the keywords a partial last word may
// become ("line wo?"); "<cr>" when the line is complete. It tries the
// line on a copy of the session, so nothing is applied.
func (s *Session) Help(line string) []string {
	partial := ""
	if !strings.HasSuffix(line, " ") && strings.TrimSpace(line) != "" {
		i := strings.LastIndex(line, " ")
		partial, line = strings.ToLower(line[i+1:]), line[:i+1]
	}
	try := *s
	try.cfg = s.cfg.Clone()
	err := try.Exec(line)
	var le *config.LineError
	var next []string
	switch {
	case strings.TrimSpace(line) == "":
		// Nothing typed yet: everything the mode takes.
		err = try.Exec("?")
		if errors.As(err, &le) {
			next = le.Expected
		}
	case errors.As(err, &le) && le.Kind == config.ErrIncomplete:
		next = le.Expected
	case err == nil:
		next = append(append([]string(nil), try.offered...), "<cr>")
	default:
		return []string{"% Unrecognized command"}
	}
	next = helpOrder(next)
	var out []string
	for _, e := range next {
		if partial == "" {
			out = append(out, "  "+e)
		} else if strings.HasPrefix(e, partial) {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return []string{"% Unrecognized command"}
	}
	if partial != "" {
		return []string{strings.Join(out, "  ")}
	}
	return out
}

// helpOrder lists what `?` shows as IOS does: the values a position
// takes (<1-60>, A.B.C.D, WORD) first, as the grammar offers them, then
// the keywords in alphabetical order, then <cr>; the grammar offers them
// in the order it tries them.
func helpOrder(next []string) []string {
	var values, keywords []string
	cr := false
	for _, e := range next {
		switch {
		case e == "<cr>":
			cr = true
		case e != "" && (e[0] == '<' || unicode.IsUpper(rune(e[0]))):
			values = append(values, e)
		default:
			keywords = append(keywords, e)
		}
	}
	slices.Sort(keywords)
	keywords = slices.Compact(keywords)
	out := append(values, keywords...)
	if cr {
		out = append(out, "<cr>")
	}
	return out
}
