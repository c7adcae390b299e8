package vm

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// VM is a running QEMU, killed when its test ends.
type VM struct {
	Config  Config
	Console *Console
	Started time.Time

	t     testing.TB
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan struct{}
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

// Start boots a VM for a test: logs the exact QEMU command line, records
// the console (test log lines with time since start) and kills QEMU when
// the test ends.
func Start(t testing.TB, c Config) *VM {
	t.Helper()
	bin, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		t.Fatalf("qemu-system-x86_64 not found: install Debian's qemu-system-x86 (apt-get install qemu-system-x86)")
	}
	args := c.Args()
	v := &VM{Config: c, t: t, done: make(chan struct{})}
	v.cmd = exec.Command(bin, args[1:]...)
	stdout, err := v.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	v.cmd.Stderr = v.cmd.Stdout
	if v.stdin, err = v.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	t.Logf("QEMU command line (rerun by hand from %s):\n%s", mustGetwd(), ShellQuote(args))
	v.Started = time.Now()
	v.Console = newConsole(v.Started, t.Logf)
	if err := v.cmd.Start(); err != nil {
		t.Fatalf("start QEMU: %v", err)
	}
	go func() {
		v.Console.copyFrom(stdout)
		close(v.done)
	}()
	t.Cleanup(v.stop)
	return v
}

func (v *VM) stop() {
	if v.cmd.ProcessState == nil {
		v.cmd.Process.Kill()
	}
	<-v.done // the console logger must finish before the test does
	v.cmd.Wait()
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
// program on the console.
func (v *VM) WaitReady(timeout time.Duration) (time.Duration, string) {
	v.t.Helper()
	m, off, err := v.Console.Expect(ConsoleReady, 0, timeout)
	if err != nil {
		v.t.Fatalf("boot: %v", err)
	}
	if _, _, err := v.Console.Expect(Prompt, off, timeout-time.Since(v.Started)); err != nil {
		v.t.Fatalf("boot: console ready but no prompt: %v", err)
	}
	return time.Since(v.Started), m[2]
}

// Expect waits for a pattern anywhere in the console output.
func (v *VM) Expect(re *regexp.Regexp, timeout time.Duration) []string {
	v.t.Helper()
	m, _, err := v.Console.Expect(re, 0, timeout)
	if err != nil {
		v.t.Fatal(err)
	}
	return m
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
	return filepath.Join(d, "eth1.sock"), filepath.Join(d, "eth2.sock")
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
