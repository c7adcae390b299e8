package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/mibfiles"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSSamplingInstanceCounters: JunOS's sampling instance on real
// frames. `show forwarding-options sampling` shows its rate and packet
// cap with the packets it observed and selected, and SNMP's selection
// process for the same sampler counts the same.
func TestJunOSSamplingInstanceCounters(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, "username admin privilege 15 secret letmein\nsnmp-server community public RO\n")
	commit := d.cli(t, "junos", "configure\n"+fmt.Sprintf(`set system host-name jsamp
set flowtap platform cflowd
set interfaces %s unit 0 family inet sampling input
set forwarding-options sampling input rate 2
set forwarding-options sampling input max-packets-per-second 5000
set forwarding-options sampling family inet output flow-server 127.0.0.1 port 9
`, v.Mon)+"commit\n")
	if !strings.Contains(commit, "commit complete") {
		t.Fatalf("commit:\n%s", commit)
	}
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	var frames [][]byte
	for i := range 4 {
		frames = append(frames, udpFrames([4]byte{10, 0, 3, byte(i + 1)}, 4000, 5)...)
	}
	v.Send(t, frames)
	want := "Instance: sampling instance, Id: 1\n  Mode: deterministic, Rate: 1 out of 2, Max packets per second: 5000\n" +
		"  Packets observed: 20, Packets selected: 10, Packets not selected: 10\n"
	var got string
	for range 50 {
		if got = d.cli(t, "junos", "show forwarding-options sampling\n"); strings.HasSuffix(got, "\n\n"+want) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.HasPrefix(got, "Instance: global, Id: 0\n") || !strings.HasSuffix(got, "\n\n"+want) {
		t.Fatalf("show forwarding-options sampling:\n%s\nwant the global sampler, then\n%s", got, want)
	}
	for obj, want := range map[string]string{
		"IPFIX-MIB::ipfixSelectionProcessStatsPacketsObserved.1.2.1": "20",
		"IPFIX-MIB::ipfixSelectionProcessStatsPacketsDropped.1.2.1":  "10",
	} {
		out, err := mibfiles.Run(t, ipfixModules, "snmpget", "-v2c", "-cpublic", "-Oqv", agent, obj)
		if err != nil || strings.TrimSpace(out) != want {
			t.Errorf("%s = %q (%v), want %s as the JunOS screen", obj, out, err, want)
		}
	}
}
