package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/syncbuf"
)

// TestSuperviseSplitsLogForms: the daemon's IOS-form messages (stdout)
// reach the console, its structured records (stderr) only the log file,
// and other stderr output (a panic) both; with the CLI on the console
// nothing of the daemon's is copied there.
func TestSuperviseSplitsLogForms(t *testing.T) {
	script := `echo 'Dec  6 04:27:26.123: %FLOWTAP-6-INFO: flowtapd running: version dev'
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
			}, &cli, path)
			close(done)
		}()
		cmd := <-started
		deadline := time.Now().Add(10 * time.Second)
		for {
			file, _ := os.ReadFile(path)
			if strings.Contains(string(file), "panic: boom") || time.Now().After(deadline) {
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
			"flowtapd: Dec  6 04:27:26.123: %FLOWTAP-6-INFO: flowtapd running: version dev\n": !cliOn,
			"flowtapd: panic: boom\n": !cliOn,
			"flowtapd: time=":         false,
		} {
			if strings.Contains(screen, line) != want {
				t.Errorf("cli %v: console has %q: %v, want %v:\n%s", cliOn, line, !want, want, screen)
			}
		}
	}
}
