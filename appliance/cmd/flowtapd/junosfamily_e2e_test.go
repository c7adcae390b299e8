package main

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSFlowServerPerFamily: a Junos flow-server gets the records of
// the families it is configured under, as each family's output is its
// own on the router: one under family inet gets the IPv4 flows only, one
// under family inet6 the IPv6 flows only, one under both both. Before,
// every server got every flow and a server under family inet6 alone was
// shown under family inet. Deleting family inet then leaves the inet6
// servers (it cleared the whole output), and the IPv4 flows, which no
// server takes now, are counted as not exported with the reason.
func TestJunOSFlowServerPerFamily(t *testing.T) {
	v := testnet.Enter(t)
	c4, c6, c46 := collector.StartNfcapd(t), collector.StartNfcapd(t), collector.StartNfcapd(t)
	d := startDaemon(t, "hostname e2e\nplatform cflowd\nusername admin privilege 15 secret adminpass\n")
	a4, a6, a46 := c4.Addr, c6.Addr, c46.Addr
	got := d.cli(t, "junos", fmt.Sprintf(`configure
set interfaces %s unit 0 family inet sampling input
set forwarding-options sampling instance SI input rate 1
set forwarding-options sampling instance SI family inet output flow-inactive-timeout 15
set forwarding-options sampling instance SI family inet output flow-server %s port %d version 9
set forwarding-options sampling instance SI family inet6 output flow-server %s port %d version 9
set forwarding-options sampling instance SI family inet output flow-server %s port %d version 9
set forwarding-options sampling instance SI family inet6 output flow-server %s port %d
show forwarding-options | display set
commit
`, v.Mon, a4.Addr(), a4.Port(), a6.Addr(), a6.Port(), a46.Addr(), a46.Port(), a46.Addr(), a46.Port()))
	// The three collectors share 127.0.0.1, so each statement names its
	// server by address and port; two take IPv4, which the warning says.
	want := fmt.Sprintf(`Entering configuration mode

warning: flow-server %[1]s now exports to port %[4]d as well as %[2]d: each port gets every flow; to move the server instead, delete flow-server %[1]s port %[2]d
set forwarding-options sampling instance SI input rate 1
set forwarding-options sampling instance SI family inet output flow-inactive-timeout 15
set forwarding-options sampling instance SI family inet output flow-server %[1]s port %[2]d version 9
set forwarding-options sampling instance SI family inet output flow-server %[1]s port %[4]d version 9
set forwarding-options sampling instance SI family inet6 output flow-server %[1]s port %[3]d version 9
set forwarding-options sampling instance SI family inet6 output flow-server %[1]s port %[4]d
commit complete
`, a4.Addr(), a4.Port(), a6.Port(), a46.Port())
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}

	var frames [][]byte
	for i := range 3 {
		frames = append(frames, udpFrame([4]byte{10, 0, 9, 1}, 4000, 10))
		if i < 2 {
			frames = append(frames, l4Frame6("2001:db8:9::2", 17, 4001))
		}
	}
	v.Send(t, frames)
	t4 := collector.Tuple{Proto: 17, Src: netip.MustParseAddr("10.0.9.1"), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 4000, DstPort: 53}
	t6 := collector.Tuple{Proto: 17, Src: netip.MustParseAddr("2001:db8:9::2"), Dst: netip.MustParseAddr("2001:db8::9"), SrcPort: 4001, DstPort: 53}
	waitFlowsExported(t, d, 2)
	want4, want6, want46 := collector.Tuples{}, collector.Tuples{}, collector.Tuples{}
	want4.Add(t4, 3, 3*38)
	want6.Add(t6, 2, 2*58)
	want46.Add(t4, 3, 3*38)
	want46.Add(t6, 2, 2*58)
	expectCollected(t, c4, want4)
	expectCollected(t, c6, want6)
	expectCollected(t, c46, want46)
	exp := d.cli(t, "ios", "show ip flow export\n")
	for _, line := range []string{
		fmt.Sprintf("    Destination(1)  %s (%d) v9\n      IPv4 flows only: 1 flows (2 packets) of the other family not sent\n", a4.Addr(), a4.Port()),
		fmt.Sprintf("    Destination(2)  %s (%d) v9\n      IPv6 flows only: 1 flows (3 packets) of the other family not sent\n", a6.Addr(), a6.Port()),
		fmt.Sprintf("    Destination(3)  %s (%d) v9\n      2 flow records sent", a46.Addr(), a46.Port()),
	} {
		if !strings.Contains(exp, line) {
			t.Errorf("show ip flow export lacks %q:\n%s", line, exp)
		}
	}
	if strings.Contains(exp, "address family") {
		t.Errorf("every flow had a server, yet some are counted as of no server's family:\n%s", exp)
	}

	// Deleting family inet: the inet6 servers stay; the output's own
	// statements (flowtap's one cache) go with them.
	got = d.cli(t, "junos", "configure\ndelete forwarding-options sampling instance SI family inet\nshow forwarding-options | display set\ncommit\n")
	want = fmt.Sprintf(`Entering configuration mode

set forwarding-options sampling instance SI input rate 1
set forwarding-options sampling instance SI family inet6 output flow-inactive-timeout 15
set forwarding-options sampling instance SI family inet6 output flow-server %[1]s port %[2]d version 9
set forwarding-options sampling instance SI family inet6 output flow-server %[1]s port %[3]d version 9
commit complete
`, a6.Addr(), a6.Port(), a46.Port())
	if got != want {
		t.Fatalf("delete family inet:\n%s\nwant:\n%s", got, want)
	}
	v.Send(t, [][]byte{udpFrame([4]byte{10, 0, 9, 7}, 4007, 10), udpFrame([4]byte{10, 0, 9, 7}, 4007, 10)})
	line := "  1 flows (2 packets) were not exported, no destination takes their address family\n"
	for deadline := time.Now().Add(40 * time.Second); !strings.Contains(exp, line); exp = d.cli(t, "ios", "show ip flow export\n") {
		if time.Now().After(deadline) {
			t.Fatalf("the IPv4 flow no server takes is not counted (%q):\n%s", line, exp)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// waitFlowsExported waits for the daemon to count n flows exported (at the
// 15 s inactive timeout).
func waitFlowsExported(t *testing.T, d *runningDaemon, n int) {
	t.Helper()
	want := fmt.Sprintf(" %d flows exported", n)
	for deadline := time.Now().Add(40 * time.Second); !strings.Contains(d.cli(t, "ios", "show ip flow export\n"), want); time.Sleep(500 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the %d flows were not exported:\n%s", n, d.cli(t, "ios", "show ip flow export\n"))
		}
	}
}
