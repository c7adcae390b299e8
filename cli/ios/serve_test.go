package ios

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/cli/control"
)

// TestServeScript: a script (control socket -c, stdin, ssh without a
// terminal) prints each command's output and nothing else.
func TestServeScript(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	var out bytes.Buffer
	err := NewSession(f, true).Serve(context.Background(), strings.NewReader("configure terminal\nhostname tap2\nfrobnicate\nend\nshow running-config | include hostname\n"),
		&out, control.Terminal{})
	if err != nil {
		t.Fatal(err)
	}
	want := "Enter configuration commands, one per line.  End with CNTL/Z.\n" +
		"             ^\n% Invalid input detected at '^' marker.\nhostname tap2\n"
	if out.String() != want {
		t.Fatalf("got %q\nwant %q", out.String(), want)
	}
}
