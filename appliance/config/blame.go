package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/platform"
)

// srcPos is where a field got its value: the line and the word.
type srcPos struct {
	line int
	text string
	col  int
	word string
}

// origins remembers, per field path, the line that set it last, so that
// a refusal found when the whole configuration is checked can point at
// the line to blame.
type origins map[string]srcPos

func (o origins) record(n int, text string, words []word, ts []touched) {
	for _, t := range ts {
		w := words[t.word]
		o[t.path] = srcPos{n, text, w.col, w.text}
	}
}

// find returns the line that set the field itself, else the one that set
// the closest enclosing element, else one that set something inside it;
// among equals, the latest.
func (o origins) find(path string) (srcPos, bool) {
	var at srcPos
	rank := 0
	for p, l := range o {
		r := 0
		switch {
		case p == path:
			r = 3 << 16
		case relatedPath(p, path) && len(p) < len(path):
			r = 2<<16 + len(p)
		case relatedPath(p, path):
			r = 1<<16 - len(p)
		}
		if r > rank || r == rank && r > 0 && l.line > at.line {
			at, rank = l, r
		}
	}
	return at, rank > 0
}

// refusal words a model refusal for the line at, in the dialect: a bad
// value gets the caret, a refused combination the reason.
func refusal(fe *FieldError, at srcPos, file string, d platform.Dialect) *LineError {
	e := &LineError{File: file, Line: at.line, Text: at.text, Col: at.col, Word: at.word, Kind: ErrRefused,
		Dialect: d, Reason: fe.Err.Error(), Err: fe}
	var pe *platform.Error
	var ve valueError
	switch {
	case errors.As(fe.Err, &pe) && pe.Value != "" && d == platform.DialectJunOS:
		e.Kind = ErrInvalid
		e.Reason = fmt.Sprintf("value %s is not within range %s", pe.Value, pe.Expected)
		if pe.Dialect == platform.DialectJunOS {
			e.Reason = strings.TrimPrefix(pe.Lines()[0], "error: ")
		}
	case errors.As(fe.Err, &pe) && pe.Value != "":
		e.Kind, e.Reason, e.Expected = ErrInvalid, "expected "+pe.Expected, []string{pe.Expected}
	case errors.As(fe.Err, &pe) && pe.Reason != "":
		e.Reason = pe.Reason
	case errors.As(fe.Err, &ve) && d == platform.DialectIOS:
		e.Kind = ErrInvalid
	}
	return e
}

// checkAll normalizes the configuration a batch of lines built and blames
// each refusal the base did not have on the line that caused it.
func checkAll(cfg Config, baseErrs []*FieldError, where origins, file string, d platform.Dialect) (Config, Errors) {
	norm, fes := normalize(cfg)
	var out Errors
	for _, fe := range fes {
		if newError([]*FieldError{fe}, baseErrs) == nil {
			continue
		}
		if at, ok := where.find(fe.Path); ok {
			out = append(out, refusal(fe, at, file, d))
		} else {
			out = append(out, fe)
		}
	}
	return norm, out
}

// sortByLine orders errors as the lines they blame; errors without a line
// come last.
func sortByLine(es Errors) {
	line := func(e error) int {
		var le *LineError
		if errors.As(e, &le) {
			return le.Line
		}
		return 1 << 30
	}
	slices.SortStableFunc(es, func(a, b error) int { return cmp.Compare(line(a), line(b)) })
}

// newError is the first refusal in after that before did not have.
func newError(after, before []*FieldError) *FieldError {
	old := make(map[string]bool, len(before))
	for _, e := range before {
		old[e.Error()] = true
	}
	for _, e := range after {
		if !old[e.Error()] {
			return e
		}
	}
	return nil
}

func fieldErrors(fes []*FieldError) Errors {
	out := make(Errors, len(fes))
	for i, e := range fes {
		out[i] = e
	}
	return out
}

// touched records which word set which field, to put the caret under the
// right word when the model refuses the value.
type touched struct {
	path string
	word int
}

// relatedPath reports whether one path is the other or inside it.
func relatedPath(a, b string) bool {
	inside := func(p, q string) bool {
		return strings.HasPrefix(p, q) && (len(p) == len(q) || p[len(q)] == '.' || p[len(q)] == '[')
	}
	return inside(a, b) || inside(b, a)
}
