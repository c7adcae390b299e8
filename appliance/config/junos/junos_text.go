package junos

import (
	"path"
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/internal/grammar"
	"github.com/flowtap/flowtap/appliance/platform"
)

// This file keeps config.JunOSText: the statements JunOS keeps as text
// beside the settings (inactive statements, annotations, groups and
// apply-groups). The session's cfg holds the local active statements;
// expand adds what the groups give when the candidate is shown or
// committed.

// words is a line's words, quotes taken off.
func words(line string) []string {
	ws, _ := splitJunOS(line)
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Text
	}
	return out
}

// joinWords writes words back as JunOS displays them.
func joinWords(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = junosQuote(w)
	}
	return strings.Join(q, " ")
}

// under reports whether the words ws lie at or below the path p.
func under(ws, p []string) bool {
	return len(ws) >= len(p) && slices.Equal(ws[:len(p)], p)
}

// modelLines are the set lines (without `set`) of c's active settings,
// less what the groups gave them.
func modelLines(c config.Config) []string {
	inh := map[string]bool{}
	for _, i := range c.JunOS.Inherited {
		inh[i.Line] = true
	}
	var out []string
	for _, s := range junosStatements(c) {
		if s.inactive {
			continue
		}
		l := strings.TrimPrefix(setLine([][]string{s.path}, []string{s.leaf}), "set ")
		if !inh[l] {
			out = append(out, l)
		}
	}
	return out
}

// textLines are the set lines of the groups and apply-groups.
func textLines(x config.JunOSText) []string {
	var out []string
	for _, g := range x.Groups {
		out = append(out, "groups "+g)
	}
	for _, a := range x.Apply {
		out = append(out, applyLine(a))
	}
	return out
}

func applyLine(a config.JunOSApply) string {
	w := "apply-groups"
	if a.Except {
		w = "apply-groups-except"
	}
	names := joinWords(a.Groups)
	if len(a.Groups) > 1 {
		names = "[ " + names + " ]"
	}
	return strings.TrimSpace(a.Path + " " + w + " " + names)
}

// activeLines is every active statement's set line.
func (s *Session) activeLines() []string {
	return append(modelLines(s.cfg), textLines(s.cfg.JunOS)...)
}

func isApplyWord(w string) bool { return w == "apply-groups" || w == "apply-groups-except" }

// refused is a LineError with JunOS's "error: reason".
func (s *Session) refused(n int, text, reason string) *config.LineError {
	return &config.LineError{File: s.file, Line: n, Text: text, Kind: config.ErrRefused, Dialect: platform.DialectJunOS, Reason: reason}
}

// incomplete is a LineError asking for one of expected at the end.
func (s *Session) incomplete(n int, text string, expected ...string) *config.LineError {
	return &config.LineError{File: s.file, Line: n, Text: text, Col: len(text) + 1, Kind: config.ErrIncomplete, Dialect: platform.DialectJunOS, Expected: expected}
}

const notFound = "statement not found"

// exec applies one line: the statements JunOS keeps as text here, the
// rest through the grammar.
func (s *Session) exec(n int, text string) *config.LineError {
	ws := words(text)
	if len(ws) == 0 || strings.HasPrefix(ws[0], "#") {
		return s.grammarExec(n, text)
	}
	verb := ws[0]
	switch {
	case verb == "annotate":
		return s.annotate(n, text, ws[1:])
	case (verb == "activate" || verb == "deactivate") && !slices.Equal(ws[1:], []string{"system", "services", "ssh"}):
		if s.offline || len(ws) == 1 {
			// `?`: any statement may follow, as after set.
			return s.grammarExec(n, "set"+strings.TrimPrefix(text, verb))
		}
		return s.activation(n, text, ws[1:], verb == "activate")
	case verb == "set" || verb == "delete":
		del := verb == "delete"
		if len(ws) > 1 && ws[1] == "version" && !s.offline {
			// A pasted configuration's `version 12.3R6;` names the
			// software that wrote it; Junos puts its own in on commit,
			// so flowtap takes the line and keeps nothing.
			return nil
		}
		if len(ws) > 1 && ws[1] == "groups" {
			return s.groupLine(n, text, ws[2:], del)
		}
		if k := slices.IndexFunc(ws, isApplyWord); k > 0 && (k > 1 || ws[k] == "apply-groups") {
			// apply-groups-except has no place at the top: the
			// grammar refuses it there.
			return s.applyGroups(n, text, ws[1:k], ws[k] == "apply-groups-except", ws[k+1:], del)
		}
		if i := s.inactiveFor(ws[1:]); i >= 0 {
			return s.inactiveEdit(n, text, i, del)
		}
		if del {
			return s.deleteLine(n, text, ws[1:])
		}
	}
	return s.grammarExec(n, text)
}

