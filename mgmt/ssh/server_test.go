package ssh

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/flowtap/flowtap/cli/control"
)

type users struct {
	key      ssh.PublicKey
	deny     netip.Addr
	blockFor time.Duration // login block-for, with attempts within a minute (or within)
	attempts int
	within   time.Duration
	idle     time.Duration // exec-timeout; 0 never
	limits   func() (time.Duration, int)
	nopass   string // a `username NAME nopassword` user
	refuse   string // why line vty takes no login
	// quiet is no `login on-failure log`: failures are not logged.
	quiet bool
	// quietSuccess is no `login on-success log`: successes are not logged.
	quietSuccess bool
	// line is the vty line's password when it logs in with one.
	line string
}

func (u users) CheckPassword(user, pass string) bool {
	return user == "admin" && pass == "letmein" || u.nopass != "" && user == u.nopass
}
func (u users) NoPassword(user string) bool { return u.nopass != "" && user == u.nopass }
func (u users) CheckKey(user string, k ssh.PublicKey) bool {
	return user == "ops" && u.key != nil && bytes.Equal(k.Marshal(), u.key.Marshal())
}
func (u users) Permit(a, _ netip.Addr) bool { return a != u.deny }
func (u users) Refuses() string             { return u.refuse }
func (u users) LogFailure() bool            { return !u.quiet }
func (u users) LogSuccess() bool            { return !u.quietSuccess }
func (u users) LineLogin() bool             { return u.line != "" }
func (u users) CheckLinePassword(p string) bool {
	return u.line != "" && p == u.line
}
func (u users) LoginBlock() (time.Duration, int, time.Duration) {
	if u.within == 0 {
		return u.blockFor, u.attempts, time.Minute
	}
	return u.blockFor, u.attempts, u.within
}
func (u users) ExecTimeout() time.Duration { return u.idle }
func (u users) LoginLimits() (time.Duration, int) {
	if u.limits == nil {
		return 0, 0
	}
	return u.limits()
}

// echo answers every line with the user it runs for.
type echo struct{ user string }

func (e echo) Serve(_ context.Context, in io.Reader, out io.Writer, term control.Terminal) error {
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		fmt.Fprintf(out, "%s ran %q (terminal %v)\n", e.user, sc.Text(), term.Interactive)
	}
	return nil
}

func start(t *testing.T, dir string, u users) *Server {
	t.Helper()
	s, err := Listen("127.0.0.1:0", Config{StateDir: dir, Users: u, FailDelay: 200 * time.Millisecond,
		Sessions: func(c Conn) control.Session { return echo{c.User} }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func run(t *testing.T, s *Server, cfg *ssh.ClientConfig, cmd string) (string, error) {
	t.Helper()
	c, err := ssh.Dial("tcp", s.Addr().String(), cfg)
	if err != nil {
		return "", err
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		return "", err
	}
	defer sess.Close()
	out, err := sess.Output(cmd)
	return string(out), err
}

func TestLoginAndExec(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	sshPub, _ := ssh.NewPublicKey(pub)
	signer, _ := ssh.NewSignerFromKey(priv)
	dir := t.TempDir()
	var hostKey ssh.PublicKey
	s := start(t, dir, users{key: sshPub})
	pass := &ssh.ClientConfig{User: "admin", Auth: []ssh.AuthMethod{ssh.Password("letmein")},
		HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error { hostKey = k; return nil }}
	out, err := run(t, s, pass, "show version")
	if err != nil || out != "admin ran \"show version\" (terminal false)\n" {
		t.Fatalf("password login: %q %v", out, err)
	}
	key := &ssh.ClientConfig{User: "ops", Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)}, HostKeyCallback: ssh.InsecureIgnoreHostKey()}
	if out, err := run(t, s, key, "show ip cache flow"); err != nil || !strings.HasPrefix(out, "ops ran") {
		t.Fatalf("key login: %q %v", out, err)
	}

	// A wrong password is refused, counted and slowed down.
	bad := &ssh.ClientConfig{User: "admin", Auth: []ssh.AuthMethod{ssh.Password("guess")}, HostKeyCallback: ssh.InsecureIgnoreHostKey()}
	began := time.Now()
	if _, err := run(t, s, bad, "show version"); err == nil {
		t.Fatal("wrong password logged in")
	}
	if s.Failed() == 0 || time.Since(began) < 200*time.Millisecond {
		t.Fatalf("failed logins %d after %v: want counted and delayed", s.Failed(), time.Since(began))
	}

	// The host key is kept: a restarted server presents the same one.
	s.Close()
	s2 := start(t, dir, users{})
	var again ssh.PublicKey
	pass.HostKeyCallback = func(_ string, _ net.Addr, k ssh.PublicKey) error { again = k; return nil }
	if _, err := run(t, s2, pass, "show clock"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(hostKey.Marshal(), again.Marshal()) {
		t.Fatal("host key changed across a restart")
	}
}

func TestAccessList(t *testing.T) {
	s := start(t, t.TempDir(), users{deny: netip.MustParseAddr("127.0.0.1")})
	cfg := &ssh.ClientConfig{User: "admin", Auth: []ssh.AuthMethod{ssh.Password("letmein")}, HostKeyCallback: ssh.InsecureIgnoreHostKey(),
		Timeout: 2 * time.Second}
	if _, err := run(t, s, cfg, "show version"); err == nil {
		t.Fatal("a source the access list denies got a session")
	}
}

// TestLineLogin: a vty line that logs in with its own password (`login`
// with `password`) takes that password whatever user name the client
// sends, and neither a user's password nor a user's key; the session is
// told it is a line login.
func TestLineLogin(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	sshPub, _ := ssh.NewPublicKey(pub)
	signer, _ := ssh.NewSignerFromKey(priv)
	s, err := Listen("127.0.0.1:0", Config{StateDir: t.TempDir(), Users: users{key: sshPub, line: "linepass"}, FailDelay: time.Millisecond,
		Sessions: func(c Conn) control.Session { return echo{fmt.Sprintf("%s(line %v)", c.User, c.LineLogin)} }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	login := func(user string, auth ssh.AuthMethod) (string, error) {
		return run(t, s, &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{auth}, HostKeyCallback: ssh.InsecureIgnoreHostKey()}, "show users")
	}
	for _, user := range []string{"anyone", "admin"} {
		if out, err := login(user, ssh.Password("linepass")); err != nil || out != user+"(line true) ran \"show users\" (terminal false)\n" {
			t.Errorf("%s with the line password: %q %v", user, out, err)
		}
	}
	if out, err := login("admin", ssh.Password("letmein")); err == nil {
		t.Errorf("a user's password logged in on a line-password line: %q", out)
	}
	if out, err := login("ops", ssh.PublicKeys(signer)); err == nil {
		t.Errorf("a user's key logged in on a line-password line: %q", out)
	}
	if s.Failed() != 1 {
		t.Errorf("%d failures counted, want the one wrong password", s.Failed())
	}
}
