package junos

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
)

// TestShowConfigurationCompareRollback: the operator's `show
// configuration | compare rollback 1` is what the last commit changed;
// rollback 0 is no change, a statement named scopes it to that
// hierarchy, and a form it cannot answer says so. Before,
// the compare was ignored and the whole configuration printed.
func TestShowConfigurationCompareRollback(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name mx1\nset forwarding-options sampling input rate 100\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(f, "ops")
	transcript(s, "configure\nset forwarding-options sampling input rate 200\ncommit and-quit")
	got := transcript(s, `
show configuration | compare rollback 1
show configuration | compare rollback 0
show configuration forwarding-options | compare rollback 1
show configuration system | compare rollback 1
show configuration | compare 1
show configuration | compare rollback 7`)
	want := `ops@mx1> show configuration | compare rollback 1
[edit forwarding-options sampling input]
-   rate 100;
+   rate 200;
ops@mx1> show configuration | compare rollback 0
ops@mx1> show configuration forwarding-options | compare rollback 1
[edit forwarding-options sampling input]
-   rate 100;
+   rate 200;
ops@mx1> show configuration system | compare rollback 1
ops@mx1> show configuration | compare 1
error: operational mode compares with a rollback: show configuration [STATEMENT] | compare rollback N (0..49)
ops@mx1> show configuration | compare rollback 7
error: rollback 7 does not exist
`
	if got != want {
		t.Fatalf("screen:\n%s\nwant:\n%s", got, want)
	}
}

// TestShowSystemRollback: `show system rollback N` prints what rollback
// N holds and `show system rollback N compare M` what going from M to N
// changes; a number past 49 is refused at its word.
func TestShowSystemRollback(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name mx1\nset forwarding-options sampling input rate 100\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(f, "ops")
	transcript(s, "configure\nset forwarding-options sampling input rate 200\ncommit and-quit")
	got := transcript(s, `
show system rollback 1 | display set
show system rollback 0 compare 1
show system rollback 1 compare 0
show system rollback 1 compare 1
show system rollback 5
show system rollback 50`)
	want := `ops@mx1> show system rollback 1 | display set
set system host-name mx1
set flowtap platform cflowd
set forwarding-options sampling input rate 100
ops@mx1> show system rollback 0 compare 1
[edit forwarding-options sampling input]
-   rate 100;
+   rate 200;
ops@mx1> show system rollback 1 compare 0
[edit forwarding-options sampling input]
-   rate 200;
+   rate 100;
ops@mx1> show system rollback 1 compare 1
ops@mx1> show system rollback 5
error: rollback 5 does not exist
ops@mx1> show system rollback 50
show system rollback 50
                     ^
syntax error, expecting <command>.
`
	if got != want {
		t.Fatalf("screen:\n%s\nwant:\n%s", got, want)
	}
}

// TestDisplayForms: a display form flowtap lacks (Junos's xml) is
// refused, not answered with the plain text, in either mode; display
// alone wants its form; display omit is the whole configuration, as
// nothing in flowtap's can carry apply-flags omit.
func TestDisplayForms(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name mx1\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(&fakeBackend{history: []config.Config{base}}, "ops")
	got := transcript(s, `
show configuration system | display xml
show configuration system | display
show configuration system | display set
configure
show system | display omit
exit`)
	want := `ops@mx1> show configuration system | display xml
error: display xml is not supported for this command
ops@mx1> show configuration system | display
syntax error, expecting <command>.
ops@mx1> show configuration system | display set
set system host-name mx1
ops@mx1> configure
Entering configuration mode

[edit]
ops@mx1# show system | display omit
host-name mx1;

[edit]
ops@mx1# exit
Exiting configuration mode
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
}

// TestEditChecksTheLevel: edit goes only to a level that holds
// statements, one that exists or one it may create (a new interface, a
// flow-server, a group's wildcard); a word the schema lacks there, or a
// value's place, is refused at that word and the level stays. Before,
// any words were taken (`edit interfaces` under sampling).
func TestEditChecksTheLevel(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name mx1\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(&fakeBackend{history: []config.Config{base}}, "ops")
	transcript(s, "configure")
	got := transcript(s, `
edit forwarding-options sampling
edit interfaces
edit input rate
up
top
edit interfaces eth5
top
edit forwarding-options sampling family inet output flow-server 192.0.2.7
top
edit groups G interfaces <eth*> unit 0
top
edit bogus`)
	want := `[edit]
ops@mx1# edit forwarding-options sampling

[edit forwarding-options sampling]
ops@mx1# edit interfaces
edit interfaces
     ^
syntax error.

[edit forwarding-options sampling]
ops@mx1# edit input rate
edit input rate
           ^
syntax error.

[edit forwarding-options sampling]
ops@mx1# up

[edit forwarding-options]
ops@mx1# top

[edit]
ops@mx1# edit interfaces eth5

[edit interfaces eth5]
ops@mx1# top

[edit]
ops@mx1# edit forwarding-options sampling family inet output flow-server 192.0.2.7

[edit forwarding-options sampling family inet output flow-server 192.0.2.7]
ops@mx1# top

[edit]
ops@mx1# edit groups G interfaces <eth*> unit 0

[edit groups G interfaces <eth*> unit 0]
ops@mx1# top

[edit]
ops@mx1# edit bogus
edit bogus
     ^
syntax error.
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
}

// TestTopCommand: `top COMMAND` runs the command as typed at the top
// level and stays at the edit level, unless the command moves (`top
// edit`).
func TestTopCommand(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name mx1\nset forwarding-options sampling input rate 100\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(&fakeBackend{history: []config.Config{base}}, "ops")
	transcript(s, "configure\nedit forwarding-options sampling")
	got := transcript(s, `
top set snmp contact noc
top show snmp
show input
top edit snmp
top frob`)
	want := `
[edit forwarding-options sampling]
ops@mx1# top set snmp contact noc

[edit forwarding-options sampling]
ops@mx1# top show snmp
contact noc;

[edit forwarding-options sampling]
ops@mx1# show input
rate 100;

[edit forwarding-options sampling]
ops@mx1# top edit snmp

[edit snmp]
ops@mx1# top frob
top frob
    ^
unknown command.
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
}

// TestUpCommand: `up N COMMAND` runs the command as typed N levels up
// (one without N) and stays at the edit level unless the command moves;
// a refused command gets its caret under the line as typed. Before, `up
// 2 show` was a syntax error (only `top COMMAND` was taken).
func TestUpCommand(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name mx1\nset forwarding-options sampling input rate 100\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(&fakeBackend{history: []config.Config{base}}, "ops")
	transcript(s, "configure\nedit forwarding-options sampling input")
	got := transcript(s, `
up show input
up 2 show sampling input
up 2 set sampling input max-packets-per-second 500
up 5 show snmp
up 1 edit family inet
up 2 frob`)
	want := `
[edit forwarding-options sampling input]
ops@mx1# up show input
rate 100;

[edit forwarding-options sampling input]
ops@mx1# up 2 show sampling input
rate 100;

[edit forwarding-options sampling input]
ops@mx1# up 2 set sampling input max-packets-per-second 500

[edit forwarding-options sampling input]
ops@mx1# up 5 show snmp

[edit forwarding-options sampling input]
ops@mx1# up 1 edit family inet

[edit forwarding-options sampling family inet]
ops@mx1# up 2 frob
up 2 frob
     ^
unknown command.
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
	if set := junosconf.RenderSet(s.cand.Candidate()); !strings.Contains(set, "set forwarding-options sampling input max-packets-per-second 500\n") {
		t.Errorf("up 2 set did not set at its level:\n%s", set)
	}
}
