package ios

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
)

// interactive runs the session on a raw terminal: the session echoes,
// edits the line, answers ? and Tab, walks the history and pages output.
func (s *Session) interactive(ctx context.Context, in io.Reader, out io.Writer) error {
	r := bufio.NewReader(in)
	crlf := func(b string) string { return strings.ReplaceAll(b, "\n", "\r\n") }
	var line []byte
	hist := len(s.history)
	fmt.Fprint(out, "\r\n"+s.Prompt())
	for !s.ended {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c, err := r.ReadByte()
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		switch c {
		case '\r', '\n':
			fmt.Fprint(out, "\r\n")
			var buf bytes.Buffer
			s.run(&buf, string(line))
			s.page(r, out, crlf(buf.String()))
			line, hist = line[:0], len(s.history)
			if !s.ended {
				fmt.Fprint(out, s.Prompt())
			}
		case '?':
			fmt.Fprint(out, "?\r\n")
			for _, l := range s.helpFor(string(line)) {
				fmt.Fprint(out, l+"\r\n")
			}
			fmt.Fprint(out, "\r\n"+s.Prompt()+string(line))
		case '\t':
			done := s.Complete(string(line))
			fmt.Fprint(out, done[len(line):])
			line = []byte(done)
		case 0x7f, 0x08: // backspace
			if len(line) > 0 {
				line = line[:len(line)-1]
				fmt.Fprint(out, "\b \b")
			}
		case 0x15: // Ctrl-U: erase the line
			fmt.Fprint(out, strings.Repeat("\b \b", len(line)))
			line = line[:0]
		case 0x03: // Ctrl-C: abandon the line (and configuration mode)
			if s.level == configMode {
				s.endConfig()
			}
			line = line[:0]
			fmt.Fprint(out, "\r\n"+s.Prompt())
		case 0x1a: // Ctrl-Z: end
			if s.level == configMode {
				s.endConfig()
			}
			line = line[:0]
			fmt.Fprint(out, "^Z\r\n"+s.Prompt())
		case 0x04: // Ctrl-D on an empty line: leave
			if len(line) == 0 {
				s.ended = true
			}
		case 0x1b: // arrow keys: ESC [ A / B walk the history
			b1, _ := r.ReadByte()
			b2, _ := r.ReadByte()
			if b1 != '[' || (b2 != 'A' && b2 != 'B') {
				continue
			}
			if b2 == 'A' && hist > 0 {
				hist--
			} else if b2 == 'B' && hist < len(s.history) {
				hist++
			}
			fmt.Fprint(out, strings.Repeat("\b \b", len(line)))
			line = line[:0]
			if hist < len(s.history) {
				line = append(line, s.history[hist]...)
			}
			fmt.Fprint(out, string(line))
		default:
			if c >= 0x20 && c < 0x7f {
				line = append(line, c)
				out.Write([]byte{c})
			}
		}
	}
	return nil
}

// page writes output a screen at a time: --More-- waits for a key; space
// shows a page, return a line, q stops.
func (s *Session) page(r *bufio.Reader, out io.Writer, text string) {
	lines := strings.SplitAfter(text, "\r\n")
	if s.length <= 0 || len(lines) <= s.length {
		io.WriteString(out, text)
		return
	}
	shown := 0
	budget := s.length
	for shown < len(lines) {
		for ; budget > 0 && shown < len(lines); budget-- {
			io.WriteString(out, lines[shown])
			shown++
		}
		if shown >= len(lines) {
			return
		}
		io.WriteString(out, " --More-- ")
		c, err := r.ReadByte()
		io.WriteString(out, "\r          \r")
		switch {
		case err != nil || c == 'q' || c == 'Q' || c == 0x03:
			return
		case c == '\r' || c == '\n':
			budget = 1
		default:
			budget = s.length
		}
	}
}
