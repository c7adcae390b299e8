package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/cli/show"
	"github.com/flowtap/flowtap/mgmt/netcfg"
)

// LogBuffer keeps the last log lines for `show logging`, as a router's
// buffered logging does, and sends each to the `logging host` collectors
// as syslog over UDP (RFC 3164 framing, as IOS sends it).
type LogBuffer struct {
	mu sync.Mutex
	// lines are in the order of the times the messages were made, not
	// of their arrival: the init's lines come a poll late, and an
	// operator reads the buffer as a time line.
	lines []logLine
	size  int // bytes kept at most
	used  int
	count int // messages the buffer took since start
	hosts []*logHost
	tag   string
	// bufLevel and trapLevel are the most verbose severities the buffer
	// and the hosts take (`logging buffered ... LEVEL`, `logging trap`);
	// trapCount the messages at or above trapLevel; facility the code
	// of `logging facility`; source `logging source-interface` and the
	// address it gave or why none.
	bufLevel, trapLevel, trapCount int
	facility                       int
	source, sourceState            string
	subs                           []chan string        // interactive CLI sessions (logging console, terminal monitor)
	consoleSubs                    map[chan string]bool // those of subs that are the console's session
	// stamps, debugStamps and clock are `service timestamps log`,
	// `service timestamps debug` (for severity 7) and `clock
	// timezone|summer-time`: how a message's time is written. sync says
	// how far the clock is trusted (the `*` or `.` before a time of day);
	// nil marks nothing.
	stamps, debugStamps config.LogTimestamps
	clock               config.Clock
	sync                func() config.ClockSync
	started             time.Time // for uptime timestamps
	// console, when set, gets each message as the CLI shows it, one a
	// line (flowtapd --console-log: the image's console before the CLI
	// is up), while the next handler keeps the structured form.
	console io.Writer
}

// SetConsole writes each message from now on to w as well, in the form
// `show logging` shows it.
func (b *LogBuffer) SetConsole(w io.Writer) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.console = w
}

// SetTimestamps follows `service timestamps log ...`, `service
// timestamps debug ...` and the clock's zone, for the messages logged
// from now on.
func (b *LogBuffer) SetTimestamps(log, debug config.LogTimestamps, c config.Clock) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stamps, b.debugStamps, b.clock = log, debug, c
}

// SetClockSync tells the buffer how far the clock is trusted when a
// message is stamped: IOS marks a time of day taken from a clock no time
// source set with `*`, and one NTP set but no longer keeps with `.`.
func (b *LogBuffer) SetClockSync(f func() config.ClockSync) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sync = f
}

// stamp writes t as the timestamp configured for a message of severity
// sev (7: debug): "Dec  6 04:27:26.123: ", "*Dec  6 04:27:26.123: " while
// the clock is not set, or nothing with timestamps off.
func (b *LogBuffer) stamp(t time.Time, sev int) string {
	b.mu.Lock()
	ts, c, started, sync := b.stamps, b.clock, b.started, b.sync
	if sev == 7 {
		ts = b.debugStamps
	}
	b.mu.Unlock()
	var cs config.ClockSync
	if sync != nil {
		cs = sync()
	}
	// A message from before the daemon started (the image's init's, at
	// boot) is stamped with the daemon's start, not a negative uptime.
	s := ts.Stamp(t, max(t.Sub(started), 0), c, cs)
	if s == "" {
		return ""
	}
	return s + ": "
}

// logHost is one `logging host`: its socket (nil when it could not be
// opened, and why) and the message lines sent to it, for show logging.
type logHost struct {
	addr         netip.AddrPort
	conn         *net.UDPConn
	why          string
	dialed       time.Time // the last try to open conn
	level        int       // the most verbose severity it gets: its own level, or logging trap's
	ownLevel     string    // its own level's name when it differs from logging trap; "" otherwise
	sent, failed uint64
}

