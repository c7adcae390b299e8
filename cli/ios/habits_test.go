package ios

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestErrorHabits: the error lines an IOS operator knows by heart, at both
// prompts and from configuration mode: an ambiguous abbreviation (two
// spaces after the colon), an incomplete command, a lone word that is no
// command (IOS takes it for a host to telnet to), a bad word later in a
// line longer than the terminal (the caret counts from the prompt, so it
// wraps with the line) and a bad filter verb after a pipe.
func TestErrorHabits(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	s := NewSession(f, true)
	long := "show ip cache flow " + strings.Repeat("a", 70) + " b"
	got := transcript(s, `
c
s
show
foo
foo bar
`+long+`
show ip flow export | inclde x
show running-config | include
configure terminal
do foo
do c
access-list 101 permit tcp host 192.0.2.100 host 198.51.100.200 range 1000 2000 bogus
exit
disable
foo
configure terminal
`)
	goldenScreen(t, "habits-errors", got)
}
