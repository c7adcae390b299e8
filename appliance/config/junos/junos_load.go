package junos

import (
	"errors"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
)

// Load is `load merge terminal` and `load set terminal`: each statement
// of src (brace text or set lines) applies to the candidate; a refused
// one is reported and skipped, as JunOS's load does before it says
// "load complete (N errors)".
func (s *Session) Load(src string) config.Errors {
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
		if e := s.exec(l.n, l.text); e != nil {
			errs = append(errs, e)
		}
	}
	return errs
}

// OverrideBase is what `load override` starts from: c without anything
// JunOS can say, so that the loaded text is the whole of that part while
// what only IOS says (users, access lines, SNMPv3) stays, as it would on
// a router whose JunOS hierarchy is replaced.
func OverrideBase(c config.Config) config.Config {
	c = c.Clone()
	c.JunOS = config.JunOSText{}
	s := NewSession(c, "override")
	seen := map[string]bool{}
	for _, l := range strings.Split(RenderSet(c), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || seen[f[1]] {
			continue
		}
		seen[f[1]] = true
		// Most hierarchies delete at their top; forwarding-options only
		// holds sampling, which must be named.
		if s.exec(0, "delete "+f[1]) != nil && len(f) > 2 {
			s.exec(0, "delete "+f[1]+" "+f[2])
		}
	}
	// A deleted persona falls back to JunOS's default one, as Parse does.
	if s.cfg.Platform == "" {
		s.cfg.Platform = DefaultPlatform
	}
	return s.cfg
}