// Configure follows `logging buffered SIZE LEVEL` (size 0 keeps 4096,
// IOS's default), `logging host ADDR [transport udp port N]`, `logging
// trap`, `logging facility` and `logging source-interface`. A host
// configured before keeps its counts.
func (b *LogBuffer) Configure(l config.Logging, hostname string) {
	sourceState := ""
	if l.SourceInterface != "" {
		// As IOS, a source interface without an address does not stop
		// logging: the messages leave from the routed address, and show
		// logging says so.
		if a, err := sourceAddr(l.SourceInterface); err != nil {
			sourceState = "not usable: " + strings.TrimPrefix(err.Error(), "ip flow-export source "+l.SourceInterface+": ") + "; messages leave from the routed address"
		} else {
			sourceState = a.String()
		}
	}
	var next []*logHost
	for _, h := range l.Hosts {
		lh := &logHost{addr: netip.AddrPortFrom(h, uint16(l.HostPort(h))), level: config.Severity(l.HostLevel(h), 6)}
		if lv := l.HostLevel(h); lv != config.LogSeverities[config.Severity(l.Trap, 6)] {
			lh.ownLevel = lv
		}
		lh.dial(l.SourceInterface, time.Now())
		next = append(next, lh)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, old := range b.hosts {
		if old.conn != nil {
			old.conn.Close()
		}
		if i := slices.IndexFunc(next, func(n *logHost) bool { return n.addr == old.addr }); i >= 0 {
			next[i].sent, next[i].failed = old.sent, old.failed
		}
	}
	b.hosts, b.tag = next, hostname
	b.bufLevel = config.Severity(l.BufferedLevel, 7)
	b.trapLevel = config.Severity(l.Trap, 6)
	b.facility = config.LogFacilities["local7"]
	if f, ok := config.LogFacilities[l.Facility]; ok {
		b.facility = f
	}
	b.source, b.sourceState = l.SourceInterface, sourceState
	size := l.Buffered
	if size == 0 {
		size = 4096
	}
	b.size = size
	b.trim()
}

// dial opens the host's socket, from the source interface's address
// when it has one, else from the routed one. A connected UDP socket keeps
// its source for good, so the sender dials again when the host no longer
// has it (redial).
func (h *logHost) dial(source string, now time.Time) {
	var la *net.UDPAddr
	if a, err := sourceAddr(source); err == nil && a.IsValid() && a.Is4() == h.addr.Addr().Is4() {
		la = net.UDPAddrFromAddrPort(netip.AddrPortFrom(a, 0)) // an IPv6 host cannot be reached from an IPv4 source
	}
	h.dialed, h.why = now, ""
	c, err := net.DialUDP("udp", la, net.UDPAddrFromAddrPort(h.addr))
	if err != nil {
		h.why, h.conn = sysReason(err), nil
		return
	}
	h.conn = c
}

// redialEvery is how often a host without a socket is dialled again, at
// most (a message at a time).
const redialEvery = time.Second

// usable readies the host's socket for a message at now: one that could
// not be opened is opened again (the route may have come up since the
// configuration was read, at a boot before DHCP's lease), and one whose
// source address the host no longer has (DHCP leased the port another
// address, an operator renumbered it) is closed and opened again, where
// every message failed until the configuration changed.
func (h *logHost) usable(source string, now time.Time) bool {
	if h.conn != nil {
		if _, gone := netcfg.SourceGone(h.conn); !gone {
			return true
		}
		h.conn.Close()
		h.conn = nil
		h.dialed = time.Time{}
	}
	if !h.dialed.IsZero() && now.Sub(h.dialed) < redialEvery {
		return false
	}
	h.dial(source, now)
	return h.conn != nil
}

// sysReason is the system's words for why a socket call failed
// ("network is unreachable"), not Go's whole error chain.
func sysReason(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	return err.Error()
}

// logLine is one message in the buffer and when it was made.
type logLine struct {
	at   time.Time
	text string
}

func (b *LogBuffer) trim() {
	for b.used > b.size && len(b.lines) > 1 {
		b.used -= len(b.lines[0].text)
		b.lines = b.lines[1:]
	}
}

// NewLogBuffer keeps up to size bytes of log lines (IOS's default is 4096).
func NewLogBuffer(size int) *LogBuffer {
	return &LogBuffer{size: size, started: time.Now(), bufLevel: 7, trapLevel: 6, facility: config.LogFacilities["local7"]}
}

func (b *LogBuffer) add(at time.Time, line string, sev int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.send(at, line, sev, true)
}

// keep puts a line made at at in the buffer if its level takes it, after
// every line made no later (a line that arrives late goes back to its
// time; lines of one time keep their arrival order). The oldest by time
// goes first when the buffer is full.
func (b *LogBuffer) keep(at time.Time, line string, sev int) {
	if sev <= b.bufLevel {
		i := len(b.lines)
		for i > 0 && b.lines[i-1].at.After(at) {
			i--
		}
		b.lines = slices.Insert(b.lines, i, logLine{at: at, text: line})
		b.used += len(line)
		b.count++
		b.trim()
	}
}

// send keeps line and sends it everywhere messages go (the console
// writer only with console).
func (b *LogBuffer) send(at time.Time, line string, sev int, console bool) {
	b.deliver(at, line, sev, console, true)
}

// deliver is send; consoleSession false leaves out the console's CLI
// session, for a message the console has shown already.
func (b *LogBuffer) deliver(at time.Time, line string, sev int, console, consoleSession bool) {
	b.keep(at, line, sev)
	if console && b.console != nil {
		io.WriteString(b.console, line+"\n") // best effort, as syslog
	}
	if sev <= b.trapLevel {
		b.trapCount++
	}
	msg := ""
	for _, h := range b.hosts {
		// Each host gets what its level takes: logging trap's, or the
		// one it has of its own (JunOS `any LEVEL`).
		if sev > h.level {
			continue
		}
		if msg == "" {
			msg = fmt.Sprintf("<%d>%s %s", b.facility*8+sev, b.tag, line)
		}
		// Best effort: a dead syslog host must not stall logging; show
		// logging counts what did not go.
		if h.conn == nil && !h.usable(b.source, time.Now()) {
			h.failed++ // not opened: show logging says why
			continue
		}
		if _, err := h.conn.Write([]byte(msg)); err != nil {
			if was := h.conn; h.usable(b.source, time.Now()) && h.conn != was {
				// The source was stale: the message goes from the
				// socket opened again.
				_, err = h.conn.Write([]byte(msg))
			}
			if err != nil {
				h.failed++
				continue
			}
		}
		h.sent++
	}
	for _, c := range b.subs {
		if !consoleSession && b.consoleSubs[c] {
			continue
		}
		select {
		case c <- line:
		default: // a terminal that does not read loses messages, not the daemon
		}
	}
}

// Subscribe sends each new message to the returned channel, as IOS shows
// them on the console and on `terminal monitor` lines, until stop.
func (b *LogBuffer) Subscribe() (msgs <-chan string, stop func()) {
	c := make(chan string, 64)
	b.mu.Lock()
	b.subs = append(b.subs, c)
	b.mu.Unlock()
	return c, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for i, s := range b.subs {
			if s == c {
				b.subs = append(b.subs[:i:i], b.subs[i+1:]...)
				return
			}
		}
	}
}

