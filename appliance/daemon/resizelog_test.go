package daemon

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/platform"
)

// lockedBuffer is a log sink the daemon's goroutines may write at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// `ip flow-cache entries` drains the old cache into the collectors; the
// log called it "the pinned cache of another size", the words for what a
// start finds left by the last daemon, which the operator who just typed
// the line never saw.
func TestResizeDrainLogSaysResize(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test loads BPF programs: run it as root (make test does)")
	}
	pins := filepath.Join("/sys/fs/bpf", fmt.Sprintf("flowtap-test-resizelog-%d", os.Getpid()))
	t.Cleanup(func() { os.RemoveAll(pins) })
	var logs lockedBuffer
	l := listenV5(t)
	s := Settings{CacheEntries: 1024, Mask: platform.MaskSevenTuple, Aging: flowcache.Aging{Inactive: time.Hour},
		Exports: []export.DestinationConfig{l.dest(t)}}
	d, err := New(Options{PinDir: pins, Logger: slog.New(slog.NewTextHandler(&logs, nil))}, s)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(false)
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	feed(t, d, 1, 3)
	feed(t, d, 2, 4)
	s.CacheEntries = 2048
	if err := d.Apply(s); err != nil {
		t.Fatal(err)
	}
	got := logs.String()
	for _, want := range []string{"CACHE_DRAIN: draining 2 flows of the cache resized to 2048 entries",
		"CACHE_DRAINED: 2 flow records of the cache resized to 2048 entries exported"} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "pinned cache of another size") {
		t.Errorf("a resize logged as a start's drain:\n%s", got)
	}
}
