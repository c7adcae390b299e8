package main

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// fnfMonitorStats is `show flow monitor NAME statistics` for a monitor
// with active timeout 60 s and inactive 600 s on a 4096-entry cache.
func fnfMonitorStats(name string, current, added, forced int) string {
	return fmt.Sprintf("Flow Monitor %s:\n", name) +
		"  Cache type:                Normal (Platform cache)\n" +
		"  Cache size:                                 4096\n" +
		fmt.Sprintf("  Current entries:                      %10d\n\n", current) +
		fmt.Sprintf("  Flows added:                          %10d\n", added) +
		fmt.Sprintf("  Flows aged:                           %10d\n", forced) +
		"    - Active timeout    (    60 secs)            0\n" +
		"    - Inactive timeout  (   600 secs)            0\n" +
		"    - Event aged                                 0\n" +
		"    - Emergency aged                             0\n" +
		fmt.Sprintf("    - %-30s%14d\n", "Forced (clear)", forced) +
		"  Flows not added (cache full):                  0\n"
}

// TestFNFMonitorStatisticsPerFamily: an IPv4 and an IPv6 flow monitor on
// one port each count their own family's flows, as IOS-XE's monitors
// count their own caches: show flow monitor statistics (and the header
// of show flow monitor cache) gave both the whole cache's counters, so
// the IPv4 monitor claimed the IPv6 flows and the other way round. A
// clear of the statistics with flows of both families in the cache
// counts each family's added from its own flows then.
func TestFNFMonitorStatisticsPerFamily(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname fnfstats
username admin privilege 15 secret letmein
flow exporter E
 destination %s
 transport udp %d
!
flow monitor M4
 exporter E
 cache timeout inactive 600
 cache timeout active 60
 record netflow ipv4 original-input
!
flow monitor M6
 exporter E
 cache timeout inactive 600
 cache timeout active 60
 record netflow ipv6 original-input
!
interface %s
 ip flow monitor M4 input
 ipv6 flow monitor M6 input
!
`, capd.Addr.Addr(), capd.Addr.Port(), v.Mon))
	d.waitMetering(t, v.Mon)
	send := func(v4 []byte, v6 []string) {
		t.Helper()
		var frames [][]byte
		for _, b := range v4 {
			frames = append(frames, udpFrames([4]byte{10, 0, 8, b}, 4000, 2)...)
		}
		for _, a := range v6 {
			frames = append(frames, l4Frame6(a, 17, 5000))
		}
		v.Send(t, frames)
	}
	stats := func(m string, current, added, forced int) {
		t.Helper()
		want := fnfMonitorStats(m, current, added, forced)
		if got := d.cli(t, "ios", "show flow monitor "+m+" statistics\n"); got != want {
			t.Errorf("show flow monitor %s statistics:\n%s\nwant:\n%s", m, got, want)
		}
	}
	// The cache's header: the IPv4 flows active and added, the table's
	// free entries (all flows counted).
	waitAdded := func(all, active4, added4 int) {
		t.Helper()
		want := fmt.Sprintf("  %d active, %d inactive, %d added\n", active4, 4096-all, added4)
		if got := d.cliUntil(t, "ios", "show ip cache flow | include added\n", want); got != want {
			t.Fatalf("show ip cache flow: %q, want %q", got, want)
		}
	}

	send([]byte{1, 2, 3}, []string{"2001:db8::1", "2001:db8::2"})
	waitAdded(5, 3, 3)
	stats("M4", 3, 3, 0)
	stats("M6", 2, 2, 0)
	// The cache screen's header is the monitor's too.
	if got, want := d.cli(t, "ios", "show flow monitor M6 cache | include Current|Flows added\n"),
		"  Current entries:                               2\n  Flows added:                                   2\n"; got != want {
		t.Errorf("show flow monitor M6 cache header: %q, want %q", got, want)
	}

	// Cleared with 3 IPv4 and 2 IPv6 flows held: each family's added
	// counts only the flows that came after.
	d.cli(t, "ios", "clear flow monitor M4 statistics\n")
	send([]byte{4}, []string{"2001:db8::3", "2001:db8::4"})
	waitAdded(8, 4, 1)
	stats("M4", 4, 1, 0)
	stats("M6", 4, 2, 0)

	d.cli(t, "ios", "clear flow monitor M4 force-export\nclear flow monitor M6 force-export\n")
	waitAdded(0, 0, 1)
	stats("M4", 0, 1, 4)
	stats("M6", 0, 2, 4)

	exp := collector.Tuples{}
	for _, b := range []byte{1, 2, 3, 4} {
		exp.Add(collector.Tuple{Proto: 17, Src: netip.AddrFrom4([4]byte{10, 0, 8, b}), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 4000, DstPort: 53}, 2, 2*38)
	}
	for _, a := range []string{"2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8::4"} {
		exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr(a), Dst: netip.MustParseAddr("2001:db8::9"), SrcPort: 5000, DstPort: 53}, 1, 58)
	}
	expectCollected(t, capd, exp)
}
