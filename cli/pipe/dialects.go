package pipe

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// IOS is IOS's `| include|exclude|begin|section|count REGEXP`: one
// filter, whose regular expression is the rest of the line.
func IOS() Syntax {
	re := func(arg string) (*regexp.Regexp, error) {
		r, err := regexp.Compile(iosRegexp(arg))
		if err != nil {
			return nil, fmt.Errorf("%% Invalid regular expression %q", arg)
		}
		return r, nil
	}
	with := func(f func(*regexp.Regexp) Filter) func(string) (Filter, error) {
		return func(arg string) (Filter, error) {
			r, err := re(arg)
			if err != nil {
				return nil, err
			}
			return f(r), nil
		}
	}
	return Syntax{
		Verbs: []Verb{
			{Name: "begin", Help: "Begin with the line that matches", Arg: "LINE", NeedsArg: true, New: with(Begin)},
			{Name: "count", Help: "Count number of lines which match regexp", Arg: "LINE", New: func(arg string) (Filter, error) {
				if arg == "" {
					return Count(nil, "Number of lines which match regexp = %d"), nil
				}
				r, err := re(arg)
				if err != nil {
					return nil, err
				}
				return Count(r, "Number of lines which match regexp = %d"), nil
			}},
			{Name: "exclude", Help: "Exclude lines that match", Arg: "LINE", NeedsArg: true,
				New: with(func(r *regexp.Regexp) Filter { return Include(r, false) })},
			{Name: "include", Help: "Include lines that match", Arg: "LINE", NeedsArg: true,
				New: with(func(r *regexp.Regexp) Filter { return Include(r, true) })},
			// The command renders JSON itself: its snapshot, not its text.
			{Name: "json", Help: "Output in JSON format", New: func(arg string) (Filter, error) {
				if arg != "" {
					return nil, MarkArg(errors.New("% Invalid input detected at '^' marker."))
				}
				return nil, nil
			}},
			{Name: "section", Help: "Filter a section of output", Arg: "LINE", NeedsArg: true, New: with(Section)},
		},
		Unknown:    func(string) error { return errors.New("% Invalid input detected at '^' marker.") },
		Incomplete: errors.New("% Incomplete command."),
	}
}

// iosRegexp is an IOS regular expression in Go's syntax: IOS's `_`
// matches a comma, a brace, a parenthesis, a space or either end of the
// line (the delimiter `| include _80_` finds a port by), where Go's is a
// plain underscore. It matches an underscore too, so that the log's
// mnemonics (`| include LOGIN_FAILED`) are found as operators type them
// (whether IOS's does is not confirmed); `\_` is an underscore only.
// The rest is common to both.
func iosRegexp(expr string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case c == '\\' && i+1 < len(expr):
			b.WriteByte(c)
			i++
			b.WriteByte(expr[i])
			continue
		case c == '[' && !inClass:
			inClass = true
		case c == ']' && inClass:
			inClass = false
		case c == '_' && !inClass:
			b.WriteString(`(?:^|$|[,{}() _])`)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// JunOS is JunOS's chained pipes: match, except, find, count, last, trim,
// and the stages its commands or the session consume (display, compare,
// no-more, save).
func JunOS() Syntax {
	with := func(f func(*regexp.Regexp) Filter) func(string) (Filter, error) {
		return func(arg string) (Filter, error) {
			r, err := regexp.Compile(arg)
			if err != nil {
				return nil, fmt.Errorf("error: invalid regular expression %q", arg)
			}
			return f(r), nil
		}
	}
	number := func(what, unit string, f func(int) Filter) func(string) (Filter, error) {
		return func(arg string) (Filter, error) {
			n, err := strconv.Atoi(arg)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("error: %s wants a number of %s", what, unit)
			}
			return f(n), nil
		}
	}
	consumed := func(string) (Filter, error) { return nil, nil }
	return Syntax{
		Chain: true,
		Verbs: []Verb{
			{Name: "compare", Help: "Compare configuration changes with prior version", New: consumed},
			{Name: "count", Help: "Count occurrences", New: func(string) (Filter, error) { return Count(nil, "Count: %d lines"), nil }},
			{Name: "display", Help: "Show additional kinds of information", New: consumed},
			{Name: "except", Help: "Show only text that does not match a pattern", Arg: "<pattern>", NeedsArg: true,
				New: with(func(r *regexp.Regexp) Filter { return Include(r, false) })},
			{Name: "find", Help: "Search for first occurrence of pattern", Arg: "<pattern>", NeedsArg: true, New: with(Begin)},
			{Name: "last", Help: "Display end of output only", Arg: "<lines>", New: number("last", "lines", Last)},
			{Name: "match", Help: "Show only text that matches a pattern", Arg: "<pattern>", NeedsArg: true,
				New: with(func(r *regexp.Regexp) Filter { return Include(r, true) })},
			{Name: "no-more", Help: "Don't paginate output", New: consumed},
			// The session writes the output to the file instead.
			{Name: "save", Help: "Save output text to file", Arg: "<filename>", NeedsArg: true, New: consumed},
			{Name: "trim", Help: "Trim specified number of columns from start of line", Arg: "<columns>", New: number("trim", "columns", Trim)},
		},
		Unknown: func(verb string) error { return fmt.Errorf("error: unknown pipe command %q", verb) },
		// match, except and find without a pattern: JunOS's error, not
		// an empty pattern that matches every line.
		Incomplete: errors.New("syntax error, expecting <pattern>."),
	}
}
