package junos

import (
	"errors"
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
)

// Load is `load merge terminal` and `load set terminal`: each statement
// of src (brace text or set lines) applies to the candidate; a refused
// one is reported and skipped, as JunOS's load does before it says
// "load complete (N errors)". A `replace:` tag is not load merge's: the
// statement merges.
func (s *Session) Load(src string) config.Errors { return s.load(src, false) }

// LoadReplace is `load replace`: as Load, but a statement tagged
// `replace:` (`replace: input { rate 10; }`) first takes the candidate's
// statement of that name away, so that what it held and the text does
// not say is gone; statements without the tag merge.
func (s *Session) LoadReplace(src string) config.Errors { return s.load(src, true) }

func (s *Session) load(src string, replace bool) config.Errors {
	lines, err := junosLines(src)
	if err != nil {
		var le *config.LineError
		if errors.As(err, &le) {
			le.File = s.file
		}
		return config.Errors{err}
	}
	var errs config.Errors
	for _, l := range lines {
		if l.replace {
			if replace {
				s.deleteStatement(l.n, l.text)
			}
			continue
		}
		if e := s.exec(l.n, l.text); e != nil {
			errs = append(errs, e)
		}
	}
	return errs
}

// deleteStatement runs a delete line that names a statement as the
// configuration shows it: a leaf with its value (`rate 100`,
// `description "tap A"`), which the grammar deletes by its keyword, or a
// container with its name; a container the grammar does not delete
// whole (forwarding-options, which holds sampling) goes by what it
// holds. Not found is no error: there is nothing to take away.
func (s *Session) deleteStatement(n int, line string) bool {
	at := words(line)[1:]
	e := s.exec(n, line)
	if e == nil {
		// What the grammar's delete leaves of the statement's text
		// (a level's apply-groups) goes too.
		if s.holds(at) {
			return s.deleteHeld(n, at)
		}
		return true
	}
	ws, err := splitJunOS(line)
	if err != nil {
		return false
	}
	// A leaf's value after the keyword: refused at that last word.
	if last := ws[len(ws)-1]; len(ws) > 2 && e.Kind == config.ErrInvalid && e.Col == last.Col {
		if s.exec(n, strings.TrimRight(line[:last.Col], " ")) == nil {
			return true
		}
	}
	return s.deleteHeld(n, at)
}

// holds reports whether the candidate has statements below at.
func (s *Session) holds(at []string) bool {
	prefix := "set " + joinWords(at) + " "
	for _, l := range strings.Split(RenderSet(s.Candidate()), "\n") {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// deleteHeld deletes what the container at holds, statement by
// statement, where the grammar does not delete the container itself.
func (s *Session) deleteHeld(n int, at []string) bool {
	prefix := "set " + joinWords(at) + " "
	var children []string
	for _, l := range strings.Split(RenderSet(s.Candidate()), "\n") {
		if rest, ok := strings.CutPrefix(l, prefix); ok {
			if w := words(rest); len(w) > 0 && !slices.Contains(children, w[0]) {
				children = append(children, w[0])
			}
		}
	}
	if len(children) == 0 {
		return false
	}
	for _, c := range children {
		if !s.deleteStatement(n, "delete "+joinWords(append(slices.Clone(at), c))) {
			return false
		}
	}
	return true
}

// OverrideBase is what `load override` starts from: c without anything
// JunOS can say, so that the loaded text is the whole of that part while
// what only IOS says (users, access lines, SNMPv3) stays, as it would on
// a router whose JunOS hierarchy is replaced.
func OverrideBase(c config.Config) config.Config {
	c = c.Clone()
	c.JunOS = config.JunOSText{}
	s := NewSession(c, "override")
	for _, l := range OverrideLines(c) {
		s.exec(0, l)
	}
	// A deleted persona falls back to JunOS's default one, as Parse does.
	if s.cfg.Platform == "" {
		s.cfg.Platform = DefaultPlatform
	}
	return s.cfg
}

// FactoryDefault is what `load factory-default` puts in the candidate:
// the configuration of an empty JunOS file (the cflowd persona, every
// value its default), keeping from c only what lets operators log in:
// the users (JunOS `system login user` and IOS-only ones), the enable
// secret, the vty and console lines and the access lists they name, and
// the SSH settings. Junos refuses to commit a factory default until
// root-authentication is set again; flowtap has no root account, and a
// commit that logged every SSH user out of a box with no other way in
// would be worse, so it keeps the logins instead.
func FactoryDefault(c config.Config) config.Config {
	c = c.Clone()
	return config.Config{
		Platform:       DefaultPlatform,
		Users:          c.Users,
		EnableSecret:   c.EnableSecret,
		EnablePassword: c.EnablePassword,
		SSH:            c.SSH,
		VTY:            c.VTY,
		Console:        c.Console,
		AccessLists:    c.AccessLists,
	}
}

// OverrideLines are the delete lines that take from c everything JunOS
// can say (OverrideBase), so that set lines after them are the whole of
// that part: a saved file's JunOS part when the IOS lines before it say
// what only groups gave.
func OverrideLines(c config.Config) []string {
	c = c.Clone()
	c.JunOS = config.JunOSText{}
	s := NewSession(c, "override")
	seen := map[string]bool{}
	var out []string
	for _, l := range strings.Split(RenderSet(c), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || seen[f[1]] {
			continue
		}
		seen[f[1]] = true
		// Most hierarchies delete at their top; forwarding-options only
		// holds sampling, which must be named.
		line := "delete " + f[1]
		if s.exec(0, line) != nil && len(f) > 2 {
			line = "delete " + f[1] + " " + f[2]
			if s.exec(0, line) != nil {
				continue
			}
		}
		out = append(out, line)
	}
	return out
}
