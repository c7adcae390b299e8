package ssh

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// TestShellScript: a shell session without a terminal reads a script from
// stdin, as `ssh host < script` does.
func TestShellScript(t *testing.T) {
	s := start(t, t.TempDir(), users{})
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
	var out bytes.Buffer
	sess.Stdout = &out
	sess.Stdin = strings.NewReader("show version\nshow clock\n")
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Wait(); err != nil {
		t.Fatal(err)
	}
	want := "admin ran \"show version\" (terminal false)\nadmin ran \"show clock\" (terminal false)\n"
	if out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
}
