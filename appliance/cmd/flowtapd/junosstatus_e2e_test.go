package main

import (
	"context"
	"io"
	"net"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/syncbuf"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSStatusOverOpenSSH: two operators logged in with the real
// OpenSSH client on a flowtapd in the JunOS persona; one edits at
// [edit forwarding-options sampling], the other's `status` lists both
// with their vty, login time and level, in Junos's layout. Before,
// status was a syntax error.
func TestJunOSStatusOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d, held, stdin, heldOut := junosHeldSession(t)
	io.WriteString(stdin, "configure\redit forwarding-options sampling\r")
	waitFor(t, heldOut, "[edit forwarding-options sampling]\r\nnoc@e2e# ")

	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", true, "configure\rstatus\rexit\rexit\r")
	if err != nil {
		t.Fatalf("ssh -tt: %v\n%s", err, out)
	}
	io.WriteString(stdin, "exit configuration-mode\rexit\r")
	if err := held.Wait(); err != nil {
		t.Fatalf("held session: %v\n%s", err, heldOut.String())
	}
	screen := strings.ReplaceAll(out, "\r\n", "\n")
	// The login times, checked to be today's, and the idle time (the
	// held session's, a second or more) vary from run to run.
	since := regexp.MustCompile(`on since (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w+)(, idle \d\d:\d\d:\d\d)?`)
	for _, m := range since.FindAllStringSubmatch(screen, -1) {
		at, err := time.Parse("2006-01-02 15:04:05 MST", m[1])
		if err != nil || time.Since(at) > time.Minute || time.Since(at) < -time.Minute {
			t.Errorf("login time %q is not now", m[1])
		}
	}
	screen = since.ReplaceAllString(screen, "on since TIME")
	want := `
admin@e2e> configure
Entering configuration mode
Users currently editing the configuration:
  noc terminal vty0 on since TIME
      [edit forwarding-options sampling]

[edit]
admin@e2e# status
Users currently editing the configuration:
  noc terminal vty0 on since TIME
      [edit forwarding-options sampling]
  admin terminal vty1 on since TIME
      [edit]

[edit]
admin@e2e# exit
Exiting configuration mode
admin@e2e> exit
`
	if screen != want {
		t.Fatalf("status over SSH:\n%s\nwant:\n%s", screen, want)
	}
}

// TestJunOSCommitKeepsIOSChange: a JunOS operator over the real OpenSSH
// client edits a candidate while an IOS session on the control socket
// changes the SNMP location; the JunOS commit applies its own change on
// top and keeps the IOS one. Before, the commit put back the location
// its candidate had started with.
func TestJunOSCommitKeepsIOSChange(t *testing.T) {
	testnet.Enter(t)
	d := junosDaemon(t, "hostname e2e\nusername noc privilege 15 secret nocpass\nsnmp-server location old-room\n")
	host, port, _ := net.SplitHostPort(d.sshAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	held := sshpassCmd(ctx, host, port, "noc", "nocpass", "-tt")
	stdin, _ := held.StdinPipe()
	var heldOut syncbuf.Buffer
	held.Stdout, held.Stderr = &heldOut, &heldOut
	if err := held.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, &heldOut, "noc@e2e>")
	io.WriteString(stdin, "configure\rset snmp contact noc-desk\r")
	waitFor(t, &heldOut, "set snmp contact noc-desk\r\n\r\n[edit]\r\nnoc@e2e# ")
	if out := d.cli(t, "ios", "configure terminal\nsnmp-server location new-room\nend\n"); strings.Contains(out, "%") {
		t.Fatalf("IOS change:\n%s", out)
	}
	io.WriteString(stdin, "commit and-quit\rshow configuration snmp\rexit\r")
	if err := held.Wait(); err != nil {
		t.Fatalf("held session: %v\n%s", err, heldOut.String())
	}
	if s := strings.ReplaceAll(heldOut.String(), "\r\n", "\n"); !strings.Contains(s, "noc@e2e> show configuration snmp\nlocation new-room;\ncontact noc-desk;\n") {
		t.Errorf("after the JunOS commit:\n%s", s)
	}
}

// TestJunOSConfigureExclusiveOverOpenSSH: one operator over the real
// OpenSSH client holds `configure exclusive`; another's commit is
// refused naming the holder, and goes through once the holder leaves.
func TestJunOSConfigureExclusiveOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d, held, stdin, heldOut := junosHeldSession(t)
	io.WriteString(stdin, "configure exclusive\r")
	waitFor(t, heldOut, "[edit]\r\nnoc@e2e# ")

	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", false, "configure\nset snmp contact admin\ncommit\n")
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, out)
	}
	since := regexp.MustCompile(`on since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w+(, idle \d\d:\d\d:\d\d)?`)
	want := `Entering configuration mode
Users currently editing the configuration:
  noc terminal vty0 on since TIME exclusive
      [edit]

error: configuration database locked by:
  noc terminal vty0 on since TIME exclusive
      [edit]
`
	if got := since.ReplaceAllString(out, "on since TIME"); got != want {
		t.Errorf("commit while noc holds the configuration:\n%s\nwant:\n%s", got, want)
	}
	io.WriteString(stdin, "exit\rexit\r")
	if err := held.Wait(); err != nil {
		t.Fatalf("held session: %v\n%s", err, heldOut.String())
	}
	if out := d.cli(t, "junos", "configure\nset snmp contact admin\ncommit and-quit\nshow configuration snmp\n"); !strings.Contains(out, "commit complete\nExiting configuration mode\ncontact admin;\n") {
		t.Errorf("commit after noc left:\n%s", out)
	}
}

// junosHeldSession starts a JunOS-persona daemon with users admin and noc,
// and logs noc in over the OpenSSH client (a terminal, -tt) up to its
// operational prompt: the session other logins then meet.
func junosHeldSession(t *testing.T) (d *runningDaemon, held *exec.Cmd, stdin io.WriteCloser, heldOut *syncbuf.Buffer) {
	t.Helper()
	d = junosDaemon(t, "hostname e2e\nusername admin privilege 15 secret adminpass\nusername noc privilege 15 secret nocpass\n")
	host, port, _ := net.SplitHostPort(d.sshAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	held = sshpassCmd(ctx, host, port, "noc", "nocpass", "-tt")
	stdin, _ = held.StdinPipe()
	heldOut = new(syncbuf.Buffer)
	held.Stdout, held.Stderr = heldOut, heldOut
	if err := held.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, heldOut, "noc@e2e>")
	return d, held, stdin, heldOut
}
