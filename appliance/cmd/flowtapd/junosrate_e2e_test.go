package main

import (
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSSamplingInputWithoutRate: `sampling input` with
// max-packets-per-second and no rate is refused for the missing rate,
// in Junos's words, at the line that made the input block; it said
// "value 0 is not within range (1..16000000)", a 0 nobody typed.
func TestJunOSSamplingInputWithoutRate(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname e2e\nplatform cflowd\nusername admin privilege 15 secret adminpass\n")
	got := d.cli(t, "junos", `configure
set forwarding-options sampling input max-packets-per-second 100
commit check
set forwarding-options sampling input rate 10
commit check
`)
	want := `Entering configuration mode

set forwarding-options sampling input max-packets-per-second 100
error: Missing mandatory statement: 'rate'
error: configuration check-out failed
configuration check succeeds
`
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}
