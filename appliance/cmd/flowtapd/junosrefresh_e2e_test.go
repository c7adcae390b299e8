package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/mibfiles"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSTemplateRefreshDefaults: a Junos version9 template that says
// nothing of template-refresh-rate or option-refresh-rate resends both
// every 4800 packets or 60 seconds, Junos's defaults, where flowtap used
// IOS's 20 packets and 30 minutes. A thousand flows leave in well over 20
// export packets, of which tshark finds the templates in the first alone;
// IOS's screen and CISCO-NETFLOW-MIB say the same settings.
func TestJunOSTemplateRefreshDefaults(t *testing.T) {
	v := testnet.Enter(t)
	port, stop := listenUDP(t)
	d := startDaemon(t, "username admin privilege 15 secret letmein\nsnmp-server community public RO\n")
	commit := d.cli(t, "junos", "configure\n"+fmt.Sprintf(`set flowtap platform cflowd
set services flow-monitoring version9 template V4 flow-inactive-timeout 15
set services flow-monitoring version9 template V4 ipv4-template
set interfaces %s unit 0 family inet sampling input
set forwarding-options sampling input rate 1
set forwarding-options sampling family inet output flow-server 127.0.0.1 port %d version9 template V4
`, v.Mon, port)+"commit\n")
	if !strings.Contains(commit, "commit complete") {
		t.Fatalf("commit:\n%s", commit)
	}
	tpl := d.cli(t, "ios", "show ip flow export template\n")
	if want := "  Template export information\n  Template timeout = 1\n  Template refresh rate = 4800\n" +
		"  Option export information\n  Option timeout = 1\n  Option refresh rate = 4800\n"; !strings.Contains(tpl, want) {
		t.Errorf("show ip flow export template:\n%s\nwant Junos's defaults:\n%s", tpl, want)
	}
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	out, err := mibfiles.Run(t, "CISCO-NETFLOW-MIB", "snmpget", "-v2c", "-cpublic", "-Os", "-OQ", agent,
		"cnfTemplateExportVer9TplTimeout.0", "cnfTemplateExportVer9OptTimeout.0",
		"cnfTemplateExportVer9TplRefreshRate.0", "cnfTemplateExportVer9OptRefreshRate.0")
	if want := "cnfTemplateExportVer9TplTimeout.main = 1 minutes\ncnfTemplateExportVer9OptTimeout.main = 1 minutes\n" +
		"cnfTemplateExportVer9TplRefreshRate.main = 4800 packets\ncnfTemplateExportVer9OptRefreshRate.main = 4800 packets"; err != nil || strings.TrimSpace(out) != want {
		t.Errorf("snmpget: %v\n%s\nwant:\n%s", err, out, want)
	}

	const flows = 1000
	var frames [][]byte
	for i := range flows {
		frames = append(frames, udpFrame([4]byte{10, 0, 8, 1}, uint16(2000+i), 10))
	}
	v.Send(t, frames)
	// The flows go idle and leave at the template's inactive timeout.
	want := fmt.Sprintf("%d flows exported", flows)
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(d.cli(t, "ios", "show ip flow export\n"), want); time.Sleep(500 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not all %d flows were exported:\n%s", flows, d.cli(t, "ios", "show ip flow export\n"))
		}
	}
	time.Sleep(500 * time.Millisecond)
	pkts := collector.TsharkCflow(t, stop(), port, "cflow.flowset_id", "cflow.srcport")
	records, withTemplate := 0, []int{}
	for i, p := range pkts {
		records += len(p["cflow.srcport"])
		if slices.Contains(p["cflow.flowset_id"], "0") {
			withTemplate = append(withTemplate, i)
		}
	}
	t.Logf("%d export packets, %d records, templates in packets %v", len(pkts), records, withTemplate)
	if records != flows {
		t.Errorf("tshark read %d records, want %d", records, flows)
	}
	// IOS's 20-packet refresh would have resent the template by now.
	if len(pkts) <= 21 {
		t.Fatalf("%d export packets: too few to tell a 20-packet refresh from 4800", len(pkts))
	}
	if !slices.Equal(withTemplate, []int{0}) {
		t.Errorf("templates in export packets %v of %d, want in the first only", withTemplate, len(pkts))
	}
}

// TestJunOSShortTemplateRefreshOverSNMP: CISCO-NETFLOW-MIB counts the
// template and options resend intervals in minutes. A Junos template
// resent every 10 seconds read 0 there (truncated), which an NMS takes
// for never; it reads 1, the minute within which it is resent, and 90
// seconds reads 2.
func TestJunOSShortTemplateRefreshOverSNMP(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "username admin privilege 15 secret letmein\nsnmp-server community public RO\n")
	commit := d.cli(t, "junos", `configure
set flowtap platform cflowd
set services flow-monitoring version-ipfix template V4 template-refresh-rate seconds 10
set services flow-monitoring version-ipfix template V4 option-refresh-rate seconds 90
set services flow-monitoring version-ipfix template V4 ipv4-template
set forwarding-options sampling family inet output flow-server 192.0.2.9 port 4739 version-ipfix template V4
commit
`)
	if !strings.Contains(commit, "commit complete") {
		t.Fatalf("commit:\n%s", commit)
	}
	if tpl, want := d.cli(t, "ios", "show ip flow export template\n"), "  Template export information\n  Template timeout = 10 seconds\n  Template refresh rate = 4800\n"+
		"  Option export information\n  Option timeout = 90 seconds\n  Option refresh rate = 4800\n"; !strings.Contains(tpl, want) {
		t.Errorf("show ip flow export template:\n%s\nwant:\n%s", tpl, want)
	}
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	out, err := mibfiles.Run(t, "CISCO-NETFLOW-MIB", "snmpget", "-v2c", "-cpublic", "-Os", "-OQ", agent,
		"cnfTemplateExportVer9TplTimeout.0", "cnfTemplateExportVer9OptTimeout.0")
	if want := "cnfTemplateExportVer9TplTimeout.main = 1 minutes\ncnfTemplateExportVer9OptTimeout.main = 2 minutes"; err != nil || strings.TrimSpace(out) != want {
		t.Errorf("snmpget: %v\n%s\nwant:\n%s", err, out, want)
	}
}
