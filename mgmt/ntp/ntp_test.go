package ntp

import (
	"context"
	"encoding/binary"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeServer answers NTP requests with a clock offset from ours.
func fakeServer(t *testing.T, offset time.Duration) int {
	t.Helper()
	return fakeServerConn(t, offset).LocalAddr().(*net.UDPAddr).Port
}

// fakeServerConn is fakeServer's socket: closing it silences the server.
func fakeServerConn(t *testing.T, offset time.Duration) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 48)
		for {
			n, from, err := c.ReadFromUDP(buf)
			if err != nil || n < 48 {
				return
			}
			now := time.Now().Add(offset)
			resp := make([]byte, 48)
			resp[0] = 0<<6 | 4<<3 | 4 // no leap, version 4, server
			resp[1] = 2               // stratum
			resp[3] = 0xec            // precision
			copy(resp[12:16], []byte{127, 0, 0, 1})
			copy(resp[24:32], buf[40:48]) // origin = client's transmit
			put := func(off int, t time.Time) {
				secs := uint64(t.Unix() + 2208988800)
				frac := uint64(t.Nanosecond()) << 32 / 1e9
				binary.BigEndian.PutUint64(resp[off:], secs<<32|frac)
			}
			put(16, now) // reference
			put(32, now) // receive
			put(40, now) // transmit
			c.WriteToUDP(resp, from)
		}
	}()
	return c
}

func TestPollMeasuresOffset(t *testing.T) {
	port := fakeServer(t, 3*time.Second)
	c := &Client{Servers: func() []netip.Addr {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	}, Port: port}
	st := c.Poll()
	if st.Err != nil {
		t.Fatal(st.Err)
	}
	if d := st.Offset - 3*time.Second; d < -100*time.Millisecond || d > 100*time.Millisecond || st.Stratum != 2 || st.Stepped {
		t.Fatalf("status %+v: want offset ~3s, stratum 2, not stepped (Step is off)", st)
	}
	if c.Status() != st {
		t.Fatal("Status does not keep the last poll")
	}
}

func TestUnreachableServerIsReported(t *testing.T) {
	c := &Client{Servers: func() []netip.Addr { return []netip.Addr{netip.MustParseAddr("127.0.0.1")} }, Port: 9}
	if st := c.Poll(); st.Err == nil {
		t.Fatal("a server that does not answer gave no error")
	}
}

// TestSyncedAndLost: no answer yet is neither now nor ever; an answer is
// both; a later failure keeps ever (IOS's "." rather than "*"). Kick
// makes Run poll before its interval.
func TestSyncedAndLost(t *testing.T) {
	port := fakeServer(t, 0)
	var mu sync.Mutex
	server := "127.0.0.1"
	c := &Client{Servers: func() []netip.Addr {
		mu.Lock()
		defer mu.Unlock()
		return []netip.Addr{netip.MustParseAddr(server)}
	}, Port: port, Interval: time.Hour}
	if now, ever := c.Synced(); now || ever {
		t.Fatalf("before any poll: now %v, ever %v", now, ever)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Run(ctx)
	wait := func(wantNow, wantEver bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if now, ever := c.Synced(); now == wantNow && ever == wantEver {
				return
			} else if time.Now().After(deadline) {
				t.Fatalf("now %v, ever %v; want %v, %v (%+v)", now, ever, wantNow, wantEver, c.Status())
			}
		}
	}
	wait(true, true)
	// A server with nothing behind it: the next poll, which Kick brings
	// forward by the hour, fails.
	mu.Lock()
	server = "127.77.0.9"
	mu.Unlock()
	c.Kick()
	wait(false, true)
}

// TestAssociations: the real client against a responder and an address
// with nothing behind it. Each poll of a server shifts its reach
// register, a 1 in for an answer; a server after one that answers is not
// polled (its register stays); the answer's reference, stratum, delay,
// offset and dispersion are kept; the server the time came from is in
// use; a removed server is forgotten.
func TestAssociations(t *testing.T) {
	conn := fakeServerConn(t, 2*time.Second)
	good, dead := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.77.0.9")
	var mu sync.Mutex
	servers := []netip.Addr{dead, good}
	c := &Client{Servers: func() []netip.Addr {
		mu.Lock()
		defer mu.Unlock()
		return servers
	}, Port: conn.LocalAddr().(*net.UDPAddr).Port, Interval: 16 * time.Second}
	set := func(s ...netip.Addr) { mu.Lock(); servers = s; mu.Unlock() }
	assoc := func() []Association {
		t.Helper()
		as := c.Associations()
		if len(as) != len(c.Servers()) {
			t.Fatalf("%d associations for %d servers", len(as), len(c.Servers()))
		}
		return as
	}

	if as := assoc(); as[0].Polled || as[1].Polled || as[0].InUse || as[1].InUse || as[1].Server != good {
		t.Fatalf("before a poll: %+v", as)
	}
	before := time.Now()
	for range 3 {
		c.Poll()
	}
	as := assoc()
	d, g := as[0], as[1]
	if !d.Polled || d.Reach != 0 || !d.LastReply.IsZero() || d.InUse {
		t.Fatalf("dead server: %+v; want polled, reach 0, never heard, not in use", d)
	}
	if !g.Polled || g.Reach != 0o7 || !g.InUse || g.RefID != "127.0.0.1" || g.Stratum != 2 || g.LastReply.Before(before) {
		t.Fatalf("answering server: %+v; want reach 07, in use, ref 127.0.0.1, stratum 2", g)
	}
	if off := g.Offset - 2*time.Second; off < -100*time.Millisecond || off > 100*time.Millisecond || g.Delay <= 0 || g.Delay > time.Second {
		t.Fatalf("offset %v, delay %v; want ~2s and a loopback round trip", g.Offset, g.Delay)
	}
	// The responder's precision is 2^-20 s.
	if want := time.Second>>20 + time.Duration(phi*float64(g.Delay)); g.Dispersion < want-2*time.Nanosecond || g.Dispersion > want+2*time.Nanosecond {
		t.Fatalf("dispersion %v, want %v", g.Dispersion, want)
	}
	if c.PollInterval() != 16*time.Second {
		t.Fatalf("poll interval %v", c.PollInterval())
	}

	// The answering server first: the dead one is no longer asked.
	set(good, dead)
	c.Poll()
	if as := assoc(); as[0].Reach != 0o17 || as[1].Reach != 0 || !as[0].InUse {
		t.Fatalf("after the reorder: %+v", as)
	}
	// The responder goes silent: a 0 in, its last answer kept, not in use.
	conn.Close()
	c.Poll()
	as = assoc()
	if as[0].Reach != 0o36 || as[0].InUse || as[0].Stratum != 2 || as[1].Reach != 0 || as[1].InUse {
		t.Fatalf("after a miss: %+v; want 036, not in use, last answer kept", as)
	}
	// Removed, then configured again: it starts over.
	set(dead)
	c.Poll()
	set(dead, good)
	if as := assoc(); as[1].Polled || as[1].Reach != 0 || !as[1].LastReply.IsZero() {
		t.Fatalf("a removed server came back with %+v", as[1])
	}
}

