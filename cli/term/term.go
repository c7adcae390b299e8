// Package term is the CLI's line editor on a raw terminal: echo, `?` help,
// Tab completion, Ctrl-C/Z/D, a cursor moved by Ctrl-A/E/B/F, Esc B/F,
// Home, End and the arrows (Delete and Ctrl-D delete under it), IOS's
// erasing keys (Ctrl-K, Ctrl-U/X, Ctrl-W, Esc D; Ctrl-Y puts back),
// Ctrl-T, Ctrl-R/L, history on the up and down arrows and Ctrl-P/N, --More--
// paging, questions a command asks ([confirm], [yes/no]) and log messages
// shown as they arrive with the prompt and the partial line redrawn after
// them (IOS's `logging synchronous`). Both dialects drive it through Shell.
package term

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Shell is a CLI session as the editor sees it.
type Shell interface {
	Prompt() string // may hold newlines (JunOS's [edit] banner)
	// Run executes one line. A command that needs an answer from the
	// operator asks it with Ask(w, ...).
	Run(w io.Writer, line string)
	Help(line string) []string
	Complete(line string) string
	History() []string
	// Interrupt is Ctrl-C or Ctrl-Z: leave configuration mode, if in it.
	Interrupt()
	Ended() bool
}

// HistorySize is how many lines a session's history keeps: IOS's
// largest `history size`. It kept every line before, so a session left
// open for months, or a script feeding one session commands for ever,
// held all it was ever given.
const HistorySize = 256

// Remember adds line to a session's history, dropping the oldest beyond
// HistorySize.
func Remember(history []string, line string) []string {
	history = append(history, line)
	if over := len(history) - HistorySize; over > 0 {
		history = slices.Delete(history, 0, over)
	}
	return history
}

