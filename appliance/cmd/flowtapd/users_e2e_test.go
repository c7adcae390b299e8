package main

import (
	"bytes"
	"context"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestShowUsersAndClearLine: with the real OpenSSH client, an operator
// logged in on one vty shows up in another's `show users` (user, line,
// source), the asking line marked "*"; `clear line vty N` on its line
// closes the first session (its client exits) and the line leaves the list. A
// privilege-1 user may list the lines but not clear them. Before, `show
// users` and `clear line` did not exist: nobody could see who was on the
// box, nor throw a session out.
func TestShowUsersAndClearLine(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e
username oper privilege 1 secret operpass
username admin privilege 15 secret adminpass
`)
	host, port, _ := net.SplitHostPort(d.sshAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	first := sshpassCmd(ctx, host, port, "oper", "operpass", "-tt")
	stdin, _ := first.StdinPipe() // held open: the session waits at its prompt
	defer stdin.Close()
	var firstOut bytes.Buffer
	first.Stdout, first.Stderr = &firstOut, &firstOut
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- first.Wait() }()

	// The held session takes the lowest free vty, as on IOS, and a
	// polling login can race it to vty 0: find its line rather than
	// assume it (the unmarked oper line; the asking one is marked "*").
	held := regexp.MustCompile(`(?m)^   \d+ vty (\d+)\s+oper\s+idle\s+\d\d:\d\d:\d\d 127\.0\.0\.1$`)
	asking := regexp.MustCompile(`(?m)^\*\s+\d+ vty \d+\s+oper `)
	var line string
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, _ := openSSH(t, d.sshAddr, "oper", "operpass", false, "show users\nclear line vty 0\n")
		if m := held.FindStringSubmatch(out); m != nil {
			if !asking.MatchString(out) || !strings.Contains(out, "% Invalid input detected at '^' marker.") {
				t.Fatalf("a level-1 user's show users / clear line:\n%s", out)
			}
			line = m[1]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first session is not in show users:\n%s", out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	select {
	case err := <-exited:
		t.Fatalf("a level-1 clear line ended the session (%v):\n%s", err, firstOut.String())
	default:
	}

	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", false, "clear line vty "+line+"\n\nclear line vty 5\n\n")
	if err != nil || !strings.Contains(out, "[confirm]\n [OK]\n") || !strings.Contains(out, "% No session on that line") {
		t.Fatalf("clear line (%v):\n%s", err, out)
	}
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		t.Fatalf("the cleared session's client is still connected:\n%s", firstOut.String())
	}
	out, _ = openSSH(t, d.sshAddr, "admin", "adminpass", false, "show users\n")
	if strings.Contains(out, "oper") || !regexp.MustCompile(`(?m)^\*\s+\d+ vty \d+\s+admin `).MatchString(out) {
		t.Fatalf("show users after the clear:\n%s", out)
	}
}
