package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestShowProcessesCPUMatchesSNMP: `show processes cpu`'s header and
// CISCO-PROCESS-MIB's cpmCPUTotal1minRev and 5minRev come from one
// sampler, so a read of both between two samples (every 5 s) agrees to
// the percent; the memory pools of `show memory statistics` are
// ciscoMemoryPoolTable's.
func TestShowProcessesCPUMatchesSNMP(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname cputap
username admin secret letmein
snmp-server community public RO
`)
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	header := regexp.MustCompile(`(?m)^CPU utilization for five seconds: (\d+)%/(\d+)%; one minute: (\d+)%; five minutes: (\d+)%$`)
	row := regexp.MustCompile(`(?m)^ *\d+ +\d+ +\d+ +\d+ +\d+\.\d\d% +\d+\.\d\d% +\d+\.\d\d% +0 flowtapd$`)
	agreed := false
	for try := 0; try < 5 && !agreed; try++ {
		snmp1 := snmpCounter(t, agent, "1.3.6.1.4.1.9.9.109.1.1.1.1.7.1")
		snmp5 := snmpCounter(t, agent, "1.3.6.1.4.1.9.9.109.1.1.1.1.8.1")
		screen := d.cli(t, "ios", "show processes cpu\n")
		m := header.FindStringSubmatch(screen)
		if m == nil || !row.MatchString(screen) {
			t.Fatalf("show processes cpu:\n%s", screen)
		}
		cli1, _ := strconv.Atoi(m[3])
		cli5, _ := strconv.Atoi(m[4])
		agreed = uint64(cli1) == snmp1 && uint64(cli5) == snmp5
		if !agreed {
			t.Logf("try %d: CLI one minute %d%%, five %d%%; SNMP %d, %d (a sample between the reads)", try, cli1, cli5, snmp1, snmp5)
		}
	}
	if !agreed {
		t.Errorf("show processes cpu never agreed with cpmCPUTotal1minRev/5minRev")
	}

	screen := d.cli(t, "ios", "show memory statistics\n")
	pool := regexp.MustCompile(`(?m)^(Processor|      I/O) +0 +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$`)
	found := pool.FindAllStringSubmatch(screen, -1)
	if len(found) != 2 || !strings.HasPrefix(screen, "                Head    Total(b)     Used(b)     Free(b)   Lowest(b)  Largest(b)\n") {
		t.Fatalf("show memory statistics:\n%s", screen)
	}
	for i, f := range found {
		total, _ := strconv.ParseUint(f[2], 10, 64)
		used, _ := strconv.ParseUint(f[3], 10, 64)
		free, _ := strconv.ParseUint(f[4], 10, 64)
		lowest, _ := strconv.ParseUint(f[5], 10, 64)
		if used+free != total || lowest > free {
			t.Errorf("%s: total %d used %d free %d lowest %d: want used+free = total, lowest <= free", f[1], total, used, free, lowest)
		}
		// ciscoMemoryPoolUsed is bytes in a Gauge32: compare what fits.
		snmpUsed := snmpCounter(t, agent, fmt.Sprintf("1.3.6.1.4.1.9.9.48.1.1.1.5.%d", i+1))
		if want := min(used, 1<<32-1); diff(snmpUsed, want) > 64<<20 {
			t.Errorf("%s used: CLI %d, ciscoMemoryPoolUsed.%d %d", f[1], used, i+1, snmpUsed)
		}
	}
}

func diff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}
