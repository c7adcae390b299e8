package show

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
)

// TestBriefMethodDHCP: an address a DHCP client holds (the image's
// management port, by default) shows Method DHCP, as on IOS; a static one
// stays manual.
func TestBriefMethodDHCP(t *testing.T) {
	ifs := []Interface{
		{Name: "eth0", AdminUp: true, Carrier: true, ProtocolUp: true,
			Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.2.15/24")}, Leased: []netip.Addr{netip.MustParseAddr("10.0.2.15")}},
		{Name: "eth9", AdminUp: true, Carrier: true, ProtocolUp: true,
			Addrs: []netip.Prefix{netip.MustParsePrefix("192.0.2.1/24")}, Leased: []netip.Addr{netip.MustParseAddr("192.0.2.99")}},
	}
	var b bytes.Buffer
	ShowIPInterfaceBrief(&b, ifs)
	lines := strings.Split(b.String(), "\n")
	if want := "eth0                       10.0.2.15       YES DHCP   up                    up"; lines[1] != want {
		t.Errorf("leased address:\n%q\nwant\n%q", lines[1], want)
	}
	if want := "eth9                       192.0.2.1       YES manual up                    up"; lines[2] != want {
		t.Errorf("static address:\n%q\nwant\n%q", lines[2], want)
	}
}
