package main

import (
	"fmt"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestIPv6TopTalkers: `show ipv6 flow top-talkers` ranks the IPv6 flows
// metered on a veth in the wide layout, and `show ip flow top-talkers`
// the IPv4 ones only, each counting its own family's flows.
func TestIPv6TopTalkers(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, fmt.Sprintf(`hostname top6
username admin secret letmein
interface %s
 ip flow ingress
!
ip flow-top-talkers
 top 2
 sort-by packets
!
`, v.Mon))
	d.waitMetering(t, v.Mon)
	var frames [][]byte
	for i, n := range []int{4, 7, 2} {
		for range n {
			frames = append(frames, l4Frame6(fmt.Sprintf("2001:db8::%d", i+1), 17, 5000))
		}
	}
	for range 3 {
		frames = append(frames, udpFrame([4]byte{10, 6, 0, 1}, 1000, 20))
	}
	v.Send(t, frames)
	if got := d.cliUntil(t, "ios", "show ip flow datapath | include frames seen\n", "  16 frames seen (1122 bytes)\n"); got != "  16 frames seen (1122 bytes)\n" {
		t.Fatalf("show ip flow datapath: %q", got)
	}
	want6 := "SrcAddress                              InpIf      DstAddress                              OutIf      Prot SrcPrt DstPrt Packets\n" +
		"2001:DB8::2                             vmon       2001:DB8::9                             Null       0x11 0x1388 0x0035 7\n" +
		"2001:DB8::1                             vmon       2001:DB8::9                             Null       0x11 0x1388 0x0035 4\n" +
		"2 of 3 top talkers shown. 3 flows processed.\n"
	if got := d.cli(t, "ios", "show ipv6 flow top-talkers\n"); got != want6 {
		t.Errorf("show ipv6 flow top-talkers:\n%s\nwant:\n%s", got, want6)
	}
	want4 := "SrcIf         SrcIPaddress    DstIf         DstIPaddress    Pr SrcP DstP  Pkts\n" +
		"vmon          10.6.0.1        Null          192.0.2.9       11 03E8 0035     3\n" +
		"1 of 1 top talkers shown. 1 flows processed.\n"
	if got := d.cli(t, "ios", "show ip flow top-talkers\n"); got != want4 {
		t.Errorf("show ip flow top-talkers:\n%s\nwant:\n%s", got, want4)
	}
}
