package export_test

import (
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
)

// Times shared by the golden tests; their wire values are written out by
// hand in each test.
var (
	boot = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) // unix 1704067200
	// now: unix_secs 1704070800 = 0x65920e90, nsecs 123456789 = 0x075bcd15,
	// sysUptime 3600123 ms = 0x0036eefb.
	now = boot.Add(time.Hour + 123456789*time.Nanosecond)
)

// fakeClock is an injectable clock that only moves when told to.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// capture is a PacketWriter that keeps copies of every packet.
type capture struct {
	pkts  [][]byte
	infos []export.PacketInfo
}

func (c *capture) WritePacket(p []byte, info export.PacketInfo) error {
	c.pkts = append(c.pkts, append([]byte(nil), p...))
	c.infos = append(c.infos, info)
	return nil
}

// hx decodes hand-written hex; spaces, newlines and |-separators are for
// the reader only.
func hx(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.NewReplacer(" ", "", "\n", "", "\t", "", "|", "").Replace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex literal: %v", err)
	}
	return b
}

// fieldAt names one wire field and the value it must hold.
type fieldAt struct {
	name string
	off  int
	size int    // 1, 2, 4 or 8 for integers
	want uint64 // integer value; for addresses write the IPv4 as hex
	raw  []byte // instead of want, for addresses and names
}

// checkFields asserts each field of tab at base+off in b.
func checkFields(t *testing.T, what string, b []byte, base int, tab []fieldAt) {
	t.Helper()
	for _, f := range tab {
		off := base + f.off
		if f.raw != nil {
			if off+len(f.raw) > len(b) {
				t.Errorf("%s %s: offset %d beyond packet of %d bytes", what, f.name, off, len(b))
				continue
			}
			if got := b[off : off+len(f.raw)]; string(got) != string(f.raw) {
				t.Errorf("%s %s @%d = % x, want % x", what, f.name, f.off, got, f.raw)
			}
			continue
		}
		if off+f.size > len(b) {
			t.Errorf("%s %s: offset %d beyond packet of %d bytes", what, f.name, off, len(b))
			continue
		}
		var got uint64
		switch f.size {
		case 1:
			got = uint64(b[off])
		case 2:
			got = uint64(binary.BigEndian.Uint16(b[off:]))
		case 4:
			got = uint64(binary.BigEndian.Uint32(b[off:]))
		case 8:
			got = binary.BigEndian.Uint64(b[off:])
		default:
			t.Fatalf("%s %s: bad size %d", what, f.name, f.size)
		}
		if got != f.want {
			t.Errorf("%s %s @%d = %#x, want %#x", what, f.name, f.off, got, f.want)
		}
	}
}

// wholeEqual compares a packet with the hand-written literal and shows the
// first differing offset.
func wholeEqual(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if string(got) == string(want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Errorf("%s: %d bytes, want %d; first difference at offset %d\n got: % x\nwant: % x", what, len(got), len(want), i, got, want)
}

// tcpRecord is the flow the golden tests encode.
func tcpRecord() flow.Record {
	return flow.Record{
		Key: flow.Key{
			SrcAddr: netip.MustParseAddr("10.0.0.1"),   // 0a000001
			DstAddr: netip.MustParseAddr("192.0.2.10"), // c000020a
			SrcPort: 12345,                             // 3039
			DstPort: 80,                                // 0050
			Proto:   6,
			ToS:     0x28,
			InputIf: 3,
		},
		Packets:   10,                                // 0a
		Bytes:     1500,                              // 05dc
		Start:     boot.Add(1000 * time.Millisecond), // uptime 0x3e8, unix ms 1704067201000
		End:       boot.Add(3500 * time.Millisecond), // uptime 0xdac, unix ms 1704067203500
		TCPFlags:  0x1b,                              // FIN SYN PSH ACK
		OutputIf:  4,
		NextHop:   netip.MustParseAddr("10.0.0.254"), // 0a0000fe
		SrcAS:     64512,                             // fc00
		DstAS:     65001,                             // fde9
		SrcMask:   24,
		DstMask:   16,
		EndReason: flow.EndOfFlow,
	}
}

func v6Record() flow.Record {
	r := tcpRecord()
	r.SrcAddr = netip.MustParseAddr("2001:db8::1")
	r.DstAddr = netip.MustParseAddr("2001:db8::2")
	r.NextHop = netip.MustParseAddr("fe80::1")
	r.SrcMask, r.DstMask = 48, 64
	return r
}

func newEncoder(t testing.TB, cfg export.EncoderConfig) (export.Encoder, *capture) {
	t.Helper()
	c := &capture{}
	if cfg.BootTime.IsZero() {
		cfg.BootTime = boot
	}
	if cfg.Clock == nil {
		cfg.Clock = newFakeClock(now)
	}
	enc, err := export.NewEncoder(cfg, c)
	if err != nil {
		t.Fatalf("NewEncoder(%+v): %v", cfg, err)
	}
	return enc, c
}

func mustAdd(t testing.TB, enc export.Encoder, r flow.Record) {
	t.Helper()
	if err := enc.Add(&r); err != nil {
		t.Fatalf("Add: %v", err)
	}
}

func mustFlush(t testing.TB, enc export.Encoder) {
	t.Helper()
	if err := enc.Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}
