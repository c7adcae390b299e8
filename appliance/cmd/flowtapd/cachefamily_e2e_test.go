package main

import (
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"syscall"
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
// tables counted all 3 flows. The packet size distribution is per family
// too: 3 IPv4 packets on one screen, 2 IPv6 ones on the other (both
// printed the 5).
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
	for _, c := range []struct{ cmd, want, sizes string }{
		{"show ip cache flow\n", "UDP-DNS 2 1 38|Total: 2 1 38|", "IP packet size distribution (3 total packets):"},
		{"show ipv6 flow cache\n", "UDP-DNS 1 2 58|Total: 1 2 58|", "IP packet size distribution (2 total packets):"},
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
		if !strings.Contains(screen, c.sizes) {
			t.Errorf("%s: the size distribution is not %q:\n%s", c.cmd, c.sizes, screen)
		}
	}
}

// TestSNMPStatisticsAreTheIPv4Screens: CISCO-NETFLOW-MIB's
// cnfPSPacketSizeDistribution is "the exact value given by CLI using show
// ip cache flow", and cnfPSProtocolStatTable that screen's protocol
// table: both the IPv4 packets' and flows', with IPv6 traffic beside
// them (they counted the whole cache's). A clear zeroes both families'
// distributions, and an orderly restart keeps what each counted since.
func TestSNMPStatisticsAreTheIPv4Screens(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, "hostname famsnmp\nusername admin privilege 15 secret letmein\nsnmp-server community public RO\n"+
		"ip flow-cache timeout inactive 10\ninterface "+v.Mon+"\n ip flow ingress\n!\n")
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	d.waitMetering(t, v.Mon)
	// IPv4: 3 packets of 38 bytes and 1 of 728 (3 flows, to port 53);
	// IPv6: 2 of 58 (1 flow).
	v.Send(t, append(twoFamilyFrames(9), udpFrame([4]byte{10, 0, 9, 3}, 4001, 700)))
	total := regexp.MustCompile(`(?m)^Total:\s+(\d+)\s+\S+\s+\S+\s+\d+\s`)
	// screens waits for both screens' distributions (and, with flows set,
	// their protocol tables' flows) and returns them.
	screens := func(sizes4, sizes6, flows4, flows6 string) (string, string) {
		t.Helper()
		var ip4, ip6 string
		for deadline := time.Now().Add(40 * time.Second); ; time.Sleep(500 * time.Millisecond) {
			ip4, ip6 = d.cli(t, "ios", "show ip cache flow\n"), d.cli(t, "ios", "show ipv6 flow cache\n")
			ok := strings.Contains(ip4, "IP packet size distribution ("+sizes4+" total packets):") &&
				strings.Contains(ip6, "IP packet size distribution ("+sizes6+" total packets):")
			if m4, m6 := total.FindStringSubmatch(ip4), total.FindStringSubmatch(ip6); flows4 != "" &&
				(m4 == nil || m6 == nil || m4[1] != flows4 || m6[1] != flows6) {
				ok = false
			}
			if ok {
				return ip4, ip6
			}
			if time.Now().After(deadline) {
				t.Fatalf("want %s IPv4 and %s IPv6 packets, %s and %s flows expired:\n%s\n%s", sizes4, sizes6, flows4, flows6, ip4, ip6)
			}
		}
	}
	hist := func() string {
		out := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", "-Ox", agent, "1.3.6.1.4.1.9.9.387.1.5.1.0")
		return strings.Join(strings.Fields(strings.Trim(out, `"`)), "")
	}
	// cnfPSExpiredFlows and cnfPSPackets of udpDns(11) and all(22).
	protocols := func() string {
		return strings.Join(strings.Fields(snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", agent,
			"1.3.6.1.4.1.9.9.387.1.5.3.1.2.11", "1.3.6.1.4.1.9.9.387.1.5.3.1.2.22",
			"1.3.6.1.4.1.9.9.387.1.5.3.1.3.11", "1.3.6.1.4.1.9.9.387.1.5.3.1.3.22")), " ")
	}
	bucket := func(vals map[int]uint16) string { // the MIB's 52 octets in hex
		b := make([]byte, 52)
		for i, n := range vals {
			b[2*i], b[2*i+1] = byte(n>>8), byte(n)
		}
		return strings.ToUpper(hex.EncodeToString(b))
	}
	// check compares each screen's distribution with what it should
	// hold, and SNMP's distribution and protocol rows with the IPv4
	// screen's.
	check := func(when string, ip4, ip6 string, want4, want6 map[int]uint16, protos string) {
		t.Helper()
		if got, want := histogramFromScreen(t, ip4), bucket(want4); got != want {
			t.Errorf("%s show ip cache flow's distribution %s, want %s:\n%s", when, got, want, ip4)
		}
		if got, want := histogramFromScreen(t, ip6), bucket(want6); got != want {
			t.Errorf("%s show ipv6 flow cache's distribution %s, want %s:\n%s", when, got, want, ip6)
		}
		if got, want := hist(), histogramFromScreen(t, ip4); got != want {
			t.Errorf("%s cnfPSPacketSizeDistribution %s, show ip cache flow's %s", when, got, want)
		}
		if got := protocols(); got != protos {
			t.Errorf("%s cnfPSExpiredFlows, cnfPSPackets of udpDns and all: %q, want show ip cache flow's %s", when, got, protos)
		}
	}
	// IPv4: .750 in "64" and .250 in "1024"; IPv6 all in "64". Both
	// families together would be .833 and .167.
	ip4, ip6 := screens("4", "2", "3", "1")
	check("before the clear:", ip4, ip6, map[int]uint16{1: 750, 18: 250}, map[int]uint16{1: 1000}, "3 3 4 4")

	// clear ip flow stats zeroes both families; then 1 packet of each,
	// kept by an orderly restart on both screens and in SNMP.
	d.cli(t, "ios", "clear ip flow stats\n")
	screens("0", "0", "", "")
	v.Send(t, [][]byte{udpFrame([4]byte{10, 0, 9, 4}, 4002, 700), l4Frame6("2001:db8:9::2", 17, 5001)})
	screens("1", "1", "", "")
	d.stopAndStart(t, syscall.SIGTERM)
	waitSNMP(t, agent)
	// The orderly stop exported the two flows: 1 expired of each family.
	ip4, ip6 = screens("1", "1", "1", "1")
	check("after the restart:", ip4, ip6, map[int]uint16{18: 1000}, map[int]uint16{1: 1000}, "1 1 1 1")
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
