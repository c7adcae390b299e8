package ios

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/flowtap/flowtap/appliance/config"
)

// ConfigLog is the configuration logger's log (`archive` / ` log config`
// / `  logging enable`): the commands every session ran, with who ran
// them on which line, for `show archive log config`. The backend keeps
// one for all sessions; the zero value is empty.
type ConfigLog struct {
	mu       sync.Mutex
	sessions int
	last     int // the last index given
	entries  []LoggedCommand
}

// LoggedCommand is one entry of `show archive log config`.
type LoggedCommand struct {
	Index   int
	Session int // the CLI session that ran it, numbered from 1
	User    string
	Line    string // console, vty0, vty1, ..., control
	Command string // as typed, secrets masked, indented by its sub-mode
}

// newSession numbers a session's first logged command, as IOS numbers
// the sessions in its log.
func (l *ConfigLog) newSession() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sessions++
	return l.sessions
}

// add keeps e and drops the oldest entries beyond keep.
func (l *ConfigLog) add(e LoggedCommand, keep int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last++
	e.Index = l.last
	l.entries = append(l.entries, e)
	if n := len(l.entries) - keep; n > 0 {
		l.entries = append(l.entries[:0:0], l.entries[n:]...)
	}
}

// Entries are the kept commands, oldest first.
func (l *ConfigLog) Entries() []LoggedCommand {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]LoggedCommand(nil), l.entries...)
}

// lineName is the line a session runs on as IOS's log names it.
func (s *Session) lineName() string {
	switch s.line {
	case LineConsole:
		return "console"
	case LineVTY:
		return s.vty
	}
	return "control"
}

// logCommand records a privileged or configuration command with its
// user, as IOS's configuration logger does, when `logging enable` is
// configured: in the archive log and, with `notify syslog`, as
// %PARSER-5-CFGLOG_LOGGEDCMD. Secrets are masked either way. depth
// indents a sub-mode's command as IOS's log does.
func (s *Session) logCommand(line string, depth int) {
	a := s.b.Access().ConfigLog
	if !a.Enabled {
		return
	}
	line = hideSecrets(strings.TrimSpace(line))
	if l := s.b.ConfigLog(); l != nil {
		if s.archiveSession == 0 {
			s.archiveSession = l.newSession()
		}
		keep := a.Size
		if keep == 0 {
			keep = config.DefaultArchiveLogSize
		}
		l.add(LoggedCommand{Session: s.archiveSession, User: s.who(), Line: s.lineName(),
			Command: strings.Repeat(" ", depth) + line}, keep)
	}
	if a.NotifySyslog {
		s.log.Info(fmt.Sprintf("%%PARSER-5-CFGLOG_LOGGEDCMD: User:%s  logged command:%s", s.who(), line))
	}
}

// depther is a configuration session that knows how deep the mode its
// last line applied in is (appliance/config/ios.Session does).
type depther interface{ Depth() int }

// Clear empties the log (`clear archive log config`); the record and
// session numbers go on from where they were, as on IOS.
func (l *ConfigLog) Clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = nil
}

// showArchiveLog writes `show archive log config all | user NAME | FIRST
// [LAST]` in IOS's layout.
func showArchiveLog(s *Session, w io.Writer, args []string) error {
	keep := func(LoggedCommand) bool { return true }
	switch sel := args[4:]; {
	case sel[0] == "user":
		keep = func(e LoggedCommand) bool { return e.User == sel[1] }
	case sel[0] != "all":
		first, _ := strconv.Atoi(sel[0])
		last := first
		if len(sel) > 1 {
			last, _ = strconv.Atoi(sel[1])
		}
		keep = func(e LoggedCommand) bool { return e.Index >= first && e.Index <= last }
	}
	fmt.Fprintln(w, " idx   sess           user@line      Logged command")
	var l []LoggedCommand
	if c := s.b.ConfigLog(); c != nil {
		l = c.Entries()
	}
	for _, e := range l {
		if keep(e) {
			fmt.Fprintf(w, "%5d %6d %22s  |%s\n", e.Index, e.Session, e.User+"@"+e.Line, e.Command)
		}
	}
	return nil
}
