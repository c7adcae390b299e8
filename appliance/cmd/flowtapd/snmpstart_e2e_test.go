package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestSNMPColdStartWarmStart: snmptrapd hears coldStart when flowtapd
// first starts on a machine, warmStart when flowtapd starts again on the
// machine that kept running (an orderly restart, a crash and its restart,
// snmp-server configured again after `no`), and coldStart again once the
// state directory was emptied; the log says each in IOS's words. The old
// agent announced every start as a cold one, so an NMS could not tell a
// restarted process from a rebooted box. The agent `no snmp-server`
// closed sends nothing more: a link going down afterwards is reported
// once, not once per agent ever started, and not at all once `no
// snmp-server enable traps` turned the notifications off.
func TestSNMPColdStartWarmStart(t *testing.T) {
	v := testnet.Enter(t)
	port, trapLines := startTrapd(t, "")
	d := startDaemon(t, fmt.Sprintf(`hostname starttap
username admin secret letmein
snmp-server community public RO
snmp-server enable traps
snmp-server host 127.0.0.1 version 2c public udp-port %d
`, port))
	agent := "udp:" + d.snmpAddr
	const cold, warm = "OID: .1.3.6.1.6.3.1.1.5.1", "OID: .1.3.6.1.6.3.1.1.5.2"
	want := func(step string, colds, warms int) {
		t.Helper()
		waitSNMP(t, agent)
		var c, w int
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			l := trapLines()
			if c, w = strings.Count(l, cold), strings.Count(l, warm); c >= colds && w >= warms || time.Now().After(deadline) {
				break
			}
		}
		time.Sleep(300 * time.Millisecond) // a stray extra one would be there by now
		l := trapLines()
		if c, w = strings.Count(l, cold), strings.Count(l, warm); c != colds || w != warms {
			t.Fatalf("%s: snmptrapd heard %d coldStart and %d warmStart, want %d and %d:\n%s\nlog:\n%s", step, c, w, colds, warms, l, d.log)
		}
	}
	want("first start", 1, 0)
	d.waitLog(t, "%SNMP-5-COLDSTART: SNMP agent on host starttap is undergoing a cold start")

	d.stopAndStart(t, syscall.SIGTERM)
	want("orderly restart", 1, 1)
	d.waitLog(t, "%SNMP-5-WARMSTART: SNMP agent on host starttap is undergoing a warm start")

	d.crash(t)
	want("crash and restart", 1, 2)

	d.cli(t, "ios", "configure terminal\nno snmp-server community public RO\nend\n")
	d.cli(t, "ios", "configure terminal\nsnmp-server community public RO\nend\n")
	want("snmp-server configured again", 1, 3)

	// The agent that `no snmp-server` closed watches links no more: one
	// link going down is one linkDown per interface, from the new agent.
	const linkDown = "OID: .1.3.6.1.6.3.1.1.5.3"
	before := strings.Count(trapLines(), linkDown)
	if out, err := testproc.CombinedOutput(exec.Command("ip", "link", "set", v.Src, "down")); err != nil {
		t.Fatalf("ip link set %s down: %v\n%s", v.Src, err, out)
	}
	for deadline := time.Now().Add(10 * time.Second); strings.Count(trapLines(), linkDown) < before+2 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second) // a closed agent's copies would be there by now
	if n := strings.Count(trapLines(), linkDown) - before; n != 2 {
		t.Errorf("%s and %s going down sent %d linkDown, want 2:\n%s", v.Src, v.Mon, n, trapLines())
	}
	testproc.Run(exec.Command("ip", "link", "set", v.Src, "up"))

	const engineBoots = "1.3.6.1.6.3.10.2.1.2.0"
	boots := func() int {
		t.Helper()
		out, err := snmpAsk("snmpget", agent, "-v2c", "-cpublic", "AGENT", engineBoots)
		n, cerr := strconv.Atoi(out)
		if err != nil || cerr != nil {
			t.Fatalf("snmpEngineBoots: %q, %v", out, err)
		}
		return n
	}
	wiped := boots()
	d.stop(t, syscall.SIGTERM)
	state := d.argValue(t, "--state")
	ents, err := os.ReadDir(state)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(state, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	// The count restarts from the clock's seconds: this test started the
	// agent four times within about as many seconds, which an emptied
	// state directory is not done faster than.
	time.Sleep(2 * time.Second)
	d.start(t)
	want("state directory emptied", 2, 3)
	// The engine ID is the same (the host's), so snmpEngineBoots must
	// still grow, or receivers that cached the old count drop v3 traps.
	if n := boots(); n <= wiped {
		t.Errorf("snmpEngineBoots %d after the state directory was emptied, %d before", n, wiped)
	}

	// Without snmp-server enable traps, a link going down is not
	// reported (the watchers used to send linkDown whatever it said).
	d.cli(t, "ios", "configure terminal\nno snmp-server enable traps\nend\n")
	before = strings.Count(trapLines(), linkDown)
	if out, err := testproc.CombinedOutput(exec.Command("ip", "link", "set", v.Src, "down")); err != nil {
		t.Fatalf("ip link set %s down: %v\n%s", v.Src, err, out)
	}
	time.Sleep(2 * time.Second)
	if n := strings.Count(trapLines(), linkDown) - before; n != 0 {
		t.Errorf("with traps off, %s going down sent %d linkDown:\n%s", v.Src, n, trapLines())
	}
	testproc.Run(exec.Command("ip", "link", "set", v.Src, "up"))
}
