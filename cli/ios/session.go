package ios

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/flowtap/flowtap/cli/cmdtree"
	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/cli/pipe"
	"github.com/flowtap/flowtap/cli/term"
)

// Privilege levels, as the prompt shows them.
const (
	userExec = iota
	privExec
	configMode
)

// Session is one CLI session.
type Session struct {
	b      Backend
	level  int       // the prompt: userExec, privExec or configMode
	priv   int       // privilege level, 0..15
	user   string    // "" before a login, or where none is asked
	lines  LineTable // nil: show users lists nothing, clear line clears nothing
	lineID int       // this session in lines
	vty    string    // LineVTY: the vty's name in the logs ("vty1")
	from   string    // LineVTY: the client's address; "" unknown
	line   Line      // what `enable` may do without a secret
	ask    *question // a pending Password:/Username: prompt
	login  func(user, password string) (int, bool)
	log    *slog.Logger
	cfg    ConfigSession // in configuration mode
	length int           // terminal length; 0: no paging
	width  int
	// lineLength and lineWidth are the terminal's own, which `terminal
	// no length|width` go back to.
	lineLength, lineWidth int
	history               []string
	// cfgHistory is configuration mode's own history, as IOS keeps one
	// per mode: the arrows there recall configuration lines.
	cfgHistory []string
	// histSize is `terminal history size`: how many of the last
	// commands the arrows and show history recall; nil: HistorySize.
	histSize *int
	exec     *Node
	ended    bool
	// monitor shows log messages on a vty line (`terminal monitor`); the
	// console and the control socket always show them, as IOS's
	// `logging console` does.
	monitor bool

	interactive bool // a terminal: a wrong secret may be typed again
	failDelay   time.Duration
	logFailure  func() bool
	logSuccess  func() bool
	linePass    func(string) (int, bool)
	// json is set while a command runs under `| json`; a command that
	// can render JSON sets jsonDone when it has.
	json, jsonDone bool
	// archiveSession numbers the session in the configuration log once
	// it logs a command; 0 before.
	archiveSession int
	// inDo is set while `do` runs an exec command from configuration
	// mode, where a word that is no command is not taken for a host.
	inDo bool
	// banner is Options.Banner.
	banner func(kind string) string
	// relogin: a console login ended and the next prompt is the
	// Username: (or Password:) of a new login, which IOS heads with the
	// motd and login banners again, as at the line's first login.
	relogin bool
}

// NewSession is a control socket session: privileged (level 15) when
// privileged, else at the user prompt (level 1).
func NewSession(b Backend, privileged bool) *Session {
	o := Options{Privilege: 1, Line: LineControl}
	if privileged {
		o.Privilege = 15
	}
	return NewSessionWith(b, o)
}

// NewSessionWith starts a session for a user on a line at a privilege
// level; with Login set it first asks for a username and password.
func NewSessionWith(b Backend, o Options) *Session {
	s := &Session{b: b, length: 24, width: 80, lineLength: 24, lineWidth: 80, user: o.User, line: o.Line, login: o.Login, log: o.Log, failDelay: o.FailDelay,
		lines: o.Lines, lineID: o.LineID, vty: o.VTY, from: o.From, logFailure: o.LogFailure,
		logSuccess: o.LogSuccess, banner: o.Banner}
	if o.Login == nil {
		s.linePass = o.LinePassword
	}
	if s.vty == "" {
		s.vty = "vty0"
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.failDelay == 0 {
		s.failDelay = time.Second
	}
	s.exec = execTree()
	s.setPriv(o.Privilege)
	if s.ask = s.firstQuestion(); s.ask != nil {
		s.setPriv(0)
	}
	return s
}

// Prompt is what IOS prints before a command.
func (s *Session) Prompt() string {
	if s.ask != nil {
		var banners strings.Builder
		if s.relogin {
			// Once: a Username: asked again after a failed login
			// has no banners above it.
			s.relogin = false
			s.showBanners(&banners, "motd", "login")
			if banners.Len() > 0 {
				banners.WriteString("\n") // as Serve's first Username: has
			}
		}
		if s.ask.kind == askUser {
			return banners.String() + usernamePrompt
		}
		return banners.String() + passwordPrompt
	}
	if s.inBannerText() {
		return "" // IOS prompts for a banner's text lines with nothing
	}
	h := s.b.Hostname()
	switch s.level {
	case userExec:
		return h + ">"
	case privExec:
		return h + "#"
	}
	return fmt.Sprintf("%s(%s)#", h, s.cfg.Prompt())
}

// Exec runs one line and returns what IOS would print for it.
func (s *Session) Exec(line string) string {
	var b bytes.Buffer
	s.run(&b, line)
	return b.String()
}

func (s *Session) run(w io.Writer, line string) {
	if s.ask != nil {
		s.answer(w, strings.TrimRight(line, "\r"))
		return
	}
	if s.inBannerText() {
		// A banner's text line, taken as typed: a blank line, a `!`,
		// a `?` or a command's words are text.
		_ = s.cfg.Exec(strings.TrimRight(line, "\r")) // text lines are not refused
		return
	}
	line = strings.TrimRight(line, " \t\r")
	if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "!") {
		return
	}
	if strings.HasSuffix(line, "?") {
		for _, l := range s.helpFor(line[:len(line)-1]) {
			fmt.Fprintln(w, l)
		}
		return
	}
	if s.level == configMode {
		s.cfgHistory = term.Remember(s.cfgHistory, line)
	} else {
		s.history = term.Remember(s.history, line)
	}
	if s.level == configMode {
		s.runConfig(w, line)
		return
	}
	s.runExec(w, line, len(s.Prompt()))
}

