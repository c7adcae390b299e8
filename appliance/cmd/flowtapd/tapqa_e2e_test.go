package main

import (
	"encoding/binary"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// fibreCounters is `show flowtap taps`' two counter lines, fibre A's
// then fibre B's, for frames of udpFrame's 10-byte payload (38 bytes at
// layer 3).
func fibreCounters(flowsA, pktsA, flowsB, pktsB int) string {
	return fmt.Sprintf("    %d flows expired, %d packets, %d bytes\n    %d flows expired, %d packets, %d bytes\n",
		flowsA, pktsA, pktsA*38, flowsB, pktsB, pktsB*38)
}

// waitFibres polls `show flowtap taps` until its counter lines are want
// (30 s: flows reach them as they expire).
func (d *runningDaemon) waitFibres(t *testing.T, what, want string) {
	t.Helper()
	var got string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if got = d.cli(t, "ios", "show flowtap taps | include flows expired\n"); got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: show flowtap taps counters\n%s\nwant\n%s", what, got, want)
		}
	}
}

// waitMeteringN waits until the log says n times that port is metered
// (the log runs on across restarts and re-attaches).
func (d *runningDaemon) waitMeteringN(t *testing.T, port string, n int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); strings.Count(d.log.String(), `msg="metering port" port=`+port+" ") < n; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s not metered %d times; log:\n%s", port, n, d.log)
		}
	}
}

