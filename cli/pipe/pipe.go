// Package pipe is the output-filter stage both CLI dialects share: it
// cuts a line into its command and its `| VERB ARG` stages and runs the
// command's output through them. Each dialect brings its own Syntax (its
// verbs, whether stages chain, its error words); the filters themselves
// (include, exclude, begin, section, count, last, trim) exist once.
//
// A verb whose New returns a nil Filter is consumed by the command itself
// (JunOS `display set`, `compare`): the command asks Pipeline.Has for it
// and Apply passes the text through. A new output format (`| json`,
// `| display json`) is one more Verb in a dialect's table.
package pipe

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Filter rewrites a command's output: lines without their newline.
type Filter func(lines []string) []string

// Verb is one filter a dialect offers after `|`.
type Verb struct {
	Name string
	Help string
	// Arg names the argument for help ("LINE", "<lines>"); "" is none.
	Arg string
	// NeedsArg refuses the verb without an argument (Syntax.Incomplete).
	NeedsArg bool
	// New makes the filter for arg. A nil Filter (and nil error) means
	// the command consumes the stage.
	New func(arg string) (Filter, error)
}

// Syntax is a dialect's pipe grammar.
type Syntax struct {
	Verbs []Verb
	// Chain lets stages follow each other (`| a | b`) and keeps a `|`
	// inside double quotes in the argument (the quotes are removed), as
	// JunOS does. Without it, as on IOS, the first " |" starts the one
	// filter and the rest of the line is its argument, `|` included.
	Chain bool
	// Unknown is the error for a verb that names no filter (or more than
	// one by its prefix).
	Unknown func(verb string) error
	// Incomplete is the error for a NeedsArg verb given no argument.
	Incomplete error
}

// PosError is a stage's error with the byte offset in the line of the
// word it is about, for a dialect that marks it (IOS's caret under a
// verb it does not know, or an argument its verb takes none of).
type PosError struct {
	Pos int
	Err error
}

func (e *PosError) Error() string { return e.Err.Error() }
func (e *PosError) Unwrap() error { return e.Err }

// MarkArg is what a Verb's New returns for an argument the verb refuses
// as a word (not as a pattern): Parse marks the argument's place.
func MarkArg(err error) error { return &PosError{Pos: -1, Err: err} }

// Stage is one parsed `| VERB ARG`.
type Stage struct {
	Verb string // the full verb name
	Arg  string
	f    Filter
}

// Pipeline is a parsed line: the command and its stages in order.
type Pipeline struct {
	Cmd    string
	Stages []Stage
}

// Parse cuts line into the command and its stages and makes each stage's
// filter, so a bad stage is refused before the command runs.
func (sx Syntax) Parse(line string) (Pipeline, error) {
	var parts []string
	at := -1 // where the stage starts in line; -1 when not known (chained)
	if sx.Chain {
		parts = splitQuoted(line)
	} else if i := strings.Index(line, " |"); i >= 0 {
		parts = []string{line[:i], line[i+2:]}
		at = i + 2
	} else {
		parts = []string{line}
	}
	// The command keeps its leading spaces: IOS puts its caret by byte
	// offset in the line.
	p := Pipeline{Cmd: strings.TrimRight(parts[0], " ")}
	for _, part := range parts[1:] {
		// The verb's and the argument's offsets in line, when known.
		wordAt, argAt := -1, -1
		if at >= 0 {
			wordAt = at + len(part) - len(strings.TrimLeft(part, " "))
		}
		part = strings.TrimSpace(part)
		word, arg, _ := strings.Cut(part, " ")
		if wordAt >= 0 {
			argAt = wordAt + len(word)
			if rest := part[len(word):]; rest != "" {
				argAt += len(rest) - len(strings.TrimLeft(rest, " "))
			}
		}
		arg = strings.TrimSpace(arg)
		if sx.Chain {
			arg = unquote(arg)
		}
		v, ok := sx.lookup(word)
		if !ok {
			return Pipeline{}, &PosError{Pos: wordAt, Err: sx.Unknown(word)}
		}
		if v.NeedsArg && arg == "" {
			return Pipeline{}, sx.Incomplete
		}
		f, err := v.New(arg)
		if pe := (*PosError)(nil); errors.As(err, &pe) && pe.Pos < 0 {
			pe.Pos = argAt
		}
		if err != nil {
			return Pipeline{}, err
		}
		p.Stages = append(p.Stages, Stage{Verb: v.Name, Arg: arg, f: f})
	}
	return p, nil
}

// lookup finds a verb by its name or a prefix that names one verb only.
func (sx Syntax) lookup(word string) (Verb, bool) {
	if word == "" {
		return Verb{}, false
	}
	var found []Verb
	for _, v := range sx.Verbs {
		if v.Name == word {
			return v, true
		}
		if strings.HasPrefix(v.Name, word) {
			found = append(found, v)
		}
	}
	if len(found) != 1 {
		return Verb{}, false
	}
	return found[0], true
}

