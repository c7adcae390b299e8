// Package junos is the JunOS-dialect CLI: operational mode with the
// `show services accounting` family and the box's own screens (`show
// chassis hardware|routing-engine`, `show version`, `show system
// uptime|users|memory|processes summary`), and configuration mode editing a
// candidate with set/delete under an edit path, show | compare, commit,
// commit check, commit confirmed (its timer is the backend's, so it
// outlives the session), commit comment, show system commit, rollback,
// load merge|replace|override|patch|set and status (the sessions in
// configuration mode, from the Editors table the box's sessions share).
// Both dialects edit the same config model, so
// a change committed here shows in the IOS running-config and back.
package junos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/cli/cmdtree"
	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/cli/pipe"
	"github.com/flowtap/flowtap/cli/show"
	"github.com/flowtap/flowtap/cli/term"
)

// Backend is the appliance as the JunOS CLI sees it.
type Backend interface {
	Hostname() string
	// Resolver resolves the host names configuration lines name (a
	// flow-server's) past the static host mappings: the name servers
	// configured or learned from DHCP, with the box's host cache.
	Resolver() config.Resolver
	// LookupHost is `show host NAME`: the static mapping's addresses, or
	// what the name servers answer.
	LookupHost(name string) ([]netip.Addr, error)
	// LookupAddr is `show host ADDRESS`: the static mappings' names for
	// the address, or what the name servers' PTR records say.
	LookupAddr(a netip.Addr) ([]string, error)
	Accounting() show.AccountingView
	Running() config.Config
	// Commit makes c the running configuration (validated already);
	// by says who committed, for show system commit.
	Commit(c config.Config, by show.CommitEntry) error
	// Commits are the commits rollback can load, newest (the running
	// configuration's, rollback 0) first.
	Commits() []show.CommitEntry
	// Rollback returns the configuration committed n commits ago (0 is
	// the running one), as `rollback N` loads it.
	Rollback(n int) (config.Config, error)
	// CommitConfirmed is Commit, rolled back to the configuration
	// running before it unless Confirm comes within wait (`commit
	// confirmed N`). The wait outlives the session: losing the session
	// is what it guards against.
	CommitConfirmed(c config.Config, wait time.Duration, by show.CommitEntry) error
	// Confirm keeps what a waiting commit confirmed applied; false when
	// none waits.
	Confirm() bool
	// ConfirmDeadline is when a waiting commit confirmed rolls back; the
	// zero time when none waits.
	ConfirmDeadline() time.Time
	// FirewallFilter is the counters of filter name for `show firewall
	// filter`; an error when no such filter is configured.
	FirewallFilter(name string) ([]show.FirewallCounter, error)
	// ClearFirewall zeroes filter name's counters ("" is every filter);
	// an error when no such filter is configured.
	ClearFirewall(name string) error
	// ClearAccounting zeroes the accounting counters (the cache's and the
	// exporters' statistics: IOS's clear ip flow stats), for `clear
	// services accounting statistics`.
	ClearAccounting()
	// Sampling is every sampler of the datapath and its counters, for
	// `show forwarding-options sampling`.
	Sampling() []show.SamplingInstance
	// Aggregations are the running aggregation caches, for `show
	// services accounting aggregation TYPE`.
	Aggregations() []show.AggregationView
	// SNMPCounters are the SNMP agent's statistics, for `show snmp
	// statistics`; nil when no agent runs.
	SNMPCounters() show.SNMPCounters
	// Interfaces are the links with their state and counters, for `show
	// interfaces`: the snapshot IOS's show interfaces prints.
	Interfaces() ([]show.Interface, error)
	// Inventory is the box's parts, the chassis first, for `show
	// chassis hardware` (the inventory IOS's show inventory lists).
	Inventory() []show.InventoryItem
	// RoutingEngine is the box as its routing engine (CPU, memory,
	// uptime, load), for `show chassis routing-engine`.
	RoutingEngine() show.RoutingEngineView
	// System is the box as `show version` and `show system uptime`
	// describe it.
	System() show.JunosSystemView
	// LogMessages are the logged messages, for `show log messages`.
	LogMessages() show.LogMessagesView
	// ProcessesSummary is top's header and flowtapd's row, for `show
	// system processes summary`.
	ProcessesSummary() show.ProcessesSummaryView
	// SystemMemory is the machine's memory by list, for `show system
	// memory`.
	SystemMemory() show.SystemMemoryView
	// SystemStorage is the mounted file systems' sizes, for `show
	// system storage`.
	SystemStorage() []show.Filesystem
	// Alarms are the active system alarms, for `show system alarms`.
	Alarms() []show.Alarm
	// Taps are the passive taps' fibres with their state and counters,
	// for flowtap's `show flowtap taps` (IOS has the same).
	Taps() []show.TapView
	// ReadFile is a configuration file `load ... FILE` reads: a name
	// without a directory is looked for beside the startup-config, as
	// Junos looks in the user's home directory.
	ReadFile(name string) ([]byte, error)
	// WriteFile is the file configuration mode's `save FILE` writes: a
	// name alone, beside the startup-config (never the startup-config
	// itself).
	WriteFile(name string, data []byte) error
}

