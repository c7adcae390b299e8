package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSFilterSurvivesRestart: a JunOS firewall filter committed and
// saved with `write memory` is in force after an orderly restart (read
// from the startup-config) and after a crash (read from the running
// copy): the configuration shows it and it meters what it says.
func TestJunOSFilterSurvivesRestart(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, "username admin privilege 15 secret letmein\n")
	commit := d.cli(t, "junos", "configure\n"+fmt.Sprintf(`set flowtap platform cflowd
set interfaces %s unit 0 family inet filter input keep
set forwarding-options sampling input rate 1
set forwarding-options sampling family inet output flow-server 127.0.0.1 port 9 version 9
set firewall family inet filter keep term dns from protocol udp
set firewall family inet filter keep term dns from destination-port domain
set firewall family inet filter keep term dns then count dns-in
set firewall family inet filter keep term dns then sample
set firewall family inet filter keep term dns then accept
set firewall family inet filter keep term default then accept
`, v.Mon)+"commit and-quit\n")
	if !strings.Contains(commit, "commit complete") {
		t.Fatalf("commit:\n%s", commit)
	}
	if out := d.cli(t, "ios", "write memory\n"); !strings.Contains(out, "[OK]") {
		t.Fatalf("write memory:\n%s", out)
	}
	saved, _ := os.ReadFile(filepath.Join(d.dir, "startup-config"))
	if !strings.Contains(string(saved), "flowtap junos set firewall family inet filter keep term dns then sample\n") {
		t.Fatalf("the startup-config does not keep the filter:\n%s", saved)
	}
	row := func(name string, pkts int) string {
		return fmt.Sprintf("%-40s%25d%21d\n", name, pkts*38, pkts)
	}
	check := func(step string, dns, other int) {
		t.Helper()
		set := d.cli(t, "junos", "show configuration | display set\n")
		for _, l := range []string{
			fmt.Sprintf("set interfaces %s unit 0 family inet filter input keep\n", v.Mon),
			"set firewall family inet filter keep term dns then sample\n",
		} {
			if !strings.Contains(set, l) {
				t.Errorf("%s: the configuration lacks %q:\n%s", step, l, set)
			}
		}
		var frames [][]byte
		frames = append(frames, udpFrames([4]byte{10, 0, 0, 1}, 4000, 3)...)
		v.Send(t, frames)
		want := "Filter: keep\nCounters:\n" + fmt.Sprintf("%-40s%25s%21s\n", "Name", "Bytes", "Packets") +
			row("dns-in", dns) + row("default", other)
		if got := d.cliUntil(t, "junos", "show firewall filter keep\n", want); got != want {
			t.Errorf("%s: show firewall filter keep:\n%s\nwant:\n%s", step, got, want)
		}
	}
	d.stop(t, os.Interrupt)
	d.crash(t) // the stopped daemon's successor: boots from the startup-config
	check("restart", 3, 0)
	d.crash(t) // boots from the running copy
	set := d.cli(t, "junos", "show configuration | display set\n")
	if !strings.Contains(set, "set firewall family inet filter keep term dns then count dns-in\n") {
		t.Errorf("after a crash the configuration lacks the filter:\n%s", set)
	}
}