func (s *Session) helpFor(line string) []string {
	if s.level == configMode {
		if t := tokenize(line); len(t) > 0 && strings.HasPrefix("do", t[0].Text) && len(t[0].Text) >= 2 {
			line = line[t[0].Pos+len(t[0].Text):]
		} else {
			return s.configHelp(line)
		}
	}
	if h, ok := pipeHelp(line); ok {
		return h
	}
	return help(s.permitted(), line)
}

// pipeHelp is `?` in a `| filter` stage, in IOS's layout; ok is false when
// the line has none.
func pipeHelp(line string) ([]string, bool) {
	items, partial, ok := pipe.IOS().Completions(line)
	if !ok {
		return nil, false
	}
	if len(items) == 0 {
		return []string{"% Unrecognized command"}, true
	}
	var out []string
	if partial {
		var ws []string
		for _, it := range items {
			ws = append(ws, it.Name)
		}
		return []string{strings.Join(ws, "  ")}, true
	}
	for _, it := range items {
		out = append(out, fmt.Sprintf("  %-16s %s", it.Name, it.Help))
	}
	return out, true
}

// Complete extends the line as Tab does: the last word, when it spells a
// keyword in full or exactly one keyword fits it; in configuration mode
// by the config grammar's help, after `do` and in a `| filter` stage by
// the exec tree and the filter verbs, as `?` lists them.
func (s *Session) Complete(line string) string {
	t := tokenize(line)
	if len(t) == 0 || strings.HasSuffix(line, " ") {
		return line
	}
	if s.level != configMode {
		return s.completeExec(line)
	}
	if len(t) > 1 && len(t[0].Text) >= 2 && strings.HasPrefix("do", t[0].Text) {
		cut := t[0].Pos + len(t[0].Text)
		return line[:cut] + s.completeExec(line[cut:])
	}
	h := s.configHelp(line)
	if len(h) != 1 || strings.HasPrefix(h[0], "%") {
		return line
	}
	var words []string
	for _, w := range strings.Fields(h[0]) {
		if !strings.HasPrefix(w, "<") {
			words = append(words, w)
		}
	}
	last := t[len(t)-1]
	kw, ok := cmdtree.CompleteWord(words, last.Text)
	if !ok {
		return line
	}
	return line[:last.Pos] + kw + " "
}

// completeExec is Tab on an exec command, its filter verb included
// ("show ip cache flow | inc" becomes "... | include ").
func (s *Session) completeExec(line string) string {
	items, partial, ok := pipe.IOS().Completions(line)
	if !ok {
		return complete(s.permitted(), line)
	}
	if !partial {
		return line
	}
	// The verb being typed is what follows the stage's last space or bar.
	word := line[strings.LastIndexAny(line, " |")+1:]
	var verbs []string
	for _, it := range items {
		verbs = append(verbs, it.Name)
	}
	kw, found := cmdtree.CompleteWord(verbs, word)
	if !found {
		return line
	}
	return line[:len(line)-len(word)] + kw + " "
}

