package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/flowtap/flowtap/appliance/platform"
)

// word is one token of a line and where it starts.
type word struct {
	text string
	col  int
}

// splitWords splits an IOS line at blanks.
func splitWords(line string) []word {
	var ws []word
	for i := 0; i < len(line); {
		for i < len(line) && isBlank(line[i]) {
			i++
		}
		start := i
		for i < len(line) && !isBlank(line[i]) {
			i++
		}
		if i > start {
			ws = append(ws, word{line[start:i], start})
		}
	}
	return ws
}

func isBlank(b byte) bool { return b == ' ' || b == '\t' || b == '\r' }

// cursor walks the words of one line for a command handler. The first
// failure sticks: later calls return zero values, so a handler reads its
// whole syntax and checks c.err once before touching the model, the way
// bufio.Scanner reports its error at the end.
type cursor struct {
	text    string
	words   []word
	pos     int
	dialect platform.Dialect
	err     *LineError
	// pending holds the alternatives already tried at pos by tryKeyword,
	// so that an error there lists everything that would have fitted.
	pending    []string
	pendingPos int
}

func newCursor(text string, words []word, d platform.Dialect) *cursor {
	return &cursor{text: text, words: words, dialect: d}
}

func (c *cursor) more() bool { return c.err == nil && c.pos < len(c.words) }

// last is the index of the word consumed last.
func (c *cursor) last() int { return c.pos - 1 }

func (c *cursor) expecting(alts ...string) []string {
	if c.pendingPos != c.pos {
		c.pending, c.pendingPos = nil, c.pos
	}
	return append(append([]string(nil), c.pending...), alts...)
}

func (c *cursor) fail(kind ErrorKind, at int, reason string, expected []string, cause error) {
	if c.err != nil {
		return
	}
	e := &LineError{Text: c.text, Kind: kind, Dialect: c.dialect, Reason: reason, Expected: expected, Err: cause}
	if at < len(c.words) {
		e.Col, e.Word = c.words[at].col, c.words[at].text
	} else {
		e.Col = len(strings.TrimRight(c.text, " \t\r")) + 1
	}
	c.err = e
}

// invalid refuses the word at index at.
func (c *cursor) invalid(at int, reason string) {
	c.fail(ErrInvalid, at, reason, nil, nil)
}

// refuse refuses the whole command for a reason.
func (c *cursor) refuse(format string, args ...any) {
	c.fail(ErrRefused, 0, fmt.Sprintf(format, args...), nil, nil)
}

// need reports whether a word is there, failing as incomplete otherwise.
func (c *cursor) need(alts ...string) bool {
	if c.err != nil {
		return false
	}
	if c.pos >= len(c.words) {
		c.fail(ErrIncomplete, c.pos, "", c.expecting(alts...), nil)
		return false
	}
	return true
}

// matchKeyword finds the keyword w stands for: an exact match, or the only
// keyword it abbreviates. IOS keywords ignore case; JunOS's do not.
func matchKeyword(w string, opts []string, fold bool) (string, []string) {
	var cands []string
	for _, o := range opts {
		switch {
		case o == w || fold && strings.EqualFold(o, w):
			return o, []string{o}
		case len(w) <= len(o) && (o[:len(w)] == w || fold && strings.EqualFold(o[:len(w)], w)):
			cands = append(cands, o)
		}
	}
	if len(cands) == 1 {
		return cands[0], cands
	}
	return "", cands
}

// keyword consumes one of opts.
func (c *cursor) keyword(opts ...string) string {
	if !c.need(opts...) {
		return ""
	}
	k, cands := matchKeyword(c.words[c.pos].text, opts, c.dialect == platform.DialectIOS)
	switch {
	case len(cands) == 0:
		c.fail(ErrInvalid, c.pos, "", c.expecting(opts...), nil)
		return ""
	case k == "":
		c.fail(ErrAmbiguous, c.pos, "", cands, nil)
		return ""
	}
	c.pos++
	return k
}

// optKeyword is keyword, but the end of the line is no error.
func (c *cursor) optKeyword(opts ...string) string {
	if !c.more() {
		return ""
	}
	return c.keyword(opts...)
}

