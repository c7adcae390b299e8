package vm

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// VM is a running QEMU as one test sees it: the helpers fail that test.
// Start ties a VM to its test's lifetime; a Shared VM hands each test
// that uses it a view of its own (For).
type VM struct {
	Config  Config
	Console *Console
	Started time.Time

	t testing.TB
	*proc
}

// proc is the QEMU process behind every view of a VM.
type proc struct {
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	done     chan struct{} // closed once QEMU's output has ended
	stopOnce sync.Once

	mu      sync.Mutex
	ready   time.Duration // host time from QEMU's start to the first prompt
	program string        // what flowtapinit runs on the console
}

// Patterns on the console the tests rely on.
var (
	// ConsoleReady is flowtapinit's line just before the console's CLI
	// (or shell) starts.
	ConsoleReady = regexp.MustCompile(`flowtapinit: \[ *[0-9.]+\] console ready after ([0-9.]+)s: (\S+)\r?\n`)
	// Prompt is a CLI or shell prompt: a line of one word ending in "#",
	// ">" or "$" ("flowtap#", "Router>", "/#"), then optional space.
	Prompt = regexp.MustCompile(`(?m)^[\w./~:()-]*[#>$] ?$`)
)

// ErrNoQEMU says qemu-system-x86_64 is not installed.
var ErrNoQEMU = errors.New("qemu-system-x86_64 not found: install Debian's qemu-system-x86 (apt-get install qemu-system-x86)")

// Boot starts QEMU for c: it logs the exact command line to logf and
// records the console, each line to logf with the time since start. The
// caller ends it with Stop; the VM's helpers need a test (For).
func Boot(c Config, logf func(format string, args ...any)) (*VM, error) {
	bin, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		return nil, ErrNoQEMU
	}
	args := c.Args()
	v := &VM{Config: c, proc: &proc{done: make(chan struct{})}}
	v.cmd = exec.Command(bin, args[1:]...)
	var stdout io.Reader
	var slave *os.File
	if c.Interactive {
		// As make qemu runs it: on a terminal, its controlling one.
		master, s, err := openPTY()
		if err != nil {
			return nil, err
		}
		slave = s
		v.cmd.Stdin, v.cmd.Stdout, v.cmd.Stderr = slave, slave, slave
		v.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		stdout, v.stdin = master, master
	} else {
		out, err := v.cmd.StdoutPipe()
		if err != nil {
			return nil, fmt.Errorf("QEMU output: %w", err)
		}
		stdout = out
		v.cmd.Stderr = v.cmd.Stdout
		if v.stdin, err = v.cmd.StdinPipe(); err != nil {
			return nil, fmt.Errorf("QEMU input: %w", err)
		}
	}
	logf("QEMU command line (rerun by hand from %s):\n%s", mustGetwd(), ShellQuote(args))
	v.Started = time.Now()
	v.Console = newConsole(v.Started, logf)
	err = v.cmd.Start()
	if slave != nil {
		slave.Close() // QEMU holds it; the master reads EIO once QEMU ends
	}
	if err != nil {
		return nil, fmt.Errorf("start QEMU: %w", err)
	}
	go func() {
		v.Console.copyFrom(stdout)
		close(v.done)
	}()
	return v, nil
}

// Start boots a VM for a test: logs the exact QEMU command line, records
// the console (test log lines with time since start) and kills QEMU when
// the test ends.
func Start(t testing.TB, c Config) *VM {
	t.Helper()
	stopRunningShared(t) // one VM at a time
	v, err := Boot(c, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	v.t = t
	t.Cleanup(v.Stop)
	return v
}

// For returns a view of the VM whose helpers fail t, with the console's
// lines in t's log until t ends (lines printed in between are held for
// the next test).
func (v *VM) For(t testing.TB) *VM {
	w := *v
	w.t = t
	v.Console.SetLog(t.Logf)
	t.Cleanup(func() { v.Console.SetLog(nil) })
	return &w
}

// Stop kills QEMU (if it still runs) and waits for the console to end.
func (v *VM) Stop() {
	v.stopOnce.Do(func() {
		v.cmd.Process.Kill()
		<-v.done // the console logger must finish before the test does
		v.cmd.Wait()
	})
}

// Exited tells whether QEMU has ended (a guest reboot ends it: -no-reboot).
func (v *VM) Exited() bool {
	select {
	case <-v.done:
		return true
	default:
		return false
	}
}

// WaitExit waits for QEMU to end by itself.
func (v *VM) WaitExit(timeout time.Duration) {
	v.t.Helper()
	select {
	case <-v.done:
	case <-time.After(timeout):
		v.t.Fatalf("QEMU still runs %s later; last console output:\n%s", timeout, lastLines([]byte(v.Console.Text()), 15))
	}
}

// Type writes to the serial console.
func (v *VM) Type(s string) {
	v.t.Helper()
	if _, err := io.WriteString(v.stdin, s); err != nil {
		v.t.Fatalf("type on console: %v", err)
	}
}

// WaitReady waits for flowtapinit's console-ready line and the prompt after
// it; it returns the host time from QEMU's start to the prompt and the
// program on the console. Once the prompt has been seen it returns the
// same figures at once.
func (v *VM) WaitReady(timeout time.Duration) (time.Duration, string) {
	v.t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.program != "" {
		return v.ready, v.program
	}
	m, off, err := v.Console.Expect(ConsoleReady, 0, timeout)
	if err != nil {
		v.t.Fatalf("boot: %v", err)
	}
	if _, _, err := v.Console.Expect(Prompt, off, timeout-time.Since(v.Started)); err != nil {
		v.t.Fatalf("boot: console ready but no prompt: %v", err)
	}
	v.ready, v.program = time.Since(v.Started), m[2]
	return v.ready, v.program
}

// Expect waits for a pattern anywhere in the console output.
func (v *VM) Expect(re *regexp.Regexp, timeout time.Duration) []string {
	v.t.Helper()
	m, _ := v.ExpectFrom(re, 0, timeout)
	return m
}

// ExpectFrom waits for a pattern in the console output after offset (a
// Console.Len taken earlier) and returns the submatches and the offset
// just past the match.
func (v *VM) ExpectFrom(re *regexp.Regexp, offset int, timeout time.Duration) ([]string, int) {
	v.t.Helper()
	m, end, err := v.Console.Expect(re, offset, timeout)
	if err != nil {
		v.t.Fatal(err)
	}
	return m, end
}

// SocketDir returns a directory for unix sockets with short paths (the
// limit is 107 bytes; test temp dirs can be longer).
func SocketDir(t testing.TB) string {
	t.Helper()
	d, err := os.MkdirTemp("", "hwtest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// Sockets returns eth1 and eth2 socket paths in a fresh directory.
func Sockets(t testing.TB) (eth1, eth2 string) {
	d := SocketDir(t)
	return SocketsIn(d)
}

// SocketsIn returns eth1 and eth2 socket paths in dir.
func SocketsIn(dir string) (eth1, eth2 string) {
	return filepath.Join(dir, "eth1.sock"), filepath.Join(dir, "eth2.sock")
}

func mustGetwd() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}

// Lines returns the console lines that match re.
func (v *VM) Lines(re *regexp.Regexp) []string {
	var out []string
	for _, l := range strings.Split(v.Console.Text(), "\n") {
		if re.MatchString(l) {
			out = append(out, strings.TrimRight(l, "\r"))
		}
	}
	return out
}

// String names the VM for messages.
func (v *VM) String() string { return fmt.Sprintf("VM(%s)", v.Config.Cmdline()) }
