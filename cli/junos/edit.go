package junos

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
)

// statementLines are the candidate's set, deactivate and annotate lines
// (SaveText: what it keeps of the JunOS part) for the statement at and
// below the words at, split into verb and the words after at.
func (s *Session) statementLines(at string) (verbs, rests []string) {
	for _, l := range strings.Split(junosconf.SaveText(s.cand.Candidate()), "\n") {
		verb, rest, _ := strings.Cut(l, " ")
		if rest == at || strings.HasPrefix(rest, at+" ") {
			verbs, rests = append(verbs, verb), append(rests, strings.TrimPrefix(rest, at))
		}
	}
	return verbs, rests
}

// splitAt splits a command's words at the keyword sep (`to`, `before`,
// `after`), which must have words on both sides.
func splitAt(words []string, seps ...string) (before []string, sep string, after []string, ok bool) {
	for i, w := range words {
		if i > 0 && i < len(words)-1 && slices.Contains(seps, w) {
			return words[:i], w, words[i+1:], true
		}
	}
	return nil, "", nil, false
}

// copyStatement is `copy STATEMENT to NEW` and `rename STATEMENT to
// NEW`: the statement with all it holds (its deactivation and notes
// too) again under the new name, which takes the place of as many of
// its last words as it has (`copy interfaces eth1 to eth2`, `rename
// ... term T2 to term T3`); rename then deletes the old one. A
// statement the candidate lacks, or a name already taken, is refused
// and nothing changes.
func copyStatement(s *Session, w io.Writer, args []string) error {
	verb := args[0]
	from, _, to, ok := splitAt(strings.Fields(args[1]), "to")
	if !ok || len(to) > len(from) {
		return fmt.Errorf("%s %s\n%s^\nsyntax error, expecting 'to'.", verb, args[1], strings.Repeat(" ", len(verb)+1+len(args[1])+1))
	}
	src := append(slices.Clone(s.path), from...)
	dst := append(slices.Clone(src[:len(src)-len(to)]), to...)
	at, target := strings.Join(src, " "), strings.Join(dst, " ")
	verbs, rests := s.statementLines(at)
	if len(verbs) == 0 {
		return errors.New("error: statement not found: " + at)
	}
	if v, _ := s.statementLines(target); len(v) > 0 {
		return errors.New("error: statement already exists: " + target)
	}
	cand := s.candidate(s.cand.Candidate())
	for i := range verbs {
		if cand.Exec(verbs[i]+" "+target+rests[i]) != nil {
			// The new name is not one the statement can have: the
			// caret under it, as typed.
			line := verb + " " + args[1]
			return fmt.Errorf("%s\n%s^\nsyntax error.", line, strings.Repeat(" ", strings.LastIndex(line, " to ")+len(" to ")))
		}
	}
	if verb == "rename" {
		if err := cand.Exec("delete " + at); err != nil {
			return s.screen(err)
		}
	}
	s.cand = cand
	return nil
}

