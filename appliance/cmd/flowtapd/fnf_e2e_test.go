package main

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// fnfStartup is an IOS-XE operator's Flexible NetFlow section and
// nothing else of NetFlow: the ISR 4431 corpus's record (plus the TTL,
// which widens the template), two exporters (nfcapd and a raw listener
// for tshark) and a monitor bound to the tap port.
func fnfStartup(mon string, capd netip.AddrPort, tsPort uint16) string {
	return fmt.Sprintf(`hostname fnf
username admin privilege 15 secret letmein
snmp-server community public RO
flow record FNF-REC
 match ipv4 tos
 match ipv4 protocol
 match ipv4 source address
 match ipv4 destination address
 match transport source-port
 match transport destination-port
 match interface input
 collect interface output
 collect counter bytes long
 collect counter packets long
 collect timestamp sys-uptime first
 collect timestamp sys-uptime last
 collect ipv4 ttl minimum
 collect ipv4 ttl maximum
!
flow exporter NFCAPD
 description nfcapd
 destination %s
 transport udp %d
 template data timeout 60
!
flow exporter TSHARK
 destination 127.0.0.1
 transport udp %d
 template data timeout 60
!
flow monitor FNF-MON
 exporter NFCAPD
 exporter TSHARK
 cache timeout inactive 10
 cache timeout active 60
 record FNF-REC
!
interface %s
 ip flow monitor FNF-MON input
!
`, capd.Addr(), capd.Port(), tsPort, mon)
}

// trafgenTuples is what trafgenFlows sends as frames from+1 to from+n
// (its counters step before the first frame): one flow each (source
// 10.1.i%256.i%200, destination 192.0.2.i%250, UDP 4000 to 53, 46
// bytes).
func trafgenTuples(from, n int) collector.Tuples {
	exp := collector.Tuples{}
	for i := from + 1; i <= from+n; i++ {
		exp.Add(collector.Tuple{Proto: 17, Src: netip.AddrFrom4([4]byte{10, 1, byte(i % 256), byte(i % 200)}),
			Dst: netip.AddrFrom4([4]byte{192, 0, 2, byte(i % 250)}), SrcPort: 4000, DstPort: 53}, 1, 46)
	}
	return exp
}

var successfullySent = regexp.MustCompile(`Successfully sent:\s+(\d+)\s+\((\d+) bytes\)`)

