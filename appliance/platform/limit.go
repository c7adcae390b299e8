package platform

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Dialect is the CLI a persona's errors are worded for.
type Dialect uint8

const (
	DialectIOS Dialect = iota
	DialectJunOS
)

// Limit is one configurable number: its command, default and accepted
// values, in the unit the CLI takes.
type Limit struct {
	Command string        // as the persona's CLI spells it, up to the value; "" if not configurable
	Default int64         // 0: none (off, or must be given)
	Min     int64         // inclusive
	Max     int64         // inclusive
	Unit    time.Duration // one CLI unit; 0 for counts
	Allowed []int64       // when set, the only accepted values
	// RoundTo rounds an accepted value to the nearest multiple, as PFC2
	// aging does (65 -> 64, 127 -> 128).
	RoundTo int64
	// RoundUpTo rounds up to a multiple, as cflowd's active timeout does.
	RoundUpTo int64
}

// Configurable reports whether the persona has a command for the value.
func (l Limit) Configurable() bool { return l.Command != "" }

// Duration converts a CLI value to time.
func (l Limit) Duration(v int64) time.Duration { return time.Duration(v) * l.Unit }

// DefaultDuration is the default as a time.
func (l Limit) DefaultDuration() time.Duration { return l.Duration(l.Default) }

// check accepts v (in CLI units) and returns it as the platform applies it.
func (l Limit) check(d Dialect, v int64) (int64, error) {
	if !l.Configurable() {
		return 0, &Error{Dialect: d, Command: "(no command)", Reason: "the value is not configurable"}
	}
	if len(l.Allowed) > 0 {
		if !slices.Contains(l.Allowed, v) {
			return 0, l.valueError(d, strconv.FormatInt(v, 10))
		}
		return v, nil
	}
	if v < l.Min || v > l.Max {
		return 0, l.valueError(d, strconv.FormatInt(v, 10))
	}
	if r := l.RoundTo; r > 0 {
		v = (v + r/2) / r * r
		// The range's ends need not be multiples (PFC2 normal aging goes
		// to 4092): stay inside it.
		for v > l.Max {
			v -= r
		}
		for v < l.Min {
			v += r
		}
	}
	if r := l.RoundUpTo; r > 0 {
		v = (v + r - 1) / r * r
		for v > l.Max {
			v -= r
		}
	}
	return v, nil
}

// checkDuration accepts a duration that must be a whole number of units.
func (l Limit) checkDuration(d Dialect, v time.Duration) (time.Duration, error) {
	if l.Unit <= 0 {
		panic("platform: checkDuration on a count")
	}
	if v%l.Unit != 0 {
		return 0, l.valueError(d, v.String())
	}
	n, err := l.check(d, int64(v/l.Unit))
	return l.Duration(n), err
}

func (l Limit) valueError(d Dialect, value string) *Error {
	return &Error{Dialect: d, Command: l.Command + " " + value, Value: value, Expected: l.expected(d)}
}

// expected words the accepted values as the dialect's help does.
func (l Limit) expected(d Dialect) string {
	unit := ""
	switch l.Unit {
	case time.Second:
		unit = " seconds"
	case time.Minute:
		unit = " minutes"
	case time.Millisecond:
		unit = " milliseconds"
	}
	if len(l.Allowed) > 0 {
		vals := make([]string, len(l.Allowed))
		for i, v := range l.Allowed {
			vals[i] = strconv.FormatInt(v, 10)
		}
		return "one of " + strings.Join(vals, ", ") + unit
	}
	if d == DialectJunOS {
		return fmt.Sprintf("(%d..%d)", l.Min, l.Max)
	}
	return fmt.Sprintf("<%d-%d>%s", l.Min, l.Max, unit)
}

// Error is a refused setting, worded as the persona's CLI refuses it.
type Error struct {
	Dialect  Dialect
	Command  string // the refused command, with its value, as the CLI spells it
	Value    string // the refused word; "" when the command as a whole is refused
	Expected string // what would have been accepted, when Value is set
	Reason   string // why the command is refused, when Value is ""
}

func (e *Error) Error() string {
	lines := e.Lines()
	return e.Command + ": " + lines[len(lines)-1] + e.detail()
}

func (e *Error) detail() string {
	if e.Value == "" || e.Dialect == DialectJunOS {
		return ""
	}
	return fmt.Sprintf(" (%q: expected %s)", e.Value, e.Expected)
}

// Lines is the error as the CLI prints it. IOS points at the bad word:
//
//	ip flow-cache timeout inactive 5
//	                               ^
//	% Invalid input detected at '^' marker.
func (e *Error) Lines() []string {
	switch {
	case e.Dialect == DialectJunOS && e.Value != "":
		if strings.HasPrefix(e.Expected, "(") {
			return []string{fmt.Sprintf("error: value %s is not within range %s", e.Value, e.Expected)}
		}
		return []string{fmt.Sprintf("error: value %s is not %s", e.Value, e.Expected)}
	case e.Dialect == DialectJunOS:
		return []string{"error: " + e.Reason}
	case e.Value != "":
		at := strings.LastIndex(e.Command, e.Value)
		return []string{e.Command, strings.Repeat(" ", max(at, 0)) + "^", "% Invalid input detected at '^' marker."}
	}
	return []string{"% " + capitalise(e.Reason)}
}

// capitalise starts a reason with a capital, as IOS's messages do, unless
// it starts with a name or an address (fe80::1, eth1, a host name): a
// first word that is not all letters (a hyphen aside) stays as written.
func capitalise(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	word, _, _ := strings.Cut(s, " ")
	if strings.IndexFunc(strings.TrimRight(word, ":,;"), func(c rune) bool { return (c < 'a' || c > 'z') && c != '-' }) >= 0 {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// In is the limit in another time unit, as a CLI that takes that unit
// accepts it: the range shrinks to the whole units inside it (IOS takes
// the active timeout in minutes whatever unit the persona keeps).
func (l Limit) In(unit time.Duration) Limit {
	if l.Unit <= 0 || unit <= 0 || unit == l.Unit {
		return l
	}
	conv := func(v int64, up bool) int64 {
		d := time.Duration(v) * l.Unit
		n := int64(d / unit)
		if up && d%unit != 0 {
			n++
		}
		return n
	}
	out := Limit{Command: l.Command, Default: conv(l.Default, false), Min: conv(l.Min, true), Max: conv(l.Max, false), Unit: unit}
	for _, v := range l.Allowed {
		if d := time.Duration(v) * l.Unit; d%unit == 0 {
			out.Allowed = append(out.Allowed, int64(d/unit))
		}
	}
	return out
}
