package main

import (
	"context"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/syncbuf"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestShowSSHOverOpenSSH: `show ssh` lists each SSH session on its vty
// with the cipher and MAC the real OpenSSH client negotiated (forced with
// -c and -m), an AEAD cipher's MAC as <implicit>; the console's `show
// ssh` with none open says so.
func TestShowSSHOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e
username admin privilege 15 secret adminpass
username oper privilege 15 secret operpass
`)
	if out := d.cli(t, "ios", "show ssh\n"); !strings.Contains(out, "%No SSHv2 server connections running.\n%No SSHv1 server connections running.\n") {
		t.Fatalf("show ssh with no session:\n%s", out)
	}
	host, port, _ := net.SplitHostPort(d.sshAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ssh := func(user, pass string, opts ...string) *exec.Cmd {
		return sshpassCmd(ctx, host, port, user, pass, opts...)
	}
	// vty 0: held open on chacha20-poly1305, whose MAC is its own.
	held := ssh("oper", "operpass", "-c", "chacha20-poly1305@openssh.com", "-tt")
	stdin, _ := held.StdinPipe()
	var heldOut syncbuf.Buffer
	held.Stdout, held.Stderr = &heldOut, &heldOut
	if err := held.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, &heldOut, "e2e#")

	q := ssh("admin", "adminpass", "-c", "aes256-ctr", "-m", "hmac-sha2-256", "-T")
	q.Stdin = strings.NewReader("show ssh\n")
	out, err := q.CombinedOutput()
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, out)
	}
	want := `Connection Version Mode Encryption  Hmac         State                 Username
0          2.0     IN   chacha20-poly1305@openssh.com <implicit>   Session started       oper
0          2.0     OUT  chacha20-poly1305@openssh.com <implicit>   Session started       oper
1          2.0     IN   aes256-ctr  hmac-sha2-256 Session started       admin
1          2.0     OUT  aes256-ctr  hmac-sha2-256 Session started       admin
%No SSHv1 server connections running.
`
	if !strings.HasPrefix(string(out), want) {
		t.Fatalf("show ssh:\n%s\nwant:\n%s", out, want)
	}
	io.WriteString(stdin, "exit\r")
	if err := held.Wait(); err != nil {
		t.Fatalf("held session: %v\n%s", err, heldOut.String())
	}
}
