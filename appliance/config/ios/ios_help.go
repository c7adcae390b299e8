package ios

import (
	"errors"
	"strings"

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
