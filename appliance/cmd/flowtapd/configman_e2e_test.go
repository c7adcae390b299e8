package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestSNMPConfigManHistory: what an NMS watching for configuration
// changes reads (CISCO-CONFIG-MAN-MIB): a configuration session ended
// at the CLI moves ccmHistoryRunningLastChanged past
// ccmHistoryRunningLastSaved (changed, not saved) and sends
// ciscoConfigManEvent (commandLine, commandSource -> running) to
// snmptrapd; `write memory` moves RunningLastSaved and
// StartupLastChanged and sends one for running -> startup; an SNMP Set
// is an event from snmp with the manager's address. The history table
// holds the three. Before, flowtap served none of it and sent no
// notification on a change, so an NMS never knew to fetch the
// configuration.
func TestSNMPConfigManHistory(t *testing.T) {
	testnet.Enter(t)
	port, trapLines := startTrapd(t, "")
	d := startDaemon(t, fmt.Sprintf(`hostname cfgtap
username admin secret letmein
snmp-server community public RO
snmp-server community private RW
snmp-server enable traps
snmp-server host 127.0.0.1 version 2c public udp-port %d
`, port))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	const hist = "1.3.6.1.4.1.9.9.43.1.1"
	ticks := func(i int) int {
		t.Helper()
		out := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqvt", agent, fmt.Sprintf("%s.%d.0", hist, i))
		n, err := strconv.Atoi(out)
		if err != nil {
			t.Fatalf("%s.%d.0 = %q", hist, i, out)
		}
		return n
	}
	if c, s, st := ticks(1), ticks(2), ticks(3); c != 0 || s != 0 || st != 0 {
		t.Errorf("at the start: RunningLastChanged %d, RunningLastSaved %d, StartupLastChanged %d; want 0", c, s, st)
	}
	event := func(idx int, source, from, to string) {
		t.Helper()
		want := []string{
			fmt.Sprintf(".%s.6.1.3.%d = INTEGER: %s", hist, idx, source),
			fmt.Sprintf(".%s.6.1.4.%d = INTEGER: %s", hist, idx, from),
			fmt.Sprintf(".%s.6.1.5.%d = INTEGER: %s", hist, idx, to),
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			var l string
			for _, line := range strings.Split(trapLines(), "\n") {
				if strings.Contains(line, "OID: .1.3.6.1.4.1.9.9.43.2.0.1") && strings.Contains(line, want[0]) {
					l = line
				}
			}
			if l != "" {
				for _, w := range want {
					if !strings.Contains(l, w) {
						t.Errorf("ciscoConfigManEvent %d lacks %q: %s", idx, w, l)
					}
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("snmptrapd heard no ciscoConfigManEvent %d:\n%s", idx, trapLines())
			}
		}
	}

	time.Sleep(20 * time.Millisecond) // a sysUpTime past 0
	d.cli(t, "ios", "configure terminal\nsnmp-server location lab-1\nend\n")
	event(1, "1", "2", "3")
	if c, s := ticks(1), ticks(2); c == 0 || s != 0 {
		t.Errorf("after a change: RunningLastChanged %d, RunningLastSaved %d; want it changed and not saved", c, s)
	}
	d.cli(t, "ios", "write memory\n")
	event(2, "1", "3", "4")
	if c, s, st := ticks(1), ticks(2), ticks(3); s < c || st != s {
		t.Errorf("after write memory: RunningLastChanged %d, RunningLastSaved %d, StartupLastChanged %d; want saved", c, s, st)
	}
	snmpTool(t, "snmpset", "-v2c", "-cprivate", agent, "1.3.6.1.2.1.1.6.0", "s", "lab-2")
	event(3, "2", "2", "3")
	if c, s := ticks(1), ticks(2); c < s {
		t.Errorf("after an SNMP Set: RunningLastChanged %d, RunningLastSaved %d; want changed since the save", c, s)
	}
	// show snmp counts what snmptrapd got (coldStart and the three
	// events, and any link news), none dropped.
	heard := strings.Count(trapLines(), ".1.3.6.1.6.3.1.1.4.1.0 = OID:")
	want := fmt.Sprintf("    Logging to 127.0.0.1.%d, 0/10, %d sent, 0 dropped.\n", port, heard)
	if got := d.cli(t, "ios", "show snmp | include Logging to\n"); got != want || heard < 4 {
		t.Errorf("show snmp: %q, want %q (snmptrapd heard %d)", got, want, heard)
	}
	out := snmpTool(t, "snmpwalk", "-v2c", "-cpublic", "-On", "-OQ", agent, hist+".6")
	for _, w := range []string{
		"." + hist + ".6.1.3.1 = 1", "." + hist + ".6.1.3.2 = 1", "." + hist + ".6.1.3.3 = 2",
		"." + hist + ".6.1.6.1 = 3", // console
		"." + hist + ".6.1.16.3 = 1", "." + hist + ".6.1.17.3 = \"7F 00 00 01 \"",
	} {
		if !strings.Contains(out, w+"\n") && !strings.HasSuffix(out, w) {
			t.Errorf("ccmHistoryEventTable lacks %q:\n%s", w, out)
		}
	}
}
