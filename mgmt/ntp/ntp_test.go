package ntp

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// fakeServer answers NTP requests with a clock offset from ours.
func fakeServer(t *testing.T, offset time.Duration) int {
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
	return c.LocalAddr().(*net.UDPAddr).Port
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
