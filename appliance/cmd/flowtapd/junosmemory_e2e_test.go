package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSServicesAccountingMemory: `show services accounting memory`
// (a syntax error before) on real frames: three flows metered are three
// allocations and three entries of the flow table in use, whose bytes
// are those IOS's show ip cache flow header gives the whole table; a
// clear zeroes the counts, not the memory in use.
func TestJunOSServicesAccountingMemory(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, "username admin privilege 15 secret letmein\n")
	commit := d.cli(t, "junos", "configure\n"+fmt.Sprintf(`set system host-name jmem
set flowtap platform cflowd
set interfaces %s unit 0 family inet sampling input
set forwarding-options sampling input rate 1
set forwarding-options sampling family inet output flow-server 127.0.0.1 port %d
`, v.Mon, testnet.FreePort(t, "udp"))+"commit\n")
	if !strings.Contains(commit, "commit complete") {
		t.Fatalf("commit:\n%s", commit)
	}
	d.waitMetering(t, v.Mon)
	var frames [][]byte
	for i := range 3 {
		frames = append(frames, udpFrames([4]byte{10, 0, 9, byte(i + 1)}, 4000, 2)...)
	}
	v.Send(t, frames)
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(d.cli(t, "junos", "show services accounting flow\n"), "Active flows: 3, Total flows: 3\n"); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the three flows were never metered:\n%s", d.cli(t, "junos", "show services accounting flow\n"))
		}
	}
	hdr := d.cli(t, "ios", "show ip cache flow\n")
	m := regexp.MustCompile(`IP Flow Switching Cache, (\d+) bytes\n  3 active, (\d+) inactive`).FindStringSubmatch(hdr)
	if m == nil {
		t.Fatalf("show ip cache flow header:\n%s", hdr)
	}
	table, _ := strconv.Atoi(m[1])
	free, _ := strconv.Atoi(m[2])
	per := table / (free + 3)
	screen := func(alloc int) string {
		return fmt.Sprintf(`  Service Accounting interface: xdp-0/0/0, Local interface index: 0
  Service name: (default sampling)
  Interface state: Accounting
    Memory utilization
      Allocation count: %d, Free count: 0, Allocation failures: 0
      Total memory used (in bytes): %d, Total memory free (in bytes): %d
`, alloc, 3*per, free*per)
	}
	if got, want := d.cli(t, "junos", "show services accounting memory\n"), screen(3); got != want {
		t.Errorf("show services accounting memory:\n%s\nwant:\n%s", got, want)
	}
	d.cli(t, "junos", "clear services accounting statistics\n")
	if got, want := d.cli(t, "junos", "show services accounting memory\n"), screen(0); got != want {
		t.Errorf("after clear services accounting statistics:\n%s\nwant:\n%s", got, want)
	}
	if got, want := d.cli(t, "junos", "show services accounting memory | display json\n"), fmt.Sprintf(`{
  "allocation_count": 0,
  "allocation_failures": 0,
  "free_count": 0,
  "memory_free": %d,
  "memory_used": %d
}
`, free*per, 3*per); got != want {
		t.Errorf("| display json:\n%s\nwant:\n%s", got, want)
	}
}
