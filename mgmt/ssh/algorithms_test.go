package ssh

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/flowtap/flowtap/internal/testproc"
)

// openSSH runs the real OpenSSH client against s with extra options and
// returns what it printed (with -vv: its debug lines too).
func openSSH(t *testing.T, s *Server, user string, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Fatal("ssh not found: install Debian's openssh-client (make deps)")
	}
	host, port, _ := net.SplitHostPort(s.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	all := append([]string{"-p", port, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=/dev/null", "-F", "/dev/null"}, args...)
	all = append(all, user+"@"+host, "show version")
	out, err := testproc.CombinedOutput(exec.CommandContext(ctx, "ssh", all...))
	return string(out), err
}

// serverProposal picks the server's KEXINIT lists out of `ssh -vv`.
func serverProposal(vv string) map[string]string {
	p := map[string]string{}
	in := false
	for _, l := range strings.Split(vv, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "debug2: peer server KEXINIT proposal") {
			in = true
			continue
		}
		if !in {
			continue
		}
		if !strings.HasPrefix(l, "debug2: ") || !strings.Contains(l, ": ") {
			break
		}
		k, v, _ := strings.Cut(strings.TrimPrefix(l, "debug2: "), ": ")
		p[k] = v
		if k == "reserved" {
			break
		}
	}
	return p
}

// TestAlgorithmsOpenSSH: what the server offers, as the real OpenSSH
// client sees it, is OpenSSH 9's sshd default set: no SHA-1 key exchange,
// no CBC, no truncated MAC, and a key login signed with ssh-rsa (SHA-1)
// is refused while the same RSA key signing with rsa-sha2-256 gets in.
// Before, x/crypto's defaults offered diffie-hellman-group14-sha1 and
// hmac-sha1-96 and took ssh-rsa signatures.
func TestAlgorithmsOpenSSH(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "id_rsa")
	if out, err := testproc.CombinedOutput(exec.Command("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", keyFile)); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pubText, err := os.ReadFile(keyFile + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(pubText)
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, filepath.Join(dir, "state"), users{key: pub})

	out, err := openSSH(t, s, "ops", "-vv", "-i", keyFile, "-o", "IdentitiesOnly=yes")
	if err != nil || !strings.Contains(out, `ops ran "show version"`) {
		t.Fatalf("default OpenSSH client with an RSA key: %v\n%s", err, out)
	}
	got := serverProposal(out)
	want := map[string]string{
		"KEX algorithms":      "mlkem768x25519-sha256,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group14-sha256,kex-strict-s-v00@openssh.com",
		"host key algorithms": "ssh-ed25519",
		"ciphers ctos":        "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr",
		"ciphers stoc":        "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr",
		"MACs ctos":           "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1",
		"MACs stoc":           "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1",
		"compression ctos":    "none",
		"compression stoc":    "none",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("server offers %s:\n got %q\nwant %q", k, got[k], v)
		}
	}
	if !strings.Contains(out, "server-sig-algs=<") || strings.Contains(out, "server-sig-algs=<ssh-rsa") ||
		strings.Contains(out, ",ssh-rsa,") || strings.Contains(out, ",ssh-rsa>") || strings.Contains(out, "ssh-dss") {
		t.Errorf("server-sig-algs names SHA-1 signatures or is missing:\n%s", grepLines(out, "server-sig-algs"))
	}

	// Each weak algorithm alone: the client must find nothing in common.
	for _, c := range []struct{ opt, val, why string }{
		{"KexAlgorithms", "diffie-hellman-group14-sha1", "no matching key exchange method"},
		{"KexAlgorithms", "diffie-hellman-group1-sha1", "no matching key exchange method"},
		{"Ciphers", "aes128-cbc", "no matching cipher"},
		{"Ciphers", "3des-cbc", "no matching cipher"},
		{"MACs", "hmac-sha1-96", "no matching MAC"},
		{"MACs", "hmac-md5", "no matching MAC"},
	} {
		args := []string{"-o", c.opt + "=" + c.val, "-i", keyFile, "-o", "IdentitiesOnly=yes"}
		if c.opt == "MACs" {
			// An AEAD cipher carries its own MAC: only a CTR cipher
			// negotiates one.
			args = append(args, "-o", "Ciphers=aes128-ctr")
		}
		out, err := openSSH(t, s, "ops", args...)
		if err == nil || !strings.Contains(out, c.why) {
			t.Errorf("client offering only %s %s: %v, want %q\n%s", c.opt, c.val, err, c.why, out)
		}
	}

	// The RSA key signing with SHA-1 only: refused.
	out, err = openSSH(t, s, "ops", "-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "PubkeyAcceptedAlgorithms=ssh-rsa")
	if err == nil || strings.Contains(out, "ran") {
		t.Errorf("an ssh-rsa (SHA-1) signature logged in: %v\n%s", err, out)
	}
}

func grepLines(s, sub string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
