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

// MaxLine is the longest command line, in characters: longer input is
// refused, never buffered (a pasted ssh-key line is well under it).
const MaxLine = 8192

// tooLong is the refusal of a longer line.
var tooLong = fmt.Sprintf("%% Line too long (max %d characters)\n", MaxLine)

// masked is a shell waiting for a password: no echo, and ? and Tab are
// characters of it.
func masked(sh Shell) bool {
	m, ok := sh.(interface{ Masked() bool })
	return ok && m.Masked()
}

// logout lets a shell that must not end (a console login) go back to its
// login prompt on Ctrl-D instead.
func logout(sh Shell) bool {
	l, ok := sh.(interface{ Logout() bool })
	return ok && l.Logout()
}

// Serve edits lines from in until the shell ends or the input does;
// pageLen 0 turns paging off.
func Serve(ctx context.Context, in io.Reader, out io.Writer, sh Shell, pageLen int) error {
	r := bufio.NewReader(in)
	var line []byte
	over := false // the line passed MaxLine: the rest of it is dropped
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
		hidden := masked(sh)
		if hidden && (c == '?' || c == '\t') {
			c = 'x' // a character of the password, not a request
		}
		switch c {
		case '\r', '\n':
			io.WriteString(out, "\r\n")
			var buf bytes.Buffer
			if over {
				buf.WriteString(tooLong)
				over = false
			} else {
				sh.Run(&buf, string(line))
			}
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
				if !hidden {
					io.WriteString(out, "\b \b")
				}
			}
		case 0x15: // Ctrl-U: erase the line
			if !hidden {
				io.WriteString(out, strings.Repeat("\b \b", len(line)))
			}
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
				if logout(sh) {
					io.WriteString(out, "\r\n")
					prompt()
					continue
				}
				return nil
			}
		case 0x1b: // arrow keys: ESC [ A / B walk the history
			b1, _ := r.ReadByte()
			b2, _ := r.ReadByte()
			h := sh.History()
			if hidden || b1 != '[' || (b2 != 'A' && b2 != 'B') {
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
				if len(line) >= MaxLine {
					over = true
					continue
				}
				line = append(line, c)
				if !hidden {
					out.Write([]byte{c})
				}
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
	r := bufio.NewReaderSize(in, 4096)
	for !sh.Ended() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		line, ok, err := ReadLine(r, MaxLine)
		if err != nil && err != io.EOF {
			return err
		}
		switch {
		case !ok:
			io.WriteString(out, tooLong)
		case err == nil || line != "":
			sh.Run(out, strings.TrimSuffix(line, "\r"))
		}
		if err == io.EOF {
			return nil
		}
	}
	return nil
}

// ReadLine reads one line of at most max bytes (without its newline).
// A longer line is read to its end and dropped: ok is false, and no
// more than max bytes were ever held. err is io.EOF at the end of the
// input (line holds a last line without a newline, if any).
func ReadLine(r *bufio.Reader, max int) (line string, ok bool, err error) {
	var b []byte
	ok = true
	for {
		frag, err := r.ReadSlice('\n')
		if ok && len(b)+len(frag) > max+1 {
			ok, b = false, nil
		}
		if ok {
			b = append(b, frag...)
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err != nil:
			if ok && len(b) > max {
				ok, b = false, nil
			}
			return string(b), ok, err
		}
		if ok {
			b = b[:len(b)-1]
		}
		return string(b), ok, nil
	}
}