// inactiveFor is the inactive statement the words lie in, -1 if none.
func (s *Session) inactiveFor(ws []string) int {
	for i, e := range s.cfg.JunOS.Inactive {
		if under(ws, words(e.Path)) {
			return i
		}
	}
	return -1
}

// deleteLine is delete: the settings through the grammar, and the
// annotations and inactive statements below the path with them.
func (s *Session) deleteLine(n int, text string, p []string) *config.LineError {
	active := slices.ContainsFunc(s.activeLines(), func(l string) bool { return under(words(l), p) })
	x := &s.cfg.JunOS
	kept := func(path string) bool { return !under(words(path), p) }
	notes := slices.DeleteFunc(slices.Clone(x.Notes), func(nt config.JunOSNote) bool { return !kept(nt.Path) })
	inactive := slices.DeleteFunc(slices.Clone(x.Inactive), func(e config.JunOSInactive) bool { return !kept(e.Path) })
	dropped := len(notes) != len(x.Notes) || len(inactive) != len(x.Inactive)
	if !active && dropped {
		x.Notes, x.Inactive = notes, inactive
		return nil
	}
	if e := s.grammarExec(n, text); e != nil {
		return e
	}
	s.cfg.JunOS.Notes, s.cfg.JunOS.Inactive = notes, inactive
	return nil
}

// activation is `deactivate STATEMENT` (its lines leave the settings and
// are kept, inactive) and `activate STATEMENT` (they are applied again).
func (s *Session) activation(n int, text string, p []string, on bool) *config.LineError {
	x := &s.cfg.JunOS
	key := joinWords(p)
	if p[0] != "groups" && !slices.ContainsFunc(p, isApplyWord) {
		// The words must name a statement of the grammar.
		try := &Session{file: s.file, cfg: s.cfg.Clone(), where: grammar.Origins{}, batch: true, offline: true}
		try.cfg.JunOS = config.JunOSText{}
		verb, _, _ := strings.Cut(strings.TrimSpace(text), " ")
		if le := try.grammarExec(n, "set"+strings.TrimPrefix(strings.TrimSpace(text), verb)); le != nil && le.Kind != config.ErrIncomplete {
			le.Text, le.Col = text, le.Col+len(verb)-len("set")+len(text)-len(strings.TrimLeft(text, " "))
			return le
		}
	}
	before := s.activeLines()
	var below []string
	for _, l := range before {
		if under(words(l), p) {
			below = append(below, l)
		}
	}
	if on {
		i := slices.IndexFunc(x.Inactive, func(e config.JunOSInactive) bool { return e.Path == key })
		if i < 0 {
			if len(below) > 0 {
				return nil // active already
			}
			return s.refused(n, text, notFound)
		}
		e := x.Inactive[i]
		saved := s.cfg.Clone()
		x.Inactive = slices.Delete(x.Inactive, i, i+1)
		for _, l := range e.Lines {
			if le := s.exec(n, "set "+l); le != nil {
				s.cfg = saved
				return le
			}
		}
		return nil
	}
	if s.inactiveFor(p) >= 0 {
		return nil // inactive already
	}
	if len(below) == 0 {
		return s.refused(n, text, notFound)
	}
	saved := s.cfg.Clone()
	var le *config.LineError
	switch k := slices.IndexFunc(p, isApplyWord); {
	case p[0] == "groups":
		// The group's lines leave; its notes and inner inactive
		// statements stay with it.
		s.deactivating = true
		le = s.groupLine(n, text, p[1:], true)
		s.deactivating = false
	case k >= 0:
		le = s.applyGroups(n, text, p[:k], p[k] == "apply-groups-except", nil, true)
	default:
		le = s.grammarExec(n, "delete "+key)
	}
	if le == nil {
		// The statement must leave exactly its own lines: what the
		// grammar deletes with it would otherwise be lost from view.
		// What its absence leaves in their place is no loss: the
		// container above it, now empty (`interfaces eth1` for its
		// sampling input), or the leaf's default (`system host-name
		// flowtap`). The rendering puts the inactive statement there.
		want := slices.DeleteFunc(slices.Clone(before), func(l string) bool { return under(words(l), p) })
		got := slices.DeleteFunc(s.activeLines(), func(l string) bool {
			return !slices.Contains(want, l) && (under(p, words(l)) || under(words(l), p))
		})
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			le = s.refused(n, text, "this statement cannot be deactivated on its own; deactivate the statement above it")
		}
	}
	if le != nil {
		s.cfg = saved
		return le
	}
	s.cfg.JunOS.Inactive = append(s.cfg.JunOS.Inactive, config.JunOSInactive{Path: key, Lines: below})
	return nil
}