// Session is one JunOS CLI session.
type Session struct {
	b       Backend
	user    string
	cand    *junosconf.Session // non-nil in configuration mode
	path    []string           // edit level
	ended   bool
	history []string

	op, conf *node         // the two modes' command trees
	pipes    pipe.Pipeline // the line being run: its `| ...` stages
	// ask reads the lines `load ... terminal` takes, from the operator
	// or the script; nil when the session cannot be asked.
	ask term.Asker
	// announcement is Options.Announcement.
	announcement func() string
	// jsonDone is set by a command that honoured `| display json`,
	// xmlDone by one that honoured `| display xml`.
	jsonDone, xmlDone bool
	// length and width are `set cli screen-length` and `screen-width`,
	// the terminal's size until set; a length of 0 pages nothing.
	length, width int
	// gap: a line ran in configuration mode and the next prompt has
	// not yet been drawn. Junos leaves an empty line between a
	// command's output (or the Return on an empty line) and the [edit]
	// banner, once: the prompt drawn again after `?` or ^C has none.
	gap bool
	// editors is the box's table of sessions in configuration mode
	// (`status`), editing this session's place in it; line is the line
	// the session holds.
	editors *Editors
	editing *editor
	line    Line
	users   func() []show.UserLine
	// based is the running configuration the candidate's changes are
	// against: the one at configure, rollback or the last commit.
	based config.Config
	// exclusive: configure exclusive; no other session commits while
	// this one is in configuration mode.
	exclusive bool
	// edits are the levels the edit commands left, the last on top:
	// where exit and quit go back to.
	edits [][]string
}

// NewSession opens an operational-mode session for user, with every
// permission (JunOS's super-user class): the control socket's root.
func NewSession(b Backend, user string) *Session {
	return NewSessionWith(b, Options{User: user})
}

// Options of a session.
type Options struct {
	User string
	// ReadOnly is JunOS's read-only login class: the user may look but
	// not configure, clear counters or read the configuration (which
	// holds the accounts' secrets). An SSH user below IOS privilege 15
	// gets it, as such a user gets no `configure` nor `show
	// running-config` in the IOS CLI either.
	ReadOnly bool
	// Announcement is `system login announcement` (the model's motd) as
	// this session shows it after the login; nil or "" shows none.
	Announcement func() string
	// Editors is the box's table of sessions in configuration mode, one
	// for every session (`status` lists it); nil: status lists none.
	Editors *Editors
	// Line is the line the session holds, as status shows it.
	Line Line
	// Users are the box's CLI lines, this session's marked, for `show
	// system users` (the table IOS's show users reads); nil: none.
	Users func() []show.UserLine
}

// NewSessionWith opens an operational-mode session with opts.
func NewSessionWith(b Backend, opts Options) *Session {
	op := operationalTree()
	if opts.ReadOnly {
		op = readOnly(op)
	}
	return &Session{b: b, user: opts.User, op: op, conf: configurationTree(), announcement: opts.Announcement,
		editors: opts.Editors, line: opts.Line, users: opts.Users}
}

// tree is the current mode's command tree.
func (s *Session) tree() *node {
	if s.cand == nil {
		return s.op
	}
	return s.conf
}

// Prompt is the prompt, with the [edit] banner above it in configuration
// mode, as JunOS prints it.
func (s *Session) Prompt() string {
	if s.cand == nil {
		return fmt.Sprintf("%s@%s> ", s.user, s.b.Hostname())
	}
	banner := "[edit]"
	if len(s.path) > 0 {
		banner = "[edit " + strings.Join(s.path, " ") + "]"
	}
	if d := s.b.ConfirmDeadline(); !d.IsZero() {
		// JunOS reminds the operator above every prompt until a commit
		// confirms.
		banner = fmt.Sprintf("# commit confirmed will be rolled back in %d minutes\n%s", confirmMinutes(time.Until(d)), banner)
	}
	if s.gap {
		banner = "\n" + banner
		s.gap = false
	}
	return fmt.Sprintf("%s\n%s@%s# ", banner, s.user, s.b.Hostname())
}