// tryKeyword consumes one of opts if the next word is one; otherwise it
// leaves the word for an argument. An ambiguous abbreviation still fails.
func (c *cursor) tryKeyword(opts ...string) string {
	if !c.more() {
		c.pending = c.expecting(opts...)
		return ""
	}
	k, cands := matchKeyword(c.words[c.pos].text, opts, c.dialect == platform.DialectIOS)
	switch {
	case k != "":
		c.pos++
		return k
	case len(cands) > 1:
		c.fail(ErrAmbiguous, c.pos, "", cands, nil)
	default:
		c.pending = c.expecting(opts...)
	}
	return ""
}

// uint reads a decimal number in lo..hi; desc is its help form.
func (c *cursor) uint(lo, hi uint64) uint64 {
	desc := fmt.Sprintf("<%d-%d>", lo, hi)
	if c.dialect == platform.DialectJunOS {
		desc = "<number>"
	}
	if !c.need(desc) {
		return 0
	}
	n, err := strconv.ParseUint(c.words[c.pos].text, 10, 64)
	if err != nil || n < lo || n > hi {
		reason := ""
		if err == nil && c.dialect == platform.DialectJunOS {
			reason = fmt.Sprintf("value %d is not within range (%d..%d)", n, lo, hi)
		}
		c.fail(ErrInvalid, c.pos, reason, c.expecting(desc), nil)
		return 0
	}
	c.pos++
	return n
}

// addr reads an IP address; v4 restricts it to IPv4.
func (c *cursor) addr(v4 bool) netip.Addr {
	desc := "A.B.C.D"
	if !v4 {
		desc = "A.B.C.D or X:X:X:X::X"
	}
	if !c.need(desc) {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(c.words[c.pos].text)
	if err != nil || a.Zone() != "" || v4 && !a.Is4() {
		c.fail(ErrInvalid, c.pos, "", c.expecting(desc), nil)
		return netip.Addr{}
	}
	c.pos++
	return a
}

// name reads a word that check accepts (nil: any word).
func (c *cursor) name(desc string, check func(string) error) string {
	if !c.need(desc) {
		return ""
	}
	w := c.words[c.pos].text
	if check != nil {
		if err := check(w); err != nil {
			c.fail(ErrInvalid, c.pos, err.Error(), c.expecting(desc), err)
			return ""
		}
	}
	c.pos++
	return w
}

// rest reads the rest of the line as one text, as IOS takes a description.
func (c *cursor) rest(desc string) string {
	if !c.need(desc) {
		return ""
	}
	if c.dialect == platform.DialectJunOS {
		w := c.words[c.pos].text
		c.pos++
		return w
	}
	s := strings.TrimRight(c.text[c.words[c.pos].col:], " \t\r")
	c.pos = len(c.words)
	return s
}

// end fails on any word left over.
func (c *cursor) end() {
	if c.more() {
		c.fail(ErrInvalid, c.pos, "", c.expecting(), nil)
	}
}

// skip drops the rest of the line: a `no` form may repeat the values it
// removes, and IOS does not check them.
func (c *cursor) skip() {
	if c.err == nil {
		c.pos = len(c.words)
	}
}

// limitDesc is the help form of a persona limit: "<10-600>" or "64|128".
func limitDesc(l platform.Limit) string {
	if len(l.Allowed) > 0 {
		s := make([]string, len(l.Allowed))
		for i, v := range l.Allowed {
			s[i] = fmt.Sprint(v)
		}
		return strings.Join(s, "|")
	}
	return fmt.Sprintf("<%d-%d>", l.Min, l.Max)
}

// num reads a decimal number for the persona to judge; desc is its help.
func (c *cursor) num(desc string, lo, hi uint64) uint64 {
	if !c.need(desc) {
		return 0
	}
	var n uint64
	_, err := fmt.Sscanf(c.words[c.pos].text, "%d", &n)
	if err != nil || fmt.Sprint(n) != c.words[c.pos].text || n < lo || n > hi {
		c.fail(ErrInvalid, c.pos, "", c.expecting(desc), nil)
		return 0
	}
	c.pos++
	return n
}
