package main

import (
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// tapCapture is a real two-way capture; its hosts on tapInside are the
// side behind the tap's fibre B (their packets cross the link outward).
const (
	tapCapture = "../../../testdata/pcaps/zeek-wikipedia.pcap"
	tapInside  = "141.142.220.0/24"
	tapIfIndex = 64001
	penReverse = 29305
)

func reverseOf(t collector.Tuple) collector.Tuple {
	return collector.Tuple{Proto: t.Proto, Src: t.Dst, Dst: t.Src, SrcPort: t.DstPort, DstPort: t.SrcPort}
}

// firstSeen reads the capture and returns, per one-way tuple, the
// capture time of its first packet.
func firstSeen(t *testing.T, path string) map[collector.Tuple]time.Time {
	out := map[collector.Tuple]time.Time{}
	for _, pkt := range collector.ReadPcap(t, path) {
		p := gopacket.NewPacket(pkt.Data, layers.LinkTypeEthernet, gopacket.Default)
		ip, ok := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		if !ok {
			continue
		}
		k := collector.Tuple{Proto: uint8(ip.Protocol), Src: netip.AddrFrom4([4]byte(ip.SrcIP.To4())), Dst: netip.AddrFrom4([4]byte(ip.DstIP.To4()))}
		switch l := p.TransportLayer().(type) {
		case *layers.TCP:
			k.SrcPort, k.DstPort = uint16(l.SrcPort), uint16(l.DstPort)
		case *layers.UDP:
			k.SrcPort, k.DstPort = uint16(l.SrcPort), uint16(l.DstPort)
		}
		if _, seen := out[k]; !seen {
			out[k] = pkt.Time
		}
	}
	return out
}

// listenUDP keeps every datagram that reaches addr until stop is called.
func listenUDP(t *testing.T) (port uint16, stop func() [][]byte) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if uc, ok := c.(*net.UDPConn); ok {
		uc.SetReadBuffer(8 << 20)
	}
	var mu sync.Mutex
	var pkts [][]byte
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65536)
		for {
			n, _, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			mu.Lock()
			pkts = append(pkts, append([]byte(nil), buf[:n]...))
			mu.Unlock()
		}
	}()
	return uint16(c.LocalAddr().(*net.UDPAddr).Port), func() [][]byte {
		c.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		return pkts
	}
}

