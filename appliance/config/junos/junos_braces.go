package junos

import (
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/platform"
)

// isBraceText reports whether a JunOS configuration is brace text rather
// than set lines: its first statement is not a set or delete.
func isBraceText(src string) bool {
	t := firstStatement(src)
	return t != "" && !isSetLine(t)
}

// braceToken is a word (raw, quotes kept), "{", "}" or ";".
type braceToken struct {
	text string
	line int
	note bool // a /* comment */: the annotation of what follows
}

// flattenBraces turns brace text into the set lines it stands for:
//
//	forwarding-options { sampling { input { rate 100; } } }
//
// is `set forwarding-options sampling input rate 100`. Each line is
// numbered with the source line of its statement's end.
func flattenBraces(src string) ([]numberedLine, error) {
	toks, err := braceTokens(src)
	if err != nil {
		return nil, err
	}
	var out []numberedLine
	type container struct {
		labels   []string
		used     bool // a statement was emitted inside it
		inactive bool
		note     string
	}
	note := "" // a /* comment */ waiting for its statement
	annotate := func(line int, ls [][]string, words []string, text string) {
		if text != "" {
			q := `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(text) + `"`
			out = append(out, numberedLine{line, "annotate" + strings.TrimPrefix(setLine(ls, words), "set") + " " + q, false})
		}
	}
	var stack []container
	labels := func(n int) [][]string {
		ls := make([][]string, n)
		for i := range ls {
			ls[i] = stack[i].labels
		}
		return ls
	}
	emit := func(line int, words []string) {
		// `inactive: ssh;` is the statement, then its deactivation.
		words, inactive, replace := tags(words)
		if replace {
			out = append(out, numberedLine{line, "delete" + strings.TrimPrefix(setLine(labels(len(stack)), words), "set"), true})
		}
		out = append(out, numberedLine{line, setLine(labels(len(stack)), words), false})
		if inactive {
			out = append(out, numberedLine{line, deactivateLine(labels(len(stack)), words), false})
		}
		annotate(line, labels(len(stack)), words, note)
		note = ""
		for i := range stack {
			stack[i].used = true
		}
	}
	var words []string
	for _, t := range toks {
		if t.note {
			note = t.text
			continue
		}
		switch t.text {
		case "{":
			if len(words) == 0 {
				return nil, braceError(t.line, "'{' without a statement before it")
			}
			c := container{note: note}
			note = ""
			var replace bool
			c.labels, c.inactive, replace = tags(words)
			if replace {
				// What the container held goes before what the text
				// gives it.
				out = append(out, numberedLine{t.line, "delete" + strings.TrimPrefix(setLine(labels(len(stack)), c.labels), "set"), true})
			}
			stack = append(stack, c)
			words = nil
		case ";":
			if len(words) > 0 {
				emit(t.line, words)
			}
			words = nil
		case "}":
			note = "" // a comment closing a block notes nothing
			if len(words) > 0 {
				return nil, braceError(t.line, "statement without ';' before '}'")
			}
			if len(stack) == 0 {
				return nil, braceError(t.line, "'}' without '{'")
			}
			top := stack[len(stack)-1]
			if !top.used { // an empty container (`eth0 { }`) still exists
				stack = stack[:len(stack)-1]
				emit(t.line, top.labels)
				stack = append(stack, top)
			}
			// The container's own deactivation and note follow what it
			// holds.
			if top.inactive {
				out = append(out, numberedLine{t.line, deactivateLine(labels(len(stack)), nil), false})
			}
			annotate(t.line, labels(len(stack)), nil, top.note)
			stack = stack[:len(stack)-1]
		default:
			words = append(words, t.text)
		}
	}
	if len(stack) > 0 || len(words) > 0 {
		return nil, braceError(strings.Count(src, "\n")+1, "unexpected end of text: missing '}' or ';'")
	}
	return out, nil
}

// replaceTag is Junos's tag on a statement that `load replace` puts in
// place of the candidate's statement of that name.
const replaceTag = "replace:"

// tags takes the `inactive:` and `replace:` tags off a statement's
// words, in either order.
func tags(words []string) (rest []string, inactive, replace bool) {
	for len(words) > 1 {
		switch words[0] {
		case strings.TrimSpace(inactivePrefix):
			inactive = true
		case replaceTag:
			replace = true
		default:
			return words, inactive, replace
		}
		words = words[1:]
	}
	return words, inactive, replace
}

func setLine(stack [][]string, words []string) string {
	parts := []string{"set"}
	for _, s := range stack {
		parts = append(parts, s...)
	}
	return strings.Join(append(parts, words...), " ")
}

// deactivateLine is the `deactivate` line of the statement setLine sets.
func deactivateLine(stack [][]string, words []string) string {
	return "deactivate" + strings.TrimPrefix(setLine(stack, words), "set")
}

func braceError(line int, reason string) *config.LineError {
	return &config.LineError{Line: line, Kind: config.ErrRefused, Dialect: platform.DialectJunOS, Reason: "syntax error: " + reason}
}

// braceTokens splits brace text, dropping # comments; a /* */ comment
// is a note token.
func braceTokens(src string) ([]braceToken, error) {
	var toks []braceToken
	line := 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, braceError(line, "unterminated comment")
			}
			toks = append(toks, braceToken{text: strings.TrimSpace(src[i+2 : i+2+end]), line: line, note: true})
			line += strings.Count(src[i:i+2+end], "\n")
			i += end + 4
		case c == '{' || c == '}' || c == ';':
			toks = append(toks, braceToken{text: string(c), line: line})
			i++
		case c == '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				if j < len(src) && src[j] == '\n' {
					return nil, braceError(line, "newline in a quoted string")
				}
				j++
			}
			if j >= len(src) {
				return nil, braceError(line, "unterminated quoted string")
			}
			toks = append(toks, braceToken{text: src[i : j+1], line: line})
			i = j + 1
		default:
			j := i
			for j < len(src) && !strings.ContainsRune(" \t\r\n{};\"#", rune(src[j])) {
				j++
			}
			toks = append(toks, braceToken{text: src[i:j], line: line})
			i = j
		}
	}
	return toks, nil
}
