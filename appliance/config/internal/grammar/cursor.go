package grammar

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/platform"
)

// Word is one token of a line and where it starts.
type Word struct {
	Text string
	Col  int
}

// SplitWords splits an IOS line at blanks.
func SplitWords(line string) []Word {
	var ws []Word
	for i := 0; i < len(line); {
		for i < len(line) && IsBlank(line[i]) {
			i++
		}
		start := i
		for i < len(line) && !IsBlank(line[i]) {
			i++
		}
		if i > start {
			ws = append(ws, Word{line[start:i], start})
		}
	}
	return ws
}

// IsBlank reports whether b separates words.
func IsBlank(b byte) bool { return b == ' ' || b == '\t' || b == '\r' }

// Cursor walks the words of one line for a command handler. The first
// failure sticks: later calls return zero values, so a handler reads its
// whole syntax and checks c.err once before touching the model, the way
// bufio.Scanner reports its error at the end.
type Cursor struct {
	Text    string
	Words   []Word
	Pos     int
	dialect platform.Dialect
	Err     *config.LineError
	// pending holds the alternatives already tried at pos by tryKeyword,
	// so that an error there lists everything that would have fitted.
	pending    []string
	pendingPos int
}

// NewCursor walks the words of text, refusing in dialect d's words.
func NewCursor(text string, words []Word, d platform.Dialect) *Cursor {
	return &Cursor{Text: text, Words: words, dialect: d}
}

// More reports whether words are left and nothing failed yet.
func (c *Cursor) More() bool { return c.Err == nil && c.Pos < len(c.Words) }

// Last is the index of the word consumed last.
func (c *Cursor) Last() int { return c.Pos - 1 }

func (c *Cursor) expecting(alts ...string) []string {
	if c.pendingPos != c.Pos {
		c.pending, c.pendingPos = nil, c.Pos
	}
	return append(append([]string(nil), c.pending...), alts...)
}

func (c *Cursor) fail(kind config.ErrorKind, at int, reason string, expected []string, cause error) {
	if c.Err != nil {
		return
	}
	e := &config.LineError{Text: c.Text, Kind: kind, Dialect: c.dialect, Reason: reason, Expected: expected, Err: cause}
	if at < len(c.Words) {
		e.Col, e.Word = c.Words[at].Col, c.Words[at].Text
	} else {
		e.Col = len(strings.TrimRight(c.Text, " \t\r")) + 1
	}
	c.Err = e
}

// Invalid refuses the word at index at.
func (c *Cursor) Invalid(at int, reason string) {
	c.fail(config.ErrInvalid, at, reason, nil, nil)
}

// Refuse refuses the whole command for a reason.
func (c *Cursor) Refuse(format string, args ...any) {
	c.fail(config.ErrRefused, 0, fmt.Sprintf(format, args...), nil, nil)
}

// RefuseAt refuses the whole command for a reason that names the word at
// index at (a port another statement has already).
func (c *Cursor) RefuseAt(at int, format string, args ...any) {
	c.fail(config.ErrRefused, at, fmt.Sprintf(format, args...), nil, nil)
}

// Need reports whether a word is there, failing as incomplete otherwise.
func (c *Cursor) Need(alts ...string) bool {
	if c.Err != nil {
		return false
	}
	if c.Pos >= len(c.Words) {
		c.fail(config.ErrIncomplete, c.Pos, "", c.expecting(alts...), nil)
		return false
	}
	return true
}

