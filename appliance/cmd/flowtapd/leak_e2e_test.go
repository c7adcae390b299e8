package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/faults"
	"github.com/flowtap/flowtap/internal/testnet"
)

// holdings is what a daemon holds that a leak would grow: its open
// descriptors and the files in its state and pin directories.
type holdings struct {
	fds         int
	state, pins []string
}

func (h holdings) String() string {
	return fmt.Sprintf("%d descriptors, state %v, pins %v", h.fds, h.state, h.pins)
}

func holdingsOf(t *testing.T, d *runningDaemon) holdings {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", d.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	list := func(dir string) []string {
		var names []string
		filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
			if err == nil && p != dir {
				names = append(names, strings.TrimPrefix(p, dir+"/"))
			}
			return nil
		})
		return names
	}
	return holdings{fds: len(fds), state: list(d.argValue(t, "--state")), pins: list(d.argValue(t, "--pin-dir"))}
}

// settles waits for the daemon to hold no more than at the baseline:
// sessions that just ended may take a moment to close.
func settles(t *testing.T, d *runningDaemon, base holdings, after string) {
	t.Helper()
	var now holdings
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		now = holdingsOf(t, d)
		if now.fds <= base.fds && slices.Equal(now.state, base.state) && slices.Equal(now.pins, base.pins) {
			faults.Figure(t, "holdings after "+after, "%s (baseline %d descriptors)", now, base.fds)
			return
		}
	}
	t.Errorf("after %s the daemon holds %s; at the start %s", after, now, base)
}

// TestFaultRepeatedOperatorActions: what an operator does to a box over
// months, against the real daemon while it meters and exports: logins
// over SSH with the OpenSSH client, SNMP gets and walks with net-snmp,
// configuration changes through the control socket (an aggregation
// cache added and removed, timeouts, template refresh) and collectors
// added and removed. After each, the daemon holds no more descriptors
// than before and its state and pin directories have the same files: a
// session, a request or an exporter that left something open would
// grow them without end. make test runs a short form; make faults the
// counts the issue names (500 logins, 5,000 gets, 200 changes, 100
// collectors).
func TestFaultRepeatedOperatorActions(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname months
username admin privilege 15 secret adminpass
snmp-server community public RO
ip flow-cache timeout active 1
ip flow-cache timeout inactive 10
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination %s %d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	agent := "udp:" + d.snmpAddr
	traffic := func(n int) {
		frames := make([][]byte, n)
		for i := range frames {
			frames[i] = udpFrame([4]byte{10, 1, byte(i >> 8), byte(i)}, uint16(1024+i), 64)
		}
		v.Send(t, frames)
	}
	traffic(200)
	// The first of each kind opens what it keeps for good (the SSH host
	// key, the SNMP reading caches): the baseline is taken after it.
	if out, err := openSSH(t, d.sshAddr, "admin", "adminpass", false, "show users\n"); err != nil {
		t.Fatalf("first login: %v\n%s", err, out)
	}
	if _, err := snmpAsk("snmpwalk", agent, "-v2c", "-cpublic", "AGENT", "1.3.6.1.4.1.9.9.387"); err != nil {
		t.Fatalf("first walk: %v", err)
	}
	base := holdingsOf(t, d)
	t.Logf("baseline: %s", base)

	logins := faults.Pick(20, 500)
	for i := range logins {
		out, err := openSSH(t, d.sshAddr, "admin", "adminpass", false, "show users\n")
		if err != nil || !strings.Contains(out, "admin") {
			t.Fatalf("login %d: %v\n%s", i, err, out)
		}
		time.Sleep(250 * time.Millisecond) // the per-source rate: 4 a second
	}
	settles(t, d, base, fmt.Sprintf("%d SSH logins", logins))

	gets := faults.Pick(200, 5000)
	failed := 0
	for i := range gets {
		if i%50 == 49 {
			// A walk of the NetFlow MIB, paced under the per-source rate.
			if _, err := snmpAsk("snmpwalk", agent, "-v2c", "-cpublic", "AGENT", "1.3.6.1.4.1.9.9.387"); err != nil {
				failed++
			}
			time.Sleep(time.Second)
			continue
		}
		if _, err := snmpAsk("snmpget", agent, "-v2c", "-cpublic", "AGENT", "1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.2.2.1.10.1"); err != nil {
			failed++
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d SNMP requests got no answer", failed, gets)
	}
	settles(t, d, base, fmt.Sprintf("%d SNMP gets and walks", gets))

	changes := faults.Pick(20, 200)
	for i := range changes {
		var script string
		switch i % 4 {
		case 0:
			script = fmt.Sprintf("configure terminal\nip flow-cache timeout inactive %d\nend\n", 10+i%7)
		case 1:
			script = fmt.Sprintf("configure terminal\nip flow-aggregation cache protocol-port\n export destination %s %d\n enabled\nend\n", capd.Addr.Addr(), capd.Addr.Port())
		case 2:
			script = "configure terminal\nno ip flow-aggregation cache protocol-port\nend\n"
		case 3:
			script = fmt.Sprintf("configure terminal\nip flow-export template refresh-rate %d\nend\n", 10+i%5)
		}
		if out := d.cli(t, "ios", script); strings.Contains(out, "%") {
			t.Fatalf("change %d refused:\n%s", i, out)
		}
		if i%10 == 0 {
			traffic(50)
		}
	}
	settles(t, d, base, fmt.Sprintf("%d configuration changes while exporting", changes))

	collectors := faults.Pick(10, 100)
	for i := range collectors {
		port := 21000 + i%3
		for _, script := range []string{
			fmt.Sprintf("configure terminal\nip flow-export destination 127.0.0.1 %d\nend\n", port),
			fmt.Sprintf("configure terminal\nno ip flow-export destination 127.0.0.1 %d\nend\n", port),
		} {
			if out := d.cli(t, "ios", script); strings.Contains(out, "%") {
				t.Fatalf("collector %d: refused:\n%s", i, out)
			}
		}
	}
	settles(t, d, base, fmt.Sprintf("%d collectors added and removed", collectors))
	// The export went on all along.
	if tuples, _ := capd.Stop(t); len(tuples) == 0 {
		t.Error("the collector got no flows")
	}
}
