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
}

// Lines renders `show line` in IOS's columns: "*" marks a line in use,
// AccI its access-class in, Uses the sessions it has carried. flowtap's
// lines have no modem, rotary group or line speed: those columns show
// "-" as IOS shows them for a vty.
func Lines(w io.Writer, lines []TTYLine) {
	fmt.Fprintln(w, "   Tty Typ     Tx/Rx    A Modem  Roty AccO AccI   Uses   Noise  Overruns   Int")
	for _, l := range lines {
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
}
