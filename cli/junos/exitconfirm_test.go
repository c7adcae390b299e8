package junos

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/cli/control"
)

// TestExitAsksWithUncommittedChanges: leaving configuration mode with
// changes not committed asks JunOS's question; "no" stays in
// configuration mode with the changes, Return (yes) leaves and drops
// them; with nothing changed, exit does not ask. Before, exit left at
// once, dropping the changes after a warning.
func TestExitAsksWithUncommittedChanges(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(f, "ops")
	script := "configure\nset system host-name changed\nexit\nno\nshow system host-name\nexit configuration-mode\nmaybe\n\n" +
		"show configuration system host-name\nconfigure\nexit\n"
	var out bytes.Buffer
	if err := s.Serve(context.Background(), strings.NewReader(script), &out, control.Terminal{}); err != nil {
		t.Fatal(err)
	}
	want := `Entering configuration mode

The configuration has been changed but not committed
Exit with uncommitted changes? [yes,no] (yes) 
host-name changed;
The configuration has been changed but not committed
Exit with uncommitted changes? [yes,no] (yes) 
Exit with uncommitted changes? [yes,no] (yes) 
Exiting configuration mode
host-name jtap;
Entering configuration mode

Exiting configuration mode
`
	if out.String() != want {
		t.Fatalf("screen:\n%s\nwant:\n%s", out.String(), want)
	}
	if len(f.history) != 1 {
		t.Fatalf("exit committed: %d commits", len(f.history)-1)
	}
}