// Marker lines SubscribeConsole writes to the console writer (flowtapd
// --console-log's stdout): the image's supervisor copies the daemon's
// messages onto the console up to ConsoleAttached and again from
// ConsoleDetached, and the console's CLI session shows those in between.
// Written under the lock that orders the messages, they split the stream
// exactly: no message is shown twice, none is lost in the hand-over.
const (
	ConsoleAttached = "--- flowtapd: console session attached ---"
	ConsoleDetached = "--- flowtapd: console session detached ---"
)

// SubscribeConsole is Subscribe for the console's CLI session: it also
// marks, in the console writer's stream, where the session's messages
// begin and end. Before, the supervisor stopped copying when it started
// the CLI and the CLI showed only what came after its session subscribed:
// the messages in between (SSH listening, an SSH or NTP failure at boot)
// reached neither.
func (b *LogBuffer) SubscribeConsole() (msgs <-chan string, stop func()) {
	c := make(chan string, 64)
	b.mu.Lock()
	b.subs = append(b.subs, c)
	if b.consoleSubs == nil {
		b.consoleSubs = map[chan string]bool{}
	}
	b.consoleSubs[c] = true
	if b.console != nil {
		io.WriteString(b.console, ConsoleAttached+"\n")
	}
	b.mu.Unlock()
	var once sync.Once
	return c, func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			for i, s := range b.subs {
				if s == c {
					b.subs = append(b.subs[:i:i], b.subs[i+1:]...)
					break
				}
			}
			delete(b.consoleSubs, c)
			if b.console != nil {
				io.WriteString(b.console, ConsoleDetached+"\n")
			}
		})
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

// iosKey is the attribute that gives a record its IOS message name,
// FACILITY-SEVERITY-MNEMONIC (logIOS sets it).
const iosKey = "ios"

// logIOS logs a message as IOS names it, e.g. tag "SYS-5-CONFIG_I": the
// buffer, the console and syslog show "%SYS-5-CONFIG_I: text".
func logIOS(log *slog.Logger, tag, format string, args ...any) {
	level := slog.LevelInfo
	if f := strings.Split(tag, "-"); len(f) == 3 {
		switch f[1] {
		case "0", "1", "2", "3":
			level = slog.LevelError
		case "4":
			level = slog.LevelWarn
		case "7":
			level = slog.LevelDebug
		}
	}
	log.Log(context.Background(), level, fmt.Sprintf(format, args...), iosKey, tag)
}

