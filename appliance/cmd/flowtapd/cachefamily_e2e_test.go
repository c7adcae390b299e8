package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestCacheHeaderPerFamily: show ip cache flow's header counts the IPv4
// flows and show ipv6 flow cache's the IPv6 ones, as IOS's IPv4 and IPv6
// caches are separate; both gave the whole cache's active and added. The
// inactive entries are the table's free ones, which either family takes.
func TestCacheHeaderPerFamily(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, "hostname fam\nusername admin privilege 15 secret letmein\ninterface "+v.Mon+"\n ip flow ingress\n!\n")
	d.waitMetering(t, v.Mon)
	v.Send(t, twoFamilyFrames(7))
	for _, c := range []struct{ cmd, want string }{
		{"show ip cache flow | include inactive,\n", "  2 active, 4093 inactive, 2 added\n"},
		{"show ipv6 flow cache | include inactive,\n", "  1 active, 4093 inactive, 1 added\n"},
	} {
		if got := d.cliUntil(t, "ios", c.cmd, c.want); got != c.want {
			t.Errorf("%s: %q, want %q", c.cmd, got, c.want)
		}
	}
}

// TestProtocolTablePerFamily: once the flows age out, show ip cache
// flow's protocol table counts the IPv4 flows and show ipv6 flow cache's
// the IPv6 one, each family in its own UDP-DNS and Total: rows; both
// tables counted all 3 flows. The packet size distribution stays the
// datapath's one histogram of both families.
func TestProtocolTablePerFamily(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, "hostname famp\nusername admin privilege 15 secret letmein\nip flow-cache timeout inactive 10\n"+
		"interface "+v.Mon+"\n ip flow ingress\n!\n")
	d.waitMetering(t, v.Mon)
	v.Send(t, twoFamilyFrames(8))
	// Flows, packets per flow and bytes per packet of each row (the
	// rates and times depend on when the flows aged out). IPv4: 2 flows
	// of 3 packets of 38 bytes; IPv6: 1 of 2 packets of 58.
	rows := regexp.MustCompile(`(?m)^(UDP-DNS|Total:)\s+(\d+)\s+\S+\s+(\d+)\s+(\d+)\s`)
	for _, c := range []struct{ cmd, want string }{
		{"show ip cache flow\n", "UDP-DNS 2 1 38|Total: 2 1 38|"},
		{"show ipv6 flow cache\n", "UDP-DNS 1 2 58|Total: 1 2 58|"},
	} {
		var got, screen string
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(500 * time.Millisecond) {
			screen = d.cli(t, "ios", c.cmd)
			got = ""
			for _, m := range rows.FindAllStringSubmatch(screen, -1) {
				got += strings.Join(m[1:], " ") + "|"
			}
			if got == c.want || time.Now().After(deadline) {
				break
			}
		}
		if got != c.want {
			t.Errorf("%s: protocol rows %q, want %q:\n%s", c.cmd, got, c.want, screen)
		}
		if !strings.Contains(screen, "IP packet size distribution (5 total packets):") {
			t.Errorf("%s: the size distribution is not the 5 packets of both families:\n%s", c.cmd, screen)
		}
	}
}

// twoFamilyFrames are two IPv4 flows from 10.0.n.1 and 10.0.n.2 (udpFrames'
// shape, counts 2 and 1) and one IPv6 flow of two packets from 2001:db8:n::1.
func twoFamilyFrames(n byte) [][]byte {
	var frames [][]byte
	frames = append(frames, udpFrames([4]byte{10, 0, n, 1}, 4000, 2)...)
	frames = append(frames, udpFrames([4]byte{10, 0, n, 2}, 4000, 1)...)
	six := fmt.Sprintf("2001:db8:%x::1", n)
	return append(frames, l4Frame6(six, 17, 5000), l4Frame6(six, 17, 5000))
}
