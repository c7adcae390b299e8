package mgmtplane

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/cli/junos"
	"github.com/flowtap/flowtap/cli/show"
)

// lineKind orders the lines as `show users` lists them.
type lineKind int

const (
	lineCon lineKind = iota // the console
	lineVTY                 // an SSH session
	lineCtl                 // the control socket (flowtap's own; IOS has none)
)

var lineNames = [...]string{lineCon: "con", lineVTY: "vty", lineCtl: "ctl"}

// lineEntry is one open CLI session.
type lineEntry struct {
	id       int // unique while the daemon runs: a session knows itself by it
	kind     lineKind
	n        int    // vty N, ctl N; 0 for the console
	user     string // guarded by the table's mu
	location string
	began    time.Time    // when the session opened, for show line N
	last     atomic.Int64 // the table's clock (lineTable.clock) at the last input, ns
	kill     func()       // nil: the line cannot be cleared
	// ssh is an SSH session's user as sent and negotiated algorithms,
	// for `show ssh`; nil on other lines. Set before the entry is listed.
	ssh *show.SSHConn
}

// lineTable is the open CLI sessions: `show users` lists them, `clear
// line` ends a vty. A vty takes the lowest free number, as on IOS.
type lineTable struct {
	mu      sync.Mutex
	nextID  int
	entries []*lineEntry
	now     func() time.Time
	// vty is the configured vty lines (nil: the default 0-4), for `show
	// line`; uses counts the sessions each line has carried since the
	// box started, by absolute number (con 0 is 0, vty N is N+1).
	vty  func() config.VTY
	uses map[int]int
	// epoch is when the table began; up, when set, is the time since then
	// by a clock that the wall clock's steps do not move (tests set it to
	// step their wall clock as NTP does); otherwise it is now() - epoch,
	// which time.Now's monotonic reading keeps clear of steps.
	epoch time.Time
	up    func() time.Duration
}

func newLineTable() *lineTable {
	return &lineTable{now: time.Now, epoch: time.Now(), uses: map[int]int{}}
}

// clock is the time since the table began, the idle times' clock: an
// input's moment kept as wall-clock time read as idle for hours after NTP
// stepped the clock forward, and as 0 until the clock caught up after a
// step back, while the exec-timeout (a timer) went by neither.
func (t *lineTable) clock() time.Duration {
	if t.up != nil {
		return t.up()
	}
	return t.now().Sub(t.epoch)
}

func (t *lineTable) open(kind lineKind, user, location string, kill func()) *lineEntry {
	e, _ := t.openLimited(kind, 0, user, location, kill)
	return e
}

// openLimited opens a line of kind unless limit (0: none) of them are
// open already: every vty in use refuses the next SSH session, as IOS
// refuses a connection with no free vty.
func (t *lineTable) openLimited(kind lineKind, limit int, user, location string, kill func()) (*lineEntry, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if limit > 0 {
		open := 0
		for _, e := range t.entries {
			if e.kind == kind {
				open++
			}
		}
		if open >= limit {
			return nil, false
		}
	}
	n := 0
	for slices.ContainsFunc(t.entries, func(e *lineEntry) bool { return e.kind == kind && e.n == n }) {
		n++
	}
	t.nextID++
	e := &lineEntry{id: t.nextID, kind: kind, n: n, user: user, location: location, kill: kill, began: t.now()}
	e.last.Store(int64(t.clock()))
	t.entries = append(t.entries, e)
	if kind != lineCtl {
		t.uses[e.number()]++
	}
	return e, true
}

// openVTY opens the vty an SSH session is given: the lowest free line
// that takes SSH, as IOS gives one; false when none is free.
func (t *lineTable) openVTY(v config.VTY, user, location string, kill func(), conn show.SSHConn) (*lineEntry, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, ok, _ := v.SSHLine(t.vtyBusyLocked)
	if !ok {
		return nil, false
	}
	t.nextID++
	e := &lineEntry{id: t.nextID, kind: lineVTY, n: n, user: user, location: location, kill: kill, began: t.now(), ssh: &conn}
	e.last.Store(int64(t.clock()))
	t.entries = append(t.entries, e)
	t.uses[e.number()]++
	return e, true
}

// SSH lists the SSH sessions for `show ssh`, by vty number.
func (t *lineTable) SSH() []show.SSHConn {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []show.SSHConn
	for _, e := range t.entries {
		if e.kind == lineVTY && e.ssh != nil {
			c := *e.ssh
			c.VTY = e.n
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b show.SSHConn) int { return a.VTY - b.VTY })
	return out
}

// TTYs lists the console and every configured vty for `show line`, from
// the same table `show users` reads: a line is active while a session
// holds it.
func (t *lineTable) TTYs() []show.TTYLine {
	var v config.VTY
	if t.vty != nil {
		v = t.vty()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	active := map[int]bool{}
	since := map[int]time.Duration{}
	now := t.now()
	for _, e := range t.entries {
		if e.kind != lineCtl {
			active[e.number()] = true
			since[e.number()] = now.Sub(e.began)
		}
	}
	// The console takes the control socket's console sessions and does
	// not time out.
	out := []show.TTYLine{{Number: 0, Type: "CTY", Active: active[0], Uses: t.uses[0], Input: "none", Since: since[0]}}
	for n := range v.Lines() {
		l := v.Line(n)
		in := "ssh"
		if !l.AcceptsSSH() {
			in = "none"
		}
		out = append(out, show.TTYLine{Number: n + 1, Type: "VTY", Active: active[n+1], AccessIn: l.AccessClass, Uses: t.uses[n+1],
			IdleExec: l.IdleLimit(), Input: in, Since: since[n+1]})
	}
	return out
}

// vtyBusy reports, for each vty number, whether a session holds it now.
func (t *lineTable) vtyBusy() func(n int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	held := map[int]bool{}
	for _, e := range t.entries {
		if e.kind == lineVTY {
			held[e.n] = true
		}
	}
	return func(n int) bool { return held[n] }
}

func (t *lineTable) vtyBusyLocked(n int) bool {
	return slices.ContainsFunc(t.entries, func(e *lineEntry) bool { return e.kind == lineVTY && e.n == n })
}

// SetUser names the user on line id (the console's login and logout).
func (t *lineTable) SetUser(id int, user string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range t.entries {
		if e.id == id {
			e.user = user
		}
	}
}

func (t *lineTable) close(e *lineEntry) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.entries = slices.DeleteFunc(t.entries, func(o *lineEntry) bool { return o == e })
}

