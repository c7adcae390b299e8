// Package junos is the JunOS-dialect CLI: operational mode with the
// `show services accounting` family, and configuration mode editing a
// candidate with set/delete under an edit path, show | compare, commit,
// commit check and rollback. Both dialects edit the same config model, so
// a change committed here shows in the IOS running-config and back.
package junos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/cli/pipe"
	"github.com/flowtap/flowtap/cli/show"
	"github.com/flowtap/flowtap/cli/term"
)

// Backend is the appliance as the JunOS CLI sees it.
type Backend interface {
	Hostname() string
	Accounting() show.AccountingView
	Running() config.Config
	// Commit makes c the running configuration (validated already).
	Commit(c config.Config) error
	// Rollback returns the configuration committed n commits ago (0 is
	// the running one), as `rollback N` loads it.
	Rollback(n int) (config.Config, error)
}

// Session is one JunOS CLI session.
type Session struct {
	b       Backend
	user    string
	cand    *config.JunOSSession // non-nil in configuration mode
	path    []string             // edit level
	ended   bool
	history []string
}

// NewSession opens an operational-mode session for user.
func NewSession(b Backend, user string) *Session { return &Session{b: b, user: user} }

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
	return fmt.Sprintf("%s\n%s@%s# ", banner, s.user, s.b.Hostname())
}

// Exec runs one line and returns its output.
func (s *Session) Exec(line string) string {
	var b bytes.Buffer
	s.run(&b, line)
	return b.String()
}

func (s *Session) run(w io.Writer, line string) {
	line = strings.TrimSpace(line)
	if line == "" {
		return
	}
	s.history = append(s.history, line)
	p, err := pipe.JunOS().Parse(line)
	if err != nil {
		fmt.Fprintln(w, err)
		return
	}
	var out bytes.Buffer
	if s.cand == nil {
		err = s.operational(&out, p.Cmd, p)
	} else {
		err = s.configuration(&out, p.Cmd, p)
	}
	if err != nil {
		fmt.Fprintln(&out, err)
	}
	p.Apply(w, out.String())
}

