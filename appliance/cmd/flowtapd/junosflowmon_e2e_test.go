package main

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSFlowMonitoringExportsIPFIX: an MX's inline J-Flow
// configuration (a version-ipfix template, a named sampling instance
// bound to FPC 0, a flow-server naming the template) on a real port
// exports IPFIX to nfcapd; the running configuration keeps the JunOS
// statements, and IOS shows the template's timeouts as the cache's and
// the exporter's.
func TestJunOSFlowMonitoringExportsIPFIX(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	tsPort, tsStop := listenUDP(t)
	d := startDaemon(t, "username admin privilege 15 secret letmein\n")
	commit := d.cli(t, "junos", "configure\n"+fmt.Sprintf(`set system host-name jflowmon
set flowtap platform cflowd
set chassis fpc 0 sampling-instance SI
set services flow-monitoring version-ipfix template IPV4 flow-active-timeout 120
set services flow-monitoring version-ipfix template IPV4 flow-inactive-timeout 30
set services flow-monitoring version-ipfix template IPV4 template-refresh-rate seconds 120
set services flow-monitoring version-ipfix template IPV4 option-refresh-rate seconds 180
set services flow-monitoring version-ipfix template IPV4 ipv4-template
set interfaces %s unit 0 family inet sampling input
set forwarding-options sampling instance SI input rate 1
set forwarding-options sampling instance SI family inet output flow-server %s port %d
set forwarding-options sampling instance SI family inet output flow-server %s port %d version-ipfix template IPV4
set forwarding-options sampling instance SI family inet output flow-server 127.0.0.1 port %d version-ipfix template IPV4
set forwarding-options sampling instance SI family inet output inline-jflow source-address 127.0.0.1
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port(), capd.Addr.Addr(), capd.Addr.Port(), tsPort)+"commit\n")
	if !strings.Contains(commit, "commit complete") {
		t.Fatalf("commit:\n%s", commit)
	}
	set := d.cli(t, "junos", "show configuration | display set\n")
	for _, want := range []string{
		"set chassis fpc 0 sampling-instance SI\n",
		"set services flow-monitoring version-ipfix template IPV4 flow-active-timeout 120\n",
		"set services flow-monitoring version-ipfix template IPV4 flow-inactive-timeout 30\n",
		"set services flow-monitoring version-ipfix template IPV4 template-refresh-rate seconds 120\n",
		"set services flow-monitoring version-ipfix template IPV4 option-refresh-rate seconds 180\n",
		fmt.Sprintf("set forwarding-options sampling instance SI family inet output flow-server %s port %d version-ipfix template IPV4\n", capd.Addr.Addr(), capd.Addr.Port()),
		"set forwarding-options sampling instance SI family inet output inline-jflow source-address 127.0.0.1\n",
	} {
		if !strings.Contains(set, want) {
			t.Errorf("show configuration | display set lacks %q:\n%s", want, set)
		}
	}
	run := d.cli(t, "ios", "show running-config\n")
	for _, want := range []string{
		"ip flow-cache timeout active 2\n",
		"ip flow-cache timeout inactive 30\n",
		"ip flow-export template timeout-rate 2\n",
		"ip flow-export template options timeout-rate 3\n",
		fmt.Sprintf("ip flow-export destination %s %d", capd.Addr.Addr(), capd.Addr.Port()),
	} {
		if !strings.Contains(run, want) {
			t.Errorf("IOS show running-config lacks %q:\n%s", want, run)
		}
	}
	export := d.cli(t, "ios", "show ip flow export\n")
	for _, port := range []uint16{capd.Addr.Port(), tsPort} {
		if want := fmt.Sprintf(" 127.0.0.1 (%d) IPFIX\n", port); !strings.Contains(export, want) {
			t.Errorf("show ip flow export lacks %q:\n%s", want, export)
		}
	}
	if tpl := d.cli(t, "ios", "show ip flow export template\n"); !strings.Contains(tpl, "  Template export information\n  Template timeout = 2\n  Template refresh rate = 4800\n"+
		"  Option export information\n  Option timeout = 3\n  Option refresh rate = 4800\n") {
		t.Errorf("show ip flow export template does not show the template's refresh rates:\n%s", tpl)
	}
	// The servers' format, not the main cache's cflowd default (v5).
	if st := d.cli(t, "junos", "show services accounting status\n"); !strings.Contains(st, "\n    Export format: IPFIX\n") {
		t.Errorf("show services accounting status does not name the servers' IPFIX:\n%s", st)
	}
	if cache := d.cli(t, "ios", "show ip cache flow\n"); !strings.Contains(cache, "Active flows timeout in 2 minutes\n  Inactive flows timeout in 30 seconds\n") {
		t.Errorf("show ip cache flow does not show the template's timeouts:\n%s", cache)
	}
	v.Send(t, udpFrames([4]byte{10, 0, 7, 1}, 4000, 6))
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(d.cli(t, "junos", "show services accounting flow-detail\n"), "10.0.7.1"); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the frames were never metered")
		}
	}
	d.cli(t, "ios", "clear mls netflow\n")
	exp := collector.Tuples{}
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("10.0.7.1"), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 4000, DstPort: 53}, 6, 6*38)
	expectCollected(t, capd, exp)
	// The MX operator's per-FPC screens, for the slot the instance is
	// bound to: the one flow's six packets were exported.
	inl := d.cli(t, "junos", "show services accounting flow inline-jflow fpc-slot 0\nshow services accounting status inline-jflow fpc-slot 0\n")
	for _, want := range []string{"  Flow information\n    FPC Slot: 0\n", "    Flows Exported: ", "  Status information\n    FPC Slot: 0\n    Export format: IPFIX\n"} {
		if !strings.Contains(inl, want) {
			t.Errorf("inline-jflow fpc-slot 0 screens lack %q:\n%s", want, inl)
		}
	}
	if m := regexp.MustCompile(`Flow Packets: (\d+)`).FindStringSubmatch(inl); m == nil || m[1] == "0" {
		t.Errorf("inline-jflow flow screen counts no packet:\n%s", inl)
	}
	// The MX operator's clear: the same counters IOS's clear ip flow
	// stats zeroes, so both CLIs start again from zero.
	if out := d.cli(t, "junos", "clear services accounting statistics inline-jflow fpc-slot 0\n"); strings.TrimSpace(out) != "" {
		t.Errorf("clear services accounting statistics: %q", out)
	}
	if flow := d.cli(t, "junos", "show services accounting flow inline-jflow fpc-slot 0\n"); !strings.Contains(flow, "    Flows Exported: 0, Flow Packets Exported: 0\n") {
		t.Errorf("the counters were not cleared:\n%s", flow)
	}
	if exp := d.cli(t, "ios", "show ip flow export\n"); !strings.Contains(exp, "  0 flows exported in 0 udp datagrams\n") {
		t.Errorf("IOS does not see the JunOS clear:\n%s", exp)
	}
	// tshark reads the other server's packets: IPFIX (version 10), with
	// the one flow's six packets.
	var versions, packets []string
	for _, p := range collector.TsharkCflow(t, tsStop(), tsPort, "cflow.version", "cflow.packets") {
		versions = append(versions, p["cflow.version"]...)
		packets = append(packets, p["cflow.packets"]...)
	}
	t.Logf("tshark: versions %v, packets %v", versions, packets)
	if len(versions) == 0 || strings.Trim(strings.Join(versions, " "), "10 ") != "" || !slices.Contains(packets, "6") {
		t.Errorf("tshark: versions %v, packets %v; want IPFIX (10) carrying a 6-packet flow", versions, packets)
	}
}