// Handle formats the record as IOS does, "timestamp: %FAC-SEV-MNEMONIC:
// text" (the timestamp as `service timestamps log` says, or for severity
// 7 `service timestamps debug`). A record logged without an IOS name is %FLOWTAP-SEV-LEVEL, its
// attributes after the message as words (not Go's key=value).
func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelInfo {
		line, sev := iosLine(r, h.attrs)
		at := r.Time
		if at.IsZero() { // a record made without a time is placed at its arrival
			at = time.Now()
		}
		h.buf.add(at, h.buf.stamp(r.Time, sev)+line, sev)
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

var iosPrefix = regexp.MustCompile(`^%([A-Z0-9_]+-([0-7])-[A-Z0-9_]+): (.*)$`)

func iosLine(r slog.Record, attrs []slog.Attr) (string, int) {
	sev := severity(r.Level)
	tag := fmt.Sprintf("FLOWTAP-%d-%s", sev, r.Level)
	var words []string
	add := func(a slog.Attr) bool {
		if a.Key == iosKey {
			tag = a.Value.String()
			if f := strings.Split(tag, "-"); len(f) == 3 {
				fmt.Sscan(f[1], &sev)
			}
			return true
		}
		if v := showAttr(a.Value.Resolve()); v != "" {
			words = append(words, a.Key+" "+v)
		}
		return true
	}
	msg := r.Message
	// A message already in IOS form ("%SYS-5-PRIV_AUTH_PASS: ...", as the
	// CLI logs its accounting) keeps its name.
	if m := iosPrefix.FindStringSubmatch(msg); m != nil {
		tag, msg = m[1], m[3]
		fmt.Sscan(m[2], &sev)
	}
	for _, a := range attrs {
		add(a)
	}
	r.Attrs(add)
	if len(words) > 0 {
		msg += ": " + strings.Join(words, ", ")
	}
	return fmt.Sprintf("%%%s: %s", tag, msg), sev
}

// showAttr writes a value as an operator reads it: maps as "k v" pairs,
// groups as their members, anything else as it prints.
func showAttr(v slog.Value) string {
	switch v.Kind() {
	case slog.KindGroup:
		var parts []string
		for _, a := range v.Group() {
			parts = append(parts, a.Key+" "+showAttr(a.Value.Resolve()))
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case slog.KindAny:
		rv := reflect.ValueOf(v.Any())
		if rv.Kind() == reflect.Map {
			var parts []string
			for _, k := range rv.MapKeys() {
				parts = append(parts, fmt.Sprintf("%v %v", k, rv.MapIndex(k)))
			}
			sort.Strings(parts)
			return "(" + strings.Join(parts, ", ") + ")"
		}
	}
	return v.String()
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
	v := show.LoggingView{Size: b.size, Logged: b.count,
		BufferLevel: config.LogSeverities[b.bufLevel], TrapLevel: config.LogSeverities[b.trapLevel], TrapLogged: b.trapCount,
		Source: b.source, SourceState: b.sourceState}
	for _, l := range b.lines {
		v.Lines = append(v.Lines, l.text)
	}
	if b.facility != config.LogFacilities["local7"] {
		for n, f := range config.LogFacilities {
			if f == b.facility {
				v.Facility = n
			}
		}
	}
	for _, h := range b.hosts {
		v.Hosts = append(v.Hosts, show.LoggingHost{Addr: h.addr.Addr().String(), Port: int(h.addr.Port()), Level: h.ownLevel, Sent: h.sent, Failed: h.failed, NotOpened: h.why})
	}
	b.mu.Unlock()
	return render(show.Logging, v)
}

// Messages are the buffer's messages, oldest first, each with the time
// it was made and its text without the timestamp IOS's service
// timestamps put before it (from the %TAG on), for JunOS's show log
// messages, which stamps them its own way.
func (b *LogBuffer) Messages() []show.LogMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]show.LogMessage, 0, len(b.lines))
	for _, l := range b.lines {
		text := l.text
		if i := strings.Index(text, "%"); i > 0 {
			text = text[i:]
		}
		out = append(out, show.LogMessage{At: l.at, Text: text})
	}
	return out
}

// Import adds a message another program logged at t (the image's init,
// before and beside the daemon) with its time, as IOS keeps its boot
// messages in the buffer. It goes to the buffer and, with toHosts, to the
// syslog hosts and the CLI sessions, never to the console writer: the
// program that logged it printed it there itself.
func (b *LogBuffer) Import(t time.Time, tag, msg string, toHosts bool) {
	sev := 6
	if f := strings.Split(tag, "-"); len(f) == 3 {
		fmt.Sscan(f[1], &sev)
	}
	line := b.stamp(t, sev) + "%" + tag + ": " + msg
	b.mu.Lock()
	defer b.mu.Unlock()
	if !toHosts {
		b.keep(t, line, sev)
		return
	}
	// The init wrote the line on the console itself: the console's
	// session showed each one twice (flowtapinit: [9.780] console ready,
	// then %FLOWTAPINIT-6-INFO: console ready).
	b.deliver(t, line, sev, false, false)
}