// TestUnreachableServerLoggedOnce: a server that stops answering is
// logged at its first failed poll, then once an hour while it stays
// silent, and when it answers again; the polls between log nothing. Each
// failed poll was logged before: a month without the server filled `show
// logging` and the syslog hosts with a line every 64 s.
func TestUnreachableServerLoggedOnce(t *testing.T) {
	live := fakeServer(t, 0)
	dead := fakeServerConn(t, 0)
	deadPort := dead.LocalAddr().(*net.UDPAddr).Port
	dead.Close() // nothing listens there: refused at once
	var log syncLog
	clock := time.Now()
	c := &Client{Servers: func() []netip.Addr { return []netip.Addr{netip.MustParseAddr("127.0.0.1")} }, Port: deadPort,
		Logger: slog.New(slog.NewTextHandler(&log, nil)), now: func() time.Time { return clock }}
	poll := func(n int) {
		for range n {
			c.Poll()
			clock = clock.Add(64 * time.Second)
		}
	}
	poll(50) // 53 minutes
	if n := strings.Count(log.String(), "ntp poll failed"); n != 1 {
		t.Fatalf("%d lines for 50 failed polls in 53 minutes, want 1:\n%s", n, log.String())
	}
	// Why, in the words show ntp status uses, not the socket's error.
	if l := log.String(); !strings.Contains(l, `reason="refused: no NTP server at that address"`) || strings.Contains(l, "recvmsg") {
		t.Errorf("the failed poll's line does not say why in an operator's words:\n%s", l)
	}
	poll(20) // past the hour
	if n := strings.Count(log.String(), "ntp poll failed"); n != 2 || !strings.Contains(log.String(), "down-for=1h") {
		t.Fatalf("%d lines after 70 failed polls (75 minutes), want 2, the second saying for how long:\n%s", n, log.String())
	}
	c.Port = live
	poll(3)
	if n := strings.Count(log.String(), "ntp server answers again"); n != 1 {
		t.Fatalf("%d lines saying the server answers again, want 1:\n%s", n, log.String())
	}
	c.Port = deadPort
	poll(3)
	if n := strings.Count(log.String(), "ntp poll failed"); n != 3 {
		t.Fatalf("%d lines, want 3: a new run of failures is logged:\n%s", n, log.String())
	}
}

// syncLog is a log sink safe for the client's goroutines.
type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestUpdateCalendar: with `ntp update-calendar` (and a client that sets
// the clock) the hardware clock is written once a server answers, and
// again only CalendarEvery later; without it, or without Step (a host
// that keeps its own time), never, as IOS leaves the calendar alone
// unless told. The server agrees with our clock, so nothing is stepped.
func TestUpdateCalendar(t *testing.T) {
	port := fakeServer(t, 0)
	for _, tc := range []struct {
		name       string
		step, upd  bool
		wantWrites int
	}{
		{"update-calendar", true, true, 1},
		{"no update-calendar", true, false, 0},
		{"host without --ntp-step", false, true, 0},
	} {
		var writes []time.Time
		c := &Client{Servers: func() []netip.Addr { return []netip.Addr{netip.MustParseAddr("127.0.0.1")} }, Port: port,
			Step: tc.step, UpdateCalendar: func() bool { return tc.upd },
			Calendar: func(at time.Time) error { writes = append(writes, at); return nil }}
		for range 3 {
			if st := c.Poll(); st.Err != nil || st.Stepped {
				t.Fatalf("%s: poll %+v", tc.name, st)
			}
		}
		if len(writes) != tc.wantWrites {
			t.Errorf("%s: the hardware clock was written %d times in 3 polls, want %d", tc.name, len(writes), tc.wantWrites)
		}
		if len(writes) > 0 && time.Since(writes[0]) > time.Minute {
			t.Errorf("%s: the hardware clock was set to %v", tc.name, writes[0])
		}
	}
}
