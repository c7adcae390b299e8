// Package logsafe makes a name someone else chose safe to put in a log
// line in IOS's bracketed form ("[user: NAME]"): a login name a client
// sends before it authenticates, or one typed at a login prompt.
package logsafe

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxName is how much of a name a log line keeps.
const MaxName = 64

// Name returns n as it may appear in a log line: as it is when it is
// plain printable text, else quoted (so a line break, a control character
// or a bracket cannot forge a second message or a "[Source: ...]" field),
// and cut to MaxName bytes with "..." when longer.
func Name(n string) string {
	cut := false
	if len(n) > MaxName {
		n, cut = n[:MaxName], true
	}
	// Bytes that are not UTF-8 decode as U+FFFD, which is printable: a
	// lone 0x9b (the 8-bit CSI some terminals and log viewers obey) or
	// 0x85 (NEL, a line break to some syslog readers) passed as it was.
	if cut || !utf8.ValidString(n) || strings.IndexFunc(n, func(r rune) bool {
		return r < ' ' || r == 0x7f || r == '[' || r == ']' || r == '"' || !unicode.IsPrint(r)
	}) >= 0 {
		n = strconv.QuoteToASCII(n)
		if cut {
			n += "..."
		}
	}
	return n
}
