package ssh

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/internal/syncbuf"
	"github.com/flowtap/flowtap/internal/testproc"
)

func startWith(t *testing.T, u users, lim Limits, delay time.Duration) (*Server, *syncbuf.Buffer) {
	t.Helper()
	var log syncbuf.Buffer
	s, err := Listen("127.0.0.1:0", Config{StateDir: t.TempDir(), Users: u, FailDelay: delay, Limits: lim,
		Logger:   slog.New(slog.NewTextHandler(&log, nil)),
		Sessions: func(c Conn) control.Session { return echo{c.User} }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, &log
}

// dialFrom logs in from a local address (any 127.0.0.0/8 address is a
// distinct source on loopback) and runs one command.
func dialFrom(src, addr string, cfg *ssh.ClientConfig) (string, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	sc, chans, reqs, err := ssh.NewClientConn(c, addr, cfg)
	if err != nil {
		return "", err
	}
	cl := ssh.NewClient(sc, chans, reqs)
	defer cl.Close()
	sess, err := cl.NewSession()
	if err != nil {
		return "", err
	}
	defer sess.Close()
	out, err := sess.Output("show version")
	return string(out), err
}

func password(user, pass string) *ssh.ClientConfig {
	return &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.Password(pass)}, HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second}
}

// TestQuietMode: 500 wrong passwords from one source under `login
// block-for 1 attempts 100 within 60` pass through quiet mode four times,
// so they take at least four block periods (the bound is the feature's
// own, a lower one); in quiet mode even the right password is refused
// from that source while another source logs in; after it, the source
// logs in again.
func TestQuietMode(t *testing.T) {
	const guesses, attempts, block = 500, 100, time.Second
	s, log := startWith(t, users{blockFor: block, attempts: attempts}, Limits{Rate: 1000, Burst: 1000}, time.Millisecond)
	addr := s.Addr().String()
	tried := 0
	began := time.Now()
	quietSeen := false
	for tried < guesses {
		cfg := &ssh.ClientConfig{User: "admin", HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second,
			Auth: []ssh.AuthMethod{ssh.RetryableAuthMethod(ssh.PasswordCallback(func() (string, error) {
				if tried >= guesses {
					return "", errors.New("done")
				}
				tried++
				return "guess", nil
			}), 3)}}
		_, err := dialFrom("127.0.0.1", addr, cfg)
		if err == nil {
			t.Fatal("a wrong password logged in")
		}
		if strings.Contains(log.String(), "QUIET_MODE_ON") && !quietSeen {
			quietSeen = true
			// Quiet mode: the right password from this source is refused;
			// another source is not affected.
			if _, err := dialFrom("127.0.0.1", addr, password("admin", "letmein")); err == nil {
				t.Fatal("a source in quiet mode logged in")
			}
			if out, err := dialFrom("127.0.0.2", addr, password("admin", "letmein")); err != nil || !strings.HasPrefix(out, "admin ran") {
				t.Fatalf("another source during quiet mode: %v %q", err, out)
			}
		}
	}
	elapsed := time.Since(began)
	quiet := strings.Count(log.String(), "%SEC_LOGIN-1-QUIET_MODE_ON")
	t.Logf("FIGURE ssh password guessing: %d wrong passwords in %v (%.0f/s), %d quiet periods, %d failures counted",
		guesses, elapsed.Round(time.Millisecond), float64(guesses)/elapsed.Seconds(), quiet, s.Failed())
	if quiet < guesses/attempts-1 {
		t.Errorf("%d quiet periods for %d guesses at %d attempts each:\n%s", quiet, guesses, attempts, log)
	}
	if elapsed < time.Duration(guesses/attempts-1)*block {
		t.Errorf("%d guesses took %v: quiet mode did not hold them back", guesses, elapsed)
	}
	// After the block period the source logs in.
	deadline := time.Now().Add(10 * block)
	for {
		out, err := dialFrom("127.0.0.1", addr, password("admin", "letmein"))
		if err == nil && strings.HasPrefix(out, "admin ran") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no login after quiet mode: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(log.String(), "%SEC_LOGIN-5-QUIET_MODE_OFF") {
		t.Errorf("quiet mode's end is not logged:\n%s", log)
	}
}

// TestQuietModeRefusesKeys: a connection opened before its source went
// into quiet mode cannot log in with the user's key during it, as it
// cannot with a password; after the block it can. Before, the key got in.
func TestQuietModeRefusesKeys(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	const block = 2 * time.Second
	s, log := startWith(t, users{key: signer.PublicKey(), blockFor: block, attempts: 2}, Limits{Rate: 1000, Burst: 1000}, time.Millisecond)
	addr := s.Addr().String()
	release := make(chan struct{})
	asked := make(chan struct{})
	keyLogin := func(wait bool) *ssh.ClientConfig {
		return &ssh.ClientConfig{User: "ops", HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second,
			Auth: []ssh.AuthMethod{ssh.PublicKeysCallback(func() ([]ssh.Signer, error) {
				if wait {
					close(asked)
					<-release
				}
				return []ssh.Signer{signer}, nil
			})}}
	}
	held := make(chan error, 1)
	go func() {
		_, err := dialFrom("127.0.0.1", addr, keyLogin(true))
		held <- err
	}()
	<-asked // the connection is in, at its key
	if _, err := dialFrom("127.0.0.1", addr, &ssh.ClientConfig{User: "admin", HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second,
		Auth: []ssh.AuthMethod{ssh.RetryableAuthMethod(ssh.Password("guess"), 2)}}); err == nil {
		t.Fatal("a wrong password logged in")
	}
	if !strings.Contains(log.String(), "QUIET_MODE_ON") {
		t.Fatalf("two failures did not start quiet mode:\n%s", log)
	}
	close(release)
	if err := <-held; err == nil {
		t.Error("a key logged in from a source in quiet mode")
	}
	time.Sleep(block)
	if out, err := dialFrom("127.0.0.1", addr, keyLogin(false)); err != nil || !strings.HasPrefix(out, "ops ran") {
		t.Errorf("the key after quiet mode: %v %q", err, out)
	}
}

// holdFrom opens n connections from src that never start the handshake
// and reports how many were admitted (got the server's banner; a refused
// one is closed before it). The connections stay open until the test ends.
func holdFrom(t *testing.T, addr, src string, n int) (admitted []net.Conn) {
	t.Helper()
	for range n {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		b := make([]byte, 7)
		if _, err := io.ReadFull(c, b); err == nil && string(b) == "SSH-2.0" {
			admitted = append(admitted, c)
		}
	}
	return admitted
}

// TestUnauthenticatedLimits: a source holds at most PerSource connections
// that have not logged in; when MaxStartups sources hold one each, a
// further login waits for a slot (nothing is evicted: no source holds
// more than the newcomer would), and gets in once the holders leave.
func TestUnauthenticatedLimits(t *testing.T) {
	s, log := startWith(t, users{}, Limits{MaxStartups: 6, PerSource: 2, Rate: 1000, Burst: 1000}, time.Millisecond)
	addr := s.Addr().String()
	if got := holdFrom(t, addr, "127.0.0.1", 5); len(got) != 2 {
		t.Errorf("127.0.0.1 holds %d unauthenticated connections, want the per-source cap 2", len(got))
	}
	s2, log2 := startWith(t, users{}, Limits{MaxStartups: 6, PerSource: 2, Rate: 1000, Burst: 1000}, time.Millisecond)
	addr2 := s2.Addr().String()
	var held []net.Conn
	for i := 1; i <= 6; i++ {
		held = append(held, holdFrom(t, addr2, fmt.Sprintf("127.0.0.%d", i), 1)...)
	}
	if len(held) != 6 {
		t.Fatalf("six sources hold %d, want 6", len(held))
	}
	if _, err := dialFrom("127.0.0.7", addr2, password("admin", "letmein")); err == nil {
		t.Error("a login got past MaxStartups held by six sources, one each")
	}
	if !strings.Contains(log.String(), refusedPerSource) || !strings.Contains(log2.String(), refusedStartups) {
		t.Errorf("refusals not logged:\n%s\n%s", log, log2)
	}
	for _, c := range held {
		c.Close()
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := dialFrom("127.0.0.7", addr2, password("admin", "letmein"))
		if err == nil && strings.HasPrefix(out, "admin ran") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no login after the holders left: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestFloodDoesNotLockOut: three addresses fill every unauthenticated
// slot with connections that never start the handshake (as a flood
// does); the operator, from a fourth, still logs in with the real OpenSSH
// client, typing the password on a terminal while the flood reconnects:
// each newcomer takes the slot of the oldest connection of the source
// holding the most, so the operator's one is never the one closed.
// Before, every slot stayed the flood's for `ip ssh time-out` (120 s) and
// the operator was refused.
func TestFloodDoesNotLockOut(t *testing.T) {
	for _, tool := range []string{"ssh", "sshpass"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: install Debian's openssh-client and sshpass (make deps)", tool)
		}
	}
	s, log := startWith(t, users{}, Limits{MaxStartups: 6, PerSource: 2, Rate: 1000, Burst: 1000}, time.Millisecond)
	addr := s.Addr().String()
	var flood []net.Conn
	for _, src := range []string{"127.0.0.2", "127.0.0.3", "127.0.0.4"} {
		flood = append(flood, holdFrom(t, addr, src, 2)...)
	}
	if len(flood) != 6 {
		t.Fatalf("the flood holds %d slots, want all 6", len(flood))
	}
	// The flood keeps reconnecting while the operator logs in.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(fmt.Sprintf("127.0.0.%d", 2+i%3))}}
			if c, err := d.Dial("tcp", addr); err == nil {
				t.Cleanup(func() { c.Close() })
			}
		}
	}()
	host, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := testproc.CombinedOutput(exec.CommandContext(ctx, "sshpass", "-p", "letmein", "ssh", "-tt", "-b", "127.0.0.5", "-p", port,
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-F", "/dev/null", "-o", "LogLevel=ERROR",
		"-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1",
		"admin@"+host, "show version"))
	close(stop)
	<-done
	if err != nil || !strings.Contains(string(out), `admin ran "show version"`) {
		t.Fatalf("the operator's login during the flood: %v\n%s", err, out)
	}
	if !strings.Contains(log.String(), evictedStartups) {
		t.Errorf("evictions not logged:\n%s", log)
	}
}

