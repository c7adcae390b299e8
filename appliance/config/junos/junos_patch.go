package junos

import (
	"errors"
	"fmt"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/platform"
)

// PatchError is a hunk of `load patch` that does not apply to the
// candidate, in the layout of Junos's commit errors (from memory, not
// confirmed for load patch): the hunk's level, the statement quoted, why.
type PatchError struct {
	Level  []string // the hunk's [edit ...] words
	Stmt   string   // the statement as the patch gives it
	Reason string
}

func (e *PatchError) Error() string {
	return fmt.Sprintf("%s\n  '%s'\n    %s", editBanner(e.Level), e.Stmt, e.Reason)
}

func editBanner(level []string) string {
	if len(level) == 0 {
		return "[edit]"
	}
	return "[edit " + strings.Join(level, " ") + "]"
}

// hunk is one `[edit ...]` section of a patch.
type hunk struct {
	level       []string
	line        int      // the banner's line in the patch
	minus, plus []string // the statements' text, signs taken off
	bang        []string // `!` lines: `inactive: STMT`, `active: STMT`
	notes       []note   // comments added or removed above a statement that stays
}

// note is an annotation change `show | compare` prints as a signed
// comment over the unsigned statement.
type note struct {
	stmt string // the statement, as shown (`flow-server 192.0.2.7 { ... }`)
	text string // "" removes the annotation
}

// parsePatch reads `show | compare` output into its hunks.
func parsePatch(src string) ([]hunk, error) {
	var hs []hunk
	var added, removed *string // comments waiting for their statement
	for i, raw := range strings.Split(src, "\n") {
		l := strings.TrimRight(raw, " \t\r")
		if strings.TrimSpace(l) == "" {
			continue
		}
		if strings.HasPrefix(l, "[edit") && strings.HasSuffix(l, "]") {
			hs = append(hs, hunk{level: strings.Fields(strings.TrimSuffix(strings.TrimPrefix(l, "[edit"), "]")), line: i + 1})
			added, removed = nil, nil
			continue
		}
		if len(hs) == 0 {
			return nil, &config.LineError{Line: i + 1, Text: l, Kind: config.ErrRefused, Reason: "syntax error: a patch starts with an [edit ...] line"}
		}
		h := &hs[len(hs)-1]
		body := ""
		if len(l) > 1 {
			body = strings.TrimSpace(l[1:])
		}
		comment := strings.HasPrefix(body, "/*") && strings.HasSuffix(body, "*/")
		switch l[0] {
		case '+':
			if comment && added == nil {
				t := strings.TrimSpace(body[2 : len(body)-2])
				added = &t
				continue
			}
			if added != nil {
				// A new statement's own comment: its note, which the
				// brace text carries.
				h.plus = append(h.plus, "/* "+*added+" */")
				added = nil
			}
			h.plus = append(h.plus, body)
		case '-':
			if comment && removed == nil {
				t := ""
				removed = &t
				continue
			}
			removed = nil // a removed statement's comment goes with it
			h.minus = append(h.minus, body)
		case '!':
			h.bang = append(h.bang, body)
		case ' ', '\t':
			// The statement a comment change is over; any other
			// unsigned line is context.
			if added != nil || removed != nil {
				t := ""
				if added != nil {
					t = *added
				}
				h.notes = append(h.notes, note{stmt: strings.TrimPrefix(strings.TrimSpace(l), inactivePrefix), text: t})
				added, removed = nil, nil
			}
		default:
			return nil, &config.LineError{Line: i + 1, Text: l, Kind: config.ErrRefused, Reason: "syntax error: a patch line starts with +, -, ! or a space"}
		}
	}
	return hs, nil
}

// Patch is `load patch`: the text `show | compare` prints, applied to
// the candidate. Each hunk's `-` statements must be in the candidate as
// written and go, its `+` statements are set, `!   inactive:` and
// `!   active:` deactivate and activate, and a signed comment over an
// unsigned statement annotates it. The first hunk that does not apply is
// returned as a *PatchError; the session is then part-way and the
// caller throws it away, so the candidate it came from is unchanged.
func (s *Session) Patch(src string) error {
	hs, err := parsePatch(src)
	if err != nil {
		var le *config.LineError
		if errors.As(err, &le) {
			le.File, le.Dialect = s.file, platform.DialectJunOS
		}
		return err
	}
	return s.applyHunks(hs)
}

// under wraps a hunk's statements in its level's containers, so that
// they flatten to set lines from the top.
func wrapLevel(level []string, stmts []string) string {
	text := strings.Join(stmts, "\n")
	if len(level) == 0 {
		return text
	}
	return strings.Join(level, " ") + " {\n" + text + "\n}"
}