// inactiveEdit is set or delete inside an inactive statement: it stays
// inactive with the change.
func (s *Session) inactiveEdit(n int, text string, i int, del bool) *config.LineError {
	e := &s.cfg.JunOS.Inactive[i]
	p := words(e.Path)
	ws := words(text)
	if del {
		// What is deleted takes its annotations along.
		x := &s.cfg.JunOS
		x.Notes = slices.DeleteFunc(x.Notes, func(nt config.JunOSNote) bool { return under(words(nt.Path), ws[1:]) })
	}
	var lines []string
	if p[0] == "groups" || slices.ContainsFunc(p, isApplyWord) {
		stmt := joinWords(ws[1:])
		lines = slices.DeleteFunc(slices.Clone(e.Lines), func(l string) bool { return del && under(words(l), ws[1:]) || l == stmt })
		if !del {
			lines = append(lines, stmt)
		}
	} else {
		try := &Session{file: s.file, base: s.base, cfg: s.cfg.Clone(), where: grammar.Origins{}, batch: true, offline: s.offline}
		try.cfg.JunOS = config.JunOSText{}
		for _, l := range e.Lines {
			try.grammarExec(n, "set "+l)
		}
		if le := try.grammarExec(n, text); le != nil {
			return le
		}
		s.offered = try.offered
		for _, l := range modelLines(try.cfg) {
			if under(words(l), p) {
				lines = append(lines, l)
			}
		}
	}
	if len(lines) == 0 {
		s.cfg.JunOS.Inactive = slices.Delete(s.cfg.JunOS.Inactive, i, i+1)
		return nil
	}
	e.Lines = lines
	return nil
}

// annotate is `annotate STATEMENT "text"`: "" takes the note away.
func (s *Session) annotate(n int, text string, ws []string) *config.LineError {
	if s.offline {
		return s.grammarExec(n, "set"+strings.TrimPrefix(text, "annotate"))
	}
	if len(ws) < 2 {
		return s.incomplete(n, text, "<statement>")
	}
	p, note := ws[:len(ws)-1], ws[len(ws)-1]
	exists := slices.ContainsFunc(s.activeLines(), func(l string) bool { return under(words(l), p) })
	for _, e := range s.cfg.JunOS.Inactive {
		if under(p, words(e.Path)) || under(words(e.Path), p) {
			exists = true
		}
	}
	if !exists {
		return s.refused(n, text, notFound)
	}
	key := joinWords(p)
	x := &s.cfg.JunOS
	x.Notes = slices.DeleteFunc(x.Notes, func(nt config.JunOSNote) bool { return nt.Path == key })
	if note != "" {
		x.Notes = append(x.Notes, config.JunOSNote{Path: key, Text: note})
	}
	return nil
}

