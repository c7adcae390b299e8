package main

import (
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestShowSessions: an IOS operator's `show sessions` (the Telnet and SSH
// sessions opened from this line) was invalid input. flowtap opens none,
// so IOS's answer for none is the screen; `show users` on the same
// login lists its vty, marked, in IOS's columns (no console line: this
// flowtapd has no console session, as IOS lists con 0 only while an
// exec runs on it [RECALL]).
func TestShowSessions(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname sess
username oper privilege 1 secret operpass
`)
	out, err := openSSH(t, d.sshAddr, "oper", "operpass", false, "show sessions\nshow users\n")
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, out)
	}
	want := "% No connections open\n" +
		"    Line       User       Host(s)              Idle       Location\n" +
		"*  1 vty 0     oper       idle                 00:00:00 127.0.0.1\n" +
		"\n  Interface    User               Mode         Idle     Peer Address\n\n"
	if out != want {
		t.Errorf("show sessions, show users:\n%q\nwant:\n%q", out, want)
	}
}
