package ios

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/cli/show"
	"github.com/flowtap/flowtap/internal/logsafe"
)

// Line is the kind of terminal line a session runs on; it decides what
// `enable` does when no enable secret is configured.
type Line int

const (
	// LineControl is the control socket: root's only (the socket is mode
	// 0600), so it is privileged and asks nothing.
	LineControl Line = iota
	// LineConsole is the appliance's console: physical access. It asks
	// for a login when `line con 0` has `login local`.
	LineConsole
	// LineVTY is an SSH session: the user logged in with the server.
	LineVTY
)

// Access is what a session needs of the configuration to apply
// privilege levels; it is read at each command, so a change applies at
// once, as on IOS.
type Access struct {
	EnableSecret bool           // an enable secret is configured
	ExecLevels   map[string]int // privilege exec level N COMMAND
	// ModeLevels are `privilege configure|interface level N COMMAND`, by
	// mode (config.ModeConfigure, config.ModeInterface).
	ModeLevels map[string]map[string]int
	// ConfigLog is `archive` / ` log config`: whether commands are
	// logged, how many are kept and whether syslog hears of them.
	ConfigLog config.ArchiveLog
}

// Options say who a session runs for.
type Options struct {
	User      string // "" on the control socket and a console without login
	Privilege int    // the starting level, 0..15
	Line      Line
	// Login, when set, makes the session ask for a username and its
	// password first (the console's `login local`); it returns the
	// user's privilege.
	Login func(user, password string) (privilege int, ok bool)
	// LinePassword, when set (and Login not), makes the session ask for
	// the line's password first, with no username (the console's
	// `login` with `password`); it returns the line's privilege level.
	LinePassword func(password string) (privilege int, ok bool)
	// LogFailure is called at each failed login and reports whether it
	// is logged (`login on-failure log`); nil logs every one.
	LogFailure func() bool
	// LogSuccess is called at each successful login and reports whether
	// it is logged (`login on-success log`); nil logs every one.
	LogSuccess func() bool
	// Log receives command accounting (%PARSER-5-CFGLOG_LOGGEDCMD, with
	// `notify syslog`) and privilege changes.
	Log *slog.Logger
	// FailDelay slows down enable and login guessing; 0 means 1 s.
	FailDelay time.Duration
	// Lines, when set, is the box's open sessions for `show users` and
	// `clear line`; LineID is this session's entry in it.
	Lines  LineTable
	LineID int
	// VTY is the vty line an SSH session runs on ("vty1") and From its
	// client's address, as the logs name them ("by admin on vty1
	// (192.0.2.7)"); "" is vty0 and no address.
	VTY, From string
	// Banner is the text of banner kind ("motd", "login", "exec") as
	// this line shows it, its tokens expanded; nil or "" shows none.
	Banner func(kind string) string
}

// LineTable is the box's open CLI sessions.
type LineTable interface {
	// Users lists them for `show users`, the session with id self
	// marked.
	Users(self int) []show.UserLine
	// Clear ends a vty: by absolute line number (`clear line N`), or by
	// vty number (`clear line vty N`). An error is the `%` line.
	Clear(n int, vty bool) error
	// SetUser names the user on line id: the console's login and
	// logout change it.
	SetUser(id int, user string)
	// TTYs lists the console and the vty lines for `show line`.
	TTYs() []show.TTYLine
	// SSH lists the SSH sessions for `show ssh`, by vty.
	SSH() []show.SSHConn
}

// Prompts and messages as IOS prints them.
const (
	passwordPrompt = "Password: "
	usernamePrompt = "Username: "
	maxEnableTries = 3
)

// question is a pending prompt: the next line answers it, not a command.
type question struct {
	kind   int // askEnable, askUser, askPassword
	target int // askEnable: the level asked for
	tries  int
	user   string // askPassword: the username given
}

const (
	askEnable = iota
	askUser
	askPassword
	askLinePassword
)

// defaultLevels are IOS's levels for the exec commands; a command not
// listed (nor begun by one listed) needs 15. The longest listed prefix
// of a command's words decides.
var defaultLevels = map[string]int{
	"enable":              0,
	"disable":             0,
	"exit":                0,
	"logout":              0,
	"terminal":            1,
	"show":                1,
	"show running-config": 15,
	"show startup-config": 15,
	// The log holds every user's commands (CFGLOG) and logins.
	"show logging": 15,
	"show archive": 15,
	// Who may use SNMPv3 and through which views: IOS's privileged
	// EXEC, as the access configuration they show.
	"show snmp user":  15,
	"show snmp group": 15,
	"show snmp view":  15,
	// The hosts' lines carry their communities, and show snmp community
	// is nothing else.
	"show snmp host":      15,
	"show snmp community": 15,
	"terminal monitor":    15,
}

