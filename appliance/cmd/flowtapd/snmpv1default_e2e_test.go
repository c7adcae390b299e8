package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestSNMPv1DefaultView: a community or v3 group that names no read view
// reads IOS's v1default, which leaves out the SNMPv3 security and access
// MIBs (SNMP-USER-BASED-SM-MIB 1.3.6.1.6.3.15, SNMP-VIEW-BASED-ACM-MIB
// .16, SNMP-COMMUNITY-MIB .18); it read every object the agent serves,
// usmStats included. A community that names v1default reads the same; one
// whose view includes iso reads them.
func TestSNMPv1DefaultView(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname v1def
username admin privilege 15 secret adminpass
snmp-server view ALL iso included
snmp-server community public RO
snmp-server community named view v1default RO
snmp-server community full view ALL RO
snmp-server group NMS v3 priv
snmp-server user nms NMS v3 auth sha authpass123 priv aes 128 privpass123
`)
	waitSNMP(t, "udp:"+d.snmpAddr)
	v3 := []string{"-v3", "-l", "authPriv", "-u", "nms", "-a", "SHA", "-A", "authpass123", "-x", "AES", "-X", "privpass123"}
	const usm = "1.3.6.1.6.3.15.1.1.3.0" // usmStatsUnknownUserNames
	for _, who := range [][]string{{"-v2c", "-c", "public"}, {"-v2c", "-c", "named"}, v3} {
		args := append(slices.Clone(who), "AGENT", usm)
		if got, err := snmpAsk("snmpget", d.snmpAddr, args...); got != "No Such Object available on this agent at this OID" {
			t.Errorf("%v: usmStatsUnknownUserNames read %q (%v), want no such object", who, got, err)
		}
	}
	// v1default names everything else: a community naming it reads as
	// one that names no view (it read nothing, the view not configured).
	for _, c := range []string{"public", "named"} {
		if got, err := snmpAsk("snmpget", d.snmpAddr, "-v2c", "-c", c, "AGENT", "1.3.6.1.2.1.1.5.0"); got != `"v1def"` {
			t.Errorf("%s: sysName %s (%v), want \"v1def\"", c, got, err)
		}
	}
	if got, err := snmpAsk("snmpget", d.snmpAddr, "-v2c", "-c", "full", "AGENT", usm); got != "0" {
		t.Errorf("full view: usmStatsUnknownUserNames %q (%v), want 0", got, err)
	}
	// A walk of snmpModules: the full view's OIDs less the excluded
	// subtrees, which the full view does serve.
	oids := func(who ...string) []string {
		t.Helper()
		args := append([]string{"-t1", "-r0", "-OQn"}, who...)
		args = append(args, "udp:"+d.snmpAddr, "1.3.6.1.6.3")
		b, err := testproc.CombinedOutput(exec.Command("snmpwalk", args...))
		out := string(b)
		if err != nil {
			t.Fatalf("snmpwalk %v: %v\n%s", who, err, out)
		}
		var o []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			name, val, _ := strings.Cut(l, " = ")
			if strings.HasPrefix(val, "No more variables left") {
				continue // the walk's end (endOfMibView), not an object
			}
			o = append(o, name)
		}
		return o
	}
	full := oids("-v2c", "-c", "full")
	var want []string
	for _, o := range full {
		if !strings.HasPrefix(o, ".1.3.6.1.6.3.15.") && !strings.HasPrefix(o, ".1.3.6.1.6.3.16.") && !strings.HasPrefix(o, ".1.3.6.1.6.3.18.") {
			want = append(want, o)
		}
	}
	if len(want) == len(full) || len(want) == 0 {
		t.Fatalf("the full view's walk has no USM objects or nothing else:\n%s", strings.Join(full, "\n"))
	}
	for _, who := range [][]string{{"-v2c", "-c", "public"}, v3} {
		if got := oids(who...); !slices.Equal(got, want) {
			t.Errorf("%v: snmpwalk 1.3.6.1.6.3:\n%s\nwant:\n%s", who, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
