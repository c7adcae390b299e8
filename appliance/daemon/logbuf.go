package daemon

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// LogBuffer keeps the last log lines for `show logging`, as a router's
// buffered logging does.
type LogBuffer struct {
	mu    sync.Mutex
	lines []string
	size  int // bytes kept at most
	used  int
	count int // messages logged since start
}

// NewLogBuffer keeps up to size bytes of log lines (IOS's default is 4096).
func NewLogBuffer(size int) *LogBuffer { return &LogBuffer{size: size} }

func (b *LogBuffer) add(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, line)
	b.used += len(line)
	b.count++
	for b.used > b.size && len(b.lines) > 1 {
		b.used -= len(b.lines[0])
		b.lines = b.lines[1:]
	}
}

// Handler records into the buffer and passes every record on to next.
func (b *LogBuffer) Handler(next slog.Handler) slog.Handler { return &logHandler{buf: b, next: next} }

type logHandler struct {
	buf   *LogBuffer
	attrs []slog.Attr
	next  slog.Handler
}

func (h *logHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	var line bytes.Buffer
	fmt.Fprintf(&line, "%s: %%FLOWTAP-%d-%s: %s", r.Time.Format(time.StampMilli), severity(r.Level), r.Level, r.Message)
	add := func(a slog.Attr) bool { fmt.Fprintf(&line, " %s=%v", a.Key, a.Value); return true }
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	h.buf.add(line.String())
	return h.next.Handle(ctx, r)
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &logHandler{buf: h.buf, attrs: append(append([]slog.Attr(nil), h.attrs...), as...), next: h.next.WithAttrs(as)}
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	return &logHandler{buf: h.buf, attrs: h.attrs, next: h.next.WithGroup(name)}
}

// severity maps slog levels to syslog severities, as IOS shows them.
func severity(l slog.Level) int {
	switch {
	case l >= slog.LevelError:
		return 3
	case l >= slog.LevelWarn:
		return 4
	case l >= slog.LevelInfo:
		return 6
	}
	return 7
}

// Show renders `show logging`.
func (b *LogBuffer) Show() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out bytes.Buffer
	fmt.Fprintf(&out, "Syslog logging: enabled\n    Buffer logging:  level debugging, %d messages logged\n\n", b.count)
	fmt.Fprintf(&out, "Log Buffer (%d bytes):\n\n", b.size)
	for _, l := range b.lines {
		out.WriteString(l + "\n")
	}
	return out.String()
}
