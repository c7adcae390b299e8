package main

import (
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestLinkStatusTrapPerInterface: `no snmp trap link-status` under an
// interface stops linkUp and linkDown for it and for it alone, as on IOS
// (where they are on by default); IF-MIB's ifLinkUpDownTrapEnable reads
// it, and a Set of it (snmpset) is that same line in the running config.
// Both ends of a veth change state together, so each step shows the one
// interface heard and the other not.
func TestLinkStatusTrapPerInterface(t *testing.T) {
	v := testnet.Enter(t)
	port, trapLines := startTrapd(t, "")
	d := startDaemon(t, fmt.Sprintf(`hostname linktap
username admin secret letmein
snmp-server community public RO
snmp-server community private RW
snmp-server enable traps
snmp-server host 127.0.0.1 version 2c public udp-port %d
interface %s
 no snmp trap link-status
`, port, v.Src))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	index := func(name string) int {
		ifc, err := net.InterfaceByName(name)
		if err != nil {
			t.Fatal(err)
		}
		return ifc.Index
	}
	src, mon := index(v.Src), index(v.Mon)
	const enable = "1.3.6.1.2.1.31.1.1.1.14"
	get := func(ifIndex int) string {
		t.Helper()
		out, err := snmpAsk("snmpget", agent, "-v2c", "-cpublic", "AGENT", fmt.Sprintf("%s.%d", enable, ifIndex))
		if err != nil {
			t.Fatalf("snmpget ifLinkUpDownTrapEnable.%d: %v: %s", ifIndex, err, out)
		}
		return out
	}
	if s, m := get(src), get(mon); s != "2" || m != "1" {
		t.Errorf("ifLinkUpDownTrapEnable: %s (no snmp trap link-status) %s, %s (default) %s; want 2 (disabled) and 1 (enabled)", v.Src, s, v.Mon, m)
	}

	// heard counts the notifications of kind (linkUp, linkDown) whose
	// ifIndex is ifIndex.
	heard := func(kind string, ifIndex int) int {
		n := 0
		for _, trap := range strings.Split(trapLines(), "\n") {
			if strings.Contains(trap, "OID: "+kind) && regexp.MustCompile(fmt.Sprintf(`\.1\.3\.6\.1\.2\.1\.2\.2\.1\.1\.%d = INTEGER: %d\b`, ifIndex, ifIndex)).MatchString(trap) {
				n++
			}
		}
		return n
	}
	const linkUp, linkDown = ".1.3.6.1.6.3.1.1.5.4", ".1.3.6.1.6.3.1.1.5.3"
	// flip sets Src down or up and says what each end's notifications
	// of that kind grew by once the heard one is in (and a moment more
	// for one that should not come).
	flip := func(state, kind string, wantSrc, wantMon int) {
		t.Helper()
		s0, m0 := heard(kind, src), heard(kind, mon)
		if out, err := testproc.CombinedOutput(exec.Command("ip", "link", "set", v.Src, state)); err != nil {
			t.Fatalf("ip link set %s %s: %v\n%s", v.Src, state, err, out)
		}
		for deadline := time.Now().Add(10 * time.Second); heard(kind, src)-s0 < wantSrc || heard(kind, mon)-m0 < wantMon; time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				break
			}
		}
		time.Sleep(time.Second)
		if s, m := heard(kind, src)-s0, heard(kind, mon)-m0; s != wantSrc || m != wantMon {
			t.Errorf("%s %s: %s sent %d for %s (ifIndex %d) and %d for %s (ifIndex %d), want %d and %d:\n%s",
				v.Src, state, kind, s, v.Src, src, m, v.Mon, mon, wantSrc, wantMon, trapLines())
		}
	}
	flip("down", linkDown, 0, 1)
	flip("up", linkUp, 0, 1)

	// A Set turns it on for Src and off for Mon: the running config says
	// so, and the notifications follow.
	for _, set := range []struct {
		ifIndex int
		value   string
	}{{src, "1"}, {mon, "2"}} {
		if out, err := snmpAsk("snmpset", agent, "-v2c", "-cprivate", "AGENT", fmt.Sprintf("%s.%d", enable, set.ifIndex), "i", set.value); err != nil {
			t.Fatalf("snmpset ifLinkUpDownTrapEnable.%d = %s: %v: %s", set.ifIndex, set.value, err, out)
		}
	}
	if s, m := get(src), get(mon); s != "1" || m != "2" {
		t.Errorf("after the Sets ifLinkUpDownTrapEnable is %s for %s and %s for %s; want 1 and 2", s, v.Src, m, v.Mon)
	}
	run := d.cli(t, "ios", "show running-config\n")
	block := func(name string) string {
		m := regexp.MustCompile(`(?m)^interface ` + regexp.QuoteMeta(name) + `\n((?: .*\n)*)`).FindStringSubmatch(run)
		if m == nil {
			return ""
		}
		return m[1]
	}
	if strings.Contains(block(v.Src), "snmp trap link-status") || !strings.Contains(block(v.Mon), " no snmp trap link-status\n") {
		t.Errorf("after the Sets the running config does not say them:\n%s", run)
	}
	flip("down", linkDown, 1, 0)
	flip("up", linkUp, 1, 0)

	// Only enabled(1) and disabled(2) are values of it.
	if out, err := snmpAsk("snmpset", agent, "-v2c", "-cprivate", "AGENT", fmt.Sprintf("%s.%d", enable, src), "i", "3"); err == nil || !strings.Contains(out, "wrongValue") {
		t.Errorf("snmpset ifLinkUpDownTrapEnable = 3: %v: %s; want wrongValue", err, out)
	}
	// The CLI line turns it back: the MIB reads it.
	d.cli(t, "ios", fmt.Sprintf("configure terminal\ninterface %s\n snmp trap link-status\nend\n", v.Mon))
	if m := get(mon); m != "1" {
		t.Errorf("after `snmp trap link-status` under %s ifLinkUpDownTrapEnable is %s, want 1", v.Mon, m)
	}
}