// Exec runs one line and returns its output.
func (s *Session) Exec(line string) string {
	var b bytes.Buffer
	s.run(&b, line)
	return b.String()
}

func (s *Session) run(w io.Writer, line string) {
	// `configure` prints its own empty line; leaving configuration mode
	// leaves no banner to set apart.
	defer func(editing bool) {
		s.gap = editing && s.cand != nil
		s.noteLevel()
	}(s.cand != nil)
	line = strings.TrimSpace(line)
	if line == "" {
		return
	}
	s.history = term.Remember(s.history, line)
	p, err := pipe.JunOS().Parse(line)
	if err != nil {
		fmt.Fprintln(w, err)
		return
	}
	for _, st := range p.Stages {
		// The display forms flowtap has; another (Junos's xml, omit,
		// changed...) would print the plain text as if it were that.
		word, more, _ := strings.Cut(strings.TrimSpace(st.Arg), " ")
		// omit hides what `apply-flags omit` marks, which flowtap's
		// configuration cannot carry: the output is the whole, as
		// Junos's would be without the flag (Oxidized asks for it).
		if st.Verb != "display" || slices.Contains([]string{"inheritance", "json", "omit", "xml"}, word) ||
			word == "set" && (more == "" || more == "relative" && s.cand != nil) {
			continue
		}
		if word == "" {
			fmt.Fprintln(w, "syntax error, expecting <command>.")
		} else {
			fmt.Fprintf(w, "error: display %s is not supported (display set, inheritance, omit, json or xml)\n", strings.TrimSpace(st.Arg))
		}
		return
	}
	format := ""
	for _, f := range []string{"json", "xml"} {
		if p.Has("display " + f) {
			format = f
		}
	}
	if first, _, _ := strings.Cut(strings.TrimSpace(p.Cmd), " "); format != "" && (len(first) < 2 || !strings.HasPrefix("show", strings.ToLower(first))) {
		// Only show commands have a JSON or XML form; refuse the rest
		// before they run, so `commit | display json` commits nothing.
		fmt.Fprintf(w, "error: display %s is not supported for this command\n", format)
		return
	}
	s.pipes = p
	s.ask, _ = w.(term.Asker)
	var out bytes.Buffer
	s.jsonDone, s.xmlDone = false, false
	err = s.exec(&out, s.tree(), p.Cmd)
	if err != nil {
		fmt.Fprintln(&out, err)
	} else if format == "json" && !s.jsonDone || format == "xml" && !s.xmlDone {
		// Not the text passed off as JSON or XML.
		out.Reset()
		fmt.Fprintf(&out, "error: display %s is not supported for this command\n", format)
	}
	if st, ok := p.Find("save"); ok && err == nil {
		// `| save FILE`: the output goes to the file (beside the
		// startup-config, as save and load FILE have it), not the
		// screen.
		var b bytes.Buffer
		p.Apply(&b, out.String())
		name := strings.TrimSpace(st.Arg)
		if err := s.b.WriteFile(name, b.Bytes()); err != nil {
			fmt.Fprintf(w, "error: could not write %s: %v\n", name, err)
			return
		}
		fmt.Fprintf(w, "Wrote %d lines of output to '%s'\n", bytes.Count(b.Bytes(), []byte("\n")), name)
		return
	}
	p.Apply(w, out.String())
}

// exec resolves cmd in root and runs it; a line the tree does not take
// gets JunOS's caret and syntax error.
func (s *Session) exec(w io.Writer, root *node, cmd string) error {
	n, args, err := cmdtree.Resolve(root, cmd)
	if err != nil {
		return syntaxError(cmd, err)
	}
	return n.Run(s, w, args)
}

// syntaxError is JunOS's screen for a line the tree does not take: the
// line, a caret under the word (the end of the line when a word is
// missing) and why.
func syntaxError(line string, err error) error {
	var me *cmdtree.MatchError
	if !errors.As(err, &me) {
		return err
	}
	col, why := me.Pos, "syntax error, expecting <command>."
	switch me.Kind {
	case cmdtree.Invalid:
		if strings.TrimSpace(line[:me.Pos]) == "" {
			why = "unknown command." // the command word itself
		}
	case cmdtree.Incomplete:
		col = len(line) + 1
		if len(me.Next) == 1 && strings.HasPrefix(me.Next[0], "<") {
			// One value is all that may follow: name it.
			why = "syntax error, expecting " + me.Next[0] + "."
		}
	case cmdtree.Ambiguous:
		w := line[me.Pos:]
		if i := strings.IndexByte(w, ' '); i >= 0 {
			w = w[:i]
		}
		why = fmt.Sprintf("'%s' is ambiguous.", w)
	}
	return fmt.Errorf("%s\n%s^\n%s", line, strings.Repeat(" ", col), why)
}