// runExec runs an exec-mode command, with its `| filter`.
func (s *Session) runExec(w io.Writer, line string, promptLen int) {
	p, err := pipe.IOS().Parse(line)
	if err != nil {
		// A filter verb IOS does not know, or a word its verb takes
		// none of, gets its caret as a command's word does.
		if pe := (*pipe.PosError)(nil); errors.As(err, &pe) && pe.Pos >= 0 {
			fmt.Fprintf(w, "%*s^\n", promptLen+pe.Pos, "")
		}
		fmt.Fprintln(w, err)
		return
	}
	cmd := p.Cmd
	// Commands above the session's level do not exist for it: the caret
	// goes under the first word IOS does not know at that level.
	levels := s.levels()
	n, args, err := resolve(s.permitted(), cmd)
	if err != nil {
		if unknownWord(err, cmd) && !s.inDo {
			fmt.Fprintln(w, unknownCommand)
			return
		}
		printError(w, err, promptLen)
		return
	}
	if p.Has("json") && (len(args) == 0 || args[0] != "show") {
		// Only show commands have a JSON form; refuse the rest before
		// they run, so `clear ... | json` clears nothing.
		fmt.Fprintln(w, "% JSON output is not supported for this command")
		return
	}
	if levelOf(levels, args) > 1 {
		s.logCommand(line, 0)
	}
	// Without a filter the command writes to the terminal itself, which
	// can then answer its questions (reload's [confirm]).
	var out io.Writer = w
	var buf bytes.Buffer
	if p.Filtered() {
		out = &buf
	}
	s.json, s.jsonDone = p.Has("json"), false
	defer func() { s.json, s.jsonDone = false, false }()
	err = n.Run(s, out, args)
	if err != nil {
		var me *matchError
		if errors.As(err, &me) && me.Word > 0 {
			if t := tokenize(cmd); me.Word < len(t) {
				me.Pos = t[me.Word].Pos
			}
			printError(out, me, promptLen)
		} else {
			fmt.Fprintln(out, err)
		}
	}
	if s.json {
		if err == nil && !s.jsonDone {
			// No JSON form: say so, as IOS does, rather than pass the
			// text off as JSON.
			buf.Reset()
			fmt.Fprintln(&buf, "% JSON output is not supported for this command")
		}
		io.WriteString(w, buf.String())
		return
	}
	if p.Filtered() {
		p.Apply(w, buf.String())
	}
}

// unknownCommand is what IOS's exec says of a line that is one word and
// no command: it takes the word for a host to telnet to, and finds none.
// (IOS prints a `Translating "WORD"` line before it; flowtap has no
// telnet and looks nothing up, so it leaves that line out.)
const unknownCommand = "% Unknown command or computer name, or unable to find computer address"

// unknownWord reports whether err refuses the only word of line.
func unknownWord(err error, line string) bool {
	var me *matchError
	t := tokenize(line)
	return errors.As(err, &me) && me.Kind == errInvalid && len(t) == 1 && me.Pos == t[0].Pos
}

func printError(w io.Writer, err error, promptLen int) {
	var me *matchError
	if errors.As(err, &me) && me.Kind == errInvalid {
		fmt.Fprintf(w, "%*s^\n", promptLen+me.Pos, "")
	}
	fmt.Fprintln(w, err)
}

// inBannerText reports whether configuration mode is reading the lines
// of a banner's text, up to its delimiter.
func (s *Session) inBannerText() bool {
	b, ok := s.cfg.(interface{ InBannerText() bool })
	return s.level == configMode && ok && b.InBannerText()
}

func (s *Session) runConfig(w io.Writer, line string) {
	t := tokenize(line)
	if first := strings.ToLower(t[0].Text); len(first) >= 2 && strings.HasPrefix("do", first) {
		// `do CMD` runs an exec command; carets count from the prompt.
		off := t[0].Pos + len(t[0].Text)
		s.inDo = true
		defer func() { s.inDo = false }()
		s.runExec(w, line[off:], len(s.Prompt())+off)
		return
	}
	promptLen := len(s.Prompt())
	if !s.configPermitted(s.cfg.Prompt(), line) {
		// Configuration commands are level 15 unless `privilege
		// configure|interface` lowered them, as on IOS.
		fmt.Fprintf(w, "%*s^\n%s\n", promptLen+t[0].Pos, "", (&matchError{Kind: errInvalid}).Error())
		return
	}
	err := s.cfg.Exec(line)
	if err == nil {
		// IOS's logger keeps the commands the parser accepted, indented
		// by the mode they applied in.
		depth := 0
		if d, ok := s.cfg.(depther); ok {
			depth = d.Depth()
		}
		s.logCommand(line, depth)
		if n, ok := s.cfg.(interface{ Notes() []string }); ok {
			for _, l := range n.Notes() {
				fmt.Fprintln(w, l)
			}
		}
	}
	if s.cfg.Done() {
		s.endConfig()
	}
	if err == nil {
		return
	}
	var se screenError
	if !errors.As(err, &se) {
		fmt.Fprintln(w, err)
		return
	}
	// The operator just typed the line: drop its echo and put the caret
	// under the word on their screen.
	lines := se.Lines()
	if len(lines) > 1 {
		lines = lines[1:]
	}
	for _, l := range lines {
		if strings.TrimSpace(l) == "^" {
			l = strings.Repeat(" ", promptLen) + l
		}
		fmt.Fprintln(w, l)
	}
}