// Options are the terminal's settings.
type Options struct {
	// PageLength is the screen length for --More--, read before each
	// command's output (`terminal length` changes it); nil or 0: no paging.
	PageLength func() int
	// Messages are log messages to show as they come, each a line without
	// its newline; nil: none.
	Messages <-chan string
	// MorePrompt is what waits for a key between pages: "" is IOS's
	// " --More-- ".
	MorePrompt string
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

// plainText reports whether the shell reads lines of text, not commands
// (IOS's banner text): `?` is then a character, not a request for help.
func plainText(sh Shell) bool {
	p, ok := sh.(interface{ PlainText() bool })
	return ok && p.PlainText()
}

// insert puts c at the cursor and draws it (unless hidden); false when
// the line is already MaxLine long.
func (e *editor) insert(c byte, hidden bool) bool {
	if len(e.line) >= MaxLine {
		return false
	}
	e.line = slices.Insert(e.line, e.pos, c)
	e.pos++
	if !hidden {
		// The character, then the rest of the line moved one to the
		// right, and the cursor back after it.
		e.out.Write(e.line[e.pos-1:])
		io.WriteString(e.out, strings.Repeat("\b", len(e.line)-e.pos))
	}
	return true
}

// logout lets a shell that must not end (a console login) go back to its
// login prompt on Ctrl-D instead.
func logout(sh Shell) bool {
	l, ok := sh.(interface{ Logout() bool })
	return ok && l.Logout()
}

// Asker is the writer Run gets when an operator (or a script) can answer.
type Asker interface {
	// Ask prints prompt and returns the answer: a line, or with key a
	// single key (IOS's [confirm] takes one key, Return confirming).
	// io.EOF: nobody is left to answer.
	Ask(prompt string, key bool) (string, error)
}

// Ask asks through w when it can answer, and returns io.EOF otherwise
// (output captured for a test or a filter).
func Ask(w io.Writer, prompt string, key bool) (string, error) {
	if a, ok := w.(Asker); ok {
		return a.Ask(prompt, key)
	}
	io.WriteString(w, prompt+"\n")
	return "", io.EOF
}

// keys reads the terminal in the background, so that log messages can be
// shown while the editor waits for a key.
type keys struct {
	c    chan byte
	err  error         // after c is closed
	done chan struct{} // the editor has ended: keys left are not for it
}

func readKeys(in io.Reader) *keys {
	k := &keys{c: make(chan byte, 256), done: make(chan struct{})}
	go func() {
		r := bufio.NewReader(in)
		var last byte
		for {
			b, err := r.ReadByte()
			if err != nil {
				k.err = err
				close(k.c)
				return
			}
			// Return is CR, CR LF or CR NUL depending on the terminal:
			// one key, not a line and an empty one after it.
			if last == '\r' && (b == '\n' || b == 0) {
				last = 0
				continue
			}
			last = b
			select {
			case k.c <- b:
			case <-k.done:
				return
			}
		}
	}()
	return k
}

// editor is one terminal session.
type editor struct {
	ctx  context.Context
	k    *keys
	out  io.Writer
	sh   Shell
	opt  Options
	line []byte
	pos  int // the cursor, an index into line
	// killed is what the last Ctrl-K/U/W/X or Esc D erased, for Ctrl-Y.
	killed []byte
}

// key waits for the next key; messages that arrive meanwhile are shown
// when show is set (at the prompt), else they wait.
func (e *editor) key(show bool) (byte, error) {
	msgs := e.opt.Messages
	if !show {
		msgs = nil
	}
	for {
		select {
		case <-e.ctx.Done():
			return 0, e.ctx.Err()
		case b, ok := <-e.k.c:
			if !ok {
				if e.k.err == io.EOF {
					return 0, io.EOF
				}
				return 0, e.k.err
			}
			return b, nil
		case m, ok := <-msgs:
			if !ok {
				e.opt.Messages, msgs = nil, nil
				continue
			}
			if mon, ok := e.sh.(interface{ Monitor() bool }); !ok || mon.Monitor() {
				e.message(m)
			}
		}
	}
}

// message shows a log message on its own line, then the prompt and what
// the operator had typed, as `logging synchronous` does.
func (e *editor) message(m string) {
	io.WriteString(e.out, "\r\n"+crlf(m)+"\r\n")
	e.prompt()
	if !masked(e.sh) {
		e.out.Write(e.line)
		io.WriteString(e.out, strings.Repeat("\b", len(e.line)-e.pos))
	}
}

func (e *editor) prompt() { io.WriteString(e.out, crlf(e.sh.Prompt())) }

func (e *editor) pageLength() int {
	if e.opt.PageLength == nil {
		return 0
	}
	return e.opt.PageLength()
}

// Serve edits lines from in until the shell ends or the input does.
func Serve(ctx context.Context, in io.Reader, out io.Writer, sh Shell, opt Options) error {
	e := &editor{ctx: ctx, k: readKeys(in), out: out, sh: sh, opt: opt}
	defer close(e.k.done)
	over := false // the line passed MaxLine: the rest of it is dropped
	hist := len(sh.History())
	io.WriteString(out, "\r\n")
	e.prompt()
	for !sh.Ended() {
		c, err := e.key(true)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		hidden := masked(sh)
		if hidden && (c == '?' || c == '\t') {
			c = 'x' // a character of the password, not a request
		}
		if c == '?' && plainText(sh) {
			// A line of text (a banner's): `?` is a character.
			if !e.insert(c, hidden) {
				over = true
			}
			continue
		}
		if hidden {
			e.pos = len(e.line) // a password has no cursor to move
		}
		switch c {
		case '\r', '\n':
			io.WriteString(out, "\r\n")
			w := &runOutput{e: e}
			if over {
				w.buf.WriteString(tooLong)
				over = false
			} else {
				sh.Run(w, string(e.line))
			}
			w.flush()
			e.line, e.pos, hist = e.line[:0], 0, len(sh.History())
			if !sh.Ended() {
				e.prompt()
			}
		case '?':
			io.WriteString(out, "?\r\n")
			for _, l := range sh.Help(string(e.line)) {
				io.WriteString(out, l+"\r\n")
			}
			io.WriteString(out, "\r\n")
			e.prompt()
			out.Write(e.line)
			e.pos = len(e.line)
		case '\t':
			e.end()
			done := sh.Complete(string(e.line))
			io.WriteString(out, done[len(e.line):])
			e.line = []byte(done)
			e.pos = len(e.line)
		case 0x7f, 0x08: // backspace: the character before the cursor
			if e.pos > 0 {
				e.left()
				e.delete(hidden)
			}
		case 0x15, 0x18: // Ctrl-U, Ctrl-X: erase from the cursor back to the start
			if hidden {
				e.line, e.pos = e.line[:0], 0
			} else {
				e.kill(0, e.pos)
			}
			over = false
		case 0x0b: // Ctrl-K: erase from the cursor to the end
			if !hidden {
				e.kill(e.pos, len(e.line))
			}
		case 0x17: // Ctrl-W: erase the word before the cursor
			if !hidden {
				e.kill(e.wordBack(), e.pos)
			}
		case 0x19: // Ctrl-Y: put back what the last erase took
			if !hidden && len(e.killed)+len(e.line) <= MaxLine {
				e.replace(e.pos, e.pos, e.killed)
			}
		case 0x14: // Ctrl-T: swap the character before the cursor with the one under it
			if !hidden {
				e.transpose()
			}
		case 0x12, 0x0c: // Ctrl-R, Ctrl-L: draw the line again
			io.WriteString(out, "\r\n")
			e.prompt()
			if !hidden {
				out.Write(e.line)
				io.WriteString(out, strings.Repeat("\b", len(e.line)-e.pos))
			}
		case 0x10, 0x0e: // Ctrl-P, Ctrl-N: the history, as the arrows
			if !hidden {
				hist = e.recall(hist, c == 0x10)
			}
		case 0x03, 0x1a: // Ctrl-C abandons the line, Ctrl-Z ends config mode
			sh.Interrupt()
			e.line, e.pos, over = e.line[:0], 0, false
			if c == 0x1a {
				io.WriteString(out, "^Z")
			} else {
				io.WriteString(out, "^C")
			}
			io.WriteString(out, "\r\n")
			e.prompt()
		case 0x04: // Ctrl-D: leave on an empty line, else delete under the cursor
			if len(e.line) == 0 {
				if logout(sh) {
					io.WriteString(out, "\r\n")
					e.prompt()
					continue
				}
				return nil
			}
			e.delete(hidden)
		case 0x01: // Ctrl-A: start of the line
			e.home()
		case 0x05: // Ctrl-E: end of the line
			e.end()
		case 0x02: // Ctrl-B: back a character
			e.left()
		case 0x06: // Ctrl-F: forward a character
			e.right()
		case 0x1b: // ESC: arrows, Home, End, Delete
			k := e.escape()
			if hidden {
				continue
			}
			switch k {
			case keyHome:
				e.home()
			case keyEnd:
				e.end()
			case keyDelete:
				e.delete(false)
			case keyLeft:
				e.left()
			case keyRight:
				e.right()
			case keyUp, keyDown:
				hist = e.recall(hist, k == keyUp)
			case keyWordBack:
				e.moveTo(e.wordBack())
			case keyWordForward:
				e.moveTo(e.wordForward())
			case keyWordDelete:
				e.kill(e.pos, e.wordForward())
			}
		default:
			if c >= 0x20 && c < 0x7f && !e.insert(c, hidden) {
				over = true
			}
		}
	}
	return nil
}

// Keys sent as escape sequences.
const (
	keyNone = iota
	keyUp
	keyDown
	keyLeft
	keyRight
	keyHome
	keyEnd
	keyDelete
	keyWordBack    // Esc B
	keyWordForward // Esc F
	keyWordDelete  // Esc D
)

// escape reads the rest of an escape sequence after its ESC and names
// the key. ANSI terminals send the arrows as ESC [ A..D (ESC O A..D in
// application mode), Home and End as ESC [ H / F, ESC O H / F or
// ESC [ 1 ~ / 4 ~ (7 ~ / 8 ~ on rxvt), Delete as ESC [ 3 ~. Anything
// else (Insert, PgUp, Ctrl-Right's ESC [ 1 ; 5 C) is read to its final
// byte and ignored, so none of it is typed into the line (End on the
// console once turned "end" into "~end").
func (e *editor) escape() int {
	b1, _ := e.key(false)
	switch b1 {
	case 'b', 'B':
		return keyWordBack
	case 'f', 'F':
		return keyWordForward
	case 'd', 'D':
		return keyWordDelete
	}
	if b1 != '[' && b1 != 'O' {
		return keyNone
	}
	b, _ := e.key(false)
	var params []byte
	for b >= '0' && b <= '9' || b == ';' {
		params = append(params, b)
		if b, _ = e.key(false); b == 0 {
			return keyNone
		}
	}
	if b == '~' {
		switch string(params) {
		case "1", "7":
			return keyHome
		case "4", "8":
			return keyEnd
		case "3":
			return keyDelete
		}
		return keyNone
	}
	if len(params) > 0 { // a modified key: ESC [ 1 ; 5 C
		return keyNone
	}
	switch b {
	case 'A':
		return keyUp
	case 'B':
		return keyDown
	case 'C':
		return keyRight
	case 'D':
		return keyLeft
	case 'H':
		return keyHome
	case 'F':
		return keyEnd
	}
	return keyNone
}

// recall replaces the line with the history entry before (back) or
// after the one at hist, and returns the new place in the history; past
// the newest the line is empty.
func (e *editor) recall(hist int, back bool) int {
	h := e.sh.History()
	if back && hist > 0 {
		hist--
	} else if !back && hist < len(h) {
		hist++
	}
	e.end()
	io.WriteString(e.out, strings.Repeat("\b \b", len(e.line)))
	e.line = e.line[:0]
	if hist < len(h) {
		e.line = append(e.line, h[hist]...)
	}
	e.out.Write(e.line)
	e.pos = len(e.line)
	return hist
}

// moveTo moves the cursor to index i of the line.
func (e *editor) moveTo(i int) {
	if i < e.pos {
		io.WriteString(e.out, strings.Repeat("\b", e.pos-i))
	} else {
		e.out.Write(e.line[e.pos:i])
	}
	e.pos = i
}

// replace puts with in place of line[from:to] and redraws the line from
// there: the new text and what follows it, blanks over what the line no
// longer covers, and backspaces to the cursor, left after with.
func (e *editor) replace(from, to int, with []byte) {
	e.moveTo(from)
	was := len(e.line)
	e.line = slices.Replace(e.line, from, to, with...)
	e.out.Write(e.line[from:])
	blank := max(was-len(e.line), 0)
	io.WriteString(e.out, strings.Repeat(" ", blank))
	e.pos = from + len(with)
	io.WriteString(e.out, strings.Repeat("\b", len(e.line)+blank-e.pos))
}

// kill erases line[from:to], keeping it for Ctrl-Y.
func (e *editor) kill(from, to int) {
	if from >= to {
		return
	}
	e.killed = append(e.killed[:0], e.line[from:to]...)
	e.replace(from, to, nil)
}

// wordBack is where the word before the cursor starts (spaces before
// the cursor skipped first), as Ctrl-W and Esc B find it.
func (e *editor) wordBack() int {
	i := e.pos
	for i > 0 && e.line[i-1] == ' ' {
		i--
	}
	for i > 0 && e.line[i-1] != ' ' {
		i--
	}
	return i
}

// wordForward is where the word at or after the cursor ends, as Esc F
// and Esc D find it.
func (e *editor) wordForward() int {
	i := e.pos
	for i < len(e.line) && e.line[i] == ' ' {
		i++
	}
	for i < len(e.line) && e.line[i] != ' ' {
		i++
	}
	return i
}

// transpose is Ctrl-T: the character before the cursor and the one under
// it change places and the cursor moves past both; at the end of the
// line the last two change places.
func (e *editor) transpose() {
	i := e.pos
	if i == len(e.line) {
		i--
	}
	if i < 1 {
		return
	}
	swapped := []byte{e.line[i], e.line[i-1]}
	e.replace(i-1, i+1, swapped)
}

// home moves the cursor to the start of the line.
func (e *editor) home() {
	io.WriteString(e.out, strings.Repeat("\b", e.pos))
	e.pos = 0
}

// end moves the cursor to the end of the line by writing what it passes.
func (e *editor) end() {
	e.out.Write(e.line[e.pos:])
	e.pos = len(e.line)
}

func (e *editor) left() {
	if e.pos > 0 {
		io.WriteString(e.out, "\b")
		e.pos--
	}
}

func (e *editor) right() {
	if e.pos < len(e.line) {
		e.out.Write(e.line[e.pos : e.pos+1])
		e.pos++
	}
}

// delete removes the character under the cursor: the rest of the line is
// redrawn one to the left, a space blanks its old last column, and the
// cursor goes back where it was.
func (e *editor) delete(hidden bool) {
	if e.pos >= len(e.line) {
		return
	}
	e.line = slices.Delete(e.line, e.pos, e.pos+1)
	if hidden {
		return
	}
	e.out.Write(e.line[e.pos:])
	io.WriteString(e.out, " "+strings.Repeat("\b", len(e.line)-e.pos+1))
}

// runOutput collects a command's output for paging; a question flushes
// what came before it.
type runOutput struct {
	e       *editor
	buf     bytes.Buffer
	stopped bool // q at --More--: the rest of the output is dropped
}

func (w *runOutput) Write(p []byte) (int, error) { return w.buf.Write(p) }

func (w *runOutput) flush() {
	if !w.stopped {
		w.stopped = !w.e.page(crlf(w.buf.String()))
	}
	w.buf.Reset()
}

func (w *runOutput) Ask(prompt string, key bool) (string, error) {
	w.flush()
	io.WriteString(w.e.out, crlf(prompt))
	if key {
		c, err := w.e.key(false)
		if err != nil {
			return "", err
		}
		io.WriteString(w.e.out, "\r\n")
		if c == '\r' || c == '\n' {
			return "", nil
		}
		return string(c), nil
	}
	var ans []byte
	for {
		c, err := w.e.key(false)
		if err != nil {
			return "", err
		}
		switch {
		case c == '\r' || c == '\n':
			io.WriteString(w.e.out, "\r\n")
			return string(ans), nil
		case c == 0x03, c == 0x04 && len(ans) == 0: // Ctrl-C; Ctrl-D on an empty line ends a load
			if c == 0x03 || !lineStart(prompt) {
				// ^D at the start of a line of its own (a load's)
				// leaves the cursor there for what follows.
				io.WriteString(w.e.out, "\r\n")
			}
			return "", io.EOF
		case (c == 0x7f || c == 0x08) && len(ans) > 0:
			ans = ans[:len(ans)-1]
			io.WriteString(w.e.out, "\b \b")
		case c >= 0x20 && c < 0x7f:
			ans = append(ans, c)
			w.e.out.Write([]byte{c})
		}
	}
}

// page writes output a screen at a time: --More-- waits for a key; space
// shows a page, return a line, any other key (q, Ctrl-C) stops. The key is consumed:
// it is not typed at the next prompt. It reports whether the output was
// shown to its end.
func (e *editor) page(text string) bool {
	length := e.pageLength()
	lines := strings.SplitAfter(text, "\r\n")
	if length <= 0 || len(lines) <= length {
		io.WriteString(e.out, text)
		return true
	}
	shown, budget := 0, length
	for shown < len(lines) {
		for ; budget > 0 && shown < len(lines); budget-- {
			io.WriteString(e.out, lines[shown])
			shown++
		}
		if shown >= len(lines) {
			return true
		}
		more := cmp.Or(e.opt.MorePrompt, " --More-- ")
		io.WriteString(e.out, more)
		c, err := e.key(false)
		io.WriteString(e.out, "\r"+strings.Repeat(" ", len(more))+"\r")
		switch {
		case err != nil:
			return false
		case c == ' ':
			budget = length
		case c == '\r' || c == '\n':
			budget = 1
		default: // q, Ctrl-C and any other key end the output, as on IOS
			return false
		}
	}
	return true
}

// Script runs lines from in without a terminal (the control socket's -c,
// stdin, ssh without a pty): no echo, no prompt, only each command's
// output. A command's question is answered by the next line.
func Script(ctx context.Context, in io.Reader, out io.Writer, sh Shell) error {
	r := bufio.NewReaderSize(in, 4096)
	w := &scriptOutput{Writer: out, r: r}
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
			sh.Run(w, strings.TrimSuffix(line, "\r"))
		}
		if err == io.EOF || w.eof {
			return nil
		}
	}
	return nil
}

type scriptOutput struct {
	io.Writer
	r   *bufio.Reader
	eof bool
}

// lineStart reports whether an answer to prompt is typed at the start of
// a line: a prompt that ends its own line (load terminal's banner), or
// none (the lines after it).
func lineStart(prompt string) bool { return prompt == "" || strings.HasSuffix(prompt, "\n") }

func (w *scriptOutput) Ask(prompt string, key bool) (string, error) {
	if prompt != "" { // a continuation line (load terminal) has none
		io.WriteString(w.Writer, prompt)
		if !lineStart(prompt) {
			io.WriteString(w.Writer, "\n")
		}
	}
	if w.eof {
		return "", io.EOF
	}
	line, _, err := ReadLine(w.r, MaxLine)
	if err == io.EOF {
		w.eof = true
		if line == "" {
			return "", io.EOF
		}
		err = nil
	}
	return strings.TrimSpace(line), err
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
