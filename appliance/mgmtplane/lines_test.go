package mgmtplane

import (
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/cli/show"
)

// TestLineTable: a vty takes the lowest free number, `show users` lists
// the console, the vtys and the control sessions in that order with the
// asking one marked and each line's idle time since its input; `clear
// line` by absolute or vty number ends the session; the console cannot be
// cleared, and a closed session leaves the table.
func TestLineTable(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	opened := now // every line below opens now: JunOS's LOGIN@
	lt := newLineTable()
	lt.now = func() time.Time { return now }
	var killed []string
	kill := func(who string) func() { return func() { killed = append(killed, who) } }
	a := lt.open(lineVTY, "alice", "192.0.2.1", kill("alice"))
	b := lt.open(lineVTY, "bob", "192.0.2.2", kill("bob"))
	con := lt.open(lineCon, "", "", nil)
	lt.open(lineCtl, "root", "", nil)
	lt.close(a)
	c := lt.open(lineVTY, "carol", "2001:db8::3", kill("carol")) // takes vty 0 again
	now = now.Add(90 * time.Second)
	r := &touchReader{r: strings.NewReader("x"), e: b, clock: lt.clock}
	r.Read(make([]byte, 1))
	now = now.Add(5 * time.Second)

	got := lt.Users(c.id)
	want := []show.UserLine{
		{Number: 0, Name: "con 0", Idle: 95 * time.Second, Since: opened},
		{Number: 1, Name: "vty 0", User: "carol", Idle: 95 * time.Second, Location: "2001:db8::3", Self: true, Since: opened},
		{Number: 2, Name: "vty 1", User: "bob", Idle: 5 * time.Second, Location: "192.0.2.2", Since: opened},
		{Number: -1, Name: "ctl 0", User: "root", Idle: 95 * time.Second, Since: opened},
	}
	if len(got) != len(want) {
		t.Fatalf("lines %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if err := lt.Clear(2, false); err != nil { // bob, by absolute number
		t.Fatal(err)
	}
	if err := lt.Clear(0, true); err != nil { // carol, vty 0
		t.Fatal(err)
	}
	if strings.Join(killed, ",") != "bob,carol" {
		t.Errorf("killed %v", killed)
	}
	if err := lt.Clear(0, false); err != errNotClearable {
		t.Errorf("clear line 0 (the console): %v", err)
	}
	if err := lt.Clear(7, true); err != errNoSession {
		t.Errorf("clear line vty 7: %v", err)
	}
	lt.close(con)
	if got := lt.Users(0); len(got) != 3 || got[0].Name != "vty 0" {
		t.Errorf("after the console left: %+v", got)
	}
}

// TestIdleAcrossClockSteps: show users' idle times are the time since each
// line's last input by the clock NTP does not step, as the exec-timeout's
// timer counts it. Before, the input's moment was kept as wall-clock time:
// NTP stepping the clock back an hour showed every line idle 00:00:00 for
// the hour, and a step forward of three hours showed each idle 3 hours,
// though the session was typed into seconds before and its exec-timeout
// had not run out.
func TestIdleAcrossClockSteps(t *testing.T) {
	wall := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	var up time.Duration
	lt := newLineTable()
	lt.now = func() time.Time { return wall }
	lt.up = func() time.Duration { return up }
	run := func(d time.Duration) { wall, up = wall.Add(d), up+d }
	a := lt.open(lineVTY, "alice", "192.0.2.1", func() {})
	lt.open(lineVTY, "bob", "192.0.2.2", func() {})
	run(30 * time.Second)
	(&touchReader{r: strings.NewReader("x"), e: a, clock: lt.clock}).Read(make([]byte, 1))
	run(10 * time.Second)
	for _, c := range []struct {
		step         time.Duration
		after        time.Duration
		alice, bobby time.Duration
	}{
		{-time.Hour, 5 * time.Second, 15 * time.Second, 45 * time.Second},
		{3 * time.Hour, 5 * time.Second, 20 * time.Second, 50 * time.Second},
	} {
		wall = wall.Add(c.step) // NTP steps the clock; no time passes
		run(c.after)
		got := lt.Users(0)
		if len(got) != 2 || got[0].Idle != c.alice || got[1].Idle != c.bobby {
			t.Errorf("after a step of %v: %+v, want alice idle %v, bob %v", c.step, got, c.alice, c.bobby)
		}
	}
}
