package hwtest

import (
	"bytes"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// sshResult is one SSH session: what it printed and the host key the
// appliance presented.
type sshResult struct {
	Output  string
	HostKey ssh.PublicKey
}

// sshScript logs in with a password and feeds script to a shell session
// without a terminal, as `ssh host < script` does: the CLI prints each
// command's output and no prompts or echo.
func sshScript(addr, user, password, script string) (sshResult, error) {
	var r sshResult
	c, err := ssh.Dial("tcp", addr, &ssh.ClientConfig{
		User: user, Auth: []ssh.AuthMethod{ssh.Password(password)}, Timeout: 30 * time.Second,
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			r.HostKey = key
			return nil
		},
	})
	if err != nil {
		return r, fmt.Errorf("ssh %s@%s: %w", user, addr, err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		return r, fmt.Errorf("ssh %s: session: %w", addr, err)
	}
	defer s.Close()
	var out, errOut bytes.Buffer // two streams, copied concurrently: never one buffer
	s.Stdout, s.Stderr = &out, &errOut
	s.Stdin = strings.NewReader(script)
	if err := s.Shell(); err != nil {
		return r, fmt.Errorf("ssh %s: shell: %w", addr, err)
	}
	err = s.Wait()
	r.Output = out.String() + errOut.String()
	if err != nil {
		return r, fmt.Errorf("ssh %s: session ended: %w", addr, err)
	}
	return r, nil
}

// cli runs script in the appliance's CLI over SSH as the configured user
// and returns its output. A line the CLI refuses ("% ...") fails the test.
func (p *probe) cli(t testing.TB, script string) string {
	t.Helper()
	r, err := p.ssh(t, script, 30*time.Second)
	if err != nil {
		t.Fatalf("CLI over SSH: %v\nscript:\n%s\noutput:\n%s", err, script, r.Output)
	}
	for _, l := range strings.Split(r.Output, "\n") {
		if strings.HasPrefix(l, "%") {
			t.Fatalf("the CLI refused a line: %s\nscript:\n%s\noutput:\n%s", l, script, r.Output)
		}
	}
	return r.Output
}

// ssh runs a script over SSH, trying again while the appliance does not
// accept connections yet (its SSH server starts with the daemon).
func (p *probe) ssh(t testing.TB, script string, within time.Duration) (sshResult, error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		r, err := sshScript(p.sshAddr, probeUser, probePassword, script)
		if err == nil || time.Now().After(deadline) || r.HostKey != nil {
			return r, err
		}
		time.Sleep(time.Second)
	}
}
