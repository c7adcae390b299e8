package junos

import (
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
)

// TestStatus: configuration mode's `status` lists every session editing
// the configuration, in Junos's layout: the user, the terminal, when it
// logged in, its idle time once idle, and its [edit] level on the line
// under it; `configure` lists the others already in it. A session that
// leaves configuration mode, or ends in it, leaves the list. Before,
// `status` was a syntax error and configure listed no one.
func TestStatus(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name mx1\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	var eds Editors
	login := time.Date(2026, 12, 7, 0, 10, 5, 0, time.UTC)
	idle := 12*time.Minute + 3*time.Second
	a := NewSessionWith(f, Options{User: "ops", Editors: &eds, Line: Line{Terminal: "vty0", Since: login, Idle: func() time.Duration { return 0 }}})
	b := NewSessionWith(f, Options{User: "noc", Editors: &eds, Line: Line{Terminal: "vty1", Since: login.Add(time.Hour), Idle: func() time.Duration { return idle }}})
	c := NewSessionWith(f, Options{User: "root", Editors: &eds, Line: Line{Terminal: "ctl0", Since: login}})
	transcript(b, "configure\nedit forwarding-options sampling input")
	transcript(c, "configure")
	got := transcript(a, "configure\nstatus")
	want := `ops@mx1> configure
Entering configuration mode
Users currently editing the configuration:
  noc terminal vty1 on since 2026-12-07 01:10:05 UTC, idle 00:12:03
      [edit forwarding-options sampling input]
  root terminal ctl0 on since 2026-12-07 00:10:05 UTC
      [edit]

[edit]
ops@mx1# status
Users currently editing the configuration:
  noc terminal vty1 on since 2026-12-07 01:10:05 UTC, idle 00:12:03
      [edit forwarding-options sampling input]
  root terminal ctl0 on since 2026-12-07 00:10:05 UTC
      [edit]
  ops terminal vty0 on since 2026-12-07 00:10:05 UTC
      [edit]
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
	transcript(b, "exit configuration-mode")
	c.Close()
	got = a.Exec("status")
	want = "Users currently editing the configuration:\n  ops terminal vty0 on since 2026-12-07 00:10:05 UTC\n      [edit]\n"
	if got != want {
		t.Errorf("after the others left:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(a.Exec("exit"), "error") || len(eds.list) != 0 {
		t.Errorf("the list after the last session left configuration mode: %d", len(eds.list))
	}
}

// TestConfigureExclusive: `configure private` and `configure exclusive`
// enter configuration mode with Junos's warning; while a session holds
// the configuration exclusively another's commit is refused, naming the
// holder (its commit check is not: a check changes nothing), and so is
// a second `configure exclusive`; once it leaves, the other commits. Before, both forms were syntax errors.
func TestConfigureExclusive(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name mx1\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	var eds Editors
	login := time.Date(2026, 12, 7, 0, 10, 5, 0, time.UTC)
	line := func(n string) Line { return Line{Terminal: n, Since: login} }
	a := NewSessionWith(f, Options{User: "ops", Editors: &eds, Line: line("vty0")})
	b := NewSessionWith(f, Options{User: "noc", Editors: &eds, Line: line("vty1")})
	c := NewSessionWith(f, Options{User: "root", Editors: &eds, Line: line("ctl0")})
	transcript(a, "configure exclusive")
	got := transcript(b, "configure private\nset snmp contact noc\ncommit check\ncommit")
	got += transcript(c, "configure exclusive")
	transcript(a, "exit")
	got += transcript(b, "commit")
	want := `noc@mx1> configure private
warning: uncommitted changes will be discarded on exit
Entering configuration mode
Users currently editing the configuration:
  ops terminal vty0 on since 2026-12-07 00:10:05 UTC exclusive
      [edit]

[edit]
noc@mx1# set snmp contact noc

[edit]
noc@mx1# commit check
configuration check succeeds

[edit]
noc@mx1# commit
error: configuration database locked by:
  ops terminal vty0 on since 2026-12-07 00:10:05 UTC exclusive
      [edit]
root@mx1> configure exclusive
error: configuration database locked by:
  ops terminal vty0 on since 2026-12-07 00:10:05 UTC exclusive
      [edit]

[edit]
noc@mx1# commit
commit complete
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
	if f.Running().SNMP.Contact != "noc" {
		t.Errorf("the commit after the lock went: %+v", f.Running().SNMP)
	}
}
