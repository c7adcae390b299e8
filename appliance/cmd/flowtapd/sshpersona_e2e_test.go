package main

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/syncbuf"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestSSHFollowsPersona: with the real OpenSSH client, an operator who
// logs in while the box runs the JunOS persona (cflowd) gets the JunOS
// CLI (user@host> prompt, JunOS commands and errors), and a session open
// before the persona changed keeps the IOS CLI it started with. A user
// below privilege 15 gets JunOS's read-only class: no configure, no
// configuration. Before, SSH always gave the IOS CLI.
func TestSSHFollowsPersona(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e
username oper privilege 1 secret operpass
username admin privilege 15 secret adminpass
`)
	// An IOS session, held open across the persona change.
	host, port, _ := net.SplitHostPort(d.sshAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	held := sshpassCmd(ctx, host, port, "admin", "adminpass", "-tt")
	stdin, _ := held.StdinPipe()
	var heldOut syncbuf.Buffer
	held.Stdout, held.Stderr = &heldOut, &heldOut
	if err := held.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, &heldOut, "e2e#")

	if out := d.cli(t, "junos", "configure\nset flowtap platform cflowd\ncommit\n"); !strings.Contains(out, "commit complete") {
		t.Fatalf("persona change:\n%s", out)
	}

	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", true,
		"show configuration flowtap\rshow ip cache flow\rconfigure\rshow flowtap\rset system host-name other\rexit\rno\rexit\r\rexit\r")
	if err != nil {
		t.Fatalf("ssh -tt: %v\n%s", err, out)
	}
	screen := strings.ReplaceAll(out, "\r\n", "\n")
	want := `
admin@e2e> show configuration flowtap
platform cflowd;
admin@e2e> show ip cache flow
show ip cache flow
     ^
syntax error, expecting <command>.
admin@e2e> configure
Entering configuration mode

[edit]
admin@e2e# show flowtap
platform cflowd;

[edit]
admin@e2e# set system host-name other

[edit]
admin@e2e# exit
The configuration has been changed but not committed
Exit with uncommitted changes? [yes,no] (yes) no

[edit]
admin@e2e# exit
The configuration has been changed but not committed
Exit with uncommitted changes? [yes,no] (yes) 
Exiting configuration mode
admin@e2e> exit
`
	if screen != want {
		t.Fatalf("JunOS persona over SSH:\n%q\nwant:\n%q", screen, want)
	}

	out, err = openSSH(t, d.sshAddr, "oper", "operpass", false, "configure\nshow configuration\nshow services accounting status\n")
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, out)
	}
	if strings.Count(out, "unknown command.") != 1 || strings.Count(out, "syntax error") != 1 ||
		strings.Contains(out, "Entering configuration mode") || strings.Contains(out, "secret") || !strings.Contains(out, "Service Accounting interface:") {
		t.Fatalf("a privilege-1 user's JunOS session:\n%s", out)
	}

	// The session opened under IOS keeps IOS.
	io.WriteString(stdin, "show running-config | include ^platform\rexit\r")
	if err := held.Wait(); err != nil {
		t.Fatalf("held session: %v\n%s", err, heldOut.String())
	}
	if s := strings.ReplaceAll(heldOut.String(), "\r\n", "\n"); !strings.Contains(s, "e2e#show running-config | include ^platform\nplatform cflowd\ne2e#exit\n") {
		t.Fatalf("the session open across the change:\n%q", s)
	}
}

func waitFor(t *testing.T, b *syncbuf.Buffer, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(b.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in:\n%s", want, b.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestSSHJunOSAfterIOSPlatformCflowd: the README's way to the JunOS CLI
// over SSH, from the IOS CLI an operator starts in: `platform cflowd`
// then `write memory`; the next SSH login gets the JunOS CLI, and JunOS's
// `set flowtap platform ios` gives the next one IOS back.
func TestSSHJunOSAfterIOSPlatformCflowd(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname flowtap
username admin privilege 15 secret adminpass
`)
	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", true, "configure terminal\rplatform cflowd\rend\rwrite memory\rexit\r")
	if err != nil || !strings.Contains(out, "[OK]") {
		t.Fatalf("IOS session: %v\n%s", err, out)
	}
	out, err = openSSH(t, d.sshAddr, "admin", "adminpass", true, "show configuration flowtap\rconfigure\rset flowtap platform ios\rcommit and-quit\rexit\r")
	if err != nil {
		t.Fatalf("ssh -tt: %v\n%s", err, out)
	}
	if s := strings.ReplaceAll(out, "\r\n", "\n"); !strings.Contains(s, "\nadmin@flowtap> show configuration flowtap\nplatform cflowd;\nadmin@flowtap> configure\n") ||
		!strings.Contains(s, "commit complete\nExiting configuration mode\nadmin@flowtap> exit\n") {
		t.Fatalf("the login after platform cflowd:\n%q", s)
	}
	out, err = openSSH(t, d.sshAddr, "admin", "adminpass", true, "show running-config | include ^platform\rexit\r")
	if err != nil || !strings.Contains(strings.ReplaceAll(out, "\r\n", "\n"), "flowtap#show running-config | include ^platform\nplatform ios\nflowtap#exit\n") {
		t.Fatalf("the login after set flowtap platform ios: %v\n%q", err, out)
	}
}