// TestTapFibreCountersSurviveRestart: a tap's per-fibre counters go back
// to zero only on clear, as the cache statistics beside them: an orderly
// restart, and a restart with --keep-metering whose flows the next
// daemon exports, both count on; `clear ip flow stats` zeroes them.
func TestTapFibreCountersSurviveRestart(t *testing.T) {
	v := testnet.Enter(t)
	_, srcB := v.AddPair(t, "vmonb", "vsrcb")
	b := *v
	b.SrcIndex = srcB
	mport := strings.TrimPrefix(freeTCP(t), "127.0.0.1:")
	d := startDaemon(t, fmt.Sprintf(`hostname taprst
username admin secret letmein
access-list 10 permit 127.0.0.1
ip flow-cache timeout inactive 10
flowtap tap uplink
 fibre a %s
 fibre b vmonb
!
ip http metrics port %s access-class 10
`, v.Mon, mport))
	d.waitMeteringN(t, v.Mon, 1)
	d.waitMeteringN(t, "vmonb", 1)
	v.Send(t, udpFrames([4]byte{10, 7, 0, 1}, 4000, 3))
	b.Send(t, udpFrames([4]byte{10, 7, 0, 2}, 4000, 2))
	// An orderly stop exports every flow, and the next daemon shows them.
	d.stopAndStart(t, syscall.SIGTERM, "--keep-metering")
	d.waitFibres(t, "after an orderly restart", fibreCounters(1, 3, 1, 2))
	d.waitMeteringN(t, v.Mon, 2)
	// This daemon leaves its flow in the pinned table; the next exports it.
	v.Send(t, udpFrames([4]byte{10, 7, 0, 3}, 4000, 4))
	time.Sleep(200 * time.Millisecond)
	d.stopAndStart(t, syscall.SIGTERM)
	d.waitFibres(t, "after a restart with --keep-metering", fibreCounters(2, 7, 1, 2))
	d.cli(t, "ios", "clear ip flow stats\n")
	d.waitFibres(t, "after clear ip flow stats", fibreCounters(0, 0, 0, 0))
	// Prometheus counts on through the clear: per fibre, what it metered.
	fams := scrapeMetrics(t, "127.0.0.1", mport)
	var got []string
	for _, name := range []string{"flowtap_tap_fibre_flows_total", "flowtap_tap_fibre_packets_total", "flowtap_tap_fibre_bytes_total"} {
		f := fams[name]
		if f == nil {
			t.Fatalf("no %s on /metrics", name)
		}
		for _, m := range f.Metric {
			l := map[string]string{}
			for _, p := range m.Label {
				l[p.GetName()] = p.GetValue()
			}
			got = append(got, fmt.Sprintf("%s{tap=%s,fibre=%s,port=%s} %v", name, l["tap"], l["fibre"], l["port"], m.Counter.GetValue()))
		}
	}
	slices.Sort(got)
	want := []string{
		"flowtap_tap_fibre_bytes_total{tap=uplink,fibre=a,port=vmon} 266",
		"flowtap_tap_fibre_bytes_total{tap=uplink,fibre=b,port=vmonb} 76",
		"flowtap_tap_fibre_flows_total{tap=uplink,fibre=a,port=vmon} 2",
		"flowtap_tap_fibre_flows_total{tap=uplink,fibre=b,port=vmonb} 1",
		"flowtap_tap_fibre_packets_total{tap=uplink,fibre=a,port=vmon} 7",
		"flowtap_tap_fibre_packets_total{tap=uplink,fibre=b,port=vmonb} 2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("/metrics after clear ip flow stats:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestTapFibrePortDeletedAndAdded: a fibre's port that disappears and
// comes back (ip link del/add: a driver reloaded, a NIC replaced) has
// another kernel ifindex; it is metered again, its flows from before
// (still in the table) are still its fibre's, and a v5 collector reads
// fibre B's flows as output on the link from both its incarnations.
func TestTapFibrePortDeletedAndAdded(t *testing.T) {
	collector.RequireTool(t, "nfdump", "nfdump")
	v := testnet.Enter(t)
	_, srcB := v.AddPair(t, "vmonb", "vsrcb")
	b := *v
	b.SrcIndex = srcB
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname tapdel
username admin secret letmein
ip flow-cache timeout inactive 10
flowtap tap uplink
 fibre a %s
 fibre b vmonb
!
ip flow-export version 5
ip flow-export destination %s %d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	d.waitMeteringN(t, v.Mon, 1)
	d.waitMeteringN(t, "vmonb", 1)
	b.Send(t, udpFrames([4]byte{10, 9, 0, 2}, 4000, 2))
	time.Sleep(200 * time.Millisecond)
	if out, err := testproc.CombinedOutput(exec.Command("ip", "-n", v.NS, "link", "del", "vmonb")); err != nil {
		t.Fatalf("ip link del: %v %s", err, out)
	}
	_, srcB = v.AddPair(t, "vmonb", "vsrcb")
	b.SrcIndex = srcB
	d.waitMeteringN(t, "vmonb", 2)
	b.Send(t, udpFrames([4]byte{10, 9, 0, 3}, 4000, 3))
	v.Send(t, udpFrames([4]byte{10, 9, 0, 1}, 4000, 1))
	d.waitFibres(t, "fibre B's port deleted and added", fibreCounters(1, 1, 2, 5))
	d.stop(t, syscall.SIGTERM)
	files, _ := capd.Close(t)
	got := nfdumpRows(t, files, "%sa|%in|%out|%pkt")
	slices.Sort(got)
	want := []string{"10.9.0.1|64001|0|1", "10.9.0.2|0|64001|2", "10.9.0.3|0|64001|3"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("nfdump (source|in|out|packets):\n%v\nwant\n%v", got, want)
	}
}

// TestTapSilentFibre: fibre B with light but no frame while fibre A
// receives (a broken splitter, a tap port patched to nothing) is told
// apart from a quiet link: `show flowtap taps` calls the tap degraded and
// the fibre silent, the log says so once, and frames on B again clear it
// and are logged. Each fibre's last input is on the screen.
func TestTapSilentFibre(t *testing.T) {
	v := testnet.Enter(t)
	_, srcB := v.AddPair(t, "vmonb", "vsrcb")
	b := *v
	b.SrcIndex = srcB
	trapPort, trapLines := startTrapd(t, "")
	d := startDaemon(t, fmt.Sprintf(`hostname tapsilent
username admin secret letmein
snmp-server community public RO
snmp-server enable traps fibre
snmp-server host 127.0.0.1 version 2c public udp-port %d
flowtap tap uplink
 fibre a %s
 fibre b vmonb
!
`, trapPort, v.Mon))
	d.waitMeteringN(t, v.Mon, 1)
	d.waitMeteringN(t, "vmonb", 1)
	const silent = "%FLOWTAP-4-FIBRE_SILENT: Tap uplink fibre B (vmonb) has light but has received no frame for 30 s while fibre A receives: this direction of the link is not seen"
	var screen string
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(time.Second) {
		v.Send(t, udpFrames([4]byte{10, 6, 0, 1}, 4000, 1))
		screen = d.cli(t, "ios", "show flowtap taps\n")
		if strings.Contains(screen, "Fibre B vmonb is up, silent (no frame for 00:00:") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fibre B never silent:\n%s", screen)
		}
	}
	for _, want := range []string{"Tap uplink is degraded (fibre B silent), ifIndex 64001\n",
		"while fibre A receives)\n    output on uplink, flowDirection egress\n    last input never\n"} {
		if !strings.Contains(screen, want) {
			t.Errorf("show flowtap taps lacks %q:\n%s", want, screen)
		}
	}
	if _, a, _ := strings.Cut(screen, "flowDirection ingress\n"); !strings.HasPrefix(a, "    last input 00:00:0") {
		t.Errorf("fibre A's last input is not within seconds:\n%s", screen)
	}
	d.waitLog(t, "has light but has received no frame for 30 s")
	// SNMP tells it too: FLOWTAP-MIB flowtapFibreState up(1) for A,
	// silent(3) for B, and B's idle seconds past 30.
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	if got := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-On", "-Oqv", agent, "1.3.6.1.4.1.32473.1.7.1.1.4.64001.1", "1.3.6.1.4.1.32473.1.7.1.1.4.64001.2"); got != "1\n3" {
		t.Errorf("flowtapFibreState.64001.{1,2}: %q, want 1 (up), 3 (silent)", got)
	}
	if idle := snmpCounter(t, agent, "1.3.6.1.4.1.32473.1.7.1.1.5.64001.2"); idle < 30 {
		t.Errorf("flowtapFibreIdleSeconds.64001.2 = %d, want 30 or more", idle)
	}
	if logs := d.cli(t, "ios", "show logging | include FIBRE.SILENT\n"); strings.Count(logs, silent) != 1 {
		t.Errorf("show logging | include FIBRE.SILENT:\n%s\nwant once %q", logs, silent)
	}
	// And a notification says it: flowtapFibreSilent with B's row.
	silentTrap := waitTrap(t, trapLines, ".1.3.6.1.4.1.32473.1.2.0.2")
	for _, want := range []string{`.1.3.6.1.4.1.32473.1.7.1.1.3.64001.2 = STRING: "vmonb"`, ".1.3.6.1.4.1.32473.1.7.1.1.4.64001.2 = INTEGER: 3",
		".1.3.6.1.4.1.32473.1.7.1.1.5.64001.2 = Gauge32: 3"} {
		if !strings.Contains(silentTrap, want) {
			t.Errorf("flowtapFibreSilent lacks %s: %s", want, silentTrap)
		}
	}
	b.Send(t, udpFrames([4]byte{10, 6, 0, 2}, 4000, 1))
	v.Send(t, udpFrames([4]byte{10, 6, 0, 1}, 4000, 1))
	want := "Tap uplink is up, ifIndex 64001\n"
	if got := d.cliUntil(t, "ios", "show flowtap taps | include ^Tap\n", want); got != want {
		t.Errorf("after frames on B: %q, want %q", got, want)
	}
	d.waitLog(t, "Tap uplink fibre B (vmonb) receives frames again")
	// The clearing notification, B up again; one of each, the fibre
	// having gone silent once.
	cleared := waitTrap(t, trapLines, ".1.3.6.1.4.1.32473.1.2.0.3")
	if !strings.Contains(cleared, ".1.3.6.1.4.1.32473.1.7.1.1.4.64001.2 = INTEGER: 1") {
		t.Errorf("flowtapFibreReceives does not say B is up: %s", cleared)
	}
	if n := strings.Count(trapLines(), "OID: .1.3.6.1.4.1.32473.1.2.0.2\t"); n != 1 {
		t.Errorf("%d flowtapFibreSilent, want 1:\n%s", n, trapLines())
	}
}