// TestTapBiflowsEqualTheCapture is the passive tap end to end: a real
// two-way capture is split by direction (tcpprep, by the inside
// network), tcpreplay sends the halves into two veths configured as
// fibres A and B of one tap, and flowtapd exports IPFIX biflows to one
// collector and plain IPFIX to nfcapd. Per conversation, the biflows'
// forward and reverse packets and bytes equal nfpcapd's count of the
// capture's two directions, read both by our own IPFIX decoder and by
// tshark; the initiator is the side of the first packet, the link's
// ifIndex and flowDirection follow the fibre; and the one-way export
// equals nfpcapd per 5-tuple.
func TestTapBiflowsEqualTheCapture(t *testing.T) {
	tcpprep := collector.RequireTool(t, "tcpprep", "tcpreplay")
	tcpreplay := collector.RequireTool(t, "tcpreplay", "tcpreplay")
	v := testnet.Enter(t)
	v.AddPair(t, "vmonb", "vsrcb")
	capd := collector.StartNfcapd(t)
	biPort, biStop := listenUDP(t)
	d := startDaemon(t, fmt.Sprintf(`hostname taptest
username admin secret letmein
ip flow-cache timeout inactive 10
flowtap tap uplink
 fibre a %s
 fibre b vmonb
!
ip flow-export version ipfix
ip flow-export destination 127.0.0.1 %d biflow
ip flow-export destination %s %d
`, v.Mon, biPort, capd.Addr.Addr(), capd.Addr.Port()))
	for _, port := range []string{v.Mon, "vmonb"} {
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(d.log.String(), `msg="metering port" port=`+port) {
			if time.Now().After(deadline) {
				t.Fatalf("fibre %s not metered; log:\n%s", port, d.log)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	// tcpreplay sends the packets of tcpprep's CIDR matches (the inside
	// hosts) on -i: fibre B, toward the outside; the rest on -I: fibre A.
	cache := filepath.Join(t.TempDir(), "split.cache")
	if out, err := testproc.CombinedOutput(exec.Command(tcpprep, "--cidr="+tapInside, "-i", tapCapture, "-o", cache)); err != nil {
		t.Fatalf("tcpprep: %v\n%s", err, out)
	}
	// On one CPU: the meter keys each entry by the CPU that metered it, and
	// a veth meters on the sender's, so a tcpreplay that migrated would
	// make two entries of one conversation's direction (each exact; a
	// biflow pairs entries, so the test pins it as RSS pins a flow).
	out, err := testproc.CombinedOutput(exec.Command("taskset", "-c", "0", tcpreplay, "-c", cache, "-i", "vsrcb", "-I", v.Src, tapCapture))
	if err != nil {
		t.Fatalf("tcpreplay: %v\n%s", err, out)
	}
	t.Logf("tcpreplay:\n%s", out)
	t.Logf("show ip cache biflow:\n%s", d.cli(t, "ios", "show ip cache biflow\n"))

	// Every flow idles out (inactive 10 s): each fibre's counters are then
	// its direction's share of the capture, as nfpcapd counts it.
	want := collector.Nfpcapd(t, tapCapture)
	inside := netip.MustParsePrefix(tapInside)
	var fibreA, fibreB collector.Counts
	for k, c := range want {
		f := &fibreA
		if inside.Contains(k.Src) {
			f = &fibreB
		}
		f.Packets += c.Packets
		f.Bytes += c.Bytes
	}
	counters := fmt.Sprintf("    %%d flows expired, %d packets, %d bytes\n", fibreA.Packets, fibreA.Bytes)
	countersB := fmt.Sprintf("    %%d flows expired, %d packets, %d bytes\n", fibreB.Packets, fibreB.Bytes)
	var screen string
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(time.Second) {
		screen = d.cli(t, "ios", "show flowtap taps\n")
		var a, b int
		if strings.Contains(screen, "is up, ifIndex 64001") && scanFibre(screen, "A", counters, &a) && scanFibre(screen, "B", countersB, &b) {
			t.Logf("show flowtap taps:\n%s", screen)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fibre counters never reached A %+v B %+v:\n%s", fibreA, fibreB, screen)
		}
	}

	// A stop exports every flow: both directions of each conversation
	// leave together.
	d.stop(t, syscall.SIGTERM)
	msgs := biStop()
	oneWay, _ := capd.Stop(t)

	if diffs := collector.Compare(oneWay, want); len(diffs) != 0 {
		t.Errorf("one-way IPFIX export differs from nfpcapd in %d tuples:", len(diffs))
		for _, df := range diffs {
			t.Errorf("  %v", df)
		}
	}

	first := firstSeen(t, tapCapture)
	recs, err := collector.DecodeIPFIX(msgs)
	if err != nil {
		t.Fatal(err)
	}
	// Per conversation (keyed by its initiator's tuple), the sums of
	// each direction over its biflow records.
	got := collector.Tuples{}
	var fwdPackets, fwdBytes []string
	initiated, arbitrary := 0, 0
	for _, r := range recs {
		k := collector.Tuple{Proto: uint8(r.Uint(0, 4)), Src: addrOf(r, 8, 27), Dst: addrOf(r, 12, 28),
			SrcPort: uint16(r.Uint(0, 7)), DstPort: uint16(r.Uint(0, 11))}
		fp, fb := r.Uint(0, 2), r.Uint(0, 1)
		rp, rb := r.Uint(penReverse, 2), r.Uint(penReverse, 1)
		got.Add(k, fp, fb)
		if rp != 0 {
			got.Add(reverseOf(k), rp, rb)
		}
		fwdPackets = append(fwdPackets, fmt.Sprint(fp), fmt.Sprint(rp))
		fwdBytes = append(fwdBytes, fmt.Sprint(fb), fmt.Sprint(rb))
		// The fibre decides the interfaces and flowDirection.
		wantDir, wantIn, wantOut := uint64(0), uint64(tapIfIndex), uint64(0)
		if inside.Contains(k.Src) {
			wantDir, wantIn, wantOut = 1, 0, tapIfIndex
		}
		if dir, in, o := r.Uint(0, 61), r.Uint(0, 10), r.Uint(0, 14); dir != wantDir || in != wantIn || o != wantOut {
			t.Errorf("%v: flowDirection %d in %d out %d, want %d %d %d", k, dir, in, o, wantDir, wantIn, wantOut)
		}
		// A record that names its initiator is right: that side sent the
		// conversation's first packet. Both sides' first packets within
		// one datapath tick (about 1 ms: a local DNS answer) make the
		// order unknown, and the record says so (0, arbitrary).
		if rp != 0 {
			switch bd := r.Uint(0, 239); bd {
			case 1:
				initiated++
				if fs, rs := first[k], first[reverseOf(k)]; fs.After(rs) {
					t.Errorf("%v is marked the initiator, but its first packet (%v) came after the reverse's (%v)", k, fs, rs)
				}
			case 0:
				arbitrary++
				t.Logf("%v: arbitrary; first packets %v apart in the capture", k, first[reverseOf(k)].Sub(first[k]))
			default:
				t.Errorf("%v: biflowDirection %d, want 1 (initiator) or 0 (arbitrary)", k, bd)
			}
		}
	}
	if diffs := collector.Compare(got, want); len(diffs) != 0 {
		t.Errorf("biflows differ from the capture (nfpcapd) in %d tuples:", len(diffs))
		for _, df := range diffs {
			t.Errorf("  %v", df)
		}
	}
	paired := 0
	for _, r := range recs {
		if r.Uint(penReverse, 2) != 0 {
			paired++
		}
	}
	t.Logf("%d biflow records, %d with both directions (%d with their initiator, %d arbitrary), %d one-way tuples in the capture",
		len(recs), paired, initiated, arbitrary, len(want))
	if initiated == 0 {
		t.Fatal("no record carries both directions with its initiator")
	}

	// tshark reads the same packets: each record's counters, forward
	// then reverse (tshark names a reverse element as its forward one).
	var tsPackets, tsBytes []string
	for _, p := range collector.TsharkCflow(t, msgs, biPort, "cflow.packets", "cflow.octets") {
		tsPackets = append(tsPackets, p["cflow.packets"]...)
		tsBytes = append(tsBytes, p["cflow.octets"]...)
	}
	if strings.Join(tsPackets, " ") != strings.Join(fwdPackets, " ") || strings.Join(tsBytes, " ") != strings.Join(fwdBytes, " ") {
		t.Errorf("tshark's counters\n%v\n%v\nour decoder's\n%v\n%v", tsPackets, tsBytes, fwdPackets, fwdBytes)
	}
}

// scanFibre reads fibre side's counter line (format, with its flow count
// left open) from a `show flowtap taps` screen.
func scanFibre(screen, side, format string, flows *int) bool {
	_, rest, ok := strings.Cut(screen, "  Fibre "+side+" ")
	if !ok {
		return false
	}
	var line string
	for _, l := range strings.SplitAfter(rest, "\n") {
		if strings.Contains(l, "flows expired") {
			line = l
			break
		}
	}
	n, err := fmt.Sscanf(line, format, flows)
	return err == nil && n == 1
}

// addrOf reads an address from its IPv4 or its IPv6 element.
func addrOf(r collector.IPFIXRecord, ie4, ie6 uint16) netip.Addr {
	if b := r[collector.IE{ID: ie4}]; len(b) == 4 {
		return netip.AddrFrom4([4]byte(b))
	}
	if b := r[collector.IE{ID: ie6}]; len(b) == 16 {
		return netip.AddrFrom16([16]byte(b))
	}
	return netip.Addr{}
}

// TestTapDarkFibre: a fibre that loses light (its peer taken down, as a
// cut fibre or a dead tap port) is logged as dark, sends IF-MIB linkDown
// for its port to snmptrapd, and shows on `show flowtap taps`; light
// again is logged too.
func TestTapDarkFibre(t *testing.T) {
	vt := testnet.Enter(t)
	port, trapLines := startTrapd(t, "")
	monB, _ := vt.AddPair(t, "vmonb", "vsrcb")
	d := startDaemon(t, fmt.Sprintf(`hostname darktap
username admin secret letmein
snmp-server community public RO
snmp-server enable traps
snmp-server host 127.0.0.1 version 2c public udp-port %d
flowtap tap uplink
 fibre a %s
 fibre b vmonb
!
`, port, vt.Mon))
	waitSNMP(t, "udp:"+d.snmpAddr)
	screen := func() string { return d.cli(t, "ios", "show flowtap taps\n") }
	const lit = `Tap uplink is up, ifIndex 64001
  Fibre A vmon is up
    input on uplink, flowDirection ingress
    last input never
    0 flows expired, 0 packets, 0 bytes
  Fibre B vmonb is up
    output on uplink, flowDirection egress
    last input never
    0 flows expired, 0 packets, 0 bytes
`
	if got := screen(); got != lit {
		t.Fatalf("show flowtap taps, both lit:\n%s\nwant:\n%s", got, lit)
	}
	// IF-MIB lists the link: ifName, ifOperStatus up.
	agent := "udp:" + d.snmpAddr
	if got := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-On", "-Oqv", agent, "1.3.6.1.2.1.31.1.1.1.1.64001", "1.3.6.1.2.1.2.2.1.8.64001"); got != "\"uplink\"\n1" && got != "uplink\n1" {
		t.Errorf("IF-MIB ifName.64001, ifOperStatus.64001: %q, want uplink, 1 (up)", got)
	}
	if out, err := testproc.CombinedOutput(exec.Command("ip", "link", "set", "vsrcb", "down")); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	const linkDown = ".1.3.6.1.6.3.1.1.5.3"
	ifIndexB := fmt.Sprintf(".1.3.6.1.2.1.2.2.1.1.%d ", monB)
	const ifIndexLink, linkUp = ".1.3.6.1.2.1.2.2.1.1.64001 ", ".1.3.6.1.6.3.1.1.5.4"
	dark := "%FLOWTAP-3-FIBRE_DARK: Tap uplink fibre B (vmonb) is dark: its direction of the link is not metered"
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		logs := d.cli(t, "ios", "show logging\n")
		if strings.Contains(logs, dark) && trapFor(trapLines(), linkDown, ifIndexB) && trapFor(trapLines(), linkDown, ifIndexLink) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no dark-fibre message or linkDown for ifIndex %d and the link's 64001; log:\n%s\ntraps:\n%s", monB, logs, trapLines())
		}
	}
	const darkScreen = `Tap uplink is degraded (fibre B not metering), ifIndex 64001
  Fibre A vmon is up
    input on uplink, flowDirection ingress
    last input never
    0 flows expired, 0 packets, 0 bytes
  Fibre B vmonb is down (dark: no light, this direction is not metered)
    output on uplink, flowDirection egress
    last input never
    0 flows expired, 0 packets, 0 bytes
`
	if got := screen(); got != darkScreen {
		t.Errorf("show flowtap taps, fibre B dark:\n%s\nwant:\n%s", got, darkScreen)
	}
	if got := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-On", "-Oqv", agent, "1.3.6.1.2.1.2.2.1.8.64001"); got != "2" {
		t.Errorf("IF-MIB ifOperStatus.64001 with fibre B dark: %q, want 2 (down)", got)
	}
	// FLOWTAP-MIB flowtapFibreState of the link's fibres A and B: up(1), dark(2).
	if got := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-On", "-Oqv", agent, "1.3.6.1.4.1.32473.1.7.1.1.4.64001.1", "1.3.6.1.4.1.32473.1.7.1.1.4.64001.2"); got != "1\n2" {
		t.Errorf("flowtapFibreState.64001.{1,2} with fibre B dark: %q, want 1 (up), 2 (dark)", got)
	}
	if out, err := testproc.CombinedOutput(exec.Command("ip", "link", "set", "vsrcb", "up")); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	again := "%FLOWTAP-5-FIBRE_LIT: Tap uplink fibre B (vmonb) has light again"
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(d.cli(t, "ios", "show logging\n"), again) || !trapFor(trapLines(), linkUp, ifIndexLink); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no light-again message or linkUp for the link's 64001; log:\n%s\ntraps:\n%s", d.log, trapLines())
		}
	}
}

