package junos

import (
	"errors"
	"fmt"
	"io"
	"strings"

	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
)

// endOfInput is ^D, which ends what `load ... terminal` reads; a script
// may also just end.
const endOfInput = "\x04"

// load is `load merge|set|override terminal`: the text typed or pasted
// up to ^D at a new line goes into the candidate (override: replaces its
// JunOS part); statements refused are reported and the rest kept, with
// JunOS's "load complete (N errors)".
func load(s *Session, w io.Writer, args []string) error {
	if s.ask == nil {
		return errors.New("error: load terminal needs a terminal or a script to read from")
	}
	var lines []string
	prompt := "[Type ^D at a new line to end input]"
	for {
		l, err := s.ask.Ask(prompt, false)
		prompt = ""
		if errors.Is(err, io.EOF) || strings.TrimSpace(l) == endOfInput {
			break
		}
		if err != nil {
			return fmt.Errorf("error: %v", err)
		}
		lines = append(lines, l)
	}
	text := strings.Join(lines, "\n")
	base := s.cand.Candidate()
	if args[1] == "override" {
		base = junosconf.OverrideBase(base)
	}
	cand := junosconf.NewSession(base, "terminal")
	errs := cand.Load(text)
	if len(errs) > 0 {
		fmt.Fprintln(w, s.screen(errs))
	}
	s.cand = cand
	if len(errs) > 0 {
		fmt.Fprintf(w, "load complete (%d errors)\n", len(errs))
	} else {
		fmt.Fprintln(w, "load complete")
	}
	return nil
}