// waitTrap waits up to 20 s for snmptrapd's line of a notification whose
// snmpTrapOID is oid, and returns it.
func waitTrap(t *testing.T, lines func() string, oid string) string {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		for _, l := range strings.Split(lines(), "\n") {
			if strings.Contains(l, "OID: "+oid+"\t") {
				return l
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no notification %s:\n%s", oid, lines())
		}
	}
}

// icmpFrame is an ICMP message of type typ from src to dst (8-byte
// header with identifier 7, no payload).
func icmpFrame(src, dst [4]byte, typ uint8) []byte {
	b := make([]byte, 14+20+8)
	copy(b[0:], []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00})
	ip := b[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], 28)
	ip[8], ip[9] = 64, 1
	copy(ip[12:], src[:])
	copy(ip[16:], dst[:])
	ip[20] = typ
	ip[25] = 7
	return b
}

// TestTapPingIsOneConversation: a ping through the tapped link, echo
// requests on fibre A and replies on fibre B, is one conversation on
// `show ip cache biflow`, the requester leading, where the two ICMP
// types used to leave it as two one-way halves.
func TestTapPingIsOneConversation(t *testing.T) {
	v := testnet.Enter(t)
	_, srcB := v.AddPair(t, "vmonb", "vsrcb")
	b := *v
	b.SrcIndex = srcB
	d := startDaemon(t, fmt.Sprintf("hostname tapping\nusername admin secret letmein\nflowtap tap uplink\n fibre a %s\n fibre b vmonb\n!\n", v.Mon))
	d.waitMeteringN(t, v.Mon, 1)
	d.waitMeteringN(t, "vmonb", 1)
	outside, inside := [4]byte{198, 51, 100, 7}, [4]byte{10, 5, 0, 9}
	for range 3 {
		v.Send(t, [][]byte{icmpFrame(outside, inside, 8)})
		b.Send(t, [][]byte{icmpFrame(inside, outside, 0)})
	}
	want := "uplink        198.51.100.7    0000  10.5.0.9        0800  01       3        3       84         84\n" +
		"1 conversations (~: both sides began within one clock tick, orientation guessed)\n"
	if got := d.cliUntil(t, "ios", "show ip cache biflow | include uplink|conversations\n", want); got != want {
		t.Errorf("show ip cache biflow:\n%s\nwant:\n%s", got, want)
	}
}

