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
	r := &touchReader{r: strings.NewReader("x"), e: b, now: lt.now}
	r.Read(make([]byte, 1))
	now = now.Add(5 * time.Second)

	got := lt.Users(c.id)
	want := []show.UserLine{
		{Number: 0, Name: "con 0", Idle: 95 * time.Second},
		{Number: 1, Name: "vty 0", User: "carol", Idle: 95 * time.Second, Location: "2001:db8::3", Self: true},
		{Number: 2, Name: "vty 1", User: "bob", Idle: 5 * time.Second, Location: "192.0.2.2"},
		{Number: -1, Name: "ctl 0", User: "root", Idle: 95 * time.Second},
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
