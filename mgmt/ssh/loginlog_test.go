package ssh

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/flowtap/flowtap/cli/control"
)

// recorder keeps each record's level and message, as the daemon's log
// handler turns them into the syslog line.
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Level.String()+" "+rec.Message)
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

func (r *recorder) messages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.msgs)
}

// TestLoginLogged: SSH logins are logged in IOS's words, which syslog
// collectors match on: %SEC_LOGIN-5-LOGIN_SUCCESS and
// %SEC_LOGIN-4-LOGIN_FAILED with the user, the source and the local port.
// A user name that could forge a field or a second line is quoted.
// Before, SSH logged "ssh login failed" in flowtap's own form while the
// console used IOS's, and a name with a line break went to the log as
// sent.
func TestLoginLogged(t *testing.T) {
	logs := &recorder{}
	h := logs
	s, err := Listen("127.0.0.1:0", Config{StateDir: t.TempDir(), Users: users{}, FailDelay: time.Millisecond, Logger: slog.New(h),
		Sessions: func(c Conn) control.Session { return echo{c.User} }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	port := s.Addr().(*net.TCPAddr).Port
	login := func(user, pass string) {
		c := &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.Password(pass)}, HostKeyCallback: ssh.InsecureIgnoreHostKey()}
		run(t, s, c, "show clock")
	}
	login("admin", "guess")
	login("admin", "letmein")
	login("x\n%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin]", "guess")
	// Not UTF-8: a lone 8-bit CSI, which a terminal showing the log may obey.
	login("ad\x9b2Jmin", "guess")
	want := []string{
		fmt.Sprintf(`WARN %%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: admin] [Source: 127.0.0.1] [localport: %d] [Reason: Login Authentication Failed] [method: password]`, port),
		fmt.Sprintf(`INFO %%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin] [Source: 127.0.0.1] [localport: %d]`, port),
		fmt.Sprintf(`WARN %%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: "x\n%%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin]"] [Source: 127.0.0.1] [localport: %d] [Reason: Login Authentication Failed] [method: password]`, port),
		fmt.Sprintf(`WARN %%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: "ad\x9b2Jmin"] [Source: 127.0.0.1] [localport: %d] [Reason: Login Authentication Failed] [method: password]`, port),
	}
	got := logs.messages()
	for i, w := range want {
		if i >= len(got) || got[i] != w {
			t.Errorf("log line %d:\n got %q\nwant %q", i, at(got, i), w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d log lines, want %d: %q", len(got), len(want), got)
	}
}

// TestLoginFailureNotLogged: without `login on-failure log` (Users'
// LogFailure false) a failed login leaves no %SEC_LOGIN-4-LOGIN_FAILED,
// as on IOS; the success is logged all the same, and the failure still
// counts.
func TestLoginFailureNotLogged(t *testing.T) {
	logs := &recorder{}
	s, err := Listen("127.0.0.1:0", Config{StateDir: t.TempDir(), Users: users{quiet: true}, FailDelay: time.Millisecond, Logger: slog.New(logs),
		Sessions: func(c Conn) control.Session { return echo{c.User} }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	port := s.Addr().(*net.TCPAddr).Port
	for _, pass := range []string{"guess", "letmein"} {
		c := &ssh.ClientConfig{User: "admin", Auth: []ssh.AuthMethod{ssh.Password(pass)}, HostKeyCallback: ssh.InsecureIgnoreHostKey()}
		run(t, s, c, "show clock")
	}
	want := []string{fmt.Sprintf(`INFO %%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin] [Source: 127.0.0.1] [localport: %d]`, port)}
	if got := logs.messages(); !slices.Equal(got, want) {
		t.Errorf("log %q, want %q", got, want)
	}
	if s.Failed() != 1 {
		t.Errorf("%d failures counted, want 1", s.Failed())
	}
}

// TestLoginSuccessNotLogged: without `login on-success log` (Users'
// LogSuccess false) a successful login leaves no
// %SEC_LOGIN-5-LOGIN_SUCCESS, as on IOS; a failure is still logged.
// Before, every success was logged whatever the configuration said.
func TestLoginSuccessNotLogged(t *testing.T) {
	logs := &recorder{}
	s, err := Listen("127.0.0.1:0", Config{StateDir: t.TempDir(), Users: users{quietSuccess: true}, FailDelay: time.Millisecond, Logger: slog.New(logs),
		Sessions: func(c Conn) control.Session { return echo{c.User} }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	port := s.Addr().(*net.TCPAddr).Port
	for _, pass := range []string{"letmein", "guess", "letmein"} {
		c := &ssh.ClientConfig{User: "admin", Auth: []ssh.AuthMethod{ssh.Password(pass)}, HostKeyCallback: ssh.InsecureIgnoreHostKey()}
		run(t, s, c, "show clock")
	}
	want := []string{fmt.Sprintf(`WARN %%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: admin] [Source: 127.0.0.1] [localport: %d] [Reason: Login Authentication Failed] [method: password]`, port)}
	if got := logs.messages(); !slices.Equal(got, want) {
		t.Errorf("log %q, want %q", got, want)
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}

// TestAccessListRefusalsLogOnce: a source the vty access list denies,
// reconnecting in a loop, is logged once a second, not once per
// connection. Before, each refused connection was a log line, so a
// denied host could fill the log.
func TestAccessListRefusalsLogOnce(t *testing.T) {
	logs := &recorder{}
	s, err := Listen("127.0.0.1:0", Config{StateDir: t.TempDir(), Users: users{deny: netip.MustParseAddr("127.0.0.1")}, Logger: slog.New(logs),
		Sessions: func(c Conn) control.Session { return echo{c.User} }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	began := time.Now()
	for i := 0; i < 8; i++ {
		c, err := net.Dial("tcp", s.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		c.Read(make([]byte, 1)) // the server closes it
		c.Close()
	}
	n := 0
	for _, m := range logs.messages() {
		if strings.Contains(m, "ssh connection refused") {
			n++
		}
	}
	// Eight refusals within a second or two: one line, perhaps two.
	if limit := 1 + int(time.Since(began)/time.Second); n == 0 || n > limit {
		t.Errorf("%d log lines for 8 refused connections in %v: %q", n, time.Since(began), logs.messages())
	}
}
