package main

import (
	"fmt"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestSNMPv3UserAccessListCounted: net-snmp asking as a v3 user whose
// `access` list denies it, and as one whose group's list denies it, reads
// the same "Unknown user name" Report as a user the box lacks, so the
// denied source cannot tell configured names from others; each refusal
// shows in `show snmp`, in
// usmStatsUnknownUserNames (read through a view that includes it: IOS's
// v1default leaves it out; as a refused community is in the unknown
// community names) and in flowtap_snmp_auth_failures_total under its own
// cause, not under unknown-user. Before, they were only logged.
func TestSNMPv3UserAccessListCounted(t *testing.T) {
	testnet.Enter(t)
	port := freeTCP(t)[len("127.0.0.1:"):]
	d := startDaemon(t, fmt.Sprintf(`hostname acltap
username admin privilege 15 secret adminpass
access-list 11 deny any
snmp-server view ALL iso included
snmp-server community public view ALL RO
snmp-server group NMS v3 priv
snmp-server group FENCED v3 priv access 11
snmp-server user fenced NMS v3 auth sha authpass123 priv aes 128 privpass123 access 11
snmp-server user grouped FENCED v3 auth sha authpass123 priv aes 128 privpass123
ip http metrics port %s
`, port))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	for _, u := range []string{"fenced", "grouped", "nosuch"} {
		got, err := snmpAsk("snmpget", d.snmpAddr, "-v3", "-l", "authPriv", "-u", u, "-a", "SHA", "-A", "authpass123", "-x", "AES", "-X", "privpass123",
			"AGENT", "1.3.6.1.2.1.1.5.0")
		if err == nil || got != "snmpget: Unknown user name" {
			t.Fatalf("%s: the denied manager read %q (%v), want net-snmp's Unknown user name as for a user the box lacks", u, got, err)
		}
	}

	if screen := d.cli(t, "ios", "show snmp | include user\n"); screen != "    1 Unknown user name\n    2 Refused by user access-list\n" {
		t.Errorf("show snmp: %q", screen)
	}
	if got, err := snmpAsk("snmpget", d.snmpAddr, "-v2c", "-c", "public", "AGENT", "1.3.6.1.6.3.15.1.1.3.0"); err != nil || got != "3" {
		t.Errorf("usmStatsUnknownUserNames: %q %v, want 3", got, err)
	}
	fams := scrapeMetrics(t, "127.0.0.1", port)
	got := map[string]float64{}
	for _, m := range fams["flowtap_snmp_auth_failures_total"].GetMetric() {
		got[m.Label[0].GetValue()] = m.Counter.GetValue()
	}
	if got["user-access-list"] != 2 || got["unknown-user"] != 1 {
		t.Errorf("flowtap_snmp_auth_failures_total: %v", got)
	}
}