// wildcard reports whether a word of a group is a wildcard (<eth*>).
func wildcard(w string) bool { return len(w) > 2 && w[0] == '<' && w[len(w)-1] == '>' }

// placeholder stands for a wildcard where the grammar checks a group's
// statement: a name any name check takes.
const placeholder = "wildcard0"

// groupLine is `set|delete groups NAME STATEMENT`.
func (s *Session) groupLine(n int, text string, ws []string, del bool) *config.LineError {
	x := &s.cfg.JunOS
	if del {
		kept := slices.DeleteFunc(slices.Clone(x.Groups), func(g string) bool { return under(words(g), ws) })
		if len(kept) == len(x.Groups) && len(ws) > 0 {
			return s.refused(n, text, notFound)
		}
		x.Groups = kept
		if !s.deactivating {
			s.dropText(append([]string{"groups"}, ws...))
		}
		return nil
	}
	if len(ws) == 0 {
		return s.incomplete(n, text, "<group-name>")
	}
	if err := config.CheckName(ws[0], 64); err != nil {
		return s.refused(n, text, "group name "+err.Error())
	}
	stmt := ws[1:]
	if len(stmt) == 0 && s.offline {
		// `set groups NAME ?`: any statement may follow.
		try := &Session{cfg: config.Config{Platform: s.cfg.Platform}, where: grammar.Origins{}, batch: true, offline: true}
		if le := try.grammarExec(n, "set"); le != nil {
			s.offered = slices.DeleteFunc(le.Expected, func(w string) bool { return w == "groups" || isApplyWord(w) })
		}
	}
	if len(stmt) > 0 {
		if slices.ContainsFunc(stmt, isApplyWord) || stmt[0] == "groups" {
			return s.refused(n, text, "a group holds statements, not groups or apply-groups")
		}
		// The statement must be one the grammar takes; a wildcard is
		// tried as a plain name.
		try := &Session{file: s.file, cfg: config.Config{Platform: s.cfg.Platform}, where: grammar.Origins{}, batch: true, offline: true}
		tried := slices.Clone(stmt)
		for i, w := range tried {
			if wildcard(w) {
				tried[i] = placeholder
			}
		}
		if le := try.grammarExec(n, "set "+joinWords(tried)); le != nil && le.Word != placeholder {
			le.Text, le.Col = text, len(text)+1
			if le.Kind != config.ErrIncomplete {
				le.Kind, le.Reason = config.ErrInvalid, ""
			}
			return le
		}
		s.offered = try.offered
	}
	line := joinWords(ws)
	if slices.Contains(x.Groups, line) {
		return nil
	}
	if len(stmt) == 0 {
		if !slices.ContainsFunc(x.Groups, func(g string) bool { return under(words(g), ws[:1]) }) {
			x.Groups = append(x.Groups, line)
		}
		return nil
	}
	// A group's empty line goes once it holds a statement; a statement
	// given a new value replaces the old one.
	x.Groups = slices.DeleteFunc(x.Groups, func(g string) bool { return g == junosQuote(ws[0]) })
	for i, g := range x.Groups {
		gw := words(g)
		if len(gw) == len(ws) && slices.Equal(gw[:len(gw)-1], ws[:len(ws)-1]) && s.oneValue(gw[1:], ws[1:]) {
			x.Groups[i] = line
			return nil
		}
	}
	x.Groups = append(x.Groups, line)
	return nil
}

// oneValue reports whether statement b replaces statement a (a leaf
// with one value) rather than joining it (a list).
func (s *Session) oneValue(a, b []string) bool {
	try := &Session{cfg: config.Config{Platform: s.cfg.Platform}, where: grammar.Origins{}, batch: true, offline: true}
	for _, st := range [][]string{a, b} {
		st = slices.Clone(st)
		for i, w := range st {
			if wildcard(w) {
				st[i] = placeholder
			}
		}
		if try.grammarExec(0, "set "+joinWords(st)) != nil {
			return false
		}
	}
	n := 0
	for _, l := range modelLines(try.cfg) {
		if under(words(l), b[:len(b)-1]) {
			n++
		}
	}
	return n == 1
}

