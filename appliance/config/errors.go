package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/flowtap/flowtap/appliance/platform"
)

// ErrorKind is how a configuration line failed.
type ErrorKind uint8

const (
	// ErrInvalid: a word is not accepted here. IOS: "% Invalid input
	// detected at '^' marker."; JunOS: "syntax error." or a range error.
	ErrInvalid ErrorKind = iota
	// ErrIncomplete: the line ends where more is needed.
	ErrIncomplete
	// ErrAmbiguous: an abbreviation matches several keywords.
	ErrAmbiguous
	// ErrRefused: the line parses but the model refuses it (the persona
	// does not support it, a reference is missing ...).
	ErrRefused
)

// LineError is one refused configuration line.
type LineError struct {
	File    string
	Line    int    // 1-based
	Text    string // the line as written (for JunOS brace text: the set line it stands for)
	Col     int    // byte offset of Word in Text
	Word    string // the offending word; "" when the line is incomplete
	Kind    ErrorKind
	Dialect platform.Dialect
	// Reason says what went wrong in words: what was expected for
	// ErrInvalid, the refusal for ErrRefused.
	Reason string
	// Expected lists what could follow where the line failed (keywords
	// and argument forms such as "<1-60>"): the `?` help of that point.
	Expected []string
	Err      error // the cause, when there is one (*platform.Error, *FieldError)
}

func (e *LineError) Unwrap() error { return e.Err }

// Error names the file, the line and the word, then prints the line as
// the CLI would.
func (e *LineError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:", e.File, e.Line)
	switch {
	case e.Word != "":
		fmt.Fprintf(&b, " %q:", e.Word)
	case e.Kind == ErrIncomplete:
		b.WriteString(" incomplete:")
	}
	if e.Reason != "" {
		b.WriteString(" " + e.Reason)
	} else if e.Kind == ErrInvalid {
		b.WriteString(" invalid input")
	}
	for _, l := range e.Lines() {
		b.WriteString("\n" + l)
	}
	return b.String()
}

// Lines is the error as the dialect's CLI prints it. The first line
// echoes the configuration line (an interactive CLI, where the operator
// just typed it, may drop it):
//
//	ip flow-cache timeout inactive 5
//	                               ^
//	% Invalid input detected at '^' marker.
func (e *LineError) Lines() []string {
	if e.Text == "" { // not one line's fault (an unbalanced brace)
		return e.lines()[1:]
	}
	return e.lines()
}

func (e *LineError) lines() []string {
	caret := strings.Repeat(" ", max(e.Col, 0)) + "^"
	if e.Dialect == platform.DialectJunOS {
		switch e.Kind {
		case ErrInvalid:
			if e.Reason != "" && e.Word != "" && strings.HasPrefix(e.Reason, "value ") {
				return []string{e.Text, caret, "error: " + e.Reason}
			}
			return []string{e.Text, caret, "syntax error."}
		case ErrIncomplete:
			if len(e.Expected) == 1 {
				return []string{e.Text, caret, "syntax error, expecting " + e.Expected[0] + "."}
			}
			if len(e.Expected) > 1 {
				// Several statements may follow: JunOS names their kind;
				// `?` there lists them.
				return []string{e.Text, caret, "syntax error, expecting <statement>."}
			}
			return []string{e.Text, caret, "syntax error."}
		case ErrAmbiguous:
			return []string{e.Text, caret, fmt.Sprintf("'%s' is ambiguous.", e.Word)}
		}
		return []string{e.Text, "error: " + e.Reason}
	}
	switch e.Kind {
	case ErrInvalid:
		// A host name no one resolved: IOS says whom it asked first.
		if u, ok := errors.AsType[*UnknownHostError](e.Err); ok {
			return []string{e.Text, u.Translating(), caret, "% Invalid input detected at '^' marker."}
		}
		return []string{e.Text, caret, "% Invalid input detected at '^' marker."}
	case ErrIncomplete:
		return []string{e.Text, "% Incomplete command."}
	case ErrAmbiguous:
		return []string{e.Text, fmt.Sprintf("%% Ambiguous command:  %q", strings.TrimSpace(e.Text[:min(e.Col+len(e.Word), len(e.Text))]))}
	}
	return []string{e.Text, "% " + capitalise(e.Reason)}
}

// Errors is every line a configuration failed on (and any model error no
// line is to blame for, as *FieldError). Nothing of it was applied.
type Errors []error

func (es Errors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

func (es Errors) Unwrap() []error { return es }

// FieldError is a model value Validate refuses. Path is the field, as in
// Change.Path.
type FieldError struct {
	Path string
	Err  error
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// capitalise starts a reason with a capital, as IOS's messages do, unless
// it starts with a name or an address (fe80::1, eth1, a host name): a
// first word that is not all letters (a hyphen aside) stays as written.
// So does a command quoted first ("ip flow-export ...", "ipv6 flow
// monitor ..."): prose writes the protocol IP, never Ip.
func capitalise(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	word, _, _ := strings.Cut(s, " ")
	if word == "ip" || word == "ipv6" {
		return s
	}
	if strings.IndexFunc(strings.TrimRight(word, ":,;"), func(c rune) bool { return (c < 'a' || c > 'z') && c != '-' }) >= 0 {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
