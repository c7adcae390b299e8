package ssh

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// TestSessionsPerConnection: one logged-in connection may have at most
// MaxSessions sessions open; one more is refused with resource shortage,
// and once one closes another opens. Before, a client could open
// channels without end, each a goroutine on the daemon.
func TestSessionsPerConnection(t *testing.T) {
	s := start(t, t.TempDir(), users{})
	c, err := ssh.Dial("tcp", s.Addr().String(), password("admin", "letmein"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var open []*ssh.Session
	for i := range MaxSessions {
		sess, err := c.NewSession()
		if err != nil {
			t.Fatalf("session %d: %v", i+1, err)
		}
		open = append(open, sess)
	}
	_, err = c.NewSession()
	var oc *ssh.OpenChannelError
	if err == nil || !errors.As(err, &oc) || oc.Reason != ssh.ResourceShortage || !strings.Contains(oc.Message, "at most 10 sessions") {
		t.Fatalf("session %d: %v, want a resource shortage", MaxSessions+1, err)
	}
	// One ends (its command runs and the channel closes): another opens.
	if out, err := open[0].Output("show clock"); err != nil || !strings.HasPrefix(string(out), "admin ran") {
		t.Fatalf("a session's command: %v %q", err, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		sess, err := c.NewSession()
		if err == nil {
			sess.Close()
			break
		}
		if !errors.As(err, &oc) || oc.Reason != ssh.ResourceShortage || time.Now().After(deadline) {
			t.Fatalf("a session after one closed: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
