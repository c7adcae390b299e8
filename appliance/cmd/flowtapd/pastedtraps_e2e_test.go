package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestPastedTrapTypes: the `snmp-server enable traps` lines a router's
// running-config prints, booted as the startup-config, send what IOS
// sends to snmptrapd: `snmp authentication linkdown linkup coldstart
// warmstart` the start notification and authenticationFailure, `config`
// ciscoConfigManEvent; a type flowtap has no notification for (syslog)
// is reported with its file:line and reason while the other lines apply.
// Pasted in configuration mode, `no snmp-server enable traps config`
// stops the configuration events alone. Before, both lines were refused
// at the first type word, and a pasted IOS configuration sent nothing.
func TestPastedTrapTypes(t *testing.T) {
	testnet.Enter(t)
	port, trapLines := startTrapd(t, "")
	d := startDaemon(t, fmt.Sprintf(`hostname pastetap
username admin secret letmein
snmp-server community public RO
snmp-server enable traps snmp authentication linkdown linkup coldstart warmstart
snmp-server enable traps syslog
snmp-server enable traps config
snmp-server host 127.0.0.1 version 2c public udp-port %d
`, port))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	d.waitLog(t, "startup-config:5")
	if !strings.Contains(d.log.String(), "flowtap has no syslog notifications") {
		t.Errorf("the boot log does not say why line 5 was skipped:\n%s", d.log)
	}
	if got, want := d.cli(t, "ios", "show running-config | include traps\n"),
		"snmp-server enable traps snmp authentication linkdown linkup coldstart warmstart\nsnmp-server enable traps config\n"; got != want {
		t.Errorf("running-config: %q, want %q", got, want)
	}
	const (
		coldStart   = "OID: .1.3.6.1.6.3.1.1.5.1"
		warmStart   = "OID: .1.3.6.1.6.3.1.1.5.2"
		authFailure = "OID: .1.3.6.1.6.3.1.1.5.5"
		configMan   = "OID: .1.3.6.1.4.1.9.9.43.2.0.1"
	)
	count := func(oid string) int { return strings.Count(trapLines(), oid) }
	waitFor := func(what, oid string, n int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); count(oid) < n; time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("snmptrapd heard %d %s, want %d:\n%s", count(oid), what, n, trapLines())
			}
		}
	}
	for deadline := time.Now().Add(10 * time.Second); count(coldStart)+count(warmStart) == 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("snmptrapd heard no coldStart or warmStart:\n%s", trapLines())
		}
	}
	if _, err := snmpAsk("snmpget", agent, "-v2c", "-cguess", "AGENT", "1.3.6.1.2.1.1.5.0"); err == nil {
		t.Fatal("a wrong community was answered")
	}
	waitFor("authenticationFailure", authFailure, 1)
	d.cli(t, "ios", "configure terminal\nsnmp-server location lab-1\nend\n")
	waitFor("ciscoConfigManEvent", configMan, 1)

	// Pasted over the control socket: config events off, the rest stays.
	out := d.cli(t, "ios", "configure terminal\nno snmp-server enable traps config\nsnmp-server enable traps cpu threshold\nend\nshow running-config | include traps\n")
	if !strings.Contains(out, "% Flowtap has no cpu notifications") || strings.Contains(out, "snmp-server enable traps config") ||
		!strings.Contains(out, "snmp-server enable traps snmp authentication linkdown linkup coldstart warmstart\n") {
		t.Errorf("the pasted lines' screen:\n%s", out)
	}
	before := count(configMan)
	d.cli(t, "ios", "configure terminal\nsnmp-server location lab-2\nend\n")
	time.Sleep(time.Second)
	if n := count(configMan); n != before {
		t.Errorf("after no snmp-server enable traps config, snmptrapd heard %d more ciscoConfigManEvent", n-before)
	}
	snmpAsk("snmpget", agent, "-v2c", "-cguess2", "AGENT", "1.3.6.1.2.1.1.5.0")
	waitFor("authenticationFailure", authFailure, 2)
}
