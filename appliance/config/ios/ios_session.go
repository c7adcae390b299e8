package ios

import (
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/internal/grammar"
	"github.com/flowtap/flowtap/appliance/platform"
)

// modeKind is an IOS configuration sub-mode.
type modeKind uint8

const (
	modeGlobal modeKind = iota
	modeInterface
	modeSampler
	modeAggregation
	modeTopTalkers
	modeVTY
	modeConsole
	modeACLStandard
	modeACLExtended
	modeTap
	modeClassMap
	modePolicyMap
	modePolicyClass
	modeACLv6
	modeArchive
	modeArchiveLog
	modeFlowRecord
	modeFlowExporter
	modeFlowMonitor
	modeFNFSampler
)

// mode is the sub-mode a line applies in; key names its element (the
// interface, the sampler map, the aggregation scheme).
type mode struct {
	kind modeKind
	key  string
}

var modePrompts = [...]string{
	modeGlobal:      "config",
	modeInterface:   "config-if",
	modeSampler:     "config-sampler",
	modeAggregation: "config-flow-cache",
	modeTopTalkers:  "config-flow-top-talkers",
	modeVTY:         "config-line",
	modeConsole:     "config-line",
	modeACLStandard: "config-std-nacl",
	modeACLExtended: "config-ext-nacl",
	modeTap:         "config-tap",
	modeClassMap:    "config-cmap",
	modePolicyMap:   "config-pmap",
	modePolicyClass: "config-pmap-c",
	modeACLv6:       "config-ipv6-acl",
	modeArchive:     "config-archive",
	modeArchiveLog:  "config-archive-log-cfg",
	// IOS-XE's Flexible NetFlow sub-modes.
	modeFlowRecord:   "config-flow-record",
	modeFlowExporter: "config-flow-exporter",
	modeFlowMonitor:  "config-flow-monitor",
	modeFNFSampler:   "config-sampler",
}

// Session applies IOS configuration lines one at a time, as
// `configure terminal` does: each line is checked against the persona and
// the rest of the configuration when it is entered, and a refused line
// changes nothing. The CLI keeps one per configuration session.
type Session struct {
	file string
	cfg  config.Config
	errs []*config.FieldError // what cfg fails; empty unless the base was invalid
	mode mode
	line int
	done bool
	// batch (a whole file) applies lines in place and checks the model
	// once at the end, blaming refusals on the lines recorded in where:
	// checking after every line would make a long file quadratic.
	batch bool
	where grammar.Origins
	// offered is what the last accepted line could have gone on with
	// (`?` lists it before <cr>).
	offered []string
	// depth is how deep the mode the last accepted line applied in is:
	// 0 for a global command, 2 in a sub-mode's sub-mode.
	depth int
	// notes are what the last line typed (Exec) has IOS say although it
	// was taken ("% Login disabled on line 0, ..."): lines to print.
	notes []string
	// offline: the session only tries lines (for `?` help), so a host
	// name is not looked up on the name servers.
	offline bool
	// res resolves host names the host table does not hold (nil: the
	// configured name servers alone).
	res config.Resolver
	// banner is a `banner` whose text goes on over the next lines: they
	// are its text, not commands, up to the line that holds the
	// delimiter.
	banner *openBanner
}

// SetResolver makes the session resolve host names with r (flowtapd's
// cache, which knows the DHCP lease's servers).
func (s *Session) SetResolver(r config.Resolver) { s.res = r }

// NewSession starts editing base; file names the source in errors
// (the CLI passes "console" or the like).
func NewSession(base config.Config, file string) *Session {
	n, errs := config.NormalizeFields(base)
	return &Session{file: file, cfg: n, errs: errs, where: grammar.Origins{}}
}

// Config is the configuration with every accepted line applied.
func (s *Session) Config() config.Config { return s.cfg.Clone() }

// Prompt is the mode part of the IOS prompt: "config", "config-if" ...
func (s *Session) Prompt() string { return modePrompts[s.mode.kind] }

// Done reports whether `end` (or `exit` at the top) left configuration
// mode.
func (s *Session) Done() bool { return s.done }

// State is a session's configuration and mode, to go back to.
type State struct {
	cfg  config.Config
	errs []*config.FieldError
	mode mode
	done bool
}

// State is where the session is now.
func (s *Session) State() State {
	return State{cfg: s.cfg.Clone(), errs: append([]*config.FieldError(nil), s.errs...), mode: s.mode, done: s.done}
}

// Restore goes back to st: the runtime refused what the model accepted
// (a datapath that cannot run two samplers), and the session must not
// carry the refused change into the next line.
func (s *Session) Restore(st State) {
	s.cfg, s.errs, s.mode, s.done = st.cfg, st.errs, st.mode, st.done
}

// Exec applies one line typed at the CLI. As on IOS, a command that is not
// one of the sub-mode's is tried in global mode, which then leaves the
// sub-mode. The error is a *LineError.
func (s *Session) Exec(line string) error {
	s.line++
	s.notes = nil
	if e := s.exec(line, true); e != nil {
		e.File, e.Line = s.file, s.line
		return e
	}
	return nil
}