// Item is one line of `?` help in a stage.
type Item struct{ Name, Help string }

// Completions answers `?` typed at the end of line when line ends in a
// stage: the verbs its word may still become, or, after a verb and a
// space, the verb's argument. ok is false when line has no stage; partial
// tells the word was not finished (a dialect may list names only).
func (sx Syntax) Completions(line string) (items []Item, partial, ok bool) {
	var stage string
	if sx.Chain {
		parts := splitQuoted(line)
		if len(parts) < 2 {
			return nil, false, false
		}
		stage = parts[len(parts)-1]
	} else {
		i := strings.Index(line, " |")
		if i < 0 {
			return nil, false, false
		}
		stage = line[i+2:]
	}
	stage = strings.TrimLeft(stage, " ")
	word, rest, spaced := strings.Cut(stage, " ")
	if !spaced {
		for _, v := range sx.Verbs {
			if strings.HasPrefix(v.Name, word) {
				items = append(items, Item{v.Name, v.Help})
			}
		}
		return items, word != "", true
	}
	if v, found := sx.lookup(word); found && v.Arg != "" && strings.TrimSpace(rest) == "" {
		return []Item{{v.Arg, v.Help}}, false, true
	}
	return nil, false, true
}

// Filtered reports whether a stage rewrites the output (the command must
// then write to a buffer, not to the terminal).
func (p Pipeline) Filtered() bool { return len(p.Stages) > 0 }

// Has reports whether a stage is VERB, or VERB ARG... when want has
// several words ("display set", "compare"); ARG is matched by its prefix.
func (p Pipeline) Has(want string) bool {
	_, ok := p.Find(want)
	return ok
}

// Find is the first stage Has would report.
func (p Pipeline) Find(want string) (Stage, bool) {
	verb, arg, _ := strings.Cut(want, " ")
	for _, s := range p.Stages {
		if s.Verb == verb && strings.HasPrefix(s.Arg, arg) {
			return s, true
		}
	}
	return Stage{}, false
}

// Apply writes text through the stages in order.
func (p Pipeline) Apply(w io.Writer, text string) {
	lines := Lines(text)
	for _, s := range p.Stages {
		if s.f != nil {
			lines = s.f(lines)
		}
	}
	for _, l := range lines {
		io.WriteString(w, l+"\n")
	}
}

// Lines cuts a command's output into lines; empty output has none.
func Lines(text string) []string {
	if text == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
}

// splitQuoted cuts line at each '|' outside double quotes.
func splitQuoted(line string) []string {
	var parts []string
	quoted, start := false, 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			quoted = !quoted
		case '|':
			if !quoted {
				parts = append(parts, line[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, line[start:])
}

// unquote removes the double quotes around (or within) an argument:
// `"a|b"` is a|b, as a JunOS pattern is written.
func unquote(s string) string { return strings.ReplaceAll(s, `"`, "") }

// The filters. Each takes the lines and returns those kept.

// Include keeps the lines re matches; Exclude (keep false) the others.
func Include(re *regexp.Regexp, keep bool) Filter {
	return func(lines []string) []string {
		var out []string
		for _, l := range lines {
			if re.MatchString(l) == keep {
				out = append(out, l)
			}
		}
		return out
	}
}

// Begin keeps the lines from the first one re matches on (IOS begin,
// JunOS find).
func Begin(re *regexp.Regexp) Filter {
	return func(lines []string) []string {
		for i, l := range lines {
			if re.MatchString(l) {
				return lines[i:]
			}
		}
		return nil
	}
}

// Section keeps each top-level line re matches with the indented lines
// under it.
func Section(re *regexp.Regexp) Filter {
	return func(lines []string) []string {
		var out []string
		in := false
		for _, l := range lines {
			if !strings.HasPrefix(l, " ") {
				in = re.MatchString(l)
			}
			if in {
				out = append(out, l)
			}
		}
		return out
	}
}

// Count replaces the lines re matches (every line when re is nil) by one
// line, format with their number.
func Count(re *regexp.Regexp, format string) Filter {
	return func(lines []string) []string {
		n := 0
		for _, l := range lines {
			if re == nil || re.MatchString(l) {
				n++
			}
		}
		return []string{fmt.Sprintf(format, n)}
	}
}

// Last keeps the last n lines.
func Last(n int) Filter {
	return func(lines []string) []string {
		if n < len(lines) {
			return lines[len(lines)-n:]
		}
		return lines
	}
}

// Trim cuts the first n columns off each line (JunOS trim).
func Trim(n int) Filter {
	return func(lines []string) []string {
		out := make([]string, len(lines))
		for i, l := range lines {
			if n < len(l) {
				out[i] = l[n:]
			}
		}
		return out
	}
}
