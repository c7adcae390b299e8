package term

import (
	"bytes"
	"context"
	"io"
	"slices"
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
		// IOS's Ctrl-U and Ctrl-X erase from the cursor back to the start.
		{"Ctrl-U from mid-line", "show ip\x1b[D\x1b[D\x15x\r", "xip",
			"show ip" + bs(2) + bs(5) + "ip" + "     " + bs(7) + "x" + "ip" + bs(2)},
		{"Ctrl-X at the end", "show\x18x\r", "x", "show" + bs(4) + "    " + bs(4) + "x"},
		{"Ctrl-K to the end", "show ipx\x1b[D\x1b[D\x1b[D\x0b\r", "show ",
			"show ipx" + bs(3) + "   " + bs(3)},
		{"Ctrl-W the word before", "show ip cache\x17flow\r", "show ip flow",
			"show ip cache" + bs(5) + "     " + bs(5) + "flow"},
		{"Ctrl-W over spaces", "show ip  \x17\r", "show ",
			"show ip  " + bs(4) + "    " + bs(4)},
		// Esc D takes "ip", Ctrl-Y puts it at the end; Ctrl-K takes the
		// whole line and Ctrl-Y puts it back.
		{"Ctrl-Y puts back", "ip show\x01\x1bd\x05 \x19\x01\x0b\x19\r", " show ip",
			"ip show" + bs(7) + " show" + "  " + bs(7) + " show " + "ip" +
				bs(8) + "        " + bs(8) + " show ip"},
		{"Esc B and Esc F by words", "show ip flow\x1bb\x1bbx\x1bf\x1bFy\r", "show xip flowy",
			"show ip flow" + bs(4) + bs(3) + "xip flow" + bs(7) + "ip" + " flow" + "y"},
		{"Esc D the word after", "show ip flow\x01\x1bD\r", " ip flow",
			"show ip flow" + bs(12) + " ip flow" + "    " + bs(12)},
		{"Ctrl-T mid-line and at the end", "shwo\x1b[D\x14 ip\x14\r", "show pi",
			"shwo" + "\b" + "\b" + "ow" + " ip" + "\b\b" + "pi"},
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
			// What a terminal shows for those bytes is the line that ran.
			if shown := strings.TrimRight(paint(tc.screen), " "); shown != strings.TrimRight(tc.line, " ") {
				t.Errorf("the terminal shows %q, the line is %q", shown, tc.line)
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

// paint is what one row of a terminal shows after bytes that only print,
// backspace and overwrite.
func paint(screen string) string {
	var row []byte
	col := 0
	for i := range len(screen) {
		switch c := screen[i]; c {
		case '\b':
			col = max(col-1, 0)
		default:
			for len(row) <= col {
				row = append(row, ' ')
			}
			row[col] = c
			col++
		}
	}
	return string(row)
}

// TestHistoryAndRedrawKeys: IOS's Ctrl-P and Ctrl-N walk the history as
// the arrows do, Ctrl-R draws the prompt and the line again on a new
// row, and Ctrl-C abandons the line with IOS's ^C.
func TestHistoryAndRedrawKeys(t *testing.T) {
	sh := &lineShell{}
	var out bytes.Buffer
	keys := "show ip\r" + "\x10\r" + "x\x12\x03" + "\x10\x10\x0e\r" + "exit\r"
	if err := Serve(context.Background(), strings.NewReader(keys), &out, sh, Options{}); err != nil {
		t.Fatal(err)
	}
	erase := strings.Repeat("\b \b", 7)
	want := "\r\nr#show ip\r\n" +
		"r#show ip\r\n" +
		"r#x\r\nr#x^C\r\n" +
		"r#show ip" + erase + "show ip" + erase + "show ip\r\n" +
		"r#exit\r\n"
	if got := out.String(); got != want {
		t.Errorf("screen\n got %q\nwant %q", got, want)
	}
	if want := []string{"show ip", "show ip", "show ip", "exit"}; !slices.Equal(sh.ran, want) {
		t.Errorf("ran %q, want %q", sh.ran, want)
	}
}

// textShell reads lines of text: PlainText is set until "end".
type textShell struct{ lineShell }

func (s *textShell) PlainText() bool { return !slices.Contains(s.ran, "end") }

// TestPlainTextQuestionMark: while the shell reads text (a banner's
// lines), `?` is typed into the line and asks for no help; afterwards
// it is help again.
func TestPlainTextQuestionMark(t *testing.T) {
	sh := &textShell{}
	var out bytes.Buffer
	if err := Serve(context.Background(), strings.NewReader("Questions? Ask.\rend\rx?\rexit\r"), &out, sh, Options{}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"Questions? Ask.", "end", "x", "exit"}; !slices.Equal(sh.ran, want) {
		t.Errorf("ran %q, want %q", sh.ran, want)
	}
	if want := "\r\nr#Questions? Ask.\r\nr#end\r\nr#x?\r\n\r\nr#x\r\nr#exit\r\n"; out.String() != want {
		t.Errorf("screen %q\nwant %q", out.String(), want)
	}
}