// dropText removes the notes and inactive statements below p.
func (s *Session) dropText(p []string) {
	x := &s.cfg.JunOS
	x.Notes = slices.DeleteFunc(x.Notes, func(nt config.JunOSNote) bool { return under(words(nt.Path), p) })
	x.Inactive = slices.DeleteFunc(x.Inactive, func(e config.JunOSInactive) bool { return under(words(e.Path), p) })
}

// applyGroups is `set|delete [LEVEL] apply-groups[-except] G | [ G... ]`.
func (s *Session) applyGroups(n int, text string, level []string, except bool, names []string, del bool) *config.LineError {
	names = slices.DeleteFunc(slices.Clone(names), func(w string) bool { return w == "[" || w == "]" })
	x := &s.cfg.JunOS
	key := joinWords(level)
	i := slices.IndexFunc(x.Apply, func(a config.JunOSApply) bool { return a.Path == key && a.Except == except })
	if del {
		if i < 0 {
			return s.refused(n, text, notFound)
		}
		if len(names) == 0 {
			x.Apply = slices.Delete(x.Apply, i, i+1)
			return nil
		}
		x.Apply[i].Groups = slices.DeleteFunc(x.Apply[i].Groups, func(g string) bool { return slices.Contains(names, g) })
		if len(x.Apply[i].Groups) == 0 {
			x.Apply = slices.Delete(x.Apply, i, i+1)
		}
		return nil
	}
	if len(names) == 0 {
		return s.incomplete(n, text, "<group-name>")
	}
	for _, g := range names {
		if err := config.CheckName(g, 64); err != nil {
			return s.refused(n, text, "group name "+err.Error())
		}
	}
	if len(level) > 0 {
		// The level must be a hierarchy the grammar knows, and one
		// that holds statements: a value's place takes no groups.
		le, container := s.containerAt(n, level)
		if le != nil {
			le.Text = text
			return le
		}
		if !container {
			col := len(text)
			if ws, err := splitJunOS(text); err == nil && len(ws) > len(level)+1 {
				col = ws[len(level)+1].Col
			}
			return &config.LineError{File: s.file, Line: n, Text: text, Col: col, Kind: config.ErrInvalid, Dialect: platform.DialectJunOS}
		}
	}
	if s.offline {
		return nil
	}
	if len(level) > 0 {
		// The level exists once something is applied at it (an
		// interface with apply-groups and nothing else).
		s.grammarExec(n, "set "+key)
	}
	if i < 0 {
		x.Apply = append(x.Apply, config.JunOSApply{Path: key, Except: except})
		i = len(x.Apply) - 1
	}
	for _, g := range names {
		if !slices.Contains(x.Apply[i].Groups, g) {
			x.Apply[i].Groups = append(x.Apply[i].Groups, g)
		}
	}
	// One order whatever the order of the lines, so that a rendering
	// reads back equal.
	slices.SortStableFunc(x.Apply, func(a, b config.JunOSApply) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		if a.Except == b.Except {
			return 0
		}
		if a.Except {
			return 1
		}
		return -1
	})
	return nil
}

// containerAt reports whether the hierarchy level (the words after
// set) holds statements, so that apply-groups may go there: a top-level
// statement, a statement complete as it stands that can take more
// (`interfaces eth1`, `... flow-server 192.0.2.1`), or one that wants a
// keyword leading on to more (`forwarding-options sampling`, `... term T
// from`). A level that wants a value (`input rate`, `interfaces eth1
// unit`) or one keyword that ends it (`syslog host H any`) is a leaf.
// A level the grammar does not know is its error.
func (s *Session) containerAt(n int, level []string) (*config.LineError, bool) {
	probe := func(ws []string) (*config.LineError, []string) {
		try := &Session{file: s.file, cfg: s.cfg.Clone(), where: grammar.Origins{}, batch: true, offline: true}
		try.cfg.JunOS = config.JunOSText{}
		le := try.grammarExec(n, "set "+joinWords(ws))
		return le, try.offered
	}
	le, offered := probe(level)
	switch {
	case le != nil && le.Kind != config.ErrIncomplete:
		return le, false
	case len(level) == 1:
		return nil, true
	case le == nil:
		return nil, len(offered) > 0
	}
	for _, k := range le.Expected {
		if strings.HasPrefix(k, "<") || strings.Contains(k, " ") || k[0] >= '0' && k[0] <= '9' {
			continue // a value (`unit 0` is the one unit offered)
		}
		next, offered := probe(append(slices.Clone(level), k))
		if next != nil && next.Kind == config.ErrIncomplete || next == nil && len(offered) > 0 {
			return nil, true
		}
	}
	return nil, false
}