// TestFNFOnlyStartupExports: flowtapd booted with nothing but a Flexible
// NetFlow section meters what trafgen sends into the port and exports
// every flow, exactly, to the monitor's exporters: nfcapd stores each
// with its packets, bytes and input interface, and tshark reads the v9
// template with the collect fields (TTL, IE 52/53). The show flow
// screens read the same counters as show ip flow export; write memory
// and a restart keep the blocks, and the monitor is the cache again.
func TestFNFOnlyStartupExports(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	tsPort, tsStop := listenUDP(t)
	d := startDaemon(t, fnfStartup(v.Mon, capd.Addr, tsPort))
	run := d.cli(t, "ios", "show running-config\n")
	for _, want := range []string{"flow record FNF-REC\n match ipv4 tos\n", " collect ipv4 ttl maximum\n!\nflow exporter NFCAPD\n description nfcapd\n",
		"flow monitor FNF-MON\n exporter NFCAPD\n exporter TSHARK\n cache timeout inactive 10\n cache timeout active 60\n record FNF-REC\n",
		"interface " + v.Mon + "\n ip flow monitor FNF-MON input\n"} {
		if !strings.Contains(run, want) {
			t.Errorf("running-config lacks %q:\n%s", want, run)
		}
	}
	// Folded: no traditional line is shown, the cache and the collectors
	// are the monitor's.
	if strings.Contains(run, "ip flow-export") || strings.Contains(run, "ip flow ingress") {
		t.Errorf("running-config shows the fold as traditional lines:\n%s", run)
	}
	if cache := d.cli(t, "ios", "show ip cache flow\n"); !strings.Contains(cache, "Active flows timeout in 1 minutes\n  Inactive flows timeout in 10 seconds\n") {
		t.Errorf("show ip cache flow does not show the monitor's timeouts:\n%s", cache)
	}
	mon := d.cli(t, "ios", "show flow monitor FNF-MON\n")
	for _, want := range []string{"  Flow Record:       FNF-REC\n", "    Status:               allocated\n", "    Inactive Timeout:     10 secs\n",
		"    Active Timeout:       60 secs\n", "    Interfaces:     " + v.Mon + " input\n"} {
		if !strings.Contains(mon, want) {
			t.Errorf("show flow monitor lacks %q:\n%s", want, mon)
		}
	}

	// SNMP: the port's cnfCINetflowEnable is ingress(1), as ip flow
	// ingress would make it.
	ifc, err := net.InterfaceByName(v.Mon)
	if err != nil {
		t.Fatal(err)
	}
	oid := fmt.Sprintf("1.3.6.1.4.1.9.9.387.1.1.1.1.1.%d", ifc.Index)
	if out, err := testproc.CombinedOutput(exec.Command("snmpget", "-v2c", "-cpublic", "-t2", "-r1", "-Oqv", "udp:"+d.snmpAddr, oid)); err != nil || strings.TrimSpace(string(out)) != "1" {
		t.Errorf("snmpget cnfCINetflowEnable.%d: %q %v, want 1 (ingress)", ifc.Index, out, err)
	}

	const n = 150
	if got := startTrafgen(t, v, trafgenFlows, n, 500).wait(t); got != n {
		t.Fatalf("trafgen sent %d frames, want %d", got, n)
	}
	want := fmt.Sprintf("  %d active, %d inactive, %d added\n", n, 4096-n, n)
	if got := d.cliUntil(t, "ios", "show ip cache flow | include inactive,\n", want); got != want {
		t.Fatalf("show ip cache flow %q, want %q", got, want)
	}
	d.cli(t, "ios", "clear mls netflow\n")
	stats := ""
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		stats = d.cli(t, "ios", "show flow exporter NFCAPD statistics\n")
		if strings.Contains(stats, fmt.Sprintf("        - sent:              %d\n", n)) || time.Now().After(deadline) {
			break
		}
	}
	// The same counters as show ip flow export's destination line.
	m := successfullySent.FindStringSubmatch(stats)
	export := d.cli(t, "ios", "show ip flow export\n")
	if m == nil || !strings.Contains(stats, fmt.Sprintf("        - sent:              %d\n", n)) ||
		!strings.Contains(export, fmt.Sprintf("%s (%d)", capd.Addr.Addr(), capd.Addr.Port())) {
		t.Errorf("show flow exporter NFCAPD statistics:\n%s\nshow ip flow export:\n%s", stats, export)
	}
	if mstats := d.cli(t, "ios", "show flow monitor FNF-MON statistics\n"); !strings.Contains(mstats, fmt.Sprintf("  %-38s%10d\n  %-38s%10d\n", "Flows added:", n, "Flows aged:", n)) {
		t.Errorf("show flow monitor statistics does not count %d flows added:\n%q", n, mstats)
	}

	// nfcapd: every flow once, exact, with the port's ifIndex as input.
	time.Sleep(500 * time.Millisecond)
	files, _ := capd.Close(t)
	dir := filepath.Dir(files[0])
	for _, x := range collector.Compare(collector.Nfdump(t, "-R", dir), trafgenTuples(0, n)) {
		t.Errorf("%s: collector %v, sent %v", x.Tuple, x.Ours, x.Their)
	}
	out, err := testproc.Output(exec.Command("nfdump", "-R", dir, "-q", "-N", "-o", "fmt:%in|%tos"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for _, l := range lines {
		if f := strings.Split(strings.ReplaceAll(l, " ", ""), "|"); len(f) != 2 || f[0] != fmt.Sprint(ifc.Index) || f[1] != "0" {
			t.Errorf("nfdump %q, want input ifIndex %d and ToS 0", l, ifc.Index)
			break
		}
	}
	if len(lines) != n {
		t.Errorf("nfdump read %d records, want %d", len(lines), n)
	}

	// tshark: v9, the template with IE 52 and 53 (collect ipv4 ttl
	// minimum|maximum), and the flows' TTL 64.
	var versions, types, packets []string
	for _, p := range collector.TsharkCflow(t, tsStop(), tsPort, "cflow.version", "cflow.template_field_type", "cflow.packets") {
		versions = append(versions, p["cflow.version"]...)
		types = append(types, p["cflow.template_field_type"]...)
		packets = append(packets, p["cflow.packets"]...)
	}
	if len(versions) == 0 || strings.Trim(strings.Join(versions, " "), "9 ") != "" {
		t.Errorf("tshark: versions %v, want v9 (FNF's default)", versions)
	}
	for _, ie := range []string{"8", "12", "52", "53", "10", "14"} {
		if !slices.Contains(types, ie) {
			t.Errorf("tshark: template field types %v lack %s", types, ie)
		}
	}
	t.Logf("tshark: %d records' packet counts", len(packets))

	// write memory and a restart keep the section.
	if out := d.cli(t, "ios", "write memory\n"); !strings.Contains(out, "[OK]") {
		t.Fatalf("write memory: %s", out)
	}
	d.stopAndStart(t, syscall.SIGTERM)
	if again := d.cli(t, "ios", "show running-config\n"); again != run {
		t.Errorf("after the restart the running-config differs:\n%s\nwas:\n%s", again, run)
	}
	if mon2 := d.cli(t, "ios", "show flow monitor FNF-MON\n"); !bytes.Contains([]byte(mon2), []byte("    Status:               allocated\n")) {
		t.Errorf("after the restart:\n%s", mon2)
	}
}

// TestFNFExporterChangeWhileExporting: the monitor's exporter is sent to
// another collector (transport udp) while trafgen's flows are metered and
// aging out: every flow reaches one collector or the other exactly once,
// the first before the change, the rest after; nothing is lost or sent
// twice.
func TestFNFExporterChangeWhileExporting(t *testing.T) {
	v := testnet.Enter(t)
	first, second := collector.StartNfcapd(t), collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname fnfchange
username admin privilege 15 secret letmein
flow exporter E
 destination %s
 transport udp %d
!
flow monitor M
 exporter E
 cache timeout inactive 10
 record netflow ipv4 original-input
!
interface %s
 ip flow monitor M input
!
`, first.Addr.Addr(), first.Addr.Port(), v.Mon))
	// 20 flows a second for 16 s: those of the first seconds age out
	// (10 s inactive) to the first collector before the change.
	const n = 320
	g := startTrafgen(t, v, trafgenFlows, n, 20)
	time.Sleep(13 * time.Second)
	if out := d.cli(t, "ios", fmt.Sprintf("configure terminal\nflow exporter E\n transport udp %d\nend\n", second.Addr.Port())); strings.Contains(out, "%") {
		t.Fatalf("the change was refused:\n%s", out)
	}
	if got := g.wait(t); got != n {
		t.Fatalf("trafgen sent %d frames, want %d", got, n)
	}
	want := fmt.Sprintf(" %d added\n", n)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		got := d.cli(t, "ios", "show ip cache flow | include added\n")
		if strings.HasSuffix(got, want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("show ip cache flow %q, want %d added", got, n)
		}
	}
	d.cli(t, "ios", "clear mls netflow\n")
	time.Sleep(time.Second)
	one, _ := first.Stop(t)
	two, _ := second.Stop(t)
	if len(one) == 0 || len(two) == 0 {
		t.Errorf("the first collector got %d flows, the second %d: the change did not fall while flows aged out", len(one), len(two))
	}
	both := collector.Tuples{}
	for _, m := range []collector.Tuples{one, two} {
		for k, c := range m {
			both.Add(k, c.Packets, c.Bytes)
		}
	}
	for _, x := range collector.Compare(both, trafgenTuples(0, n)) {
		t.Errorf("%s: collectors %v, sent %v", x.Tuple, x.Ours, x.Their)
	}
	t.Logf("%d flows to the first collector, %d to the second", len(one), len(two))
	if exp := d.cli(t, "ios", "show flow exporter E statistics\n"); !strings.Contains(exp, fmt.Sprintf("        - sent:              %d\n", len(two))) {
		t.Errorf("show flow exporter E statistics does not count the second collector's %d flows:\n%s", len(two), exp)
	}
}

// TestFNFMonitorFamilies: `ip flow monitor` alone meters a port's IPv4
// packets only, as on IOS-XE; once `ipv6 flow monitor` joins (an IPv6
// monitor agreeing with the IPv4 one) its IPv6 packets are metered too
// and go to the same collector.
func TestFNFMonitorFamilies(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname fnffam
username admin privilege 15 secret letmein
flow exporter E
 destination %s
 transport udp %d
!
flow monitor M4
 exporter E
 record netflow ipv4 original-input
!
flow monitor M6
 exporter E
 record netflow ipv6 original-input
!
interface %s
 ip flow monitor M4 input
!
`, capd.Addr.Addr(), capd.Addr.Port(), v.Mon))
	send := func() {
		t.Helper()
		frames := udpFrames([4]byte{10, 0, 7, 1}, 4000, 3)
		for range 2 {
			frames = append(frames, l4Frame6("2001:db8::1", 17, 5000))
		}
		v.Send(t, frames)
	}
	send()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(d.cli(t, "ios", "show ip cache flow\n"), "10.0.7.1"); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the IPv4 frames were never metered")
		}
	}
	if six := d.cli(t, "ios", "show ipv6 flow cache\n"); strings.Contains(strings.ToLower(six), "2001:db8::1") {
		t.Errorf("IPv6 metered with only ip flow monitor:\n%s", six)
	}
	d.cli(t, "ios", "clear mls netflow\n")
	if out := d.cli(t, "ios", fmt.Sprintf("configure terminal\ninterface %s\n ipv6 flow monitor M6 input\nend\n", v.Mon)); strings.Contains(out, "%") {
		t.Fatalf("ipv6 flow monitor M6 input refused:\n%s", out)
	}
	send()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(d.cli(t, "ios", "show ipv6 flow cache\n"), "2001:DB8::1"); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the IPv6 frames were never metered:\n%s", d.cli(t, "ios", "show ipv6 flow cache\n"))
		}
	}
	d.cli(t, "ios", "clear mls netflow\n")
	exp := collector.Tuples{}
	v4 := collector.Tuple{Proto: 17, Src: netip.MustParseAddr("10.0.7.1"), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 4000, DstPort: 53}
	exp.Add(v4, 3, 3*38)
	exp.Add(v4, 3, 3*38)
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("2001:db8::1"), Dst: netip.MustParseAddr("2001:db8::9"), SrcPort: 5000, DstPort: 53}, 2, 2*58)
	expectCollected(t, capd, exp)
}

