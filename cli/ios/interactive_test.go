package ios

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/cli/control"
)

// TestInteractive types keystrokes at a terminal session: Tab completes,
// ? lists, Ctrl-U erases, the up arrow recalls, and a long screen pauses
// at --More-- until space (next page) or q.
func TestInteractive(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	keys := "sh\tver\t\r" + // Tab twice: "show version "
		"show ?" + "\x15" + // help, then erase the line
		"\x1b[A\r" + // up arrow: show version again
		"show ip cache flow\r" + " " + "q" + // page: space, then q
		"exit\r"
	var out bytes.Buffer
	s := NewSession(f, true)
	if err := s.Serve(context.Background(), strings.NewReader(keys), &out, control.Terminal{Interactive: true, Width: 80, Height: 10}); err != nil {
		t.Fatal(err)
	}
	screen := out.String()
	for _, want := range []string{
		"tap1#show version \r\nflowtap version test\r\n", // completed and run
		"  version          System hardware and software status\r\n",
		" --More-- ",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%q", want, screen)
		}
	}
	// Ctrl-U erased "show " (five backspaces) and the up arrow recalled the
	// last command, which ran again.
	if !strings.Contains(screen, strings.Repeat("\b \b", 5)+"show version\r\nflowtap version test") {
		t.Errorf("erase and recall missing:\n%q", screen)
	}
	if strings.Contains(screen, "SrcIf") {
		t.Error("q at --More-- did not stop the listing before the flow table")
	}
	if !s.ended {
		t.Error("exit did not end the session")
	}
}
