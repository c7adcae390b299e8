package ssh

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/flowtap/flowtap/cli/control"
)

// TestExecTimeout: a shell that gets no input within the exec-timeout is
// closed by the server; one whose operator keeps typing stays open past
// it. Before, an idle session stayed open forever.
func TestExecTimeout(t *testing.T) {
	const idle = 400 * time.Millisecond
	s := start(t, t.TempDir(), users{idle: idle})
	c, err := ssh.Dial("tcp", s.Addr().String(), &ssh.ClientConfig{User: "admin", Auth: []ssh.AuthMethod{ssh.Password("letmein")},
		HostKeyCallback: ssh.InsecureIgnoreHostKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm", 24, 80, ssh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	stdin, _ := sess.StdinPipe()
	stdout, _ := sess.StdoutPipe()
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewReader(stdout)
	began := time.Now()
	// Typing every quarter of the limit, for three limits: still open.
	for i := 0; time.Since(began) < 3*idle; i++ {
		if _, err := io.WriteString(stdin, "show clock\n"); err != nil {
			t.Fatalf("after %v of typing: %v", time.Since(began), err)
		}
		l, err := lines.ReadString('\n')
		if err != nil || !strings.Contains(l, `ran "show clock"`) {
			t.Fatalf("after %v of typing: %q %v", time.Since(began), l, err)
		}
		time.Sleep(idle / 4)
	}
	// Then nothing: the server closes the session.
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * idle):
		t.Fatal("an idle session was not closed after its exec-timeout")
	}
	if rest, _ := io.ReadAll(lines); len(rest) != 0 {
		t.Errorf("output after the close: %q", rest)
	}
}

// lineEcho is a session on a vty line with an exec-timeout of its own.
type lineEcho struct {
	echo
	idle time.Duration
}

func (l lineEcho) IdleLimit() time.Duration { return l.idle }

// TestSessionExecTimeout: a session that knows its vty line's
// exec-timeout (IdleLimiter) is timed by it, not by Users.ExecTimeout
// (here never): lines may differ, as on IOS.
func TestSessionExecTimeout(t *testing.T) {
	s, err := Listen("127.0.0.1:0", Config{StateDir: t.TempDir(), Users: users{}, FailDelay: 200 * time.Millisecond,
		Sessions: func(c Conn) control.Session { return lineEcho{echo{c.User}, 300 * time.Millisecond} }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c, err := ssh.Dial("tcp", s.Addr().String(), &ssh.ClientConfig{User: "admin", Auth: []ssh.AuthMethod{ssh.Password("letmein")},
		HostKeyCallback: ssh.InsecureIgnoreHostKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm", 24, 80, ssh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	stdin, _ := sess.StdinPipe()
	defer stdin.Close()
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("an idle session was not closed after its line's exec-timeout")
	}
}