// words is the command split on spaces, with unique-prefix keyword
// matching against a list, as the JunOS CLI completes them.
func match(word string, choices ...string) (string, bool) {
	var found []string
	for _, c := range choices {
		if c == word {
			return c, true
		}
		if strings.HasPrefix(c, word) {
			found = append(found, c)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return "", false
}

func syntaxError(line string, word string) error {
	col := strings.Index(line, word)
	if col < 0 {
		col = len(line)
	}
	return fmt.Errorf("%s\n%s^\nsyntax error, expecting <command>.", line, strings.Repeat(" ", col))
}

func (s *Session) operational(w io.Writer, cmd string, pipes pipe.Pipeline) error {
	f := strings.Fields(cmd)
	verb, ok := match(f[0], "show", "configure", "exit", "quit", "clear")
	if !ok {
		return syntaxError(cmd, f[0])
	}
	switch verb {
	case "exit", "quit":
		s.ended = true
		return nil
	case "configure":
		s.cand = config.NewJunOSSession(s.b.Running(), "terminal")
		s.path = nil
		fmt.Fprintln(w, "Entering configuration mode")
		fmt.Fprintln(w)
		return nil
	case "clear":
		return errors.New("error: clear is not supported; use the IOS CLI's clear ip flow stats")
	}
	if len(f) < 2 {
		return errors.New("error: show what? (services, configuration)")
	}
	what, ok := match(f[1], "services", "configuration")
	if !ok {
		return syntaxError(cmd, f[1])
	}
	if what == "configuration" {
		c := s.b.Running()
		if pipes.Has("display set") {
			io.WriteString(w, config.RenderJunOSSet(c))
		} else {
			io.WriteString(w, config.RenderJunOS(c))
		}
		return nil
	}
	return s.accounting(w, cmd, f[2:])
}

func (s *Session) accounting(w io.Writer, cmd string, f []string) error {
	if len(f) < 2 {
		return errors.New("error: show services accounting (flow | flow-detail | aggregation | errors)")
	}
	if _, ok := match(f[0], "accounting"); !ok {
		return syntaxError(cmd, f[0])
	}
	sub, ok := match(f[1], "flow", "flow-detail", "aggregation", "errors")
	if !ok {
		return syntaxError(cmd, f[1])
	}
	v := s.b.Accounting()
	switch sub {
	case "flow":
		show.ServicesAccountingFlow(w, v)
	case "errors":
		show.ServicesAccountingErrors(w, v)
	case "aggregation":
		show.ServicesAccountingAggregation(w, v)
	case "flow-detail":
		o := show.FlowDetailOptions{}
		for i := 2; i < len(f); i++ {
			opt, ok := match(f[i], "terse", "detail", "extensive", "limit", "order")
			if !ok {
				return syntaxError(cmd, f[i])
			}
			switch opt {
			case "terse":
				o.Terse = true
			case "limit", "order":
				if i+1 >= len(f) {
					return fmt.Errorf("%s\nsyntax error, expecting <%s>.", cmd, opt)
				}
				i++
				if opt == "limit" {
					n, err := strconv.Atoi(f[i])
					if err != nil {
						return syntaxError(cmd, f[i])
					}
					o.Limit = n
				} else {
					by, ok := match(f[i], "bytes", "packets")
					if !ok {
						return syntaxError(cmd, f[i])
					}
					o.ByBytes = by == "bytes"
				}
			}
		}
		show.ServicesAccountingFlowDetail(w, v, o)
	}
	return nil
}

func (s *Session) configuration(w io.Writer, cmd string, pipes pipe.Pipeline) error {
	f := strings.Fields(cmd)
	verb, ok := match(f[0], "set", "delete", "edit", "up", "top", "exit", "quit", "show", "commit", "rollback", "run")
	if !ok {
		return syntaxError(cmd, f[0])
	}
	rest := strings.TrimSpace(strings.TrimPrefix(cmd, f[0]))
	switch verb {
	case "set", "delete":
		line := verb
		if len(s.path) > 0 {
			line += " " + strings.Join(s.path, " ")
		}
		line += " " + rest
		return s.screen(s.cand.Exec(line))
	case "edit":
		s.path = append(s.path, strings.Fields(rest)...)
	case "up":
		n := 1
		if rest != "" {
			n, _ = strconv.Atoi(rest)
		}
		s.path = s.path[:max(len(s.path)-n, 0)]
	case "top":
		s.path = nil
	case "exit", "quit":
		if len(s.path) > 0 && verb == "exit" && rest == "" {
			s.path = s.path[:len(s.path)-1]
			return nil
		}
		if !config.Equal(s.cand.Candidate(), s.b.Running()) {
			fmt.Fprintln(w, "The configuration has been changed but not committed")
		}
		fmt.Fprintln(w, "Exiting configuration mode")
		s.cand, s.path = nil, nil
	case "show":
		return s.showCandidate(w, pipes)
	case "commit":
		return s.commit(w, rest)
	case "rollback":
		n := 0
		if rest != "" {
			var err error
			if n, err = strconv.Atoi(rest); err != nil || n < 0 || n > 49 {
				return fmt.Errorf("error: rollback wants 0..49")
			}
		}
		c, err := s.b.Rollback(n)
		if err != nil {
			return fmt.Errorf("error: %v", err)
		}
		s.cand = config.NewJunOSSession(c, "terminal")
		fmt.Fprintln(w, "load complete")
	case "run":
		return s.operational(w, rest, pipes)
	}
	return nil
}

// screen prints a config error as JunOS does.
func (s *Session) screen(err error) error {
	if err == nil {
		return nil
	}
	var le *config.LineError
	if errors.As(err, &le) {
		return errors.New(strings.Join(le.Lines(), "\n"))
	}
	var es config.Errors
	if errors.As(err, &es) {
		var lines []string
		for _, e := range es {
			if errors.As(e, &le) {
				lines = append(lines, le.Lines()...)
			} else {
				lines = append(lines, "error: "+e.Error())
			}
		}
		return errors.New(strings.Join(lines, "\n"))
	}
	return fmt.Errorf("error: %v", err)
}

func (s *Session) showCandidate(w io.Writer, pipes pipe.Pipeline) error {
	cand := s.cand.Candidate()
	if st, ok := pipes.Find("compare"); ok {
		old := s.b.Running()
		p := strings.TrimSpace("compare " + st.Arg)
		if f := strings.Fields(p); len(f) == 3 && f[1] == "rollback" {
			n, err := strconv.Atoi(f[2])
			if err != nil {
				return syntaxError(p, f[2])
			}
			if old, err = s.b.Rollback(n); err != nil {
				return fmt.Errorf("error: %v", err)
			}
		}
		io.WriteString(w, config.RenderDiffJunOS(old, cand))
		return nil
	}
	if pipes.Has("display set") {
		text := config.RenderJunOSSet(cand)
		if len(s.path) > 0 {
			prefix := "set " + strings.Join(s.path, " ")
			var b strings.Builder
			for _, l := range strings.SplitAfter(text, "\n") {
				if strings.HasPrefix(l, prefix) {
					b.WriteString(l)
				}
			}
			text = b.String()
		}
		io.WriteString(w, text)
		return nil
	}
	io.WriteString(w, config.RenderJunOS(cand))
	return nil
}

func (s *Session) commit(w io.Writer, rest string) error {
	opt := strings.Fields(rest)
	c, err := s.cand.Commit()
	if err != nil {
		if e := s.screen(err); e != nil {
			fmt.Fprintln(w, e)
		}
		return errors.New("error: configuration check-out failed")
	}
	if len(opt) > 0 && opt[0] == "check" {
		fmt.Fprintln(w, "configuration check succeeds")
		return nil
	}
	if err := s.b.Commit(c); err != nil {
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
	s.cand = config.NewJunOSSession(s.b.Running(), "terminal")
	if len(opt) > 0 && opt[0] == "and-quit" {
		fmt.Fprintln(w, "Exiting configuration mode")
		s.cand, s.path = nil, nil
	}
	return nil
}

// Serve runs the session over a stream: a script when not interactive,
// else line by line with echo.
func (s *Session) Serve(ctx context.Context, in io.Reader, out io.Writer, tty control.Terminal) error {
	if !tty.Interactive {
		return term.Script(ctx, in, out, shell{s})
	}
	return term.Serve(ctx, in, out, shell{s}, term.Options{})
}

// shell is the session as the line editor drives it; JunOS has no help
// tree of its own yet, so ? lists the mode's commands.
type shell struct{ s *Session }

func (h shell) Prompt() string               { return h.s.Prompt() }
func (h shell) Run(w io.Writer, line string) { h.s.run(w, line) }
func (h shell) History() []string            { return h.s.history }
func (h shell) Ended() bool                  { return h.s.ended }
func (h shell) Interrupt()                   {}

func (h shell) commands() []string {
	if h.s.cand == nil {
		return []string{"clear", "configure", "exit", "quit", "show"}
	}
	return []string{"commit", "delete", "edit", "exit", "quit", "rollback", "run", "set", "show", "top", "up"}
}

func (h shell) Help(line string) []string {
	if strings.Contains(strings.TrimSpace(line), " ") {
		return []string{"Possible completions:", "  <[Enter]>            Execute this command"}
	}
	out := []string{"Possible completions:"}
	for _, c := range h.commands() {
		if strings.HasPrefix(c, strings.TrimSpace(line)) {
			out = append(out, "  "+c)
		}
	}
	return out
}

func (h shell) Complete(line string) string {
	if strings.Contains(line, " ") {
		return line
	}
	if c, ok := match(line, h.commands()...); ok && line != "" {
		return c + " "
	}
	return line
}

// isWarning reports whether a Commit error only warns: the backend says so
// with a Warning method.
func isWarning(err error) bool {
	var w interface{ Warning() bool }
	return errors.As(err, &w) && w.Warning()
}
