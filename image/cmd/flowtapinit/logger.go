package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
)

// logger writes "flowtapinit: [uptime] message" lines to the console and,
// once the runtime directory is there (attach), the same messages with
// their wall-clock time and severity to the init log, which flowtapd
// (--init-log) reads into its buffer: `show logging` then has the boot's
// lines (which disk, the default-password warning, DHCP's leases) as a
// router's shows its boot messages.
type logger struct {
	mu sync.Mutex
	w  io.Writer
	// file is the init log once attached; early holds the lines logged
	// before, written to it when it is attached.
	file  io.Writer
	early []string
	now   func() time.Time
}

func newLogger(w io.Writer) *logger { return &logger{w: w, now: time.Now} }

// InitLogMax is how large the init log grows before it moves to FILE.1:
// it is in RAM, and DHCP writes a few lines at every renewal for as long
// as the box runs.
const InitLogMax = 256 << 10

// Severities of the init log's lines, syslog's numbers as IOS shows them.
const (
	sevWarning = 4
	sevInfo    = 6
)

// attach starts writing the init log to path, the lines logged so far
// first. A log that cannot be opened is said on the console; the console
// lines go on.
func (l *logger) attach(path string) {
	if path == "" {
		l.mu.Lock()
		l.early = nil // no init log (-init-log ""): the console only
		l.mu.Unlock()
		return
	}
	f, err := openRotatingLog(path, InitLogMax)
	if err != nil {
		l.Printf("init log: %v: boot messages reach the console only", err)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.file = f
	for _, e := range l.early {
		io.WriteString(f, e)
	}
	l.early = nil
}

// InitLogLine is one line of the init log: the time (RFC 3339, UTC,
// nanoseconds), the severity and the message, space-separated.
func InitLogLine(t time.Time, sev int, msg string) string {
	return fmt.Sprintf("%s %d %s\n", t.UTC().Format(time.RFC3339Nano), sev, msg)
}

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
func (l *logger) Printf(format string, args ...any) { l.logf(sevInfo, format, args...) }

// Warnf is Printf for what the operator must act on (a disk that does
// not mount, a documented password): `show logging` shows it as a
// warning.
func (l *logger) Warnf(format string, args ...any) { l.logf(sevWarning, format, args...) }

func (l *logger) logf(sev int, format string, args ...any) {
	msg := strings.TrimRight(fmt.Sprintf(format, args...), "\n")
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "flowtapinit: [%8.3f] %s\n", uptime(), msg)
	line := InitLogLine(l.now(), sev, strings.ReplaceAll(msg, "\n", " "))
	switch {
	case l.file != nil:
		io.WriteString(l.file, line)
	case len(l.early) < 256:
		l.early = append(l.early, line)
	}
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
