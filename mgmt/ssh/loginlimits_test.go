package ssh

import (
	"net"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// TestLoginLimitsFollowConfig: `ip ssh time-out` and `ip ssh
// authentication-retries` are read at each connection, so a change made
// while the server runs applies to the next login. Before, both were
// fixed when the server started: a later `ip ssh time-out 5` left
// connections a minute, and the default was 60 s where IOS (and the
// model) say 120.
func TestLoginLimitsFollowConfig(t *testing.T) {
	var mu sync.Mutex
	window, tries := 30*time.Second, 3
	set := func(w time.Duration, n int) { mu.Lock(); window, tries = w, n; mu.Unlock() }
	s := start(t, t.TempDir(), users{limits: func() (time.Duration, int) { mu.Lock(); defer mu.Unlock(); return window, tries }})

	// A connection that never authenticates is closed at the window,
	// as configured now.
	set(300*time.Millisecond, 3)
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 512)
	for {
		if _, err := c.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("an unauthenticated connection outlived ip ssh time-out")
			}
			break
		}
	}

	// Passwords tried per connection: as many as configured now.
	for _, n := range []int{1, 2} {
		set(30*time.Second, n)
		before := s.Failed()
		asked := 0
		cfg := &ssh.ClientConfig{User: "admin", HostKeyCallback: ssh.InsecureIgnoreHostKey(),
			Auth: []ssh.AuthMethod{ssh.RetryableAuthMethod(ssh.PasswordCallback(func() (string, error) { asked++; return "guess", nil }), 5)}}
		if cl, err := ssh.Dial("tcp", s.Addr().String(), cfg); err == nil {
			cl.Close()
			t.Fatal("a wrong password logged in")
		}
		if got := s.Failed() - before; got != uint64(n) || asked != n {
			t.Errorf("authentication-retries %d: %d passwords tried (%d failed), want %d", n, asked, got, n)
		}
	}
}