// Level checks the words of an `edit` path: -1 when they name a level
// that holds statements (an existing one or one edit may create, as
// `interfaces eth5`), else the index of the word that is wrong: the
// first the grammar does not take, or the last when the path ends at a
// value's place. A group's body is checked as the statements it holds,
// a wildcard as a plain name.
func (s *Session) Level(ws []string) int {
	off := 0
	if len(ws) > 0 && ws[0] == "groups" {
		if len(ws) <= 2 {
			return -1
		}
		off, ws = 2, slices.Clone(ws[2:])
		for i, w := range ws {
			if wildcard(w) {
				ws[i] = placeholder
			}
		}
	}
	if len(ws) == 0 {
		return -1
	}
	le, container := s.containerAt(0, ws)
	switch {
	case le == nil && container:
		return -1
	case le == nil:
		return off + len(ws) - 1
	}
	// The error's column is in "set WORDS": the word it falls in.
	col := 4
	for i, w := range ws {
		col += len(joinWords([]string{w})) + 1
		if le.Col < col {
			return off + i
		}
	}
	return off + len(ws) - 1
}

// inherited is one statement a group gives, before it is applied.
type inherited struct {
	line  string
	group string
}

// expand is the settings local's statements make with what its groups
// give them: the groups' statements applied first, the lowest priority
// first (a deeper level's groups over a higher level's, the first group
// of a list over the next), then the local statements over them.
// Inherited says which lines the groups alone gave.
func expand(local config.Config) (config.Config, []error) {
	x := local.JunOS
	out := local.Clone()
	out.JunOS.Inherited, out.JunOS.Filled = nil, nil
	if !slices.ContainsFunc(x.Apply, func(a config.JunOSApply) bool { return !a.Except }) {
		return out, nil
	}
	groups := map[string][][]string{}
	for _, g := range x.Groups {
		ws := words(g)
		groups[ws[0]] = append(groups[ws[0]], ws[1:])
	}
	// A group whose statements are all inactive exists and gives
	// nothing.
	for _, e := range x.Inactive {
		if p := words(e.Path); p[0] == "groups" && len(p) > 1 {
			if _, ok := groups[p[1]]; !ok {
				groups[p[1]] = nil
			}
		}
	}
	levels := slices.Clone(x.Apply)
	slices.SortStableFunc(levels, func(a, b config.JunOSApply) int { return len(words(a.Path)) - len(words(b.Path)) })
	var local2 [][]string
	for _, l := range modelLines(local) {
		local2 = append(local2, words(l))
	}
	// each calls f with every group statement that applies, in the
	// order of priority (the lowest first), and the group it is in.
	each := func(f func(st []string, g string)) (errs []error) {
		for _, lv := range levels {
			if lv.Except {
				continue
			}
			at := words(lv.Path)
			for gi := len(lv.Groups) - 1; gi >= 0; gi-- {
				g := lv.Groups[gi]
				stmts, ok := groups[g]
				if !ok {
					errs = append(errs, &config.LineError{File: "candidate", Text: applyLine(lv), Kind: config.ErrRefused, Dialect: platform.DialectJunOS, Reason: "apply-groups: group '" + g + "' is not defined"})
					continue
				}
				for _, st := range stmts {
					if len(st) > 0 && under(st, at) && !excepted(x.Apply, st, g) {
						f(st, g)
					}
				}
			}
		}
		return errs
	}
	// A wildcard reaches the names the configuration has, its own and
	// those the groups give (an interface one group adds, another's
	// <eth*> fills): the names are gathered until no statement adds
	// one, a wildcard's names giving names to the next.
	names := slices.Clone(local2)
	known := map[string]bool{}
	for _, l := range names {
		known[joinWords(l)] = true
	}
	for grew := true; grew; {
		grew = false
		each(func(st []string, _ string) {
			for _, c := range matchWildcards(st, names) {
				if k := joinWords(c); !known[k] {
					known[k] = true
					names = append(names, c)
					grew = true
				}
			}
		})
	}
	var given []inherited
	errs := each(func(st []string, g string) {
		for _, c := range matchWildcards(st, names) {
			given = append(given, inherited{joinWords(c), g})
		}
	})
	if len(errs) > 0 {
		return out, errs
	}
	s := &Session{file: "groups", cfg: out, where: grammar.Origins{}, batch: true, offline: true}
	s.cfg.JunOS = config.JunOSText{}
	for _, g := range given {
		if le := s.grammarExec(0, "set "+g.line); le != nil {
			le.Text = "groups " + g.group + " " + g.line
			errs = append(errs, le)
		}
	}
	// The local statements win over what the groups set.
	for _, st := range junosStatements(local) {
		l := setLine([][]string{st.path}, []string{st.leaf})
		s.grammarExec(0, l)
		if st.inactive {
			s.grammarExec(0, deactivateLine([][]string{st.path}, []string{st.leaf}))
		}
	}
	have := map[string]bool{}
	for _, l := range modelLines(local) {
		have[l] = true
	}
	eff := s.cfg
	eff.JunOS = x
	eff.JunOS.Inherited, eff.JunOS.Filled = nil, nil
	effLines := modelLines(eff)
	for _, l := range modelLines(local) {
		if !slices.Contains(effLines, l) {
			eff.JunOS.Filled = append(eff.JunOS.Filled, l)
		}
	}
	for _, l := range effLines {
		if have[l] {
			continue
		}
		group := ""
		for i := len(given) - 1; i >= 0 && group == ""; i-- {
			if given[i].line == l {
				group = given[i].group
			}
		}
		for i := len(given) - 1; i >= 0 && group == ""; i-- {
			if under(words(l), words(given[i].line)[:len(words(given[i].line))-1]) {
				group = given[i].group
			}
		}
		if group == "" && len(given) > 0 {
			group = given[len(given)-1].group
		}
		eff.JunOS.Inherited = append(eff.JunOS.Inherited, config.JunOSInherited{Line: l, Group: group})
	}
	return eff, errs
}