func (s *Session) exec(text string, fallback bool) *config.LineError {
	if s.banner != nil {
		return s.bannerLine(text)
	}
	words := grammar.SplitWords(text)
	if len(words) == 0 || strings.HasPrefix(words[0].Text, "!") {
		return nil
	}
	next, e := s.apply(s.mode, text, words)
	// As on IOS, a line the sub-mode cannot parse is tried in global mode
	// (which then leaves the sub-mode); global's answer wins when it gets
	// further into the line, so `?` help also comes from the mode that
	// knows the command.
	applied := s.mode.kind
	// An abbreviation the sub-mode finds ambiguous may be a global
	// command in full (`flow monitor M` pasted after an interface whose
	// mode has flow-sampler and flowtap).
	if e != nil && fallback && s.mode.kind != modeGlobal && (e.Kind == config.ErrInvalid || e.Kind == config.ErrAmbiguous) {
		if m, ge := s.apply(mode{}, text, words); ge == nil {
			next, e, applied = m, nil, modeGlobal
		} else if ge.Kind == config.ErrIncomplete || ge.Kind == config.ErrRefused || ge.Col > e.Col {
			// A refusal says global mode knows the command and why it
			// does not carry it out (a router's `ntp peer` pasted after
			// a `line` block): that, not the sub-mode's marker.
			e = ge
		}
	}
	if e != nil {
		// A refused banner's text lines are skipped with it.
		if d := bannerOpen(text); d != "" {
			s.banner = &openBanner{delim: d}
		}
		return e
	}
	s.mode, s.depth = next, modeDepth(applied)
	return nil
}

// parentMode is where exit goes from m: one level up, as on IOS (a
// policy-map class to its policy-map, archive's log config to archive),
// global configuration from the first level.
func parentMode(m mode) mode {
	switch m.kind {
	case modePolicyClass:
		policy, _, _ := strings.Cut(m.key, "\n")
		return mode{modePolicyMap, policy}
	case modeArchiveLog:
		return mode{modeArchive, ""}
	}
	return mode{}
}

// modeDepth is how far a mode is from global configuration.
func modeDepth(k modeKind) int {
	switch k {
	case modeGlobal:
		return 0
	case modePolicyClass, modeArchiveLog:
		return 2
	}
	return 1
}

// Notes are the lines IOS prints after the last line Exec took, as a
// notice, not an error (`login` on a line with no password yet).
func (s *Session) Notes() []string { return s.notes }

// Depth is how deep in the sub-modes the last accepted line applied: 0
// for a global command. IOS's configuration log indents by it.
func (s *Session) Depth() int { return s.depth }

// apply runs one line in mode m. Interactively it works on a copy and
// keeps it only if the line parsed and brought no new refusal.
func (s *Session) apply(m mode, text string, words []grammar.Word) (mode, *config.LineError) {
	work := s.cfg
	if !s.batch {
		work = s.cfg.Clone()
	}
	p, err := work.Persona()
	if err != nil {
		p, _ = platform.Lookup(config.DefaultPlatform)
	}
	x := &cmd{c: grammar.NewCursor(text, words, platform.DialectIOS), cfg: &work, p: &p, mode: m, offline: s.offline, res: s.res}
	x.dispatch()
	x.hideSecrets()
	if x.c.Err != nil {
		return m, x.c.Err
	}
	s.offered = x.c.Offered()
	switch {
	case x.ended:
		s.done = true
		return mode{}, nil
	case x.exited && m.kind == modeGlobal:
		s.done = true
		return mode{}, nil
	case x.exited:
		return parentMode(m), nil
	}
	if s.batch {
		s.cfg = work
		s.where.Record(s.line, x.c.Text, x.c.Words, x.touched)
	} else {
		norm, errs := config.NormalizeFields(work)
		if fe := grammar.NewError(errs, s.errs); fe != nil {
			return m, x.blame(fe)
		}
		s.cfg, s.errs = norm, errs
		s.notes = x.notes
	}
	if x.banner0 != nil {
		s.banner = x.banner0
	}
	if x.enter != nil {
		return *x.enter, nil
	}
	return m, nil
}

// frame is an open block of an indented configuration file.
type frame struct {
	indent int
	mode   mode
	failed bool // the block's opening line was refused: skip its body
}

