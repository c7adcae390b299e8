package term

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/syncbuf"
)

// lineShell records the lines it is given and prints nothing.
type lineShell struct {
	ran   []string
	ended bool
}

func (s *lineShell) Prompt() string { return "r#" }
func (s *lineShell) Run(w io.Writer, line string) {
	s.ran = append(s.ran, line)
	s.ended = line == "exit"
}
func (s *lineShell) Help(string) []string        { return nil }
func (s *lineShell) Complete(line string) string { return line }
func (s *lineShell) History() []string           { return s.ran }
func (s *lineShell) Interrupt()                  {}
func (s *lineShell) Ended() bool                 { return s.ended }

// TestCursorKeys: Home, End and Delete in each of the forms terminals
// send, and IOS's Ctrl-A, Ctrl-E, Ctrl-B, Ctrl-F and Ctrl-D, edit the
// line where the cursor is; the screen gets exactly the bytes that draw
// it (characters written, backspaces to move left).
func TestCursorKeys(t *testing.T) {
	bs := func(n int) string { return strings.Repeat("\b", n) }
	for _, tc := range []struct {
		name, keys, line, screen string
	}{
		{"ESC [ H and ESC [ F", "how ver\x1b[Hs\x1b[Fsion\r", "show version",
			"how ver" + bs(7) + "s" + "how ver" + bs(7) + "how ver" + "sion"},
		{"ESC [ 1 ~ and ESC [ 4 ~", "how ver\x1b[1~s\x1b[4~sion\r", "show version",
			"how ver" + bs(7) + "s" + "how ver" + bs(7) + "how ver" + "sion"},
		{"ESC O H and ESC O F", "how ver\x1bOHs\x1bOFsion\r", "show version",
			"how ver" + bs(7) + "s" + "how ver" + bs(7) + "how ver" + "sion"},
		{"Ctrl-A and Ctrl-E", "how ver\x01s\x05sion\r", "show version",
			"how ver" + bs(7) + "s" + "how ver" + bs(7) + "how ver" + "sion"},
		{"Delete under the cursor", "showx ver\x01\x06\x06\x06\x06\x1b[3~\x05\r", "show ver",
			"showx ver" + bs(9) + "show" + " ver " + bs(5) + " ver"},
		{"Ctrl-D under the cursor", "showx ver\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x04\r", "show ver",
			"showx ver" + bs(5) + " ver " + bs(5)},
		{"Delete at the end does nothing", "show\x1b[3~\x04\r", "show", "show"},
		{"backspace before the cursor", "shoow\x1b[D\x7f\r", "show",
			"shoow" + "\b" + "\b" + "w " + bs(2)},
		{"Ctrl-U from mid-line", "show\x01\x15x\r", "x",
			"show" + bs(4) + "show" + strings.Repeat("\b \b", 4) + "x"},
		{"keys it does not use type nothing", "sh\x1b[2~\x1b[5~\x1b[1;5Cow\r", "show", "show"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sh := &lineShell{}
			var out bytes.Buffer
			if err := Serve(context.Background(), strings.NewReader(tc.keys+"exit\r"), &out, sh, Options{}); err != nil {
				t.Fatal(err)
			}
			if len(sh.ran) != 2 || sh.ran[0] != tc.line {
				t.Errorf("ran %q, want %q then exit", sh.ran, tc.line)
			}
			want := "\r\nr#" + tc.screen + "\r\nr#exit\r\n"
			if got := out.String(); got != want {
				t.Errorf("screen\n got %q\nwant %q", got, want)
			}
		})
	}
}

// TestCursorRedrawAfterMessage: a log message shown while the cursor is
// mid-line redraws the prompt and the line, then puts the cursor back.
func TestCursorRedrawAfterMessage(t *testing.T) {
	sh := &lineShell{}
	msgs := make(chan string, 1)
	r, w := io.Pipe()
	out := &syncbuf.Buffer{}
	done := make(chan error, 1)
	go func() { done <- Serve(context.Background(), r, out, sh, Options{Messages: msgs}) }()
	io.WriteString(w, "shw\x1b[D")
	for !strings.HasSuffix(out.String(), "shw\b") { // the keys are on the screen
		time.Sleep(time.Millisecond)
	}
	msgs <- "%SYS-5-CONFIG_I: Configured"
	// The message is shown before the next key is read: this one.
	io.WriteString(w, "o\rexit\r")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := "\r\nr#shw\b\r\n%SYS-5-CONFIG_I: Configured\r\nr#shw\bow\b\r\nr#exit\r\n"
	if sh.ran[0] != "show" || out.String() != want {
		t.Errorf("ran %q, screen\n got %q\nwant %q", sh.ran, out.String(), want)
	}
}