// screen prints a config error as JunOS does.
func (s *Session) screen(err error) error {
	if err == nil {
		return nil
	}
	// Errors first: errors.As would find the first of several line
	// errors in it, and a load or commit with two bad lines showed one.
	var es config.Errors
	if errors.As(err, &es) {
		return errors.New(strings.Join(screenLines(es), "\n"))
	}
	var le *config.LineError
	if errors.As(err, &le) {
		return errors.New(strings.Join(le.Lines(), "\n"))
	}
	return fmt.Errorf("error: %v", err)
}

// screenLines is each error's lines, in order.
func screenLines(es config.Errors) []string {
	var lines []string
	for _, e := range es {
		var le *config.LineError
		var inner config.Errors
		switch {
		case errors.As(e, &inner):
			lines = append(lines, screenLines(inner)...)
		case errors.As(e, &le):
			lines = append(lines, le.Lines()...)
		default:
			lines = append(lines, "error: "+e.Error())
		}
	}
	return lines
}

// showCandidate is configuration mode's `show [STATEMENT...]`: the
// candidate below the edit level and the words given.
func (s *Session) showCandidate(w io.Writer, pipes pipe.Pipeline, at []string) error {
	cand := s.cand.Candidate()
	if st, ok := pipes.Find("compare"); ok {
		old := s.based // the changes this session made, which its commit applies
		p := strings.TrimSpace("compare " + st.Arg)
		if f := strings.Fields(p); len(f) == 3 && f[1] == "rollback" {
			n, err := strconv.Atoi(f[2])
			if err != nil {
				return syntaxError(p, &cmdtree.MatchError{Kind: cmdtree.Invalid, Pos: strings.LastIndex(p, f[2])})
			}
			if old, err = s.b.Rollback(n); err != nil {
				return fmt.Errorf("error: %v", err)
			}
		}
		io.WriteString(w, junosconf.RenderDiffAt(old, cand, append(slices.Clone(s.path), at...)))
		return nil
	}
	if st, ok := pipes.Find("display inheritance"); ok {
		style, err := inheritStyle(st.Arg)
		if err != nil {
			return err
		}
		io.WriteString(w, junosconf.RenderInheritanceStyle(cand, append(slices.Clone(s.path), at...), style))
		return nil
	}
	words := append(slices.Clone(s.path), at...)
	if st, ok := pipes.Find("display set"); ok && len(words) > 0 && strings.Fields(st.Arg)[len(strings.Fields(st.Arg))-1] == "relative" {
		// `display set relative`: the set lines from the level shown,
		// its words left out.
		var b strings.Builder
		writeConfigAt(&b, cand, words, true)
		prefix := strings.Join(words, " ") + " "
		for _, l := range strings.SplitAfter(b.String(), "\n") {
			if verb, rest, ok := strings.Cut(l, " "); ok && strings.HasPrefix(rest, prefix) {
				l = verb + " " + strings.TrimPrefix(rest, prefix)
			}
			io.WriteString(w, l)
		}
		return nil
	}
	writeConfigAt(w, cand, words, pipes.Has("display set"))
	return nil
}

// writeConfigAt writes the part of c below the hierarchy words (all of it
// for none), as brace text or, for `| display set`, as set lines: both
// configuration mode's `show STATEMENT` and operational `show
// configuration STATEMENT`.
func writeConfigAt(w io.Writer, c config.Config, words []string, displaySet bool) {
	if displaySet {
		text := junosconf.RenderSet(c)
		if len(words) > 0 {
			at := strings.Join(words, " ")
			var b strings.Builder
			for _, l := range strings.SplitAfter(text, "\n") {
				// Whole words: eth1 is not eth10. A deactivated
				// statement's deactivate line goes with its set line.
				for _, prefix := range []string{"set " + at, "deactivate " + at} {
					if strings.HasPrefix(l, prefix+" ") || l == prefix+"\n" {
						b.WriteString(l)
					}
				}
			}
			text = b.String()
		}
		io.WriteString(w, text)
		return
	}
	if len(words) > 0 {
		io.WriteString(w, junosconf.RenderAt(c, words))
		return
	}
	io.WriteString(w, junosconf.Render(c))
}

