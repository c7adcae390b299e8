package export

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"syscall"
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

// TestOutageTimedFromTheRefusedPacket: an ICMP error is read after later
// packets went out. A packet sent before the refused one and confirmed
// afterwards says nothing of the collector (it stays unreachable); one
// sent after it got through, so the collector is back, and the outage
// lasted from the refused packet's send to that one's. Timing it from
// when the error was read logged "reachable again" with a negative
// down-for, every few seconds on the make qemu demo while a route flapped.
func TestOutageTimedFromTheRefusedPacket(t *testing.T) {
	collector := netip.MustParseAddrPort("192.0.2.10:2055")
	var logs bytes.Buffer
	e := &Exporter{cfg: DestinationConfig{Collector: collector}}
	s := &e.snd
	s.e = e
	s.log.Store(slog.New(slog.NewTextHandler(&logs, nil)))
	t0 := time.Date(2026, 12, 6, 18, 56, 45, 0, time.UTC)
	packet := func(id byte, at time.Time) inFlight {
		f := inFlight{size: 100, info: PacketInfo{Records: 1, Packets: 1}, at: at, queued: true, klen: keyLen}
		f.key[keyLen-1] = id
		return f
	}
	before, refused, after := packet(1, t0), packet(2, t0.Add(100*time.Millisecond)), packet(3, t0.Add(300*time.Millisecond))
	s.flight = []inFlight{before, refused, after}
	read := t0.Add(400 * time.Millisecond) // the error is read after all three went out
	s.icmpError(read, refused.key[:], syscall.ECONNREFUSED, netip.Addr{})
	if !s.unreachable.Load() || !s.downSince.Equal(refused.at) {
		t.Fatalf("after the error: unreachable %v since %v, want true since %v", s.unreachable.Load(), s.downSince, refused.at)
	}
	s.confirm(0) // before: got through, but went out before the refused one
	if !s.unreachable.Load() {
		t.Fatalf("a packet sent before the refused one ended the outage:\n%s", logs.String())
	}
	s.confirm(0) // after: got through after the refused one
	if s.unreachable.Load() {
		t.Fatal("a packet sent after the refused one got through and the collector is still unreachable")
	}
	st := e.stats.snapshot()
	if st.Records != 2 || st.LostRecords != 1 {
		t.Errorf("%d records exported, %d lost; want 2 and 1", st.Records, st.LostRecords)
	}
	if !strings.Contains(logs.String(), "collector reachable again") || !strings.Contains(logs.String(), "down-for=200ms") {
		t.Errorf("the recovery is not logged with down-for=200ms:\n%s", logs.String())
	}
}

// StartSequenceAt sets the sequence number enc puts in its next header
// (v5/v7/v8 flow_sequence, v9 packets, IPFIX data records): the tests
// start it near 2^32 to see it wrap, as it does after months of export.
func StartSequenceAt(enc Encoder, n uint32) {
	switch e := enc.(type) {
	case *legacy:
		e.seq = n
	case *templated:
		e.seq = n
	default:
		panic(fmt.Sprintf("StartSequenceAt: %T", enc))
	}
}