// TestFNFClearForms: an IOS-XE operator's clears on a live monitor, with
// nfcapd as its exporter's collector. force-export and cache each empty
// the cache with every flow exported once (cache, which drops the flows
// on IOS-XE, exports them too: nfcapd has two records of each tuple, one
// a batch, and not one record lost); `clear flow monitor ... statistics`
// zeroes the cache's counters (show flow monitor statistics and show ip
// cache flow alike) and `clear flow exporter ... statistics` one
// exporter's (show ip flow export's line for it), the other exporter's
// going on. The counters then count again from 0 and add up; the
// running-config and write memory are untouched by any of it.
func TestFNFClearForms(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	tsPort, _ := listenUDP(t)
	d := startDaemon(t, fnfStartup(v.Mon, capd.Addr, tsPort))
	run := d.cli(t, "ios", "show running-config\n")
	const n = 120
	batch := func() {
		t.Helper()
		if got := startTrafgen(t, v, trafgenFlows, n, 500).wait(t); got != n {
			t.Fatalf("trafgen sent %d frames, want %d", got, n)
		}
		if got := d.cliUntil(t, "ios", "show flow monitor FNF-MON statistics | include Current\n", fmt.Sprintf("  %-38s%10d\n", "Current entries:", n)); !strings.Contains(got, fmt.Sprint(n)) {
			t.Fatalf("show flow monitor statistics: %q, want %d current entries", got, n)
		}
	}
	sentLine := func(k int) string { return fmt.Sprintf("        %-21s%d\n", "- sent:", k) }
	// waitSent waits for exporter e's `- sent:` line to read k.
	waitSent := func(e string, k int) string {
		t.Helper()
		var stats string
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if stats = d.cli(t, "ios", "show flow exporter "+e+" statistics\n"); strings.Contains(stats, sentLine(k)) {
				break
			}
		}
		if !strings.Contains(stats, sentLine(k)) {
			t.Fatalf("show flow exporter %s statistics, want %d sent:\n%s", e, k, stats)
		}
		return stats
	}
	monStats := func(added, forced int) string {
		return fmt.Sprintf("  %-38s%10d\n  %-38s%10d\n", "Flows added:", added, "Flows aged:", forced) +
			fmt.Sprintf("    - %-18s(%6d secs)%13d\n    - %-18s(%6d secs)%13d\n", "Active timeout", 60, 0, "Inactive timeout", 10, 0) +
			fmt.Sprintf("    - %-30s%14d\n    - %-30s%14d\n    - %-30s%14d\n", "Event aged", 0, "Emergency aged", 0, "Forced (clear)", forced) +
			fmt.Sprintf("  %-38s%10d\n", "Flows not added (cache full):", 0)
	}

	// force-export: every flow to both exporters, the cache empty.
	batch()
	// The cache's Top N options on the metered flows: the three highest
	// sources of trafgen's (10.1.i.i, i = 1..n), as csv.
	csv := d.cli(t, "ios", "show flow monitor name FNF-MON cache filter transport source-port 4000 sort highest ipv4 source address top 3 format csv\n")
	lines := strings.Split(strings.TrimSuffix(csv, "\n"), "\n")
	wantCSV := []string{"IPV4 SRC ADDR,IPV4 DST ADDR,TRNS SRC PORT,TRNS DST PORT,INTF INPUT,IP TOS,IP PROT,intf output,bytes long,pkts long,time first,time last"}
	for i := n; i > n-3; i-- {
		wantCSV = append(wantCSV, fmt.Sprintf("10.1.%d.%d,192.0.2.%d,4000,53,%s,0x00,17,0,46,1,", i, i, i, v.Mon))
	}
	if len(lines) != len(wantCSV) {
		t.Errorf("show flow monitor cache ... top 3 format csv:\n%s\nwant the header and 3 flows", csv)
	} else {
		for i, l := range lines {
			// The times at the end vary with the run.
			if !strings.HasPrefix(l, wantCSV[i]) || (i == 0 && l != wantCSV[0]) {
				t.Errorf("csv line %d: %q, want %q...", i, l, wantCSV[i])
			}
		}
	}
	d.cli(t, "ios", "clear flow monitor name FNF-MON force-export\n")
	waitSent("NFCAPD", n)
	waitSent("TSHARK", n)
	if got := d.cli(t, "ios", "show flow monitor FNF-MON statistics\n"); !strings.Contains(got, monStats(n, n)) || !strings.Contains(got, fmt.Sprintf("  %-38s%10d\n", "Current entries:", 0)) {
		t.Errorf("after force-export, show flow monitor statistics:\n%s\nwant:\n%s", got, monStats(n, n))
	}

	// statistics: the cache's counters from 0, in both views.
	d.cli(t, "ios", "clear flow monitor FNF-MON statistics\n")
	if got := d.cli(t, "ios", "show flow monitor FNF-MON statistics\n"); !strings.Contains(got, monStats(0, 0)) {
		t.Errorf("after clear flow monitor statistics:\n%s", got)
	}
	if got := d.cli(t, "ios", "show ip cache flow | include added\n"); got != "  0 active, 4096 inactive, 0 added\n" {
		t.Errorf("show ip cache flow after clear flow monitor statistics: %q", got)
	}
	// One exporter's statistics: NFCAPD's from 0, TSHARK's going on.
	d.cli(t, "ios", "clear flow exporter name NFCAPD statistics\n")
	if got := d.cli(t, "ios", "show flow exporter NFCAPD statistics\n"); !strings.Contains(got, sentLine(0)) || !strings.Contains(got, fmt.Sprintf("    %-27s%-22d(%d bytes)\n", "Successfully sent:", 0, 0)) {
		t.Errorf("after clear flow exporter NFCAPD statistics:\n%s", got)
	}
	waitSent("TSHARK", n)
	// show ip flow export: the exporters' v9 (FNF's default, not the
	// traditional cache's v5 nothing sends) and the total both
	// destinations' since their clears: TSHARK's n.
	if exp := d.cli(t, "ios", "show ip flow export | include Flow export|Version|exported in\n"); exp != fmt.Sprintf("Flow export v9 is enabled for main cache\n  Version 9 flow records\n  %d flows exported in %s udp datagrams\n", n, successfullySent.FindStringSubmatch(waitSent("TSHARK", n))[1]) {
		t.Errorf("show ip flow export after NFCAPD's clear, want v9 and %d flows (TSHARK's):\n%s", n, exp)
	}

	// cache: the same flows again, emptied by `cache`: exported, counted
	// from the clears as Forced.
	batch()
	d.cli(t, "ios", "clear flow monitor name FNF-MON cache\n")
	waitSent("NFCAPD", n)
	waitSent("TSHARK", 2*n)
	if got := d.cli(t, "ios", "show flow monitor FNF-MON statistics\n"); !strings.Contains(got, monStats(n, n)) {
		t.Errorf("after clear flow monitor cache, show flow monitor statistics:\n%s\nwant:\n%s", got, monStats(n, n))
	}
	nf := d.cli(t, "ios", "show flow exporter NFCAPD statistics\n")
	m := successfullySent.FindStringSubmatch(nf)
	if m == nil || m[1] == "0" {
		t.Errorf("show flow exporter NFCAPD statistics counts no packet since its clear:\n%s", nf)
	}

	// nfcapd: each tuple's two records, one per batch, none lost or twice.
	time.Sleep(500 * time.Millisecond)
	files, _ := capd.Close(t)
	dir := filepath.Dir(files[0])
	want := trafgenTuples(0, n)
	for k, c := range trafgenTuples(0, n) {
		want.Add(k, c.Packets, c.Bytes)
	}
	for _, x := range collector.Compare(collector.Nfdump(t, "-R", dir), want) {
		t.Errorf("%s: collector %v, sent %v", x.Tuple, x.Ours, x.Their)
	}
	out, err := testproc.Output(exec.Command("nfdump", "-R", dir, "-q", "-N", "-o", "fmt:%pkt"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(out)), "\n"); len(lines) != 2*n {
		t.Errorf("nfdump read %d records, want %d (one per flow and batch)", len(lines), 2*n)
	}

	// The configuration: the clears change nothing of it.
	if again := d.cli(t, "ios", "show running-config\n"); again != run {
		t.Errorf("the clears changed the running-config:\n%s\nwas:\n%s", again, run)
	}
	if out := d.cli(t, "ios", "write memory\n"); !strings.Contains(out, "[OK]") {
		t.Fatalf("write memory: %s", out)
	}
	if st := d.cli(t, "ios", "show startup-config\n"); !strings.Contains(st, "flow monitor FNF-MON\n exporter NFCAPD\n exporter TSHARK\n") {
		t.Errorf("startup-config after write memory:\n%s", st)
	}
}
