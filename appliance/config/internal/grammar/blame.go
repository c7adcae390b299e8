package grammar

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/platform"
)

// SrcPos is where a field got its value: the line and the word.
type SrcPos struct {
	line int
	Text string
	Col  int
	Word string
}

// Origins remembers, per field path, the line that set it last, so that
// a refusal found when the whole configuration is checked can point at
// the line to blame.
type Origins map[string]SrcPos

// Record notes that line n set the fields ts names.
func (o Origins) Record(n int, text string, words []Word, ts []Touched) {
	for _, t := range ts {
		w := words[t.Word]
		o[t.Path] = SrcPos{n, text, w.Col, w.Text}
	}
}

// find returns the line that set the field itself, else the one that set
// the closest enclosing element, else one that set something inside it;
// among equals, the latest.
func (o Origins) find(path string) (SrcPos, bool) {
	var at SrcPos
	rank := 0
	for p, l := range o {
		r := 0
		switch {
		case p == path:
			r = 3 << 16
		case RelatedPath(p, path) && len(p) < len(path):
			r = 2<<16 + len(p)
		case RelatedPath(p, path):
			r = 1<<16 - len(p)
		}
		if r > rank || r == rank && r > 0 && l.line > at.line {
			at, rank = l, r
		}
	}
	return at, rank > 0
}

// Refusal words a model refusal for the line at, in the dialect: a bad
// value gets the caret, a refused combination the reason.
func Refusal(fe *config.FieldError, at SrcPos, file string, d platform.Dialect) *config.LineError {
	e := &config.LineError{File: file, Line: at.line, Text: at.Text, Col: at.Col, Word: at.Word, Kind: config.ErrRefused,
		Dialect: d, Reason: fe.Err.Error(), Err: fe}
	var pe *platform.Error
	var ve config.ValueError
	switch {
	case errors.As(fe.Err, &pe) && pe.Value != "" && d == platform.DialectJunOS:
		e.Kind = config.ErrInvalid
		e.Reason = fmt.Sprintf("value %s is not within range %s", pe.Value, pe.Expected)
		if pe.Dialect == platform.DialectJunOS {
			e.Reason = strings.TrimPrefix(pe.Lines()[0], "error: ")
		}
	case errors.As(fe.Err, &pe) && pe.Value != "":
		e.Kind, e.Reason, e.Expected = config.ErrInvalid, "expected "+pe.Expected, []string{pe.Expected}
	case errors.As(fe.Err, &pe) && pe.Reason != "":
		e.Reason = pe.Reason
	case errors.As(fe.Err, &ve) && d == platform.DialectIOS:
		e.Kind = config.ErrInvalid
	}
	return e
}

// CheckAll normalizes the configuration a batch of lines built and blames
// each refusal the base did not have on the line that caused it.
func CheckAll(cfg config.Config, baseErrs []*config.FieldError, where Origins, file string, d platform.Dialect) (config.Config, config.Errors) {
	norm, fes := config.NormalizeFields(cfg)
	var out config.Errors
	for _, fe := range fes {
		if NewError([]*config.FieldError{fe}, baseErrs) == nil {
			continue
		}
		if at, ok := where.find(fe.Path); ok {
			out = append(out, Refusal(fe, at, file, d))
		} else {
			out = append(out, fe)
		}
	}
	return norm, out
}

// SortByLine orders errors as the lines they blame; errors without a line
// come last.
func SortByLine(es config.Errors) {
	line := func(e error) int {
		var le *config.LineError
		if errors.As(e, &le) {
			return le.Line
		}
		return 1 << 30
	}
	slices.SortStableFunc(es, func(a, b error) int { return cmp.Compare(line(a), line(b)) })
}

// NewError is the first refusal in after that before did not have.
func NewError(after, before []*config.FieldError) *config.FieldError {
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

// FieldErrors is fes as an Errors.
func FieldErrors(fes []*config.FieldError) config.Errors {
	out := make(config.Errors, len(fes))
	for i, e := range fes {
		out[i] = e
	}
	return out
}

// Touched records which word set which field, to put the caret under the
// right word when the model refuses the value.
type Touched struct {
	Path string
	Word int
}

// RelatedPath reports whether one path is the other or inside it.
func RelatedPath(a, b string) bool {
	inside := func(p, q string) bool {
		return strings.HasPrefix(p, q) && (len(p) == len(q) || p[len(q)] == '.' || p[len(q)] == '[')
	}
	return inside(a, b) || inside(b, a)
}

// Blame words a refusal found outside NormalizeFields (a dialect's own
// commit check) for the line that last set its path, or leaves it as it
// is when no line did.
func (o Origins) Blame(fe *config.FieldError, file string, d platform.Dialect) error {
	if at, ok := o.find(fe.Path); ok {
		return Refusal(fe, at, file, d)
	}
	return fe
}