// by is who the session's messages say acted, as IOS names them:
// "console" before any login, the user on the console, "USER on vty0" over
// SSH.
func (s *Session) by() string {
	switch {
	case s.user == "":
		return "console"
	case s.line == LineVTY && s.from != "":
		return s.user + " on " + s.vty + " (" + s.from + ")"
	case s.line == LineVTY:
		return s.user + " on " + s.vty
	}
	return s.user
}

func (s *Session) endConfig() {
	s.cfg.End(s.by())
	s.level, s.cfg = privExec, nil
	s.setPriv(s.priv)
}

// Serve runs the session over a byte stream: a terminal (interactive:
// echo, editing, ?, Tab, history, paging) or a script of lines.
func (s *Session) Serve(ctx context.Context, in io.Reader, out io.Writer, tty control.Terminal) error {
	if tty.Height > 0 {
		s.length = tty.Height - 1
	}
	if tty.Width > 0 {
		s.width = tty.Width
	}
	s.lineLength, s.lineWidth = s.length, s.width
	s.interactive = tty.Interactive
	// A session that ends in configuration mode (a script without
	// `end`, a dropped connection, an exec-timeout, clear line) leaves
	// it as `end` does, so that %SYS-5-CONFIG_I still says who changed
	// the configuration, as IOS logs it when such a vty closes.
	defer func() {
		if s.level == configMode && s.cfg != nil {
			s.endConfig()
		}
	}()
	if !tty.Interactive {
		s.length = 0
		return term.Script(ctx, in, out, shell{s})
	}
	// The banners a terminal sees before its first prompt, in IOS's
	// order: the motd, then before a login the login banner (the exec
	// banner follows the login), else the exec banner. An SSH login's
	// login banner came before authentication (mgmt/ssh).
	var first strings.Builder
	if s.ask != nil {
		s.showBanners(&first, "motd", "login")
	} else {
		s.showBanners(&first, "motd", "exec")
	}
	io.WriteString(out, strings.ReplaceAll(first.String(), "\n", "\r\n"))
	msgs, stop := s.b.Messages()
	defer stop()
	return term.Serve(ctx, in, out, shell{s}, term.Options{PageLength: func() int { return s.length }, Messages: msgs})
}

// showBanners writes the banners of kinds a terminal shows, each ending
// its line. A script (ssh HOST COMMAND, the control socket's pipe) sees
// none, as IOS shows none to a command run without a shell.
func (s *Session) showBanners(w io.Writer, kinds ...string) {
	if s.banner == nil || !s.interactive {
		return
	}
	for _, k := range kinds {
		if t := s.banner(k); t != "" {
			io.WriteString(w, t)
			if !strings.HasSuffix(t, "\n") {
				io.WriteString(w, "\n")
			}
		}
	}
}

// shell is the session as the line editor drives it.
type shell struct{ s *Session }

func (h shell) Prompt() string               { return h.s.Prompt() }
func (h shell) PlainText() bool              { return h.s.inBannerText() }
func (h shell) Run(w io.Writer, line string) { h.s.run(w, line) }
func (h shell) Help(line string) []string    { return h.s.helpFor(line) }
func (h shell) Complete(line string) string  { return h.s.Complete(line) }
func (h shell) History() []string            { return h.s.recalled() }
func (h shell) Monitor() bool                { return h.s.line != LineVTY || h.s.monitor }
func (h shell) Ended() bool {
	// A console login never leaves the CLI: exit returns to Username:.
	return h.s.ended && !h.s.logout()
}
func (h shell) Masked() bool { return h.s.Masked() }
func (h shell) Logout() bool { return h.s.logout() }

// recalled is the history `terminal history size` lets the session
// recall: its last commands, up to the size, of the mode it is in (exec
// or configuration).
func (s *Session) recalled() []string {
	h := s.history
	if s.level == configMode {
		h = s.cfgHistory
	}
	if s.histSize == nil || *s.histSize >= len(h) {
		return h
	}
	return h[len(h)-*s.histSize:]
}

// Interrupt (Ctrl-C, Ctrl-Z) leaves configuration mode, as on IOS, and
// abandons an enable prompt.
func (h shell) Interrupt() {
	if h.s.ask != nil && h.s.ask.kind == askEnable {
		h.s.ask = nil
	}
	if h.s.level == configMode {
		h.s.endConfig()
	}
}