// counts is the open lines by kind: "con", "vty", "ctl".
func (t *lineTable) counts() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[string]int{}
	for _, e := range t.entries {
		out[lineNames[e.kind]]++
	}
	return out
}

// number is a line's absolute number, IOS's first column: con 0 is 0,
// vty N is N+1 (as on a box without aux lines); ctl lines have none.
func (e *lineEntry) number() int {
	switch e.kind {
	case lineCon:
		return 0
	case lineVTY:
		return e.n + 1
	}
	return -1
}

// junosLine is line e as JunOS's `status` shows it: its name, when it
// opened and its idle time by the table's clock.
func (t *lineTable) junosLine(e *lineEntry) junos.Line {
	return junos.Line{Terminal: lineNames[e.kind] + strconv.Itoa(e.n), Since: e.began,
		Idle: func() time.Duration { return max(t.clock()-time.Duration(e.last.Load()), 0) }}
}

// Users lists the lines, the one with id self marked.
func (t *lineTable) Users(self int) []show.UserLine {
	type row struct {
		kind lineKind
		n    int
		line show.UserLine
	}
	now := t.clock()
	var rows []row
	t.mu.Lock()
	for _, e := range t.entries {
		rows = append(rows, row{e.kind, e.n, show.UserLine{Number: e.number(), Name: lineNames[e.kind] + " " + strconv.Itoa(e.n), User: e.user,
			Idle: max(now-time.Duration(e.last.Load()), 0), Location: e.location, Self: e.id == self, Since: e.began}})
	}
	t.mu.Unlock()
	slices.SortFunc(rows, func(a, b row) int {
		if a.kind != b.kind {
			return int(a.kind) - int(b.kind)
		}
		return a.n - b.n
	})
	out := make([]show.UserLine, len(rows))
	for i, r := range rows {
		out[i] = r.line
	}
	return out
}

// Clear ends the vty with absolute number n (`clear line N`), or with
// vty number n when vty is set (`clear line vty N`).
func (t *lineTable) Clear(n int, vty bool) error {
	t.mu.Lock()
	var found *lineEntry
	for _, e := range t.entries {
		if vty && e.kind == lineVTY && e.n == n || !vty && e.number() == n {
			found = e
		}
	}
	t.mu.Unlock()
	switch {
	case found == nil:
		return errNoSession
	case found.kill == nil:
		return errNotClearable
	}
	found.kill()
	return nil
}

var (
	errNoSession    = errors.New("% No session on that line")
	errNotClearable = errors.New("% The console cannot be cleared from a session")
)

// tracked runs a session as a line of the table: its input is noted for
// the idle time, and it leaves the table when it ends.
type tracked struct {
	inner control.Session
	t     *lineTable
	e     *lineEntry
	m     *daemon.Manager // for a vty: its line's settings; nil otherwise
}

// IdleLimit is the `exec-timeout` of the vty line the session holds, read
// at each input so that a change applies to open sessions (mgmt/ssh asks
// it of a session that has one).
func (s tracked) IdleLimit() time.Duration {
	if s.m == nil || s.e.kind != lineVTY {
		return config.DefaultExecTimeout
	}
	return s.m.Config().VTY.Line(s.e.n).IdleLimit()
}

func (s tracked) Serve(ctx context.Context, in io.Reader, out io.Writer, term control.Terminal) error {
	defer s.t.close(s.e)
	return s.inner.Serve(ctx, &touchReader{r: in, e: s.e, clock: s.t.clock}, out, term)
}

type touchReader struct {
	r     io.Reader
	e     *lineEntry
	clock func() time.Duration // the table's
}

func (r *touchReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.e.last.Store(int64(r.clock()))
	}
	return n, err
}

// refusedSession is the session an SSH login gets when every vty that
// takes SSH is in use (lines of of), or the line it was given refuses it
// (why): one line saying so, then the connection closes.
type refusedSession struct {
	lines, of int
	why       string
}

func (r refusedSession) Serve(_ context.Context, _ io.Reader, out io.Writer, _ control.Terminal) error {
	var err error
	switch {
	case r.why != "":
		_, err = fmt.Fprintf(out, "%% Connection refused by the vty line (%s)\r\n", r.why)
	case r.lines == r.of:
		_, err = fmt.Fprintf(out, "%% All %d vty lines are in use (line vty 0 %d); try again later\r\n", r.lines, r.lines-1)
	default:
		_, err = fmt.Fprintf(out, "%% All %d vty lines that take SSH are in use (of line vty 0 %d); try again later\r\n", r.lines, r.of-1)
	}
	return err
}
