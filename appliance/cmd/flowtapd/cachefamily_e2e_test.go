package main

import (
	"testing"

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
	var frames [][]byte
	frames = append(frames, udpFrames([4]byte{10, 0, 7, 1}, 4000, 2)...)
	frames = append(frames, udpFrames([4]byte{10, 0, 7, 2}, 4000, 1)...)
	frames = append(frames, l4Frame6("2001:db8:7::1", 17, 5000), l4Frame6("2001:db8:7::1", 17, 5000))
	v.Send(t, frames)
	for _, c := range []struct{ cmd, want string }{
		{"show ip cache flow | include inactive,\n", "  2 active, 4093 inactive, 2 added\n"},
		{"show ipv6 flow cache | include inactive,\n", "  1 active, 4093 inactive, 1 added\n"},
	} {
		if got := d.cliUntil(t, "ios", c.cmd, c.want); got != c.want {
			t.Errorf("%s: %q, want %q", c.cmd, got, c.want)
		}
	}
}
