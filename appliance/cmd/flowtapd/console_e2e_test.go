package main

import (
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// showSNMPCount reads one counter of `show snmp` by its IOS label.
func showSNMPCount(t *testing.T, screen, label string) int {
	t.Helper()
	m := regexp.MustCompile(`(?m)^ *(\d+) ` + regexp.QuoteMeta(label) + `$`).FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("show snmp lacks %q:\n%s", label, screen)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestShowSNMPCountsRequests: `show snmp` prints the running agent's
// counters in IOS's layout; requests from net-snmp's snmpget move them by
// exactly what was sent.
func TestShowSNMPCountsRequests(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname snmpshow\nusername admin secret letmein\nsnmp-server community public RO\nsnmp-server location rack 9\n")
	agent := "udp:" + d.snmpAddr
	deadline := time.Now().Add(30 * time.Second)
	for {
		if out, err := testproc.CombinedOutput(exec.Command("snmpget", "-v2c", "-cpublic", "-t1", "-r0", agent, "1.3.6.1.2.1.1.5.0")); err == nil && strings.Contains(string(out), "snmpshow") {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("snmp agent does not answer: %v %s", err, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	before := d.cli(t, "ios", "show snmp\n")
	if !strings.Contains(before, "Location: rack 9\n") {
		t.Errorf("show snmp lacks the location:\n%s", before)
	}
	snmpTool(t, "snmpget", "-v2c", "-cpublic", agent, "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.3.0")
	snmpTool(t, "snmpgetnext", "-v2c", "-cpublic", agent, "1.3.6.1.2.1.1.5.0")
	if out, err := testproc.CombinedOutput(exec.Command("snmpget", "-v2c", "-cwrong", "-t1", "-r0", agent, "1.3.6.1.2.1.1.5.0")); err == nil {
		t.Fatalf("a wrong community got an answer: %s", out)
	}
	after := d.cli(t, "ios", "show snmp\n")
	t.Logf("show snmp:\n%s", after)
	for _, c := range []struct {
		label string
		delta int
	}{
		{"SNMP packets input", 3},
		{"Unknown community name", 1},
		{"Get-request PDUs", 1},
		{"Get-next PDUs", 1},
		{"Number of requested variables", 3},
		{"SNMP packets output", 2},
		{"Response PDUs", 2},
	} {
		if got := showSNMPCount(t, after, c.label) - showSNMPCount(t, before, c.label); got != c.delta {
			t.Errorf("show snmp %q moved by %d, want %d", c.label, got, c.delta)
		}
	}
}
