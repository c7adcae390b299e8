package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
)

// logger writes "flowtapinit: [uptime] message" lines to the console.
type logger struct {
	mu sync.Mutex
	w  io.Writer
}

func newLogger(w io.Writer) *logger { return &logger{w: w} }

// ttyWriter writes to a console device it opens itself, and opens it again
// after an error: when a console session ends, the kernel hangs the
// terminal up and every descriptor opened before then fails with EIO.
type ttyWriter struct {
	path string
	f    *os.File
}

func (t *ttyWriter) Write(p []byte) (int, error) {
	for try := 0; ; try++ {
		if t.f == nil {
			f, err := os.OpenFile(t.path, os.O_WRONLY|syscall.O_NOCTTY, 0)
			if err != nil {
				return 0, err
			}
			t.f = f
		}
		n, err := t.f.Write(p)
		if err == nil || try == 1 {
			return n, err
		}
		t.f.Close()
		t.f = nil
	}
}

// Printf writes one line, stamped with the seconds since boot.
func (l *logger) Printf(format string, args ...any) {
	msg := strings.TrimRight(fmt.Sprintf(format, args...), "\n")
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "flowtapinit: [%8.3f] %s\n", uptime(), msg)
}

// uptime is the seconds since boot from /proc/uptime, 0 if unreadable.
func uptime() float64 {
	data, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return 0
	}
	var up float64
	fmt.Sscanf(string(data), "%f", &up)
	return up
}

// Raw writes one line as it is.
func (l *logger) Raw(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(l.w, line)
}