// confirmMinutes is a rollback's wait in whole minutes, rounded up as
// JunOS counts down: 4 minutes 10 seconds left is 5.
func confirmMinutes(left time.Duration) int {
	return max(int((left+time.Minute-1)/time.Minute), 1)
}

// defaultConfirmWait is commit confirmed's wait when no minutes are given.
const defaultConfirmWait = 10

// commitOptions are what a commit line asks for after `commit`.
type commitOptions struct {
	check, andQuit bool
	confirmed      int // minutes; 0: a plain commit
	comment        string
}

// optionWord is a word of a commit line: a quoted comment is one word,
// ending at its closing quote, as Junos reads it.
type optionWord struct {
	text string
	pos  int
}

// optionWords splits rest (what follows `commit `) into words; a word
// opened by a double quote runs to the next one (\" inside it is a
// quote). An unterminated quote takes the rest of the line.
func optionWords(rest string) []optionWord {
	var out []optionWord
	for i := 0; i < len(rest); {
		if rest[i] == ' ' {
			i++
			continue
		}
		j := i + 1
		if rest[i] == '"' {
			for j < len(rest) && rest[j] != '"' {
				if rest[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(rest))
		} else {
			for j < len(rest) && rest[j] != ' ' {
				j++
			}
		}
		out = append(out, optionWord{rest[i:j], i})
		i = j
	}
	return out
}

// parseCommit reads commit's options, in any order: and-quit, check,
// comment TEXT (one word, or a quoted string that ends at its quote),
// confirmed [MINUTES]. A word that is none of them gets the caret under
// it.
func parseCommit(rest string) (commitOptions, error) {
	line := strings.TrimSpace("commit " + rest)
	off := len("commit ")
	caret := func(pos int, why string) error {
		return fmt.Errorf("%s\n%s^\n%s", line, strings.Repeat(" ", off+pos), why)
	}
	var o commitOptions
	ws := optionWords(rest)
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		switch w.text {
		case "check":
			o.check = true
		case "and-quit":
			o.andQuit = true
		case "comment":
			if i+1 >= len(ws) {
				return o, caret(len(rest)+1, "syntax error, expecting <comment>.")
			}
			i++
			o.comment = ws[i].text
			if len(o.comment) >= 2 && o.comment[0] == '"' && o.comment[len(o.comment)-1] == '"' {
				o.comment = strings.ReplaceAll(o.comment[1:len(o.comment)-1], `\"`, `"`)
			}
		case "confirmed":
			o.confirmed = defaultConfirmWait
			if i+1 < len(ws) && ws[i+1].text[0] >= '0' && ws[i+1].text[0] <= '9' {
				i++
				n, err := strconv.Atoi(ws[i].text)
				if err != nil || n < 1 || n > 65535 {
					return o, caret(ws[i].pos, "error: value "+ws[i].text+" is not within range (1..65535)")
				}
				o.confirmed = n
			}
		default:
			return o, caret(w.pos, "syntax error.")
		}
	}
	if o.check && (o.andQuit || o.confirmed > 0) {
		// A check applies nothing, so it neither quits nor waits.
		return o, caret(ws[len(ws)-1].pos, "syntax error.")
	}
	return o, nil
}

func (s *Session) commit(w io.Writer, rest string) error {
	by := show.CommitEntry{User: s.user, Via: "cli"}
	o, err := parseCommit(rest)
	if err != nil {
		return err
	}
	by.Comment = o.comment
	confirmed := o.confirmed
	if by := s.editors.lockedBy(s.editing); by != "" && !o.check {
		// A check changes nothing, so another's lock does not stop it.
		return errors.New("error: configuration database locked by:\n" + strings.TrimSuffix(by, "\n"))
	}
	if err := s.update(w); err != nil {
		return err
	}
	c, err := s.cand.Commit()
	if err != nil {
		if e := s.screen(err); e != nil {
			fmt.Fprintln(w, e)
		}
		return errors.New("error: configuration check-out failed")
	}
	if o.check {
		// A check confirms a waiting commit confirmed, as a commit does.
		s.b.Confirm()
		fmt.Fprintln(w, "configuration check succeeds")
		return nil
	}
	apply := func(c config.Config) error { return s.b.Commit(c, by) }
	if confirmed > 0 {
		fmt.Fprintf(w, "commit confirmed will be automatically rolled back in %d minutes unless confirmed\n", confirmed)
		apply = func(c config.Config) error { return s.b.CommitConfirmed(c, time.Duration(confirmed)*time.Minute, by) }
	} else {
		s.b.Confirm()
	}
	if err := apply(c); err != nil {
		// A backend's warnings (what the runtime cannot do yet) leave
		// the commit in force, as JunOS's "warning:" lines do.
		var warn interface{ Unwrap() []error }
		if !errors.As(err, &warn) || !isWarning(err) {
			return fmt.Errorf("error: commit failed: %v", err)
		}
		for _, e := range warn.Unwrap() {
			fmt.Fprintln(w, "warning:", e)
		}
	}
	fmt.Fprintln(w, "commit complete")
	s.based = s.b.Running()
	s.cand = s.candidate(s.based)
	if o.andQuit {
		fmt.Fprintln(w, "Exiting configuration mode")
		s.cand, s.path = nil, nil
	}
	return nil
}