// excepted reports whether an apply-groups-except at or above the
// statement's place names group g.
func excepted(as []config.JunOSApply, st []string, g string) bool {
	for _, a := range as {
		if a.Except && slices.Contains(a.Groups, g) && under(st, words(a.Path)) {
			return true
		}
	}
	return false
}

// matchWildcards is a group statement once for each local name its
// wildcards (<*>, <eth*>) match at their place; a statement without
// wildcards is itself. As on JunOS, a wildcard only reaches statements
// the configuration has (expand gives it those the groups add too).
func matchWildcards(st []string, local [][]string) [][]string {
	i := slices.IndexFunc(st, wildcard)
	if i < 0 {
		return [][]string{st}
	}
	pat := st[i][1 : len(st[i])-1]
	var out [][]string
	seen := map[string]bool{}
	for _, l := range local {
		if len(l) <= i || !slices.Equal(l[:i], st[:i]) || seen[l[i]] {
			continue
		}
		if ok, _ := path.Match(pat, l[i]); !ok {
			continue
		}
		seen[l[i]] = true
		c := slices.Clone(st)
		c[i] = l[i]
		out = append(out, matchWildcards(c, local)...)
	}
	return out
}

// Words is a line's words, quotes taken off (a quoted string is one
// word).
func Words(line string) []string { return words(line) }

// JoinWords writes words back as a line, quoting those that need it.
func JoinWords(ws []string) string { return joinWords(ws) }