// levels is the table in force: IOS's defaults and the configured
// `privilege exec level` lines, expanded to full keywords.
func (s *Session) levels() map[string]int {
	out := make(map[string]int, len(defaultLevels))
	for k, v := range defaultLevels {
		out[k] = v
	}
	for cmd, lvl := range s.b.Access().ExecLevels {
		out[expand(s.exec, cmd)] = lvl
	}
	return out
}

// expand writes a configured command in full keywords (`sh run` is `show
// running-config`); words the tree does not know stay as typed.
func expand(root *Node, cmd string) string {
	n := root
	var out []string
	for _, w := range strings.Fields(cmd) {
		var c []*Node
		if n != nil {
			c = candidates(n, w)
		}
		if len(c) != 1 || c[0].Arg != nil {
			out = append(out, strings.ToLower(w))
			n = nil
			continue
		}
		n = c[0]
		out = append(out, n.Word)
	}
	return strings.Join(out, " ")
}

// levelOf is the level a command (its full keywords) needs.
func levelOf(levels map[string]int, words []string) int {
	for i := len(words); i > 0; i-- {
		if l, ok := levels[strings.Join(words[:i], " ")]; ok {
			return l
		}
	}
	return 15
}

// permitted prunes the exec tree to what the session's level may run: a
// keyword stays when a command it begins is allowed, and a node runs
// only when its own command is. `?`, Tab and the caret of an error then
// all see what IOS shows at that level.
func (s *Session) permitted() *Node {
	levels := s.levels()
	var prune func(n *Node, path []string) *Node
	prune = func(n *Node, path []string) *Node {
		c := *n
		c.Children = nil
		if n.Run != nil && levelOf(levels, path) > s.priv {
			c.Run = nil
		}
		for _, k := range n.Children {
			p := path
			if k.Arg == nil {
				p = append(append([]string(nil), path...), k.Word)
			}
			if kid := prune(k, p); kid != nil {
				c.Children = append(c.Children, kid)
			}
		}
		if c.Run == nil && len(c.Children) == 0 && len(path) > 0 {
			return nil
		}
		return &c
	}
	return prune(s.exec, nil)
}

// setPriv moves the session to a level; the prompt follows (`#` from 2).
func (s *Session) setPriv(level int) {
	s.priv = level
	if s.level != configMode {
		s.level = userExec
		if level >= 2 {
			s.level = privExec
		}
	}
}

// who names the session's user in logs, as IOS names the line when no
// one logged in.
func (s *Session) who() string {
	if s.user != "" {
		return s.user
	}
	if s.line == LineConsole {
		return "console"
	}
	return "control"
}

// whoOn is who() with, on a vty, the line and the client's address, as
// IOS's PRIV_AUTH messages name them ("oper on vty1 (192.0.2.7)"): an
// analyst sees which session tried the enable secret.
func (s *Session) whoOn() string {
	if s.line == LineVTY && s.user != "" {
		return s.by()
	}
	return s.who()
}

// hideSecrets masks what follows `secret`, `password` or an SNMPv3
// user's `auth`, and a destination's Crypto-PAn key, so no log holds a
// secret.
func hideSecrets(line string) string {
	words := strings.Fields(line)
	snmpUser := len(words) > 1 && abbrev(words[0], "snmp-server", 1) && abbrev(words[1], "user", 1)
	masked := false
	for i, w := range words {
		if abbrev(w, "secret", 3) || abbrev(w, "password", 3) || snmpUser && abbrev(w, "auth", 2) {
			if i+1 < len(words) {
				return strings.Join(words[:i+1], " ") + " *****"
			}
		}
		if abbrev(w, "crypto-pan", 3) && i+1 < len(words) {
			words[i+1], masked = "*****", true
		}
	}
	if !masked {
		return line
	}
	return strings.Join(words, " ")
}

func abbrev(w, keyword string, min int) bool {
	return len(w) >= min && strings.HasPrefix(keyword, strings.ToLower(w))
}