// TestTapFibreReplacedWhileStopped: a daemon stopped with
// --keep-metering leaves the fibres' XDP links pinned; a fibre's port
// deleted and added again meanwhile (a driver reloaded during an
// upgrade) has lost its link, and the next daemon attaches the meter to
// the new device rather than take the dead pinned link over.
func TestTapFibreReplacedWhileStopped(t *testing.T) {
	v := testnet.Enter(t)
	_, srcB := v.AddPair(t, "vmonb", "vsrcb")
	b := *v
	b.SrcIndex = srcB
	d := startDaemonArgs(t, fmt.Sprintf("hostname taprepl\nusername admin secret letmein\nflowtap tap uplink\n fibre a %s\n fibre b vmonb\n!\n", v.Mon), "--keep-metering")
	d.waitMeteringN(t, "vmonb", 1)
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.cmd.Wait()
	if out, err := testproc.CombinedOutput(exec.Command("ip", "-n", v.NS, "link", "del", "vmonb")); err != nil {
		t.Fatalf("ip link del: %v %s", err, out)
	}
	_, srcB = v.AddPair(t, "vmonb", "vsrcb")
	b.SrcIndex = srcB
	d.start(t)
	d.waitMeteringN(t, "vmonb", 2)
	b.Send(t, udpFrames([4]byte{10, 4, 0, 2}, 4000, 2))
	want := "uplink        10.4.0.2        0FA0  192.0.2.9       0035  11       2        0       76          0\n"
	if got := d.cliUntil(t, "ios", "show ip cache biflow | include 10.4.0.2\n", want); got != want {
		t.Errorf("show ip cache biflow:\n%q\nwant\n%q", got, want)
	}
}

