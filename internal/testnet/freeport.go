package testnet

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"testing"
)

// FreePort returns a loopback port free for network ("tcp" or "udp") that
// a test hands to another process (flowtapd's listen flags, nfcapd's -p).
// A port the kernel chose for a socket that was then closed is in the
// ephemeral range, so the next process to open an unbound socket (the
// daemon's own exporter dialling its collector, say) may be given it
// before the intended listener binds: CI saw SNMP fail with "address
// already in use" that way. A port below that range is never handed out
// implicitly, so only another explicit pick can take it, and the pick
// checks it is free first.
func FreePort(t testing.TB, network string) int {
	t.Helper()
	low := ephemeralLow()
	const floor = 10000
	for range 200 {
		p := floor + rand.IntN(low-floor)
		addr := fmt.Sprintf("127.0.0.1:%d", p)
		var err error
		switch network {
		case "tcp":
			var l net.Listener
			if l, err = net.Listen("tcp", addr); err == nil {
				l.Close()
			}
		case "udp":
			var c net.PacketConn
			if c, err = net.ListenPacket("udp", addr); err == nil {
				c.Close()
			}
		default:
			t.Fatalf("FreePort: network %q", network)
		}
		if err == nil {
			return p
		}
	}
	t.Fatalf("no free %s port below %d in 200 tries", network, low)
	return 0
}

// FreeAddr is FreePort as a "127.0.0.1:port" address.
func FreeAddr(t testing.TB, network string) string {
	t.Helper()
	return fmt.Sprintf("127.0.0.1:%d", FreePort(t, network))
}

// ephemeralLow reads the first port of the kernel's ephemeral range,
// falling back to Linux's default when it cannot be read.
func ephemeralLow() int {
	low := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		var lo, hi int
		if n, _ := fmt.Sscan(string(b), &lo, &hi); n == 2 && lo > 10001 {
			low = lo
		}
	}
	return low
}
