package export

import (
	"slices"
	"testing"
	"time"
)

// SocketTTL exposes the exporter socket's TTL option to the external tests.
func SocketTTL(e *Exporter) (int, error) { return socketTTL(e.snd.conn, e.cfg.Collector.Addr()) }

func TestPacketQueueIsBounded(t *testing.T) {
	q := newPacketQueue(2, 8)
	for i := range 2 {
		if !q.put([]byte{byte(i)}, PacketInfo{Records: 1}) {
			t.Fatalf("put %d refused with a free slot", i)
		}
	}
	if q.put([]byte{9}, PacketInfo{}) {
		t.Fatal("third put accepted into a 2-slot queue")
	}
	if q.put(make([]byte, 9), PacketInfo{}) {
		t.Fatal("packet larger than a slot accepted")
	}
	i := <-q.ready
	if q.slots[i].n != 1 || q.slots[i].buf[0] != 0 {
		t.Fatalf("first slot holds % x, want 00", q.slots[i].buf[:q.slots[i].n])
	}
	q.release(i)
	if !q.put([]byte{7}, PacketInfo{}) {
		t.Fatal("put refused after a slot was released")
	}
}

// TestStillUnreachableLoggedLess: a collector unreachable for 30 days is
// logged again after 1, 2, 4 ... 64 minutes, then hourly: 725 lines, not
// one a minute (43,200), which left nothing else in show logging.
func TestStillUnreachableLoggedLess(t *testing.T) {
	down := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &sender{downSince: down, lastDownLog: down}
	var at []time.Duration
	for now := down; now.Sub(down) <= 30*24*time.Hour; now = now.Add(time.Second) {
		if s.stillDownDue(now) {
			s.lastDownLog = now
			at = append(at, now.Sub(down))
		}
	}
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute,
		32 * time.Minute, 64 * time.Minute, 124 * time.Minute}
	if len(at) < len(want) || !slices.Equal(at[:len(want)], want) {
		t.Fatalf("logged again at %v..., want %v...", at[:min(len(at), len(want))], want)
	}
	if len(at) != 725 {
		t.Errorf("%d lines in 30 days, want 725", len(at))
	}
}

// fitName cuts fixed-length option strings without splitting a UTF-8
// sequence: nfcapd rejects a name that is not valid UTF-8.
func TestFitNameKeepsUTF8Whole(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"https", 23, "https"},
		{"abcdefghijklmnopqrstuvwxyz", 23, "abcdefghijklmnopqrstuvw"},
		{"aaaaaaaaaaaaaaaaaaaaaaé", 23, "aaaaaaaaaaaaaaaaaaaaaa"}, // é is 2 bytes at 22-23
		{"ééé", 5, "éé"},
		{"€", 2, ""},
	} {
		if got := fitName(c.in, c.max); got != c.want {
			t.Errorf("fitName(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}
