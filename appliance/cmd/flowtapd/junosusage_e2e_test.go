package main

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSServicesAccountingUsage: `show services accounting usage` (a
// syntax error before) gives the CPU of what does the accounting,
// flowtapd: its uptime, between the daemon's start and now, and its
// five-second and one-minute load as whole percentages.
func TestJunOSServicesAccountingUsage(t *testing.T) {
	testnet.Enter(t)
	start := time.Now()
	d := startDaemon(t, "hostname e2e\nplatform cflowd\nusername admin privilege 15 secret adminpass\n")
	got := d.cli(t, "junos", "show services accounting usage\n")
	up := time.Since(start).Milliseconds()
	m := regexp.MustCompile(`^  Service Accounting interface: xdp-0/0/0, Local interface index: 0
  Service name: \(default sampling\)
  Interface state: Accounting
    CPU utilization
      Uptime: (\d+) milliseconds
      Load \(5 second\): (\d+)%, Load \(1 minute\): (\d+)%
$`).FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("show services accounting usage:\n%s", got)
	}
	if ms, _ := strconv.ParseInt(m[1], 10, 64); ms <= 0 || ms > up {
		t.Errorf("uptime %s ms, want 1..%d (the daemon started within the test)", m[1], up)
	}
	for _, pct := range m[2:] {
		if n, _ := strconv.Atoi(pct); n > 100 {
			t.Errorf("load %s%% is no share of the machine", pct)
		}
	}
}
