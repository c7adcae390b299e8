package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/mgmt/hostres"
)

// TestShowMemoryStatisticsMatchesCEMP: `show memory statistics` and the
// SNMP memory pools an NMS polls (CISCO-ENHANCED-MEMPOOL-MIB's
// cempMemPoolTable, which LibreNMS reads first, with its HC columns, and
// CISCO-MEMORY-POOL-MIB's ciscoMemoryPoolTable) read one sampler, so they
// show the same bytes: exactly, whenever no sample (every 5 s) fell
// between the reads, which two equal SNMP reads around the CLI's prove.
// Of twenty tries, only as many may see SNMP's pools move as samples can
// have fallen in the time they took (the tries do not overlap, so each
// sample moves at most one; one more for a tick the ticker delivered
// late): memory moves by megabytes a second on a test machine (the
// test also takes 64 MiB between the reads), and readings of /proc each
// on its own would move in most tries.
func TestShowMemoryStatisticsMatchesCEMP(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, `hostname memtap
username admin secret letmein
snmp-server community public RO
`)
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	// Per pool (1 Processor, 2 I/O): used, free, lowest and largest free,
	// the 64-bit columns, then ciscoMemoryPoolUsed and Free (Gauge32).
	var oids []string
	for pool := 1; pool <= 2; pool++ {
		for _, col := range []int{18, 20, 24, 22} {
			oids = append(oids, fmt.Sprintf("1.3.6.1.4.1.9.9.221.1.1.1.1.%d.1.%d", col, pool))
		}
		oids = append(oids, fmt.Sprintf("1.3.6.1.4.1.9.9.48.1.1.1.5.%d", pool), fmt.Sprintf("1.3.6.1.4.1.9.9.48.1.1.1.6.%d", pool))
	}
	read := func() []uint64 {
		out := snmpTool(t, "snmpget", append([]string{"-v2c", "-cpublic", "-Oqv", agent}, oids...)...)
		var v []uint64
		for _, l := range strings.Split(out, "\n") {
			n, err := strconv.ParseUint(strings.TrimSpace(l), 10, 64)
			if err != nil {
				t.Fatalf("snmpget: %q", out)
			}
			v = append(v, n)
		}
		if len(v) != len(oids) {
			t.Fatalf("snmpget of %d objects: %q", len(oids), out)
		}
		return v
	}
	row := regexp.MustCompile(`(?m)^(Processor|      I/O) +0 +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$`)
	agreed, moved := 0, 0
	start := time.Now()
	for try := 0; try < 20; try++ {
		before := read()
		// Fresh pages each try (not the Go heap, which would reuse
		// the last try's), each written to so that it is taken.
		hog, err := syscall.Mmap(-1, 0, 64<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANONYMOUS|syscall.MAP_PRIVATE)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(hog); i += 4096 {
			hog[i] = 1
		}
		screen := d.cli(t, "ios", "show memory statistics\n")
		after := read()
		if err := syscall.Munmap(hog); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(before) != fmt.Sprint(after) {
			t.Logf("try %d: a sample came between the reads", try)
			moved++
			continue
		}
		agreed++
		rows := row.FindAllStringSubmatch(screen, -1)
		if len(rows) != 2 {
			t.Fatalf("show memory statistics:\n%s", screen)
		}
		for i, r := range rows {
			n := func(k int) uint64 { v, _ := strconv.ParseUint(r[k], 10, 64); return v }
			total, used, free, lowest, largest := n(2), n(3), n(4), n(5), n(6)
			s := after[i*6 : i*6+6]
			if used != s[0] || free != s[1] || lowest != s[2] || largest != s[3] || total != s[0]+s[1] {
				t.Errorf("%s: CLI used %d free %d lowest %d largest %d total %d; cempMemPoolHCUsed %d HCFree %d HCLowestFree %d HCLargestFree %d",
					strings.TrimSpace(r[1]), used, free, lowest, largest, total, s[0], s[1], s[2], s[3])
			}
			if s[4] != min(used, 1<<32-1) || s[5] != min(free, 1<<32-1) {
				t.Errorf("%s: ciscoMemoryPoolUsed %d Free %d; CLI %d, %d", strings.TrimSpace(r[1]), s[4], s[5], used, free)
			}
		}
	}
	if samples := int(time.Since(start)/hostres.AvgInterval) + 2; moved > samples || agreed == 0 {
		t.Fatalf("SNMP's pools moved in %d of 20 tries (%d agreed), over a time at most %d samples fell in: they do not read one sample", moved, agreed, samples)
	}

	// LibreNMS names the pool by the entPhysicalName of its row's first
	// index: the chassis.
	name := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", agent, "1.3.6.1.2.1.47.1.1.1.1.7.1")
	if name != `"Chassis"` {
		t.Errorf("entPhysicalName.1 = %s, want the chassis", name)
	}
}