// TestConnectionRate: a source opening connections faster than its rate
// is refused past the burst.
func TestConnectionRate(t *testing.T) {
	s, _ := startWith(t, users{}, Limits{Rate: 0.001, Burst: 3}, time.Millisecond)
	ok := 0
	for range 6 {
		if out, err := dialFrom("127.0.0.1", s.Addr().String(), password("admin", "letmein")); err == nil && strings.HasPrefix(out, "admin ran") {
			ok++
		}
	}
	if ok != 3 {
		t.Errorf("%d of 6 back-to-back logins got in, want the burst of 3", ok)
	}
	if out, err := dialFrom("127.0.0.2", s.Addr().String(), password("admin", "letmein")); err != nil {
		t.Errorf("another source: %v %q", err, out)
	}
}

// TestFailedSourcesAreForgotten: under `login block-for`, sources that
// each mistyped a password once, long ago, do not keep their entries in
// the per-source table: once it is full, a new source still gets in. A
// box left alone for months sees a source table's worth of distinct
// sources fail once; before, each such entry was kept for ever and every
// later source was refused ("source table full"), the operator included.
func TestFailedSourcesAreForgotten(t *testing.T) {
	const within = 300 * time.Millisecond
	s, log := startWith(t, users{blockFor: time.Hour, attempts: 5, within: within}, Limits{MaxSources: 3, Rate: 1000, Burst: 1000}, time.Millisecond)
	addr := s.Addr().String()
	for _, src := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"} {
		if _, err := dialFrom(src, addr, password("admin", "wrong")); err == nil {
			t.Fatalf("a wrong password from %s logged in", src)
		}
	}
	if s.Failed() != 3 {
		t.Fatalf("%d failures counted, want 3", s.Failed())
	}
	// While the failures count, their sources are remembered and a fourth
	// source finds the table full.
	if _, err := dialFrom("127.0.0.4", addr, password("admin", "letmein")); err == nil {
		t.Fatalf("a fourth source got in while the table held three sources' failures:\n%s", log)
	}
	time.Sleep(within + 100*time.Millisecond)
	out, err := dialFrom("127.0.0.5", addr, password("admin", "letmein"))
	if err != nil || !strings.HasPrefix(out, "admin ran") {
		t.Fatalf("a new source after the failures' window: %v %q\n%s", err, out, log)
	}
}

