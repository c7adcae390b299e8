package daemon

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"
)

// LogBuffer keeps the last log lines for `show logging`, as a router's
// buffered logging does, and sends each to the `logging host` collectors
// as syslog over UDP (RFC 3164 framing, as IOS sends it).
type LogBuffer struct {
	mu    sync.Mutex
	lines []string
	size  int // bytes kept at most
	used  int
	count int // messages logged since start
	hosts []*net.UDPConn
	tag   string
}

// Configure follows `logging buffered SIZE` (0 keeps 4096, IOS's default)
// and `logging host ADDR`.
func (b *LogBuffer) Configure(size int, hosts []netip.Addr, hostname string) {
	var conns []*net.UDPConn
	for _, h := range hosts {
		if c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(h, 514))); err == nil {
			conns = append(conns, c)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.hosts {
		c.Close()
	}
	b.hosts, b.tag = conns, hostname
	if size == 0 {
		size = 4096
	}
	b.size = size
	b.trim()
}

func (b *LogBuffer) trim() {
	for b.used > b.size && len(b.lines) > 1 {
		b.used -= len(b.lines[0])
		b.lines = b.lines[1:]
	}
}

// NewLogBuffer keeps up to size bytes of log lines (IOS's default is 4096).
func NewLogBuffer(size int) *LogBuffer { return &LogBuffer{size: size} }

func (b *LogBuffer) add(line string, sev int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, line)
	b.used += len(line)
	b.count++
	b.trim()
	// Facility local7 (23), as IOS's default `logging facility`.
	msg := fmt.Sprintf("<%d>%s %s", 23*8+sev, b.tag, line)
	for _, c := range b.hosts {
		c.Write([]byte(msg)) // best effort: a dead syslog host must not stall logging
	}
}

// Handler records into the buffer and passes every record on to next.
func (b *LogBuffer) Handler(next slog.Handler) slog.Handler { return &logHandler{buf: b, next: next} }

type logHandler struct {
	buf   *LogBuffer
	attrs []slog.Attr
	next  slog.Handler
}

// Enabled: the buffer keeps Info and above whatever the next handler
// wants, as a router's buffer does at its default level.
func (h *logHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || h.next.Enabled(ctx, l)
}

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	var line bytes.Buffer
	fmt.Fprintf(&line, "%s: %%FLOWTAP-%d-%s: %s", r.Time.Format(time.StampMilli), severity(r.Level), r.Level, r.Message)
	add := func(a slog.Attr) bool { fmt.Fprintf(&line, " %s=%v", a.Key, a.Value); return true }
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	if r.Level >= slog.LevelInfo {
		h.buf.add(line.String(), severity(r.Level))
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
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