// update brings the candidate onto the running configuration when
// another session (JunOS or IOS, or an SNMP Set) changed it since the
// candidate began: the candidate's own changes, as show | compare would
// print them against its start, are applied to the running
// configuration as a patch, as Junos merges a private candidate at
// commit (`configure private`). Before, a commit put back whatever the
// other had changed meanwhile. Changes that no longer apply (the other
// changed the same statement) refuse the update, the candidate kept.
func (s *Session) update(w io.Writer) error {
	run := s.b.Running()
	if config.Equal(run, s.based) {
		return nil
	}
	c := s.candidate(run)
	if err := c.Patch(junosconf.RenderDiff(s.based, s.cand.Candidate())); err != nil {
		var pe *junosconf.PatchError
		if errors.As(err, &pe) {
			fmt.Fprintln(w, pe)
		}
		return errors.New("error: configuration database modified: a change of this candidate no longer applies to the configuration committed since (rollback 0 starts again from it)")
	}
	s.cand, s.based = c, run
	return nil
}

// Serve runs the session over a stream: a script when not interactive,
// else line by line with echo.
func (s *Session) Serve(ctx context.Context, in io.Reader, out io.Writer, tty control.Terminal) error {
	defer s.Close()
	if !tty.Interactive {
		return term.Script(ctx, in, out, shell{s})
	}
	// A terminal sees the announcement before its first prompt; the
	// login message came before the login (SSH's banner).
	if s.announcement != nil {
		if a := s.announcement(); a != "" {
			if !strings.HasSuffix(a, "\n") {
				a += "\n"
			}
			io.WriteString(out, strings.ReplaceAll(a, "\n", "\r\n"))
		}
	}
	// Junos pages at the terminal's height [RECALL], which an SSH
	// client gives with its pty; a terminal that gives none is not
	// paged until `set cli screen-length`.
	if tty.Height > 0 {
		s.length = tty.Height - 1
	}
	if tty.Width > 0 {
		s.width = tty.Width
	}
	return term.Serve(ctx, in, out, shell{s}, term.Options{MorePrompt: "---(more)---", PageLength: func() int {
		if s.pipes.Has("no-more") {
			return 0
		}
		return s.length
	}})
}

// Close takes the session out of the editors' table: a session that ends
// in configuration mode no longer edits.
func (s *Session) Close() {
	if s.editing != nil {
		s.editors.leave(s.editing)
		s.editing = nil
	}
}

// shell is the session as the line editor drives it: `?` and Tab come
// from the mode's command tree (after a `|`, the pipe's verbs).
type shell struct{ s *Session }

func (h shell) Prompt() string               { return h.s.Prompt() }
func (h shell) Run(w io.Writer, line string) { h.s.run(w, line) }
func (h shell) History() []string            { return h.s.history }
func (h shell) Ended() bool                  { return h.s.ended }
func (h shell) Interrupt()                   {}

// Help is JunOS's `?`: the possible completions with their help, and
// <[Enter]> when the line is a command as it stands.
func (h shell) Help(line string) []string {
	out := []string{"Possible completions:"}
	item := func(label, help string) {
		out = append(out, strings.TrimRight(fmt.Sprintf("  %-20s %s", label, help), " "))
	}
	if items, _, ok := pipe.JunOS().Completions(line); ok {
		for _, it := range items {
			item(it.Name, it.Help)
		}
		return out
	}
	if out, ok := h.s.statementHelp(line); ok {
		return out
	}
	if out, ok := h.s.rollbackHelp(line); ok {
		return out
	}
	tree := h.s.tree()
	if h.s.cand != nil && strings.HasPrefix(strings.TrimLeft(line, " "), "run ") {
		tree, line = runTree(), strings.TrimPrefix(strings.TrimLeft(line, " "), "run ")
	}
	hp := cmdtree.HelpFor(tree, line)
	names := h.s.interfaceNames(tree, line)
	switch {
	case hp.Unrecognized && len(names) == 0:
		return []string{"syntax error."}
	case hp.Unrecognized || len(hp.Words) > 0:
		for _, w := range mergeNames(hp.Words, names) {
			item(w.Label, w.Help)
		}
		return out
	}
	for _, it := range mergeNames(hp.Items, names) {
		item(it.Label, it.Help)
	}
	if hp.CR {
		item("<[Enter]>", "Execute this command")
		item("|", "Pipe through a command")
	}
	return out
}