// TestRefusalsLoggedLessAsTheyGoOn: a scanner refused ten times a second
// for a day is logged at its first refusal, after 1, 2, 4 ... 4096
// seconds, then hourly: 36 lines with every refusal counted in them, not
// one a second (86,400). Refusals back after an hour's quiet are logged
// at once.
func TestRefusalsLoggedLessAsTheyGoOn(t *testing.T) {
	s := newSources(Limits{}.withDefaults())
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var at []time.Duration
	counted := 0
	now := start
	for ; now.Sub(start) < 24*time.Hour; now = now.Add(100 * time.Millisecond) {
		if n, ok := s.logDue(refusedRate, now); ok {
			at = append(at, now.Sub(start))
			counted += n
		}
	}
	if len(at) != 36 || at[13] != 4096*time.Second || at[14] != 4096*time.Second+time.Hour {
		t.Errorf("%d lines in a day, at %v; want 36: 0, 1, 2, 4 ... 4096 s, then hourly", len(at), at)
	}
	if n, _ := s.logDue(refusedRate, now.Add(2*time.Hour)); n == 0 {
		t.Error("refusals back after two quiet hours are not logged at once")
	} else if counted+n != 864001 {
		t.Errorf("the lines count %d refusals, want 864001", counted+n)
	}
}
