package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestSNMPSetRefusedValue: a Set of a host name, location or interface
// description the configuration does not take gets wrongValue, the
// error its value deserves, and changes nothing; the old agent got as
// far as the commit and answered commitFailed. A good value is set.
func TestSNMPSetRefusedValue(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, fmt.Sprintf("hostname settap\nusername admin secret letmein\nsnmp-server community public RO\nsnmp-server community private RW\ninterface %s\n ip flow ingress\n", v.Mon))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	for _, args := range [][]string{
		{"1.3.6.1.2.1.1.5.0", "s", "core router"},
		{"1.3.6.1.2.1.1.5.0", "s", "-dash"},
		{"1.3.6.1.2.1.1.6.0", "s", "  hall 2"},
		{fmt.Sprintf("1.3.6.1.2.1.31.1.1.1.18.%d", v.MonIndex), "s", "tap A "},
	} {
		out, err := snmpAsk("snmpset", agent, append([]string{"-v2c", "-cprivate", "AGENT"}, args...)...)
		if err == nil || !strings.Contains(out, "wrongValue") {
			t.Errorf("snmpset %v: %v, want wrongValue\n%s", args, err, out)
		}
	}
	if got := d.cli(t, "ios", "show running-config | include hostname|location|description\n"); got != "hostname settap\n" {
		t.Errorf("running-config after the refused sets: %q", got)
	}
	if out, err := snmpAsk("snmpset", agent, "-v2c", "-cprivate", "AGENT", "1.3.6.1.2.1.1.5.0", "s", "core-router"); err != nil {
		t.Fatalf("snmpset sysName core-router: %v\n%s", err, out)
	}
	if got := d.cli(t, "ios", "show running-config | include hostname\n"); got != "hostname core-router\n" {
		t.Errorf("running-config after the set: %q", got)
	}
}
