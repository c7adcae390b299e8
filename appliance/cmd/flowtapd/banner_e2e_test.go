package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestBannersOverOpenSSH: the real OpenSSH client prints the login
// banner before it asks for the password (the askpass program it runs
// records the moment), then the session shows the motd and the exec
// banner before the first prompt, IOS's tokens expanded for the line;
// the console with `login local` shows the motd and the login banner
// before each Username: (again after exit) and the exec banner after the
// login; the control
// socket's terminal shows the motd and exec banners. A banner typed at
// the CLI over several lines (a blank one among them) is shown at the
// next login and in show running-config.
func TestBannersOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e
ip domain name example.net
username admin privilege 15 secret adminpass
line con 0
 login local
banner login ^C
Authorised use only: $(hostname).$(domain)
^C
banner motd #Maintenance tonight on $(line)#
banner exec ^CExec banner of $(hostname)^C
`)
	loginBanner := "\nAuthorised use only: e2e.example.net\n"
	out := sshWithAskpass(t, d.sshAddr, "admin", "adminpass", "exit\r")
	screen := strings.ReplaceAll(out, "\r\n", "\n")
	order := []string{loginBanner, "ASKPASS admin@", "Maintenance tonight on vty 0\nExec banner of e2e\n\ne2e#exit"}
	at := 0
	for _, w := range order {
		i := strings.Index(screen[at:], w)
		if i < 0 {
			t.Fatalf("OpenSSH's screen lacks %q after byte %d (want %q in this order):\n%q", w, at, order, screen)
		}
		at += i + len(w)
	}

	// The console asks for a login: motd and login banner before it,
	// the exec banner after it.
	conn, err := control.Dial(filepath.Join(d.dir, "control.sock"), control.Hello{Dialect: "ios", Interactive: true, Console: true})
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "admin\radminpass\rexit\r")
	conn.CloseWrite()
	b, _ := io.ReadAll(conn)
	conn.Close()
	got := stripMessages(strings.ReplaceAll(string(b), "\r\n", "\n"))
	// exit ends the login: the next one on the line has the banners
	// above its Username: again.
	head := "Maintenance tonight on con 0\n" + loginBanner + "\nUsername: "
	want := head + "admin\nPassword: \nExec banner of e2e\ne2e#exit\n" + head
	if !strings.HasPrefix(got, want) {
		t.Fatalf("console screen %q\nwant it to start %q", got, want)
	}

	// The control socket's terminal: motd and exec before the prompt.
	conn, err = control.Dial(filepath.Join(d.dir, "control.sock"), control.Hello{Dialect: "ios", Interactive: true})
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "exit\r")
	conn.CloseWrite()
	b, _ = io.ReadAll(conn)
	conn.Close()
	got = stripMessages(strings.ReplaceAll(string(b), "\r\n", "\n"))
	if want := "Maintenance tonight on control\nExec banner of e2e\n"; !strings.HasPrefix(got, want) {
		t.Fatalf("control socket screen %q\nwant it to start %q", got, want)
	}

	// A banner typed over several lines, applied to the next login.
	d.cli(t, "ios", "configure terminal\nbanner motd %\nNew motd line one\n\n! line three%\nend\n")
	rc := d.cli(t, "ios", "show running-config\n")
	if !strings.Contains(rc, "\nbanner motd ^C\nNew motd line one\n\n! line three^C\n") {
		t.Fatalf("show running-config:\n%s", rc)
	}
	out = sshWithAskpass(t, d.sshAddr, "admin", "adminpass", "exit\r")
	if s := strings.ReplaceAll(out, "\r\n", "\n"); !strings.Contains(s, "\nNew motd line one\n\n! line three\nExec banner of e2e\n\ne2e#exit") {
		t.Fatalf("the new motd at the next login:\n%q", s)
	}
}

// sshWithAskpass logs in with the real OpenSSH client on a terminal
// (-tt), typing input. The password comes from an askpass program that
// first writes "ASKPASS " and ssh's prompt on the same output, so the
// screen shows what OpenSSH printed before it asked. LogLevel INFO: at
// ERROR OpenSSH does not print the server's banner.
func sshWithAskpass(t *testing.T, addr, user, pass, input string) string {
	t.Helper()
	dir := t.TempDir()
	askpass := filepath.Join(dir, "askpass")
	if err := os.WriteFile(askpass, []byte("#!/bin/sh\necho \"ASKPASS $1\" >&2\necho '"+pass+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "setsid", "-w", "ssh", "-p", port, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1",
		"-o", "LogLevel=INFO", "-o", "ConnectTimeout=20", "-tt", user+"@"+host)
	cmd.Env = append(os.Environ(), "SSH_ASKPASS="+askpass, "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0")
	cmd.Stdin = strings.NewReader(input)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := testproc.Run(cmd); err != nil {
		t.Fatalf("ssh: %v\n%s", err, out.String())
	}
	return out.String()
}

// TestJunOSLoginMessageOverOpenSSH: under the JunOS persona, `system
// login message` is what OpenSSH prints before it asks for the password
// and `system login announcement` what the session shows after the
// login, before the first prompt; the control socket's terminal shows
// the announcement too.
func TestJunOSLoginMessageOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname e2e\nusername admin privilege 15 secret adminpass\n")
	out := d.cli(t, "junos", `configure
set flowtap platform cflowd
set system login message "\nJunOS box: authorised use only\n"
set system login announcement "Upgrade on Friday"
commit
`)
	if !strings.Contains(out, "commit complete") {
		t.Fatalf("commit:\n%s", out)
	}
	screen := strings.ReplaceAll(sshWithAskpass(t, d.sshAddr, "admin", "adminpass", "exit\r"), "\r\n", "\n")
	order := []string{"\nJunOS box: authorised use only\n", "ASKPASS admin@", "Upgrade on Friday\n", "admin@e2e> exit"}
	at := 0
	for _, w := range order {
		i := strings.Index(screen[at:], w)
		if i < 0 {
			t.Fatalf("OpenSSH's screen lacks %q after byte %d (want %q in this order):\n%q", w, at, order, screen)
		}
		at += i + len(w)
	}
	conn, err := control.Dial(filepath.Join(d.dir, "control.sock"), control.Hello{Dialect: "junos", Interactive: true})
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "exit\r")
	conn.CloseWrite()
	b, _ := io.ReadAll(conn)
	conn.Close()
	if got := strings.ReplaceAll(string(b), "\r\n", "\n"); !strings.HasPrefix(got, "Upgrade on Friday\n") {
		t.Fatalf("control socket screen %q", got)
	}
}
