package junos

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
)

// Editors is the box's sessions in configuration mode, for `status`:
// one table that every JunOS session of the box shares (the management
// plane makes it); a session is in it from `configure` until it leaves
// configuration mode or ends.
type Editors struct {
	mu   sync.Mutex
	list []*editor
}

// editor is one session in configuration mode. Its fields are written
// by its own session and read by another's `status`, under the table's
// lock.
type editor struct {
	user      string
	line      Line
	level     []string // the [edit ...] level, as the session last left it
	exclusive bool     // configure exclusive: no other session commits
}

// Line is the CLI line a session holds, as `status` shows it.
type Line struct {
	// Terminal names the line: vty0, con0, ctl0 (flowtap's lines; Junos
	// names the pseudo-terminal, p0).
	Terminal string
	// Since is when the session opened.
	Since time.Time
	// Idle is the time since the line's last input; nil: never idle.
	Idle func() time.Duration
}

func (t *Editors) enter(user string, l Line) *editor {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := &editor{user: user, line: l}
	t.list = append(t.list, e)
	return e
}

func (t *Editors) leave(e *editor) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.list = slices.DeleteFunc(t.list, func(o *editor) bool { return o == e })
}

// at records the edit level e's session is at, and whether it holds the
// configuration exclusively.
func (t *Editors) at(e *editor, level []string, exclusive bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e.level, e.exclusive = slices.Clone(level), exclusive
}

// lockedBy is the status line of the session other than self that holds
// the configuration exclusively; "" when none does.
func (t *Editors) lockedBy(self *editor) string {
	if t == nil {
		return ""
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range t.list {
		if e != self && e.exclusive {
			var b strings.Builder
			writeEditor(&b, e)
			return b.String()
		}
	}
	return ""
}

// status is configuration mode's `status`: each session editing the
// configuration, in the order they entered it, as Junos lays it out
// (its `(pid N)` left out: a flowtap session is no process); idle is
// shown once a line has been idle a second or more.
func (s *Session) status(w io.Writer, _ []string) error {
	s.noteLevel()
	fmt.Fprintln(w, "Users currently editing the configuration:")
	s.writeEditors(w)
	return nil
}

// othersEditing is what `configure` says when other sessions are in
// configuration mode already: Junos lists them under the same header
// as status.
func (s *Session) othersEditing(w io.Writer) {
	if s.editors == nil {
		return
	}
	s.editors.mu.Lock()
	n := len(s.editors.list)
	s.editors.mu.Unlock()
	if n > 0 {
		fmt.Fprintln(w, "Users currently editing the configuration:")
		s.writeEditors(w)
	}
}

// writeEditors writes a line and its level for each session in the
// editors' table.
func (s *Session) writeEditors(w io.Writer) {
	if s.editors == nil {
		return
	}
	s.editors.mu.Lock()
	defer s.editors.mu.Unlock()
	for _, e := range s.editors.list {
		writeEditor(w, e)
	}
}

// writeEditor is one session's lines in status: who, where from, since
// when, idle how long, holding the configuration exclusively (Junos's
// word for it, from memory), then its level.
func writeEditor(w io.Writer, e *editor) {
	fmt.Fprintf(w, "  %s terminal %s on since %s", e.user, e.line.Terminal, e.line.Since.Format("2006-01-02 15:04:05 MST"))
	if e.line.Idle != nil {
		if idle := e.line.Idle().Truncate(time.Second); idle >= time.Second {
			h, m, sec := int(idle/time.Hour), int(idle%time.Hour/time.Minute), int(idle%time.Minute/time.Second)
			fmt.Fprintf(w, ", idle %02d:%02d:%02d", h, m, sec)
		}
	}
	if e.exclusive {
		fmt.Fprint(w, " exclusive")
	}
	fmt.Fprintln(w)
	banner := "[edit]"
	if len(e.level) > 0 {
		banner = "[edit " + strings.Join(e.level, " ") + "]"
	}
	fmt.Fprintf(w, "      %s\n", banner)
}

// noteLevel keeps the session's place in the editors' table in step
// with configuration mode: in it while a candidate is open, at the
// session's edit level.
func (s *Session) noteLevel() {
	if s.editors == nil {
		return
	}
	switch {
	case s.cand != nil && s.editing == nil:
		s.editing = s.editors.enter(s.user, s.line)
		s.editors.at(s.editing, s.path, s.exclusive)
	case s.cand != nil:
		s.editors.at(s.editing, s.path, s.exclusive)
	case s.editing != nil:
		s.editors.leave(s.editing)
		s.editing = nil
	}
}
