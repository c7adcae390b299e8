package daemon

import (
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestLogBufferAndSyslog(t *testing.T) {
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 514})
	if err != nil {
		t.Fatalf("listen on the syslog port: %v", err)
	}
	defer sink.Close()
	b := NewLogBuffer(4096)
	b.Configure(120, []netip.Addr{netip.MustParseAddr("127.0.0.1")}, "tap1")
	log := slog.New(b.Handler(slog.DiscardHandler))
	log.Warn("first message", "port", "eth1")
	log.Info("second message")
	log.Info("third message, which pushes the first out of 120 bytes")
	shown := b.Show()
	if strings.Contains(shown, "first message") || !strings.Contains(shown, "third message") || !strings.Contains(shown, "3 messages logged") {
		t.Fatalf("show logging:\n%s", shown)
	}
	sink.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 512)
	n, err := sink.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	// local7.warning = 23*8+4 = 188.
	if got := string(buf[:n]); !strings.HasPrefix(got, "<188>tap1 ") || !strings.Contains(got, "first message port=eth1") {
		t.Fatalf("syslog datagram %q", got)
	}
}
