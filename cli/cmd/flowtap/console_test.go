package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/internal/syncbuf"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestMain runs the test binary as a stand-in daemon when asked: a real
// control socket in a process of its own, whose death the console sees.
func TestMain(m *testing.M) {
	if path := os.Getenv("FLOWTAP_TEST_DAEMON"); path != "" {
		serveUntilKilled(path)
		return
	}
	os.Exit(m.Run())
}

// lineSession echoes lines; "quit" ends the session (the daemon lives on)
// and "die" ends the daemon.
type lineSession struct{ name string }

func (l lineSession) Serve(_ context.Context, in io.Reader, out io.Writer, _ control.Terminal) error {
	fmt.Fprintf(out, "%s ready\n", l.name)
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		switch sc.Text() {
		case "quit":
			return nil
		case "die":
			os.Exit(3)
		case "stop":
			// An orderly stop, as flowtapd's: the socket closes and the
			// sessions end, then the flows take a while to export.
			go func() {
				standIn.Close()
				time.Sleep(3 * exitWatch)
				os.Exit(0)
			}()
		}
		fmt.Fprintf(out, "%s: %s\n", l.name, sc.Text())
	}
	return nil
}

// standIn is the stand-in daemon's control server (in its own process).
var standIn *control.Server

func serveUntilKilled(path string) {
	name := os.Getenv("FLOWTAP_TEST_NAME")
	var err error
	if standIn, err = control.Listen(path, func(h control.Hello) (control.Session, error) {
		if !h.Console {
			return nil, fmt.Errorf("not the console")
		}
		return lineSession{name}, nil
	}, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	select {}
}

func startDaemon(t *testing.T, path, name string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "FLOWTAP_TEST_DAEMON="+path, "FLOWTAP_TEST_NAME="+name)
	cmd.Stderr = os.Stderr
	if err := testproc.Start(cmd); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; ; i++ {
		if c, err := control.Dial(path, control.Hello{Console: true}); err == nil {
			c.Close()
			return cmd
		}
		if i > 300 {
			t.Fatal("the stand-in daemon did not come up")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitScreen polls the console screen until it shows want.
func waitScreen(t *testing.T, s *syncbuf.Buffer, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(s.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the console never showed %q:\n%s", want, s.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestConsoleOutlivesDaemon: the console CLI does not end when the daemon
// dies under it (a shell would run on the console next, past any login):
// it waits for the restarted daemon and opens a new session. A session
// that ends while the daemon lives ends the CLI.
func TestConsoleOutlivesDaemon(t *testing.T) {
	path := filepath.Join(t.TempDir(), "control.sock")
	first := startDaemon(t, path, "first")
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer inW.Close()
	var screen syncbuf.Buffer
	done := make(chan error, 1)
	go func() { done <- run([]string{"--console", "--socket", path}, inR, &screen) }()
	waitScreen(t, &screen, "first ready")
	io.WriteString(inW, "hello\n")
	waitScreen(t, &screen, "first: hello")
	io.WriteString(inW, "die\n")
	first.Wait()
	waitScreen(t, &screen, "% flowtapd stopped: waiting for it to restart")
	startDaemon(t, path, "second")
	waitScreen(t, &screen, "second ready")
	select {
	case err := <-done:
		t.Fatalf("the console CLI ended with its daemon: %v", err)
	default:
	}
	io.WriteString(inW, "again\nquit\n")
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a session that ended with its daemon alive did not end the CLI")
	}
	if !strings.Contains(screen.String(), "second: again") {
		t.Errorf("screen:\n%s", screen.String())
	}
}

// TestConsoleWaitsThroughOrderlyStop: a daemon that stops in order
// (kill -TERM, reload: its socket closes, the sessions end, then it
// exports for longer than exitWatch before it exits) is a stop too: the
// console waits for the next daemon rather than end and leave a shell on
// the console past its login.
func TestConsoleWaitsThroughOrderlyStop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "control.sock")
	first := startDaemon(t, path, "first")
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer inW.Close()
	var screen syncbuf.Buffer
	done := make(chan error, 1)
	go func() { done <- run([]string{"--console", "--socket", path}, inR, &screen) }()
	waitScreen(t, &screen, "first ready")
	io.WriteString(inW, "stop\n")
	waitScreen(t, &screen, "% flowtapd stopped: waiting for it to restart")
	first.Wait()
	startDaemon(t, path, "second")
	waitScreen(t, &screen, "second ready")
	select {
	case err := <-done:
		t.Fatalf("the console CLI ended with its daemon's orderly stop: %v", err)
	default:
	}
	io.WriteString(inW, "quit\n")
	<-done
}
