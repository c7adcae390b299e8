package main

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestShowIPSSHOverOpenSSH: `show ip ssh` over the real OpenSSH client
// says what the server it came in through runs: the configured time-out
// and retries, the algorithms offered, and the host key ssh-keyscan
// reads from the server, wrapped at 80 columns and named after the host
// and domain as IOS names its key pair. Without a login configured the
// server is down and the console's `show ip ssh` says so.
func TestShowIPSSHOverOpenSSH(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname e2e
ip domain name example.net
ip ssh time-out 60
ip ssh authentication-retries 2
username admin privilege 15 secret adminpass
`)
	host, port, _ := net.SplitHostPort(d.sshAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	scan, err := testproc.Output(exec.CommandContext(ctx, "ssh-keyscan", "-p", port, "-t", "ed25519", host))
	if err != nil {
		t.Fatalf("ssh-keyscan: %v", err)
	}
	f := strings.Fields(string(scan))
	if len(f) != 3 || f[1] != "ssh-ed25519" {
		t.Fatalf("ssh-keyscan: %q", scan)
	}
	key := f[1] + " " + f[2]
	var wrapped string
	for k := key; k != ""; k = k[min(len(k), 80):] {
		wrapped += k[:min(len(k), 80)] + "\n"
	}
	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", false, "show ip ssh\n")
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, out)
	}
	want := `SSH Enabled - version 2.0
Authentication methods:publickey,password
Authentication Publickey Algorithms:ssh-ed25519,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-256,rsa-sha2-512
Hostkey Algorithms:ssh-ed25519
Encryption Algorithms:chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr
MAC Algorithms:hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1
KEX Algorithms:mlkem768x25519-sha256,curve25519-sha256,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group14-sha256
Authentication timeout: 60 secs; Authentication retries: 2
Minimum expected Diffie Hellman key size : 2048 bits
IOS Keys in SECSH format(ssh-ed25519, base64 encoded): e2e.example.net
` + wrapped
	if !strings.HasPrefix(out, want) {
		t.Fatalf("show ip ssh over SSH:\n%s\nwant:\n%s", out, want)
	}

	// Without a login the server stops (a subscriber of the change, so
	// poll); the time-out and retries back at their defaults.
	d.cli(t, "ios", "configure terminal\nno username admin\nno ip ssh time-out\nno ip ssh authentication-retries\nend\n")
	want = "SSH Disabled - version 2.0\n%Please configure a local user (username NAME secret ...) to enable SSH.\nAuthentication timeout: 120 secs; Authentication retries: 3\n"
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		out := d.cli(t, "ios", "show ip ssh\n")
		if strings.Contains(out, want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("show ip ssh with no login:\n%s\nwant:\n%s", out, want)
		}
	}
}
