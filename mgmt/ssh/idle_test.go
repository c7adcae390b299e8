package ssh

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
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
