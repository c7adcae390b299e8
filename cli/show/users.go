package show

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// UserLine is one CLI session for `show users`: the console, an SSH vty
// line, or (flowtap's own) a session on the control socket.
type UserLine struct {
	Number   int    // the absolute line number: con 0 is 0, vty N is N+1; -1 for ctl lines, which IOS has not
	Name     string // "con 0", "vty 2", "ctl 0"
	User     string // "" before a login (the console without login local)
	Idle     time.Duration
	Location string // the SSH client's address; "" for local lines
	Self     bool   // the session asking
	// Since is when the session opened (JunOS's show system users'
	// LOGIN@).
	Since time.Time
}

// Users renders `show users` as IOS lays it out: "*" marks the line the
// command runs on, Idle is hours:minutes:seconds since its last input.
func Users(w io.Writer, lines []UserLine) {
	fmt.Fprintln(w, "    Line       User       Host(s)              Idle       Location")
	for _, l := range lines {
		mark := " "
		if l.Self {
			mark = "*"
		}
		idle := l.Idle.Truncate(time.Second)
		h, m, s := int(idle/time.Hour), int(idle%time.Hour/time.Minute), int(idle%time.Minute/time.Second)
		num := "   "
		if l.Number >= 0 {
			num = fmt.Sprintf("%3d", l.Number)
		}
		line := fmt.Sprintf("%s%s %-9s %-10s %-20s %02d:%02d:%02d %s", mark, num, l.Name, l.User, "idle", h, m, s, l.Location)
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "  Interface    User               Mode         Idle     Peer Address")
	fmt.Fprintln(w)
}

// TTYLine is one terminal line for `show line`: the console or a vty,
// whether a session holds it, its `access-class ... in` and how many
// sessions it has carried since the box started.
type TTYLine struct {
	Number   int    // the absolute line number, as in show users
	Type     string // "CTY" (the console) or "VTY"
	Active   bool
	AccessIn string // the access-class; "" is none
	Uses     int
	// For `show line N`: IdleExec is the line's exec-timeout (0 never);
	// Input the transports it takes ("ssh" or "none"); Since how long
	// the session holding it has been on (Active lines).
	IdleExec time.Duration
	Input    string
	Since    time.Duration
}

// Lines renders `show line` in IOS's columns: "*" marks a line in use,
// AccI its access-class in, Uses the sessions it has carried. flowtap's
// lines have no modem, rotary group or line speed: those columns show
// "-" as IOS shows them for a vty.
func Lines(w io.Writer, lines []TTYLine) {
	fmt.Fprintln(w, ttyHeader)
	for _, l := range lines {
		ttyRow(w, l)
	}
}

const ttyHeader = "   Tty Typ     Tx/Rx    A Modem  Roty AccO AccI   Uses   Noise  Overruns   Int"

func ttyRow(w io.Writer, l TTYLine) {
	mark := " "
	if l.Active {
		mark = "*"
	}
	acc := l.AccessIn
	if acc == "" {
		acc = "-"
	}
	fmt.Fprintf(w, "%s%5d %-3s %14s %4s %6s %4s %4s %6d %7d %7s %7s\n", mark, l.Number, l.Type, "-", "-", "-", "-", acc, l.Uses, 0, "0/0", "-")
}

// Line renders `show line N` as IOS does: the line's row under the
// header, then its settings. flowtap's lines have no modem, speed,
// special characters or dispatching, and a session's terminal length and
// width are its own: those lines show IOS's defaults for a line without
// them. Each line keeps IOS's wording.
func Line(w io.Writer, l TTYLine) {
	fmt.Fprintln(w, ttyHeader)
	ttyRow(w, l)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Line %d, Location: \"\", Type: \"\"\n", l.Number)
	fmt.Fprintln(w, "Length: 24 lines, Width: 80 columns")
	// A vty is ready while a session holds it; the console always is.
	status, modem := "No Exit Banner", "Idle"
	switch {
	case l.Active:
		status, modem = "Ready, Active, No Exit Banner", "Ready"
	case l.Type == "CTY":
		status, modem = "Ready, No Exit Banner", "Ready"
	}
	fmt.Fprintf(w, "Status: %s\n", status)
	fmt.Fprintln(w, "Capabilities: none")
	fmt.Fprintf(w, "Modem state: %s\n", modem)
	fmt.Fprintln(w, "Timeouts:      Idle EXEC    Idle Session   Modem Answer  Session   Dispatch")
	fmt.Fprintf(w, "               %-8s        never                        none     not set\n", lineTime(l.IdleExec))
	since := "never"
	if l.Active {
		// An age, as IOS prints one: 1d02h past a day.
		t0 := time.Unix(0, 0)
		since = hms(t0, t0.Add(l.Since))
	}
	fmt.Fprintf(w, "Time since activation: %s\n", since)
	fmt.Fprintln(w, "Editing is enabled.")
	fmt.Fprintln(w, "History is enabled, history size is 256.")
	if l.Input == "" {
		l.Input = "none"
	}
	fmt.Fprintf(w, "Allowed input transports are %s.\n", l.Input)
	fmt.Fprintln(w, "Allowed output transports are none.")
	fmt.Fprintln(w, "Preferred transport is none.")
	fmt.Fprintln(w, "No output characters are padded")
	fmt.Fprintln(w, "No special data dispatching characters")
}

// lineTime is IOS's hh:mm:ss of a timeout; "never" for none.
func lineTime(d time.Duration) string {
	if d <= 0 {
		return "never"
	}
	d = d.Truncate(time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second))
}
