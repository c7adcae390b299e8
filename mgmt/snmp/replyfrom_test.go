package snmp

import (
	"net"
	"net/netip"
	"testing"
	"time"
)

// TestReplyFromAddressAsked: an agent on a wildcard address answers from
// the address the request was sent to. Asked at 127.0.0.2, it used to
// answer from 127.0.0.1 (the kernel's preferred source towards the
// manager), which a manager or firewall matching replies to requests
// drops, as it does an answer from a box's primary address to a request
// sent to its secondary one.
func TestReplyFromAddressAsked(t *testing.T) {
	cfg := testConfig(newFakeBackend())
	cfg.Listen = []string{"0.0.0.0:0"}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	port := a.LocalAddrs()[0].(*net.UDPAddr).Port
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := communityRequest(t, version2c, roCommunity, getPDU(t, pduGet, 0, 0, "1.3.6.1.2.1.1.5.0"))
	for _, asked := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"} {
		to := netip.AddrPortFrom(netip.MustParseAddr(asked), uint16(port))
		if _, err := c.WriteTo(req, net.UDPAddrFromAddrPort(to)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 2048)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			t.Fatalf("asked at %s: %v", to, err)
		}
		if got := from.(*net.UDPAddr).AddrPort(); got != to {
			t.Errorf("asked at %s, answered from %s", to, got)
		}
		if p := decodeResponse(t, buf[:n]); p.errStatus != 0 || len(p.vbs) != 1 {
			t.Errorf("asked at %s: status %d", to, p.errStatus)
		}
	}
}