// MatchKeyword finds the keyword w stands for: an exact match, or the only
// keyword it abbreviates. IOS keywords ignore case; JunOS's do not.
func MatchKeyword(w string, opts []string, fold bool) (string, []string) {
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

// Keyword consumes one of opts.
func (c *Cursor) Keyword(opts ...string) string {
	if !c.Need(opts...) {
		return ""
	}
	k, cands := MatchKeyword(c.Words[c.Pos].Text, opts, c.dialect == platform.DialectIOS)
	switch {
	case len(cands) == 0:
		c.fail(config.ErrInvalid, c.Pos, "", c.expecting(opts...), nil)
		return ""
	case k == "":
		c.fail(config.ErrAmbiguous, c.Pos, "", cands, nil)
		return ""
	}
	c.Pos++
	return k
}

// OptKeyword is keyword, but the end of the line is no error.
func (c *Cursor) OptKeyword(opts ...string) string {
	if !c.More() {
		return ""
	}
	return c.Keyword(opts...)
}

// TryKeyword consumes one of opts if the next word is one; otherwise it
// leaves the word for an argument. An ambiguous abbreviation still fails.
func (c *Cursor) TryKeyword(opts ...string) string {
	if !c.More() {
		c.pending = c.expecting(opts...)
		return ""
	}
	k, cands := MatchKeyword(c.Words[c.Pos].Text, opts, c.dialect == platform.DialectIOS)
	switch {
	case k != "":
		c.Pos++
		return k
	case len(cands) > 1:
		c.fail(config.ErrAmbiguous, c.Pos, "", cands, nil)
	default:
		c.pending = c.expecting(opts...)
	}
	return ""
}

// Uint reads a decimal number in lo..hi; desc is its help form.
func (c *Cursor) Uint(lo, hi uint64) uint64 {
	desc := fmt.Sprintf("<%d-%d>", lo, hi)
	if c.dialect == platform.DialectJunOS {
		desc = "<number>"
	}
	if !c.Need(desc) {
		return 0
	}
	n, err := strconv.ParseUint(c.Words[c.Pos].Text, 10, 64)
	if err != nil || n < lo || n > hi {
		reason := ""
		if err == nil && c.dialect == platform.DialectJunOS {
			reason = fmt.Sprintf("value %d is not within range (%d..%d)", n, lo, hi)
		}
		c.fail(config.ErrInvalid, c.Pos, reason, c.expecting(desc), nil)
		return 0
	}
	c.Pos++
	return n
}

// Addr reads an IP address; v4 restricts it to IPv4.
func (c *Cursor) Addr(v4 bool) netip.Addr {
	desc := "A.B.C.D"
	if !v4 {
		desc = "A.B.C.D or X:X:X:X::X"
	}
	if !c.Need(desc) {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(c.Words[c.Pos].Text)
	if err != nil || a.Zone() != "" || v4 && !a.Is4() {
		c.fail(config.ErrInvalid, c.Pos, "", c.expecting(desc), nil)
		return netip.Addr{}
	}
	c.Pos++
	return a
}

// Name reads a word that check accepts (nil: any word).
func (c *Cursor) Name(desc string, check func(string) error) string {
	if !c.Need(desc) {
		return ""
	}
	w := c.Words[c.Pos].Text
	if check != nil {
		if err := check(w); err != nil {
			c.fail(config.ErrInvalid, c.Pos, err.Error(), c.expecting(desc), err)
			return ""
		}
	}
	c.Pos++
	return w
}

// Rest reads the rest of the line as one text, as IOS takes a description.
func (c *Cursor) Rest(desc string) string {
	if !c.Need(desc) {
		return ""
	}
	if c.dialect == platform.DialectJunOS {
		w := c.Words[c.Pos].Text
		c.Pos++
		return w
	}
	s := strings.TrimRight(c.Text[c.Words[c.Pos].Col:], " \t\r")
	c.Pos = len(c.Words)
	return s
}

// Offer notes what may follow at the end of the line, optionally: `?`
// there lists alts before <cr>. A word present leaves it for the caller.
func (c *Cursor) Offer(alts ...string) {
	if c.Err == nil && c.Pos == len(c.Words) {
		c.pending = c.expecting(alts...)
	}
}

// Optional reads the next of a command's optional trailing keywords:
// one of opts, or "" at the end of the line (which Offer notes, so that
// `?` there lists them before <cr>) or when the word is none of them
// (failed as Keyword does). A command loops on it until "".
func (c *Cursor) Optional(opts ...string) string {
	if !c.More() {
		c.Offer(opts...)
		return ""
	}
	return c.Keyword(opts...)
}

// Offered is what may follow at the end of a line that parsed: the
// words Offer and TryKeyword were given there.
func (c *Cursor) Offered() []string {
	if c.Err != nil || c.Pos != len(c.Words) || c.pendingPos != c.Pos {
		return nil
	}
	return c.pending
}

// End fails on any word left over.
func (c *Cursor) End() {
	if c.More() {
		c.fail(config.ErrInvalid, c.Pos, "", c.expecting(), nil)
	}
}

// Skip drops the rest of the line: a `no` form may repeat the values it
// removes, and IOS does not check them.
func (c *Cursor) Skip() {
	if c.Err == nil {
		c.Pos = len(c.Words)
	}
}

// LimitDesc is the help form of a persona limit: "<10-600>" or "64|128".
func LimitDesc(l platform.Limit) string {
	if len(l.Allowed) > 0 {
		s := make([]string, len(l.Allowed))
		for i, v := range l.Allowed {
			s[i] = fmt.Sprint(v)
		}
		return strings.Join(s, "|")
	}
	return fmt.Sprintf("<%d-%d>", l.Min, l.Max)
}

// Num reads a decimal number for the persona to judge; desc is its help.
func (c *Cursor) Num(desc string, lo, hi uint64) uint64 {
	if !c.Need(desc) {
		return 0
	}
	var n uint64
	_, err := fmt.Sscanf(c.Words[c.Pos].Text, "%d", &n)
	if err != nil || fmt.Sprint(n) != c.Words[c.Pos].Text || n < lo || n > hi {
		c.fail(config.ErrInvalid, c.Pos, "", c.expecting(desc), nil)
		return 0
	}
	c.Pos++
	return n
}