// rollbackHelp is `?` after configuration mode's `rollback`: Junos lists
// the configurations it can load, each with when and by whom it was
// committed, rather than a <number>.
func (s *Session) rollbackHelp(line string) (out []string, ok bool) {
	ws := cmdtree.Tokenize(line)
	if s.cand == nil || len(ws) != 1 || !strings.HasSuffix(line, " ") {
		return nil, false
	}
	if c := cmdtree.Candidates(s.conf, ws[0].Text); len(c) != 1 || c[0].Word != "rollback" {
		return nil, false
	}
	out = []string{"Possible completions:"}
	item := func(label, help string) {
		out = append(out, strings.TrimRight(fmt.Sprintf("  %-20s %s", label, help), " "))
	}
	item("<[Enter]>", "Execute this command")
	for i, c := range s.b.Commits() {
		if i > 49 {
			break
		}
		item(strconv.Itoa(i), fmt.Sprintf("%s by %s via %s", c.When.Format("2006-01-02 15:04:05 MST"), c.User, c.Via))
	}
	item("|", "Pipe through a command")
	return out, true
}

// statementHelp is `?` after set, delete, (de)activate, edit or show in configuration mode:
// the grammar's own statements at that point with their descriptions
// (the edit level joined in), as JunOS lists them. ok is false for any
// other line, which the command tree answers.
func (s *Session) statementHelp(line string) (out []string, ok bool) {
	if s.cand == nil {
		return nil, false
	}
	ws := cmdtree.Tokenize(line)
	if len(ws) == 0 || len(ws) == 1 && !strings.HasSuffix(line, " ") {
		return nil, false // still the command word
	}
	verb := ""
	if c := cmdtree.Candidates(s.conf, ws[0].Text); len(c) == 1 {
		verb = c[0].Word
	}
	showing := verb == "show"
	var then []cmdtree.Item // the word that follows a copy's statement
	switch verb {
	case "set", "delete", "activate", "deactivate", "annotate":
	case "edit", "show":
		verb = "set"
	case "copy", "rename", "insert":
		// The statement named first is any the configuration holds, as
		// show's; what follows to, before or after is the tree's.
		for _, w := range ws[1:] {
			if w.Text == "to" || w.Text == "before" || w.Text == "after" {
				return nil, false
			}
		}
		then = []cmdtree.Item{{Label: "to", Help: "Name the " + verb + " gives the statement"}}
		if verb == "insert" {
			then = []cmdtree.Item{{Label: "after", Help: "Place after the entry named"}, {Label: "before", Help: "Place before the entry named"}}
		}
		verb, showing = "set", true
	default:
		return nil, false
	}
	stmt := verb + " "
	if len(s.path) > 0 {
		stmt += strings.Join(s.path, " ") + " "
	}
	if len(ws) > 1 {
		stmt += line[ws[1].Pos:]
	}
	items, complete, err := s.cand.Help(stmt)
	if err != nil {
		return []string{"syntax error."}, true
	}
	if showing {
		// Any level of the hierarchy shows; values are not asked for.
		items = slices.DeleteFunc(items, func(it junosconf.HelpItem) bool { return strings.HasPrefix(it.Label, "<") })
		complete = true
	}
	partial := ""
	if !strings.HasSuffix(line, " ") {
		partial = ws[len(ws)-1].Text
	}
	var names []cmdtree.Item
	if slices.ContainsFunc(items, func(it junosconf.HelpItem) bool {
		return it.Label == "<interface-name>" && !strings.HasPrefix(it.Help, "Services interface")
	}) {
		names = s.linkNames(partial)
	}
	out = []string{"Possible completions:"}
	item := func(label, help string) {
		out = append(out, strings.TrimRight(fmt.Sprintf("  %-20s %s", label, help), " "))
	}
	for _, it := range items {
		item(it.Label, it.Help)
	}
	for _, n := range names {
		item(n.Label, "")
	}
	if len(ws) > 1 && strings.HasSuffix(line, " ") {
		for _, t := range then {
			item(t.Label, t.Help)
		}
	}
	if complete && then == nil {
		item("<[Enter]>", "Execute this command")
		item("|", "Pipe through a command")
	}
	return out, true
}

