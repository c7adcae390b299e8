package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/internal/syncbuf"
)

// TestSuperviseSplitsLogForms: the daemon's IOS-form messages (stdout)
// reach the console, its structured records (stderr) only the log file,
// and other stderr output (a panic) both; with the CLI on the console
// nothing of stderr is copied there. Of the messages, the console gets
// those before the daemon marks the console's CLI session attached and
// after it marks it detached, whether or not the CLI runs: the CLI shows
// the ones in between. (The supervisor stopped at the CLI's start, and
// the messages until its session subscribed reached neither.) The marks
// are the daemon's, shown nowhere.
func TestSuperviseSplitsLogForms(t *testing.T) {
	script := `echo 'Dec  6 04:27:26.123: %FLOWTAP-6-INFO: flowtapd running: version dev'
echo '` + daemon.ConsoleAttached + `'
echo 'Dec  6 04:27:26.500: %FLOWTAP-6-INFO: ssh listening: addr :22'
echo '` + daemon.ConsoleDetached + `'
echo 'Dec  6 04:27:27.000: %SYS-5-CONFIG_I: Configured from console by console'
echo 'time=2026-12-06T04:27:26.123Z level=INFO msg="flowtapd running" version=dev' >&2
echo 'panic: boom' >&2
exec sleep 30`
	for _, cliOn := range []bool{false, true} {
		var console syncbuf.Buffer
		log := newLogger(&console)
		path := filepath.Join(t.TempDir(), "flowtapd.log")
		var cli cliState
		cli.on.Store(cliOn)
		ctx, cancel := context.WithCancel(context.Background())
		started := make(chan *exec.Cmd, 1)
		done := make(chan struct{})
		go func() {
			supervise(ctx, log, func() *exec.Cmd {
				c := exec.Command("sh", "-c", script)
				started <- c
				return c
			}, &cli, path, nil)
			close(done)
		}()
		cmd := <-started
		deadline := time.Now().Add(10 * time.Second)
		for {
			file, _ := os.ReadFile(path)
			if strings.Contains(string(file), "panic: boom") && strings.Contains(console.String(), "Configured from console") || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		for cmd.Process == nil {
			time.Sleep(10 * time.Millisecond)
		}
		cmd.Process.Kill()
		<-done
		file, _ := os.ReadFile(path)
		screen := console.String()
		if want := "time=2026-12-06T04:27:26.123Z level=INFO msg=\"flowtapd running\" version=dev\npanic: boom\n"; string(file) != want {
			t.Errorf("cli %v: log file %q, want %q", cliOn, file, want)
		}
		for line, want := range map[string]bool{
			"flowtapd: Dec  6 04:27:26.123: %FLOWTAP-6-INFO: flowtapd running: version dev\n": true,
			"flowtapd: Dec  6 04:27:26.500": false,
			"flowtapd: Dec  6 04:27:27.000: %SYS-5-CONFIG_I: Configured from console by console\n": true,
			"flowtapd: ---":           false,
			"flowtapd: panic: boom\n": !cliOn,
			"flowtapd: time=":         false,
		} {
			if strings.Contains(screen, line) != want {
				t.Errorf("cli %v: console has %q: %v, want %v:\n%s", cliOn, line, !want, want, screen)
			}
		}
	}
}

// TestConsoleMarksAreTheDaemons: the marks flowtapinit follows are the
// ones the daemon writes (flowtapinit does not link the daemon's package).
func TestConsoleMarksAreTheDaemons(t *testing.T) {
	if consoleAttached != daemon.ConsoleAttached || consoleDetached != daemon.ConsoleDetached {
		t.Errorf("marks %q %q, the daemon writes %q %q", consoleAttached, consoleDetached, daemon.ConsoleAttached, daemon.ConsoleDetached)
	}
}

// TestSuperviseBoundsTheLogFile: a daemon that has written 3 MB of
// records (months of logins, changes and link events) leaves the log
// file and the one before it at most logMax each, the newest record
// last. The file is in the initramfs's RAM: before, it grew for as long
// as the box ran.
func TestSuperviseBoundsTheLogFile(t *testing.T) {
	const record = `time=2026-12-06T04:27:26.123Z level=INFO msg="%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin] [Source: 192.0.2.7] [localport: 22]"`
	script := "yes '" + record + "' | head -n 25000 >&2; echo 'time=2026-12-06T04:27:27.000Z level=INFO msg=last' >&2; exec sleep 30"
	path := filepath.Join(t.TempDir(), "flowtapd.log")
	var console syncbuf.Buffer
	var cli cliState
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan *exec.Cmd, 1)
	done := make(chan struct{})
	go func() {
		supervise(ctx, newLogger(&console), func() *exec.Cmd {
			c := exec.Command("sh", "-c", script)
			started <- c
			return c
		}, &cli, path, nil)
		close(done)
	}()
	cmd := <-started
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		file, _ := os.ReadFile(path)
		if strings.HasSuffix(string(file), "msg=last\n") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the last record did not reach the log file")
		}
	}
	cancel()
	for cmd.Process == nil {
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Kill()
	<-done
	for _, p := range []string{path, path + ".1"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > logMax {
			t.Errorf("%s is %d bytes, want at most %d", filepath.Base(p), st.Size(), logMax)
		}
	}
	old, _ := os.ReadFile(path + ".1")
	if !strings.HasPrefix(string(old), record+"\n") {
		t.Errorf("%s does not start with a whole record", filepath.Base(path)+".1")
	}
}
