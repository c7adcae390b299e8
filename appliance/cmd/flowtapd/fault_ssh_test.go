package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/internal/faults"
	"github.com/flowtap/flowtap/internal/testnet"
)

// rssKB is a process's resident set, in KiB.
func rssKB(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// raiseNoFile lets the test process hold n descriptors.
func raiseNoFile(t *testing.T, n uint64) {
	t.Helper()
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur >= n {
		return
	}
	old := lim
	lim.Cur = n
	lim.Max = max(lim.Max, n)
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatalf("raise RLIMIT_NOFILE to %d: %v", n, err)
	}
	t.Cleanup(func() { unix.Setrlimit(unix.RLIMIT_NOFILE, &old) })
}

// sshLoginFrom logs in from a loopback source address and runs script.
func sshLoginFrom(src, addr, user, pass, script string) (string, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 10 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	sc, chans, reqs, err := ssh.NewClientConn(c, addr, &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.Password(pass)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	if err != nil {
		return "", err
	}
	cl := ssh.NewClient(sc, chans, reqs)
	defer cl.Close()
	s, err := cl.NewSession()
	if err != nil {
		return "", err
	}
	defer s.Close()
	var out bytes.Buffer
	s.Stdout, s.Stdin = &out, strings.NewReader(script)
	if err := s.Shell(); err != nil {
		return "", err
	}
	err = s.Wait()
	return out.String(), err
}

// waitLogin polls until a login from src works (a source that has just
// flooded waits for its rate to refill).
func waitLogin(t *testing.T, src, addr string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := sshLoginFrom(src, addr, "admin", "adminpass", "show privilege\n")
		if err == nil && out == "Current privilege level is 15\n" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no valid login from %s: %v %q", src, err, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestFaultSSHHalfOpen: 5,000 connections that never say a word, from one
// source, against a daemon limited to 256 descriptors, and then its
// control socket filled until accept fails with EMFILE: a login from
// another source still works while they are held, the accept loops say
// they back off and recover when the descriptors come back, a login from
// the flooding source works once it stops, and the daemon's memory stays
// bounded.
func TestFaultSSHHalfOpen(t *testing.T) {
	// No test namespace: the flood's goroutines run on threads of their
	// own, in the host's, and loopback is all it needs.
	const fdLimit = 256
	conns := faults.Pick(5000, 5000)
	d := startDaemon(t, "hostname flood\nusername admin privilege 15 secret adminpass\n")
	pid := d.cmd.Process.Pid
	lim := unix.Rlimit{Cur: fdLimit, Max: fdLimit}
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, &lim, nil); err != nil {
		t.Fatalf("limit the daemon's descriptors: %v", err)
	}
	raiseNoFile(t, uint64(conns+2*fdLimit+256))
	waitLogin(t, "127.0.0.1", d.sshAddr)
	before := rssKB(t, pid)

	// The flood: connect and say nothing.
	var held []net.Conn
	var mu sync.Mutex
	var failed atomic.Int64
	began := time.Now()
	var wg sync.WaitGroup
	next := make(chan struct{})
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				c, err := net.DialTimeout("tcp", d.sshAddr, 10*time.Second)
				if err != nil {
					failed.Add(1)
					continue
				}
				mu.Lock()
				held = append(held, c)
				mu.Unlock()
			}
		}()
	}
	for range conns {
		next <- struct{}{}
	}
	close(next)
	wg.Wait()
	faults.Figure(t, "half-open ssh connections", "%d opened (%d connects failed) in %v", len(held), failed.Load(), time.Since(began).Round(time.Millisecond))
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	d.waitLog(t, "ssh connection refused")

	// Another source is served while the flood is held.
	waitLogin(t, "127.0.0.2", d.sshAddr)

	// Fill the daemon's descriptor table through the control socket.
	var ctl []net.Conn
	for range fdLimit + 16 {
		c, err := net.Dial("unix", filepath.Join(d.dir, "control.sock"))
		if err != nil {
			break
		}
		ctl = append(ctl, c)
	}
	d.waitLog(t, "control socket cannot accept: backing off")
	// An SSH client arriving now finds the table full too. A descriptor
	// the daemon frees meanwhile (a refused connection closed, a /proc
	// file read by a sampler) lets one such client in, so clients keep
	// arriving, each held, until one finds the table full.
	var late []net.Conn
	defer func() {
		for _, c := range late {
			c.Close()
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(d.log.String(), "ssh cannot accept: backing off") {
		if time.Now().After(deadline) {
			t.Fatalf("the log never said %q after %d late clients:\n%s", "ssh cannot accept: backing off", len(late), d.log)
		}
		c, err := net.Dial("tcp", d.sshAddr)
		if err != nil {
			t.Fatal(err)
		}
		late = append(late, c)
		time.Sleep(500 * time.Millisecond)
	}
	for _, c := range ctl {
		c.Close()
	}
	// Both loops are still there.
	if got := d.cli(t, "ios", "show privilege\n"); got != "Current privilege level is 15\n" {
		t.Fatalf("control socket after EMFILE: %q", got)
	}
	waitLogin(t, "127.0.0.2", d.sshAddr)
	for _, c := range held {
		c.Close()
	}
	held = nil
	waitLogin(t, "127.0.0.1", d.sshAddr)
	after := rssKB(t, pid)
	faults.Figure(t, "flowtapd RSS", "%d KiB before the flood, %d KiB after %d half-open SSH connections and a full descriptor table", before, after, conns)
	if after-before > 64<<10 {
		t.Errorf("RSS grew by %d KiB", after-before)
	}
	for _, w := range []string{"ssh accepting again", "control socket accepting again"} {
		if !strings.Contains(d.log.String(), w) {
			t.Errorf("the recovery from EMFILE is not logged (%q):\n%s", w, d.log)
		}
	}
}

// TestFaultSSHPasswordGuessing: wrong passwords from one source as fast as
// the server lets them in, under `login block-for`: quiet mode starts
// (and is logged as on IOS), the right password from that source is
// refused during it while another source logs in, and the guesses take
// at least the block time (a lower bound the feature causes).
func TestFaultSSHPasswordGuessing(t *testing.T) {
	// No test namespace: the guessers run on threads of their own.
	guesses := faults.Pick(25, 500)
	const attempts, block = 10, 3
	d := startDaemon(t, fmt.Sprintf("hostname guess\nusername admin privilege 15 secret adminpass\nlogin block-for %d attempts %d within 60\n", block, attempts))
	var tried atomic.Int64
	began := time.Now()
	var wg sync.WaitGroup
	for range 4 { // the per-source cap on connections that have not logged in
		wg.Add(1)
		go func() {
			defer wg.Done()
			for tried.Load() < int64(guesses) {
				cfg := &ssh.ClientConfig{User: "admin", HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second,
					Auth: []ssh.AuthMethod{ssh.RetryableAuthMethod(ssh.PasswordCallback(func() (string, error) {
						if tried.Add(1) > int64(guesses) {
							return "", fmt.Errorf("done")
						}
						return "guess", nil
					}), 3)}}
				c, err := ssh.Dial("tcp", d.sshAddr, cfg)
				if err == nil {
					c.Close()
					t.Error("a wrong password logged in")
					return
				}
				time.Sleep(10 * time.Millisecond) // a refused connection: try again
			}
		}()
	}
	d.waitLog(t, "%SEC_LOGIN-1-QUIET_MODE_ON")
	if _, err := sshLoginFrom("127.0.0.1", d.sshAddr, "admin", "adminpass", "show privilege\n"); err == nil {
		t.Error("the right password got in from a source in quiet mode")
	}
	waitLogin(t, "127.0.0.2", d.sshAddr)
	wg.Wait()
	elapsed := time.Since(began)
	quiet := strings.Count(d.log.String(), "%SEC_LOGIN-1-QUIET_MODE_ON")
	faults.Figure(t, "ssh password guessing", "%d wrong passwords in %v (%.1f/s), %d quiet periods of %d s", guesses, elapsed.Round(time.Millisecond),
		float64(guesses)/elapsed.Seconds(), quiet, block)
	if elapsed < block*time.Second {
		t.Errorf("%d guesses took %v, less than the %d s block", guesses, elapsed, block)
	}
	waitLogin(t, "127.0.0.1", d.sshAddr)
}

// TestFaultCLILongLine: a 10 MB line on the interactive CLI over SSH and
// over the control socket, and a 100 MB control hello, are refused with a
// message; the daemon's memory does not follow them.
func TestFaultCLILongLine(t *testing.T) {
	testnet.Enter(t)
	size := faults.Pick(10<<20, 10<<20)
	d := startDaemon(t, "hostname long\nusername admin privilege 15 secret adminpass\n")
	pid := d.cmd.Process.Pid
	before := rssKB(t, pid)
	chunk := bytes.Repeat([]byte("a"), 64<<10)
	feed := func(w io.Writer, n int, tail string) {
		for i := 0; i < n; i += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		io.WriteString(w, tail)
	}

	// SSH with a terminal.
	c, err := ssh.Dial("tcp", d.sshAddr, &ssh.ClientConfig{User: "admin", Auth: []ssh.AuthMethod{ssh.Password("adminpass")},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPty("vt100", 24, 80, ssh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	in, _ := s.StdinPipe()
	var screen bytes.Buffer
	s.Stdout = &screen
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	feed(in, size, "\rshow privilege\rexit\r")
	s.Wait()
	if !strings.Contains(screen.String(), "% Line too long (max 8192 characters)\r\nlong#show privilege\r\nCurrent privilege level is 15") {
		t.Errorf("ssh: the long line's refusal or the next command is missing (%d bytes of screen)", screen.Len())
	}

	// The control socket, as a script.
	conn, err := control.Dial(filepath.Join(d.dir, "control.sock"), control.Hello{Dialect: "ios"})
	if err != nil {
		t.Fatal(err)
	}
	go func() { feed(conn, size, "\nshow privilege\n"); conn.CloseWrite() }()
	out, _ := io.ReadAll(conn)
	conn.Close()
	if string(out) != "% Line too long (max 8192 characters)\nCurrent privilege level is 15\n" {
		t.Errorf("control socket script: %q", out)
	}

	// A 100 MB hello.
	raw, err := net.Dial("unix", filepath.Join(d.dir, "control.sock"))
	if err != nil {
		t.Fatal(err)
	}
	go feed(raw, 100<<20, "\n")
	reply, _ := bufio.NewReader(raw).ReadString('\n')
	raw.Close()
	if reply != "% Control hello too long (max 4096 bytes)\n" {
		t.Errorf("100 MB hello: %q", reply)
	}
	after := rssKB(t, pid)
	faults.Figure(t, "flowtapd RSS", "%d KiB before, %d KiB after a %d-byte line over SSH and the control socket and a 100 MB hello", before, after, size)
	if after-before > 64<<10 {
		t.Errorf("RSS grew by %d KiB", after-before)
	}
}
