package main

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestEditingKeysOverOpenSSH: through the real OpenSSH client with a
// terminal (ssh -tt), Home, Delete and End as an xterm sends them, and
// Ctrl-A, Ctrl-D and Ctrl-E, fix a mistyped first word without retyping
// the line, and Esc B then Ctrl-W take out a word typed too many: the fixed command runs, and the screen gets exactly the bytes
// that redraw it. Before, those keys did nothing and the line ran as
// typed ("% Invalid input").
func TestEditingKeysOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e
username admin privilege 15 secret adminpass
`)
	bs := func(n int) string { return strings.Repeat("\b", n) }
	keys := "xhow privilege" + "\x1b[H" + "\x1b[3~" + "s" + "\x1b[F" + "\r" +
		"yhow privilege" + "\x01" + "\x04" + "s" + "\x05" + "\r" +
		"show clock privilege" + "\x1bb" + "\x17" + "\x05" + "\r" + // Esc B, Ctrl-W, Ctrl-E
		"exit\r"
	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", true, keys)
	if err != nil {
		t.Fatalf("ssh -tt: %v\n%q", err, out)
	}
	fix := func(first string) string {
		return "e2e#" + first + "how privilege" + bs(14) + "how privilege " + bs(14) + "s" + "how privilege" + bs(13) + "how privilege" +
			"\r\nCurrent privilege level is 15\r\n"
	}
	word := "e2e#show clock privilege" + bs(9) + bs(6) + "privilege" + "      " + bs(15) + "privilege" +
		"\r\nCurrent privilege level is 15\r\n"
	if want := fix("x") + fix("y") + word + "e2e#exit\r\n"; !strings.Contains(out, want) || strings.Contains(out, "Invalid input") {
		t.Errorf("screen\n got %q\nwant it to hold %q", out, want)
	}
}
