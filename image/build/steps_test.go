package build

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestStepsPrintElapsed fixes the progress lines make image prints: each
// step's start, its end with the time it took, and the time since the
// build began.
func TestStepsPrintElapsed(t *testing.T) {
	var b strings.Builder
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &steps{log: &b, now: func() time.Time { return clock }, start: clock}
	if err := s.run("kernel", func() error { clock = clock.Add(61500 * time.Millisecond); return nil }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := s.run("u-root initramfs", func() error { clock = clock.Add(2 * time.Second); return boom }); err != boom {
		t.Fatalf("err = %v, want the step's own", err)
	}
	want := `mkimage: [   0.0s] kernel: started
mkimage: [  61.5s] kernel: done in 61.5s
mkimage: [  61.5s] u-root initramfs: started
mkimage: [  63.5s] u-root initramfs: failed after 2.0s
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// TestStepsSayStillRunning: a long step is not silent.
func TestStepsSayStillRunning(t *testing.T) {
	lines := make(chan string, 16)
	s := &steps{log: lineWriter(lines), now: time.Now, every: 10 * time.Millisecond, start: time.Now()}
	err := s.run("u-root initramfs", func() error {
		for l := range lines {
			if strings.Contains(l, "] u-root initramfs: still running after ") {
				return nil
			}
		}
		return errors.New("log closed")
	})
	if err != nil {
		t.Fatal(err)
	}
}

// lineWriter hands each write (one line, as steps writes them) to a channel.
type lineWriter chan string

func (w lineWriter) Write(p []byte) (int, error) {
	select {
	case w <- string(p):
	default: // the test has what it waited for
	}
	return len(p), nil
}
