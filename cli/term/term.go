// Package term is the CLI's line editor on a raw terminal: echo, `?` help,
// Tab completion, Ctrl-U/C/Z/D, history on the arrow keys and --More--
// paging. Both dialects drive it through Shell.
package term

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
)

// Shell is a CLI session as the editor sees it.
type Shell interface {
	Prompt() string // may hold newlines (JunOS's [edit] banner)
	Run(w io.Writer, line string)
	Help(line string) []string
	Complete(line string) string
	History() []string
	// Interrupt is Ctrl-C or Ctrl-Z: leave configuration mode, if in it.
	Interrupt()
	Ended() bool
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// Serve edits lines from in until the shell ends or the input does;
// pageLen 0 turns paging off.
func Serve(ctx context.Context, in io.Reader, out io.Writer, sh Shell, pageLen int) error {
	r := bufio.NewReader(in)
	var line []byte
	hist := len(sh.History())
	prompt := func() { io.WriteString(out, crlf(sh.Prompt())) }
	io.WriteString(out, "\r\n")
	prompt()
	for !sh.Ended() {
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
			io.WriteString(out, "\r\n")
			var buf bytes.Buffer
			sh.Run(&buf, string(line))
			page(r, out, crlf(buf.String()), pageLen)
			line, hist = line[:0], len(sh.History())
			if !sh.Ended() {
				prompt()
			}
		case '?':
			io.WriteString(out, "?\r\n")
			for _, l := range sh.Help(string(line)) {
				io.WriteString(out, l+"\r\n")
			}
			io.WriteString(out, "\r\n")
			prompt()
			out.Write(line)
		case '\t':
			done := sh.Complete(string(line))
			io.WriteString(out, done[len(line):])
			line = []byte(done)
		case 0x7f, 0x08: // backspace
			if len(line) > 0 {
				line = line[:len(line)-1]
				io.WriteString(out, "\b \b")
			}
		case 0x15: // Ctrl-U: erase the line
			io.WriteString(out, strings.Repeat("\b \b", len(line)))
			line = line[:0]
		case 0x03, 0x1a: // Ctrl-C abandons the line, Ctrl-Z ends config mode
			sh.Interrupt()
			line = line[:0]
			if c == 0x1a {
				io.WriteString(out, "^Z")
			}
			io.WriteString(out, "\r\n")
			prompt()
		case 0x04: // Ctrl-D on an empty line: leave
			if len(line) == 0 {
				return nil
			}
		case 0x1b: // arrow keys: ESC [ A / B walk the history
			b1, _ := r.ReadByte()
			b2, _ := r.ReadByte()
			h := sh.History()
			if b1 != '[' || (b2 != 'A' && b2 != 'B') {
				continue
			}
			if b2 == 'A' && hist > 0 {
				hist--
			} else if b2 == 'B' && hist < len(h) {
				hist++
			}
			io.WriteString(out, strings.Repeat("\b \b", len(line)))
			line = line[:0]
			if hist < len(h) {
				line = append(line, h[hist]...)
			}
			out.Write(line)
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
func page(r *bufio.Reader, out io.Writer, text string, length int) {
	lines := strings.SplitAfter(text, "\r\n")
	if length <= 0 || len(lines) <= length {
		io.WriteString(out, text)
		return
	}
	shown, budget := 0, length
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
		fmt.Fprint(out, "\r          \r")
		switch {
		case err != nil || c == 'q' || c == 'Q' || c == 0x03:
			return
		case c == '\r' || c == '\n':
			budget = 1
		default:
			budget = length
		}
	}
}

// Script runs lines from in without a terminal (the control socket's -c,
// stdin, ssh without a pty): no echo, no prompt, only each command's
// output.
func Script(ctx context.Context, in io.Reader, out io.Writer, sh Shell) error {
	sc := bufio.NewScanner(in)
	for sc.Scan() && !sh.Ended() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		sh.Run(out, sc.Text())
	}
	return sc.Err()
}