// TestTapLinkIFMIBCounters: IF-MIB counts the link as the router on it
// would: fibre A's frames are its input, fibre B's its output, exact
// against what was sent; its octets are the fibre ports' own (what the
// driver counts: a veth under XDP counts 38 of these 52-byte frames,
// without the Ethernet header).
func TestTapLinkIFMIBCounters(t *testing.T) {
	v := testnet.Enter(t)
	monB, srcB := v.AddPair(t, "vmonb", "vsrcb")
	b := *v
	b.SrcIndex = srcB
	d := startDaemon(t, fmt.Sprintf("hostname tapifmib\nusername admin secret letmein\nsnmp-server community public RO\nflowtap tap uplink\n fibre a %s\n fibre b vmonb\n!\n", v.Mon))
	d.waitMeteringN(t, v.Mon, 1)
	d.waitMeteringN(t, "vmonb", 1)
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	const in, out, octets, outOctets = "1.3.6.1.2.1.31.1.1.1.7.64001", "1.3.6.1.2.1.31.1.1.1.11.64001", "1.3.6.1.2.1.31.1.1.1.6.64001", "1.3.6.1.2.1.31.1.1.1.10.64001"
	portA, portB := fmt.Sprintf("1.3.6.1.2.1.31.1.1.1.6.%d", v.MonIndex), fmt.Sprintf("1.3.6.1.2.1.31.1.1.1.6.%d", monB)
	oids := []string{in, out, octets, outOctets, portA, portB}
	base := map[string]uint64{}
	for _, o := range oids {
		base[o] = snmpCounter(t, agent, o)
	}
	v.Send(t, udpFrames([4]byte{10, 3, 0, 1}, 4000, 7))
	b.Send(t, udpFrames([4]byte{10, 3, 0, 2}, 4000, 4))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		got := map[string]uint64{}
		for _, o := range oids {
			got[o] = snmpCounter(t, agent, o) - base[o]
		}
		if got[in] == 7 && got[out] == 4 && got[octets] == got[portA] && got[outOctets] == got[portB] && got[portA] >= 7*38 && got[portB] >= 4*38 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("IF-MIB moved %v; want the link's in/out ucast 7 and 4, its octets the fibre ports'", got)
		}
	}
}

// TestTapFibreRemovedKeepsItsFlows: ` no fibre b` takes the port off the
// link, but the flows it metered as fibre B, still in the cache, leave
// as the link's output (v5, read by nfdump), not as a bare port's.
func TestTapFibreRemovedKeepsItsFlows(t *testing.T) {
	collector.RequireTool(t, "nfdump", "nfdump")
	v := testnet.Enter(t)
	_, srcB := v.AddPair(t, "vmonb", "vsrcb")
	b := *v
	b.SrcIndex = srcB
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname taprm
username admin privilege 15 secret letmein
flowtap tap uplink
 fibre a %s
 fibre b vmonb
!
ip flow-export version 5
ip flow-export destination %s %d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	d.waitMeteringN(t, v.Mon, 1)
	d.waitMeteringN(t, "vmonb", 1)
	b.Send(t, udpFrames([4]byte{10, 8, 0, 2}, 4000, 2))
	v.Send(t, udpFrames([4]byte{10, 8, 0, 1}, 4000, 1))
	time.Sleep(200 * time.Millisecond)
	if out := d.cli(t, "ios", "configure terminal\nflowtap tap uplink\nno fibre b\nend\n"); strings.Contains(out, "%") {
		t.Fatalf("no fibre b: %s", out)
	}
	d.stop(t, syscall.SIGTERM)
	files, _ := capd.Close(t)
	got := nfdumpRows(t, files, "%sa|%in|%out|%pkt")
	slices.Sort(got)
	want := []string{"10.8.0.1|64001|0|1", "10.8.0.2|0|64001|2"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("nfdump (source|in|out|packets):\n%v\nwant\n%v", got, want)
	}
}