// Complete is Tab: the command tree's words, and in configuration mode
// after set, delete, edit or show the grammar's statements.
func (h shell) Complete(line string) string {
	if done := cmdtree.Complete(h.s.tree(), line); done != line {
		if len(h.s.interfaceNames(h.s.tree(), line)) > 0 {
			return line // a link's name begins so too
		}
		return done
	}
	ws := cmdtree.Tokenize(line)
	if len(ws) < 2 || strings.HasSuffix(line, " ") {
		return line
	}
	if h.s.cand != nil && ws[0].Text == "run" {
		// An operational command: its tree's words and names.
		inner := strings.TrimPrefix(strings.TrimLeft(line, " "), "run ")
		op := runTree()
		if done := cmdtree.Complete(op, inner); done != inner {
			if len(h.s.interfaceNames(op, inner)) > 0 {
				return line
			}
			return "run " + done
		}
		return "run " + h.s.completeName(op, inner)
	}
	if h.s.cand == nil {
		return h.s.completeName(h.s.op, line)
	}
	out, ok := h.s.statementHelp(line)
	if !ok || !strings.HasPrefix(out[0], "Possible completions:") {
		return line
	}
	// The one word the start picks out, values aside.
	var words []string
	for _, l := range out[1:] {
		if w := strings.Fields(l)[0]; !strings.HasPrefix(w, "<") && w != "|" {
			words = append(words, w)
		}
	}
	if len(words) != 1 {
		return line
	}
	return line[:ws[len(ws)-1].Pos] + words[0] + " "
}

// isWarning reports whether a Commit error only warns: the backend says so
// with a Warning method.
func isWarning(err error) bool {
	var w interface{ Warning() bool }
	return errors.As(err, &w) && w.Warning()
}

// interfaceNames are the box's links that may stand for the word `?`
// is asked after (the whole word, or the start typed of it) where the
// command tree takes an <interface-name>: Junos lists them among the
// completions, with no help of their own.
func (s *Session) interfaceNames(tree *node, line string) []cmdtree.Item {
	prefix, partial := line, ""
	if ws := cmdtree.Tokenize(line); len(ws) > 0 && !strings.HasSuffix(line, " ") {
		prefix, partial = line[:ws[len(ws)-1].Pos], ws[len(ws)-1].Text
	}
	if prefix == "" {
		return nil
	}
	hp := cmdtree.HelpFor(tree, prefix)
	if !slices.ContainsFunc(hp.Items, func(it cmdtree.Item) bool { return it.Label == "<interface-name>" }) {
		return nil
	}
	return s.linkNames(partial)
}

// completeName is Tab after the start of an interface name where tree
// takes one: the one link it picks out, when no keyword begins so.
func (s *Session) completeName(tree *node, line string) string {
	ws := cmdtree.Tokenize(line)
	if len(ws) == 0 || strings.HasSuffix(line, " ") {
		return line
	}
	if names := s.interfaceNames(tree, line); len(names) == 1 && len(cmdtree.HelpFor(tree, line).Words) == 0 {
		return line[:ws[len(ws)-1].Pos] + names[0].Label + " "
	}
	return line
}

// linkNames are the names of the box's links that start with partial.
func (s *Session) linkNames(partial string) []cmdtree.Item {
	ifs, err := s.b.Interfaces()
	if err != nil {
		return nil
	}
	var out []cmdtree.Item
	for _, i := range ifs {
		if strings.HasPrefix(i.Name, partial) {
			out = append(out, cmdtree.Item{Label: i.Name})
		}
	}
	return out
}

// mergeNames puts the interface names among the completions in label
// order, the values (<...>) first, as the tree sorts them.
func mergeNames(items, names []cmdtree.Item) []cmdtree.Item {
	if len(names) == 0 {
		return items
	}
	out := append(slices.Clone(items), names...)
	slices.SortStableFunc(out, func(a, b cmdtree.Item) int { return strings.Compare(a.Label, b.Label) })
	return out
}

// inheritStyle reads `display inheritance [brief | terse | no-comments]`
// (arg is the stage's words after display).
func inheritStyle(arg string) (junosconf.InheritStyle, error) {
	f := strings.Fields(arg)
	if len(f) == 1 {
		return junosconf.InheritFull, nil
	}
	if len(f) == 2 {
		switch f[1] {
		case "brief":
			return junosconf.InheritBrief, nil
		case "terse":
			return junosconf.InheritTerse, nil
		case "no-comments":
			return junosconf.InheritNoComments, nil
		}
	}
	return 0, errors.New("syntax error, expecting brief, no-comments or terse.")
}