// rel is a hunk's statement from one of its set lines: the line
// without its verb and the hunk's level.
func (h hunk) rel(line string) string {
	_, stmt, _ := strings.Cut(line, " ")
	if at := strings.Join(h.level, " "); at != "" {
		stmt = strings.TrimPrefix(stmt, at+" ")
	}
	return stmt + ";"
}

// applyHunks applies a patch in phases over all its hunks, so that no
// hunk's check sees another's changes (a group added in one hunk
// changes how another's statements show): every - statement is checked
// against the candidate as it was, then they go, then the activations
// change, then the + statements are set, then the notes.
func (s *Session) applyHunks(hs []hunk) error {
	have := map[string]bool{}
	set := RenderSet(s.Candidate())
	for _, l := range strings.Split(set, "\n") {
		have[l] = true
	}
	for _, h := range hs {
		if len(h.minus) == 0 {
			continue
		}
		lines, err := junosLines(wrapLevel(h.level, h.minus))
		if err != nil {
			return &PatchError{h.level, strings.Join(h.minus, " "), "syntax error"}
		}
		for _, l := range lines {
			if strings.HasPrefix(l.text, "set ") && !have[l.text] && !strings.Contains(set, "\n"+l.text+" ") && !strings.HasPrefix(set, l.text+" ") {
				return &PatchError{h.level, h.rel(l.text), "statement not found"}
			}
		}
	}
	for _, h := range hs {
		// The statements the hunk's top level names go, what they hold
		// with them.
		for _, st := range topStatements(h.minus) {
			if !s.deleteStatement(0, "delete "+strings.TrimSpace(strings.Join(h.level, " ")+" "+st)) {
				return &PatchError{h.level, st + ";", "statement not found"}
			}
		}
	}
	for _, h := range hs {
		for _, b := range h.bang {
			verb, st, ok := strings.Cut(b, ": ")
			if !ok || verb != "inactive" && verb != "active" {
				return &PatchError{h.level, b, "syntax error"}
			}
			cmd := "activate"
			if verb == "inactive" {
				cmd = "deactivate"
			}
			if !s.statementVerb(cmd, strings.Join(h.level, " "), st, "") {
				return &PatchError{h.level, strings.TrimSpace(st), "statement not found"}
			}
		}
	}
	for _, h := range hs {
		if len(h.plus) == 0 {
			continue
		}
		lines, err := junosLines(wrapLevel(h.level, h.plus))
		if err != nil {
			return &PatchError{h.level, strings.Join(h.plus, " "), "syntax error"}
		}
		for _, l := range lines {
			if l.replace {
				continue
			}
			if e := s.exec(0, l.text); e != nil {
				why := e.Reason
				if why == "" {
					why = "syntax error"
				}
				return &PatchError{h.level, h.rel(l.text), why}
			}
		}
	}
	for _, h := range hs {
		for _, n := range h.notes {
			if !s.statementVerb("annotate", strings.Join(h.level, " "), n.stmt, n.text) {
				return &PatchError{h.level, n.stmt, "statement not found"}
			}
		}
	}
	return nil
}

// statementVerb runs activate, deactivate or annotate (with its
// comment, quoted) on a statement as compare shows it under the level
// at: a leaf with its value (`rate 100;`) is named by its keyword, as
// the grammar keys it, a container (`flow-server 192.0.2.7 { ... }`) by
// its words.
func (s *Session) statementVerb(verb, at, stmt, comment string) bool {
	stmt = strings.TrimSpace(stmt)
	leaf := !strings.HasSuffix(stmt, "{ ... }")
	ws := words(strings.TrimSuffix(strings.TrimSuffix(stmt, "{ ... }"), ";"))
	tries := [][]string{ws}
	if leaf && len(ws) >= 2 {
		tries = [][]string{ws[:len(ws)-1], ws}
	}
	for _, t := range tries {
		line := verb + " " + strings.TrimSpace(at+" "+joinWords(t))
		if verb == "annotate" {
			line += " " + junosQuote(comment) // "" takes a note off
		}
		if s.exec(0, line) == nil {
			return true
		}
	}
	return false
}

// topStatements are the statements at the top of brace text: a leaf's
// words, or a container's name (what it holds left out).
func topStatements(stmts []string) []string {
	toks, err := braceTokens(strings.Join(stmts, "\n"))
	if err != nil {
		return nil
	}
	var out []string
	depth := 0
	var cur []string
	for _, t := range toks {
		if t.note {
			continue
		}
		switch t.text {
		case "{":
			if depth == 0 {
				ws, _, _ := tags(cur)
				out = append(out, strings.Join(ws, " "))
			}
			depth++
			cur = nil
		case "}":
			depth--
			cur = nil
		case ";":
			if depth == 0 && len(cur) > 0 {
				ws, _, _ := tags(cur)
				out = append(out, strings.Join(ws, " "))
			}
			cur = nil
		default:
			cur = append(cur, t.text)
		}
	}
	return out
}
