package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestRunningCopyFailureIsLogged: when the running copy cannot be saved,
// a restarted daemon would come back without the latest change, so the
// operator must be told. (The error used to be dropped: the check looked
// at another err.)
func TestRunningCopyFailureIsLogged(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname before\nusername admin secret letmein\n")
	running := filepath.Join(d.dir, "running-config")
	// The copy of the configuration it started with is saved once the
	// daemon is up; then a non-empty directory takes the file's place, so
	// the rename that commits the next save fails.
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(running); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no running copy at %s; log:\n%s", running, d.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if strings.Contains(d.log.String(), "keep the running config") {
		t.Fatalf("saving the running copy failed already at start:\n%s", d.log)
	}
	if err := os.Remove(running); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(running, "in-the-way"), 0o700); err != nil {
		t.Fatal(err)
	}
	d.cli(t, "ios", "configure terminal\nhostname after\nend\n")
	const want = `msg="keep the running config for a restart" file=` // slog's text form
	deadline = time.Now().Add(20 * time.Second)
	for !strings.Contains(d.log.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the log:\n%s", want, d.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
