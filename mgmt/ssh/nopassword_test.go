package ssh

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/flowtap/flowtap/internal/testproc"
)

// TestNoPasswordOpenSSH: a `username guest nopassword` user logs in with
// the real OpenSSH client and no password at all (BatchMode: the client
// may not prompt, so only the "none" method can let it in), as IOS lets
// such a user in; another user still may not, and a client that skips
// "none" gets in with any password. Before, the user was refused.
func TestNoPasswordOpenSSH(t *testing.T) {
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Fatal("ssh not found: install Debian's openssh-client (make deps)")
	}
	s := start(t, t.TempDir(), users{nopass: "guest"})
	host, port, _ := net.SplitHostPort(s.Addr().String())
	openssh := func(user string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := testproc.CombinedOutput(exec.CommandContext(ctx, "ssh", "-p", port, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
			"-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "PubkeyAuthentication=no",
			user+"@"+host, "show version"))
		return string(out), err
	}
	if out, err := openssh("guest"); err != nil || out != "guest ran \"show version\" (terminal false)\n" {
		t.Fatalf("nopassword user over OpenSSH: %v\n%s", err, out)
	}
	if out, err := openssh("admin"); err == nil || strings.Contains(out, "ran") {
		t.Fatalf("a user with a password got in without one: %v\n%s", err, out)
	}
	// A client that goes straight to "password" is let in with any.
	cfg := &ssh.ClientConfig{User: "guest", Auth: []ssh.AuthMethod{ssh.Password("anything")}, HostKeyCallback: ssh.InsecureIgnoreHostKey()}
	if out, err := run(t, s, cfg, "show clock"); err != nil || !strings.HasPrefix(out, "guest ran") {
		t.Fatalf("nopassword user with a password: %q %v", out, err)
	}
}
