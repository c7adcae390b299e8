package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestVTYRangesOverOpenSSH: vty lines configured apart, as IOS takes them
// (`line vty 0`, `line vty 1 2`, `line vty 3 4`), apply to the session
// given each line, with real OpenSSH clients. A session takes the lowest
// free line that takes SSH and that line's privilege level; line 2's
// access-class refuses this host while lines 0 and 1 are held; with it
// lifted the third session gets vty 2; lines 3-4 (`transport input none`)
// take no session, so a fourth is told every SSH line is in use. `show
// users` and `show line` agree on which lines are in use.
func TestVTYRangesOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e
username admin privilege 15 secret adminpass
username oper secret operpass
access-list 10 permit 192.0.2.0 0.0.0.255
line vty 0
 privilege level 15
line vty 1 2
 access-class 10 in
line vty 3 4
 transport input none
`)
	if rc := d.cli(t, "ios", "show running-config | section line vty\n"); rc != "line vty 0\n privilege level 15\nline vty 1 2\n access-class 10 in\nline vty 3 4\n transport input none\n" {
		t.Errorf("running-config:\n%s", rc)
	}
	host, port, _ := net.SplitHostPort(d.sshAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var held []io.Closer
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	// hold opens a session that stays until the test ends, and waits for
	// it to show in show users.
	hold := func(user, pass string) {
		t.Helper()
		before := strings.Count(d.cli(t, "ios", "show users\n"), " vty ")
		cmd := sshpassCmd(ctx, host, port, user, pass, "-tt")
		stdin, _ := cmd.StdinPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		held = append(held, stdin)
		go cmd.Wait()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if strings.Count(d.cli(t, "ios", "show users\n"), " vty ") == before+1 {
				return
			} else if time.Now().After(deadline) {
				t.Fatalf("the session is not open:\n%s", d.cli(t, "ios", "show users\n"))
			}
		}
	}
	// vty 0 is free: the first session gets it and its privilege level.
	if out, err := openSSH(t, d.sshAddr, "oper", "operpass", false, "show privilege\nshow users\n"); err != nil ||
		!strings.HasPrefix(out, "Current privilege level is 15\n") || !strings.Contains(out, "*  1 vty 0     oper ") {
		t.Fatalf("a session on vty 0 (%v):\n%s", err, out)
	}
	// Line 0 held: the next session gets vty 1, whose access-class
	// refuses this host.
	hold("admin", "adminpass")
	if out, err := openSSH(t, d.sshAddr, "oper", "operpass", false, "show privilege\n"); err == nil {
		t.Fatalf("a session on vty 1 passed its access-class:\n%s", out)
	}
	d.cli(t, "ios", "configure terminal\nline vty 1\nno access-class\nend\n")
	if out, err := openSSH(t, d.sshAddr, "oper", "operpass", false, "show privilege\nshow users\n"); err != nil ||
		!strings.HasPrefix(out, "Current privilege level is 1\n") || !strings.Contains(out, "*  2 vty 1     oper ") {
		t.Fatalf("a session on vty 1 without its access-class (%v):\n%s", err, out)
	}
	hold("oper", "operpass")
	// Lines 0 and 1 held: vty 2 keeps access-class 10.
	if out, err := openSSH(t, d.sshAddr, "oper", "operpass", false, "show privilege\n"); err == nil {
		t.Fatalf("a session on vty 2 passed its access-class:\n%s", out)
	}
	d.cli(t, "ios", "configure terminal\nline vty 2\nno access-class\nend\n")
	hold("oper", "operpass")
	// Lines 0-2 held; 3 and 4 take no SSH.
	out, _ := openSSH(t, d.sshAddr, "admin", "adminpass", false, "show privilege\n")
	if !strings.Contains(out, "% All 3 vty lines that take SSH are in use (of line vty 0 4); try again later") || strings.Contains(out, "Current privilege") {
		t.Fatalf("a fourth session:\n%s", out)
	}
	users := d.cli(t, "ios", "show users\n")
	lines := d.cli(t, "ios", "show line\n")
	for _, n := range []string{"1 vty 0     admin", "2 vty 1     oper", "3 vty 2     oper"} {
		if !strings.Contains(users, n) {
			t.Errorf("show users lacks %q:\n%s", n, users)
		}
	}
	wantLines := "   Tty Typ     Tx/Rx    A Modem  Roty AccO AccI   Uses   Noise  Overruns   Int\n" +
		"     0 CTY              -    -      -    -    -      0       0     0/0       -\n" +
		"*    1 VTY              -    -      -    -    -      2       0     0/0       -\n" +
		"*    2 VTY              -    -      -    -    -      2       0     0/0       -\n" +
		"*    3 VTY              -    -      -    -    -      1       0     0/0       -\n" +
		"     4 VTY              -    -      -    -    -      0       0     0/0       -\n" +
		"     5 VTY              -    -      -    -    -      0       0     0/0       -\n"
	if lines != wantLines {
		t.Errorf("show line:\n%s\nwant:\n%s", lines, wantLines)
	}
}

// TestVTYExecTimeoutPerLine: each session is timed by its own line's
// exec-timeout (real OpenSSH clients at a terminal, typing nothing after
// a first keystroke): the
// session on vty 0 (`exec-timeout 0 2`, two seconds) is closed, the one
// on vty 1 (IOS's default ten minutes) stays open. Before, one
// exec-timeout applied to every line.
func TestVTYExecTimeoutPerLine(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname e2e\nusername admin privilege 15 secret adminpass\n")
	host, port, _ := net.SplitHostPort(d.sshAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var held []io.WriteCloser
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	ended := make([]chan struct{}, 2)
	for i := range ended {
		cmd := sshpassCmd(ctx, host, port, "admin", "adminpass", "-tt")
		stdin, _ := cmd.StdinPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		held = append(held, stdin)
		ended[i] = make(chan struct{})
		go func(c chan struct{}) { cmd.Wait(); close(c) }(ended[i])
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if strings.Contains(d.cli(t, "ios", "show users\n"), fmt.Sprintf("vty %d     admin", i)) {
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("session %d is not open:\n%s", i, d.cli(t, "ios", "show users\n"))
			}
		}
	}
	// Set once both are open (vty 0 freed early would take the second
	// session), and read at the next keystroke.
	if out := d.cli(t, "ios", "configure terminal\nline vty 0\nexec-timeout 0 2\nend\n"); strings.Contains(out, "%") {
		t.Fatal(out)
	}
	for _, w := range held {
		io.WriteString(w, "\r")
	}
	select {
	case <-ended[0]:
	case <-time.After(30 * time.Second):
		t.Fatalf("the session on vty 0 was not closed by its line's exec-timeout:\n%s", d.cli(t, "ios", "show users\n"))
	}
	// Longer than vty 0's limit again: vty 1's session is still open.
	select {
	case <-ended[1]:
		t.Fatal("the session on vty 1 was closed: it took vty 0's exec-timeout")
	case <-time.After(3 * time.Second):
	}
	if users := d.cli(t, "ios", "show users\n"); strings.Contains(users, "vty 0 ") || !strings.Contains(users, "vty 1     admin") {
		t.Errorf("show users:\n%s", users)
	}
}
