// Package faults sizes the fault tests (tests named TestFault...): `make
// test` runs them in a short form, `make faults` in full (FLOWTAP_FAULTS=full),
// where they run as long as the issue that asked for them says and print
// their figures. Test support only.
package faults

import (
	"os"
	"testing"
)

// Full reports whether the full fault suite was asked for.
func Full() bool { return os.Getenv("FLOWTAP_FAULTS") == "full" }

// Pick returns short in the short form and full in the full suite, so one
// test body serves both (a 5 s outage in make test, 60 s in make faults).
func Pick[T any](short, full T) T {
	if Full() {
		return full
	}
	return short
}

// Figure logs a measured figure in one greppable form: `make faults`
// prints them all, and a reader compares runs by grepping "FIGURE".
func Figure(t testing.TB, name string, format string, args ...any) {
	t.Helper()
	t.Logf("FIGURE %s: "+format, append([]any{name}, args...)...)
}