// enable is `enable [LEVEL]`: up to the level, after the enable secret.
func enable(s *Session, w io.Writer, args []string) error {
	target := 15
	if len(args) > 1 {
		target, _ = strconv.Atoi(args[1])
	}
	if target <= s.priv {
		s.setPriv(target)
		return nil
	}
	if !s.b.Access().EnableSecret {
		// The console and root's socket are the box itself; a remote
		// user cannot raise a level nothing guards (IOS's vty rule).
		if s.line == LineVTY {
			return fmt.Errorf("%% No password set")
		}
		s.raise(target)
		return nil
	}
	s.ask = &question{kind: askEnable, target: target}
	return nil
}

func (s *Session) raise(target int) {
	s.setPriv(target)
	s.log.Info(fmt.Sprintf("%%SYS-5-PRIV_AUTH_PASS: Privilege level set to %d by %s", target, s.whoOn()))
}

// answer takes a line typed at a pending prompt.
func (s *Session) answer(w io.Writer, line string) {
	q := s.ask
	switch q.kind {
	case askEnable:
		if s.b.CheckEnable(line) {
			s.ask = nil
			s.raise(q.target)
			return
		}
		q.tries++
		s.log.Warn(fmt.Sprintf("%%SYS-5-PRIV_AUTH_FAIL: Authentication to privilege level %d failed by %s", q.target, s.whoOn()))
		time.Sleep(s.failDelay)
		if !s.interactive {
			// A script cannot type it again: its next line is a command.
			s.ask = nil
			fmt.Fprintln(w, "% Access denied")
			return
		}
		if q.tries >= maxEnableTries {
			s.ask = nil
			fmt.Fprintln(w, "% Bad secrets")
			fmt.Fprintln(w)
		}
	case askUser:
		if line = strings.TrimSpace(line); line != "" {
			s.ask = &question{kind: askPassword, user: line}
		}
	case askPassword:
		priv, ok := s.login(q.user, line)
		if !ok {
			// The name is whatever was typed at Username:.
			if s.logFailure == nil || s.logFailure() {
				s.log.Warn(fmt.Sprintf("%%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: %s] on console", logsafe.Name(q.user)))
			}
			time.Sleep(s.failDelay)
			fmt.Fprintln(w, "% Login invalid")
			fmt.Fprintln(w)
			s.ask = &question{kind: askUser}
			return
		}
		s.ask = nil
		s.user = q.user
		s.history, s.cfgHistory = nil, nil
		s.setPriv(priv)
		s.showBanners(w, "exec")
		if s.lines != nil {
			s.lines.SetUser(s.lineID, s.user)
		}
		if s.logSuccess == nil || s.logSuccess() {
			s.log.Info(fmt.Sprintf("%%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: %s] on console", q.user))
		}
	case askLinePassword:
		priv, ok := s.linePass(line)
		if !ok {
			// No username: the line's password is all IOS asks.
			if s.logFailure == nil || s.logFailure() {
				s.log.Warn("%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: ] on console")
			}
			time.Sleep(s.failDelay)
			// IOS asks three times, then says so and starts over.
			if q.tries++; q.tries >= maxEnableTries {
				fmt.Fprintln(w, "% Bad passwords")
				fmt.Fprintln(w)
				s.ask = &question{kind: askLinePassword}
			}
			return
		}
		s.ask = nil
		s.history, s.cfgHistory = nil, nil
		s.setPriv(priv)
		s.showBanners(w, "exec")
		if s.logSuccess == nil || s.logSuccess() {
			s.log.Info("%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: ] on console")
		}
	}
}

// firstQuestion is what a session with a login asks before its first
// command: a username (login local), the line's password (login), or
// nothing.
func (s *Session) firstQuestion() *question {
	switch {
	case s.login != nil:
		return &question{kind: askUser}
	case s.linePass != nil:
		return &question{kind: askLinePassword}
	}
	return nil
}

// logout ends a console login: back to the Username: prompt, never out
// of the CLI (what runs after it on the console is a shell).
func (s *Session) logout() bool {
	if s.login == nil && s.linePass == nil {
		return false
	}
	if s.level == configMode {
		s.endConfig()
	}
	s.user, s.history, s.cfgHistory, s.ended = "", nil, nil, false
	s.setPriv(0)
	s.ask = s.firstQuestion()
	s.relogin = true
	if s.lines != nil {
		s.lines.SetUser(s.lineID, "")
	}
	return true
}

// Masked tells the line editor not to echo (a password is being typed).
func (s *Session) Masked() bool {
	return s.ask != nil && (s.ask.kind == askEnable || s.ask.kind == askPassword || s.ask.kind == askLinePassword)
}
