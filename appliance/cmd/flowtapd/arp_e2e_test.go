package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/faults"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestFaultCollectorWithoutARP: flowtapd exports, from the real datapath, to a
// collector on a LAN where nobody answers ARP for its address (the host
// is off), then the host comes up with nfcapd. The kernel held the
// packets in its neighbour queue, dropped what overflowed it unannounced
// and refused the rest only after 3 s, so the exporter used to count them
// as exported. Now every metered packet is in a record nfcapd stored or
// in one counted as lost (SNMP flowtapExportLostPackets), the loss shows
// on `show ip flow export`'s adjacency line, and export resumes by itself.
func TestFaultCollectorWithoutARP(t *testing.T) {
	v := testnet.Enter(t)
	bin := collector.RequireTool(t, "nfcapd", "nfdump")
	run := func(args ...string) {
		t.Helper()
		if out, err := testproc.CombinedOutput(exec.Command("ip", args...)); err != nil {
			t.Fatalf("ip %v: %v\n%s", args, err, out)
		}
	}
	// The collector's LAN: a veth into a namespace of its own, whose end
	// has no address yet.
	lan := v.NS + "-lan"
	run("netns", "add", lan)
	t.Cleanup(func() { testproc.Run(exec.Command("ip", "netns", "del", lan)) })
	run("link", "add", "arp0", "type", "veth", "peer", "name", "arp1", "netns", lan)
	run("addr", "add", "10.77.0.1/24", "dev", "arp0")
	run("link", "set", "arp0", "up")
	run("-n", lan, "link", "set", "arp1", "up")
	run("-n", lan, "link", "set", "lo", "up")
	const port = 2055
	d := startDaemon(t, fmt.Sprintf(`hostname arptest
username admin privilege 15 secret letmein
snmp-server community public RO
ip flow-cache timeout inactive 10
ip flow-cache entries 131072
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination 10.77.0.2 %d
`, v.Mon, port))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)

	// As TestFaultCollectorDown: each frame a new flow, expiring 10 s
	// later; 8 s of expiries to nobody, then the host answers.
	const rate, dark, after = 2000, 18 * time.Second, 3 * time.Second
	g := startTrafgen(t, v, trafgenFlows, int((dark+after).Seconds())*rate, rate)
	time.Sleep(dark)
	down := d.cli(t, "ios", "show ip flow export\n")
	dir := t.TempDir()
	run("-n", lan, "addr", "add", "10.77.0.2/24", "dev", "arp1")
	capd := exec.Command("ip", append([]string{"netns", "exec", lan, bin}, collector.NfcapdArgs(dir, "10.77.0.2", uint16(port))...)...)
	capd.Stdout, capd.Stderr = os.Stderr, os.Stderr
	if err := testproc.Start(capd); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { capd.Process.Kill(); capd.Wait() })
	sent := g.wait(t)
	waitCacheEmpty(t, d, agent, 120*time.Second)
	time.Sleep(2 * time.Second) // the last packets' confirmation, nfcapd's socket
	metered := snmpCounter(t, agent, oidDpMetered)
	loss := func(col int) string { return fmt.Sprintf("1.3.6.1.4.1.32473.1.4.1.1.%d.0.1.4.10.77.0.2.%d", col, port) }
	lostFlows, lostPkts := snmpCounter(t, agent, loss(2)), snmpCounter(t, agent, loss(3))
	exp := d.cli(t, "ios", "show ip flow export\n")
	capd.Process.Signal(os.Interrupt)
	capd.Wait()
	exported := collector.Nfdump(t, "-R", dir).Total().Packets
	faults.Figure(t, "collector-without-arp", "%v with no ARP answer: trafgen sent %d, metered %d; nfcapd stored %d; %d flows (%d packets) counted lost",
		dark, sent, metered, exported, lostFlows, lostPkts)
	t.Logf("while dark:\n%s\nafter:\n%s", down, exp)
	if metered != sent {
		t.Errorf("metered %d of %d frames", metered, sent)
	}
	if exported == 0 || lostPkts == 0 || exported+lostPkts != metered {
		t.Errorf("%d packets exported + %d counted lost != %d metered", exported, lostPkts, metered)
	}
	if m := regexp.MustCompile(`(\d+) export packets were dropped due to adjacency issues`).FindStringSubmatch(exp); m == nil || m[1] == "0" {
		t.Errorf("show ip flow export does not blame the adjacency:\n%s", exp)
	}
}