// insertStatement is `insert STATEMENT before|after NAME`: an entry of
// an ordered list (a filter's terms) moved before or after its sibling
// NAME (`insert firewall family inet filter F term T3 before term T1`).
// Both must be in the candidate. The list is set again in its new
// order.
func insertStatement(s *Session, w io.Writer, args []string) error {
	what, where, anchor, ok := splitAt(strings.Fields(args[1]), "before", "after")
	if !ok || len(what) < 2 {
		return fmt.Errorf("insert %s\n%s^\nsyntax error, expecting 'before' or 'after'.", args[1], strings.Repeat(" ", len("insert ")+len(args[1])+1))
	}
	stmt := append(slices.Clone(s.path), what...)
	// The entry is its last words: as many as the anchor has (`term T3`
	// and `term T1`), under the list's parent.
	if len(anchor) >= len(stmt) || !slices.Equal(stmt[len(stmt)-len(anchor):len(stmt)-1], anchor[:len(anchor)-1]) {
		return errors.New("error: " + strings.Join(anchor, " ") + " is not an entry of the list " + strings.Join(stmt[:len(stmt)-1], " ") + " is in")
	}
	parent := strings.Join(stmt[:len(stmt)-len(anchor)], " ")
	entry := func(ws []string) string { return " " + strings.Join(ws, " ") }
	moving, before := entry(stmt[len(stmt)-len(anchor):]), entry(anchor)
	verbs, rests := s.statementLines(parent)
	// Each line goes with the entry it is under, in the order the list
	// has them; lines not under an entry of the list keep their place.
	key := func(r string) string {
		ws := strings.Fields(r)
		if len(ws) < len(anchor) || !slices.Equal(ws[:len(anchor)-1], anchor[:len(anchor)-1]) {
			return ""
		}
		return " " + strings.Join(ws[:len(anchor)], " ")
	}
	var order []string
	groups := map[string][]int{}
	for i, r := range rests {
		k := key(r)
		if _, seen := groups[k]; !seen {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	if _, ok := groups[moving]; !ok {
		return errors.New("error: statement not found: " + parent + moving)
	}
	if _, ok := groups[before]; !ok {
		return errors.New("error: statement not found: " + parent + before)
	}
	if moving == before {
		return nil
	}
	order = slices.DeleteFunc(order, func(k string) bool { return k == moving })
	i := slices.Index(order, before)
	if where == "after" {
		i++
	}
	order = slices.Insert(order, i, moving)
	cand := s.candidate(s.cand.Candidate())
	// The list's entries go and come back in the new order; what the
	// parent holds beside them is set again too.
	for _, k := range order {
		if k == "" {
			continue
		}
		if err := cand.Exec("delete " + parent + k); err != nil {
			return s.screen(err)
		}
	}
	for _, k := range order {
		for _, i := range groups[k] {
			if err := cand.Exec(verbs[i] + " " + parent + rests[i]); err != nil {
				return s.screen(err)
			}
		}
	}
	s.cand = cand
	return nil
}

// deleteLevel is `delete` with no statement: everything under the edit
// level goes, after Junos's question (no, the default, keeps it); at the
// top, everything JunOS can say (what only IOS says stays, as load
// override keeps it).
func deleteLevel(s *Session, w io.Writer, _ []string) error {
	if s.ask == nil {
		return errors.New("error: delete without a statement needs a terminal to confirm on")
	}
	a, err := s.ask.Ask("Delete everything under this level? [yes,no] (no) ", false)
	if err != nil {
		return nil
	}
	if a = strings.ToLower(strings.TrimSpace(a)); a == "" || !strings.HasPrefix("yes", a) {
		return nil
	}
	if len(s.path) == 0 {
		s.cand = s.candidate(junosconf.OverrideBase(s.cand.Candidate()))
		return nil
	}
	return s.screen(s.cand.Exec("delete " + strings.Join(s.path, " ")))
}

// save is configuration mode's `save FILE`: the candidate below the edit
// level as brace text, into a file beside the startup-config (where load
// FILE finds it), with Junos's count of the lines written.
func save(s *Session, w io.Writer, args []string) error {
	var b strings.Builder
	writeConfigAt(&b, s.cand.Candidate(), s.path, false)
	text := b.String()
	if err := s.b.WriteFile(args[1], []byte(text)); err != nil {
		return fmt.Errorf("error: could not write %s: %v", args[1], err)
	}
	fmt.Fprintf(w, "Wrote %d lines of configuration to '%s'\n", strings.Count(text, "\n"), args[1])
	return nil
}

// replacePattern is `replace pattern P with R`: every identifier and
// value at and below the edit level that the regular expression P
// matches has its matches replaced by R (\1 for P's first group), the
// keywords left alone, as Junos's global replace does; the candidate is
// set again from the result. A value the grammar then refuses leaves
// the candidate as it was. No upto: every match is replaced.
func replacePattern(s *Session, w io.Writer, args []string) error {
	// The words as typed: a quoted one keeps its backslashes (\1, \.),
	// which the grammar's quoting would take as escapes.
	var ws []string
	for _, o := range optionWords(args[2]) {
		v := o.text
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = strings.ReplaceAll(v[1:len(v)-1], `\"`, `"`)
		}
		ws = append(ws, v)
	}
	if len(ws) != 3 || ws[1] != "with" {
		return fmt.Errorf("replace pattern %s\n%s^\nsyntax error, expecting with.", args[2], strings.Repeat(" ", len("replace pattern ")+len(args[2])+1))
	}
	re, err := regexp.Compile(ws[0])
	if err != nil {
		return fmt.Errorf("error: invalid regular expression %q", ws[0])
	}
	// Junos's \1 is Go's ${1}.
	with := regexp.MustCompile(`\\([0-9])`).ReplaceAllString(ws[2], "$${$1}")
	cur := s.cand.Candidate()
	var lines []string
	changed := false
	for _, l := range strings.Split(strings.TrimSpace(junosconf.SaveText(cur)), "\n") {
		words := junosconf.Words(l)
		// The statement's words: a set line's all, an annotate line's
		// but its comment, a deactivate line's all; which are values
		// the grammar tells from its set line.
		stmt := words[1:]
		if words[0] == "annotate" {
			stmt = words[1 : len(words)-1]
		}
		if len(stmt) < len(s.path) || !slices.Equal(stmt[:len(s.path)], s.path) {
			lines = append(lines, l)
			continue
		}
		for i, v := range s.cand.Values(junosconf.JoinWords(append([]string{"set"}, stmt...))) {
			if v && i >= len(s.path) {
				if r := re.ReplaceAllString(stmt[i], with); r != stmt[i] {
					stmt[i], changed = r, true
				}
			}
		}
		lines = append(lines, junosconf.JoinWords(words))
	}
	if !changed {
		return nil
	}
	cand := s.candidate(junosconf.OverrideBase(cur))
	for _, l := range lines {
		if err := cand.Exec(l); err != nil {
			return s.screen(err)
		}
	}
	s.cand = cand
	return nil
}

// wildcardDelete is `wildcard delete PATH REGEXP`: the identifiers
// directly under PATH (interface names, a filter's terms) that the
// regular expression matches in whole are listed and, after Junos's
// question (no, the default, keeps them), deleted with all they hold.
func wildcardDelete(s *Session, w io.Writer, args []string) error {
	ws := strings.Fields(args[2])
	if len(ws) < 2 {
		return fmt.Errorf("wildcard delete %s\n%s^\nsyntax error, expecting <regular-expression>.", args[2], strings.Repeat(" ", len("wildcard delete ")+len(args[2])+1))
	}
	path := append(slices.Clone(s.path), ws[:len(ws)-1]...)
	re, err := regexp.Compile("^(?:" + ws[len(ws)-1] + ")$")
	if err != nil {
		return fmt.Errorf("error: invalid regular expression %q", ws[len(ws)-1])
	}
	prefix := "set " + strings.Join(path, " ") + " "
	var matched []string
	for _, l := range strings.Split(junosconf.RenderSet(s.cand.Candidate()), "\n") {
		rest, ok := strings.CutPrefix(l, prefix)
		if !ok {
			continue
		}
		if id := junosconf.Words(rest); len(id) > 0 && re.MatchString(id[0]) && !slices.Contains(matched, id[0]) {
			matched = append(matched, id[0])
		}
	}
	if len(matched) == 0 {
		return fmt.Errorf("error: nothing under %s matches %s", strings.Join(path, " "), ws[len(ws)-1])
	}
	var q strings.Builder
	for _, m := range matched {
		fmt.Fprintf(&q, "  matched: %s\n", m)
	}
	if s.ask == nil {
		return errors.New(q.String() + "error: wildcard delete needs a terminal to confirm on")
	}
	// The matches go with the question, on the screen before it.
	fmt.Fprintf(&q, "Delete %d objects? [yes,no] (no) ", len(matched))
	a, err := s.ask.Ask(q.String(), false)
	if a = strings.ToLower(strings.TrimSpace(a)); err != nil || a == "" || !strings.HasPrefix("yes", a) {
		return nil
	}
	cand := s.candidate(s.cand.Candidate())
	for _, m := range matched {
		if err := cand.Exec("delete " + strings.Join(path, " ") + " " + junosconf.JoinWords([]string{m})); err != nil {
			return s.screen(err)
		}
	}
	s.cand = cand
	return nil
}
