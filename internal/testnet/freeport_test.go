package testnet

import (
	"net"
	"strconv"
	"testing"
)

// A picked port must lie below the ephemeral range, where no unbound
// socket of the daemon under test can be given it, and must bind.
func TestFreePortBelowEphemeralRange(t *testing.T) {
	low := ephemeralLow()
	for _, network := range []string{"tcp", "udp"} {
		for range 50 {
			p := FreePort(t, network)
			if p >= low || p < 10000 {
				t.Fatalf("%s port %d outside [10000, %d)", network, p, low)
			}
		}
	}
	a := FreeAddr(t, "udp")
	c, err := net.ListenPacket("udp", a)
	if err != nil {
		t.Fatalf("bind the picked %s: %v", a, err)
	}
	c.Close()
	if _, port, _ := net.SplitHostPort(a); port == "" {
		t.Fatalf("address %q has no port", a)
	} else if n, _ := strconv.Atoi(port); n >= low {
		t.Fatalf("address %q is in the ephemeral range", a)
	}
}
