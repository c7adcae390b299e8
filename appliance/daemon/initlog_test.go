package daemon

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestFollowInitLogRotation: the init's lines come in with their
// severity's name, a line cut short waits for its end, and once the init
// moves a full log aside the new file is read from its start, the old
// one's last lines first. With uptime stamps a line from before the
// daemon started is stamped 00:00:00, not a negative time.
func TestFollowInitLogRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "init.log")
	b := NewLogBuffer(1 << 16)
	b.SetTimestamps(config.LogTimestamps{Uptime: true}, config.LogTimestamps{Uptime: true}, config.Clock{})
	line := func(at time.Time, sev int, msg string) string {
		return at.UTC().Format(time.RFC3339Nano) + " " + string(rune('0'+sev)) + " " + msg + "\n"
	}
	early := time.Now().Add(-time.Hour)
	if err := os.WriteFile(path, []byte(line(early, 4, "config: warning: a")+strings.TrimSuffix(line(early.Add(time.Minute), 6, "cut"), "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	FollowInitLog(ctx, path, b)
	if got := b.Show(); !strings.Contains(got, "00:00:00: %FLOWTAPINIT-4-WARN: config: warning: a\n") || strings.Contains(got, "cut") {
		t.Fatalf("after the first read:\n%s", got)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(" short\n" + line(time.Now(), 6, "last of the old file"))
	f.Close()
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(line(time.Now(), 6, "first of the new file")), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := b.Show()
		i, j, k := strings.Index(got, "%FLOWTAPINIT-6-INFO: cut short"), strings.Index(got, "last of the old file"), strings.Index(got, "first of the new file")
		if i >= 0 && j > i && k > j {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the move:\n%s", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