// trapFor says whether snmptrapd printed a notification trapOID whose
// varbinds name ifIndex (one line per notification's varbinds).
func trapFor(lines, trapOID, ifIndex string) bool {
	for _, l := range strings.Split(lines, "\n") {
		if strings.Contains(l, trapOID) && strings.Contains(l, ifIndex) {
			return true
		}
	}
	return false
}

// TestTapFibreThatAppearsLater: a fibre whose port does not exist at start
// is metered once it appears, and its flows are the tap's from then on.
func TestTapFibreThatAppearsLater(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, fmt.Sprintf("hostname latetap\nusername admin secret letmein\nflowtap tap uplink\n fibre a %s\n fibre b vlateb\n!\n", v.Mon))
	_, peer := v.AddPair(t, "vlateb", "vlateb-peer")
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(d.log.String(), `msg="metering port" port=vlateb`); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("vlateb not metered after it appeared; log:\n%s", d.log)
		}
	}
	b := *v
	b.SrcIndex = peer
	b.Send(t, [][]byte{udpFrame([4]byte{10, 9, 0, 7}, 4000, 10)})
	want := "uplink        10.9.0.7        0FA0  192.0.2.9       0035  11       1        0       38          0\n"
	var got string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if got = d.cli(t, "ios", "show ip cache biflow | include 10.9.0.7\n"); got == want || time.Now().After(deadline) {
			break
		}
	}
	if got != want {
		t.Fatalf("show ip cache biflow:\n%q\nwant\n%q", got, want)
	}
}