// execFile applies a whole configuration text. Indentation decides the
// sub-mode: a line belongs to the last line indented less than it. After
// a refused line the rest is still checked, so one run reports every bad
// line.
func (s *Session) execFile(src string) config.Errors {
	s.batch = true
	defer func() { s.batch = false }()
	var errs config.Errors
	var stack []frame
	header, ended := true, false
	for n, raw := range strings.Split(src, "\n") {
		s.line = n + 1
		text := strings.TrimRight(raw, " \t\r")
		body := strings.TrimLeft(text, " \t")
		if s.banner != nil {
			// A banner's text, verbatim, up to its delimiter.
			if e := s.bannerLine(strings.TrimRight(raw, "\r")); e != nil {
				errs = append(errs, e)
			}
			continue
		}
		if body == "" || body[0] == '!' {
			continue
		}
		// `show running-config` starts with these; accept them so that its
		// output can be fed back.
		if header && (strings.HasPrefix(body, "Building configuration") || strings.HasPrefix(body, "Current configuration")) {
			continue
		}
		header = false
		if ended {
			errs = append(errs, &config.LineError{File: s.file, Line: s.line, Text: text, Kind: config.ErrRefused,
				Reason: "configuration text after end"})
			continue
		}
		indent := len(text) - len(body)
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		m := mode{}
		if len(stack) > 0 {
			if stack[len(stack)-1].failed {
				continue
			}
			m = stack[len(stack)-1].mode
		}
		s.mode, s.done = m, false
		e := s.exec(text, false)
		if e != nil {
			e.File, e.Line = s.file, s.line
			errs = append(errs, e)
			stack = append(stack, frame{indent: indent, failed: true})
			continue
		}
		switch {
		case s.done && m.kind == modeGlobal:
			ended = true
		case s.mode != m && s.mode.kind != modeGlobal:
			stack = append(stack, frame{indent: indent, mode: s.mode})
		case s.mode.kind == modeGlobal && m.kind != modeGlobal && len(stack) > 0:
			stack = stack[:len(stack)-1] // exit
		}
	}
	s.mode, s.done = mode{}, false
	// Check the model even after syntax errors, to report everything at
	// once; it is only kept when all is well.
	norm, more := grammar.CheckAll(s.cfg, s.errs, s.where, s.file, platform.DialectIOS)
	errs = append(errs, more...)
	if len(errs) == 0 {
		s.cfg = norm
	}
	grammar.SortByLine(errs)
	return errs
}

// Parse reads a whole IOS-style configuration into a new Config. The
// persona is the one a `platform` line names, wherever it stands; without
// one it is DefaultPlatform. The error is an Errors of *LineError.
func Parse(file string, src []byte) (config.Config, error) {
	return ParseWith(file, src, nil)
}

// ParseWith is Parse resolving host names with r.
func ParseWith(file string, src []byte, r config.Resolver) (config.Config, error) {
	base := config.Config{Platform: findIOSPlatform(string(src))}
	return ApplyWith(base, file, src, r)
}

// Apply applies IOS configuration lines, `no` forms included, to a copy
// of base, as `copy FILE running-config` does; base is left alone. On any
// error nothing is applied.
func Apply(base config.Config, file string, src []byte) (config.Config, error) {
	return ApplyWith(base, file, src, nil)
}

// ApplyWith is Apply resolving host names with r.
func ApplyWith(base config.Config, file string, src []byte, r config.Resolver) (config.Config, error) {
	s := NewSession(base, file)
	s.res = r
	if errs := s.execFile(string(src)); len(errs) > 0 {
		return config.Config{}, errs
	}
	if len(s.errs) > 0 {
		return config.Config{}, grammar.FieldErrors(s.errs)
	}
	return s.cfg, nil
}

// findIOSPlatform finds a top-level `platform NAME` (abbreviations
// included), so that lines before it are checked against that persona.
func findIOSPlatform(src string) string {
	name := ""
	for _, line := range strings.Split(src, "\n") {
		if line == "" || grammar.IsBlank(line[0]) {
			continue
		}
		ws := grammar.SplitWords(line)
		if len(ws) != 2 {
			continue
		}
		if k, _ := grammar.MatchKeyword(ws[0].Text, globalKeywords, true); k == "platform" {
			if _, err := platform.Lookup(ws[1].Text); err == nil {
				name = ws[1].Text
			}
		}
	}
	return name
}

// cmd is one line being applied to a working copy of the configuration.
type cmd struct {
	c       *grammar.Cursor
	cfg     *config.Config
	p       *platform.Persona
	mode    mode
	neg     bool  // the `no` form
	dflt    bool  // the `default` form (neg is set too)
	enter   *mode // the sub-mode the line opens
	ended   bool  // end
	exited  bool  // exit
	touched []grammar.Touched
	masked  []int // words that are secrets, hidden from errors
	offline bool  // look no host name up on the name servers (help)
	res     config.Resolver
	notes   []string // see Session.notes
	// banner0 is the banner the line opened, its text going on over the
	// next lines.
	banner0 *openBanner
}

// touch marks the word just read as the value of path.
func (x *cmd) touch(path string) {
	// Before any word is read (a named list's entry without a sequence
	// number) the line's first word is the one to blame.
	x.touched = append(x.touched, grammar.Touched{Path: path, Word: max(x.c.Last(), 0)})
}

func (x *cmd) open(kind modeKind, key string) { x.enter = &mode{kind, key} }

// blame turns a refusal the line brought into a line error, pointing at
// the word that set the refused field when there is one.
func (x *cmd) blame(fe *config.FieldError) *config.LineError {
	at := grammar.SrcPos{Text: x.c.Text, Word: x.c.Words[0].Text}
	for i := len(x.touched) - 1; i >= 0; i-- {
		if grammar.RelatedPath(x.touched[i].Path, fe.Path) {
			w := x.c.Words[x.touched[i].Word]
			at.Col, at.Word = w.Col, w.Text
			break
		}
	}
	return grammar.Refusal(fe, at, "", platform.DialectIOS)
}
