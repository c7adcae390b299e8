package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/mibfiles"
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

// TestSNMPWholeTreeTypes walks a metering, exporting flowtapd's whole tree
// (snmpbulkwalk, v2c) and checks it against every MIB file flowtap
// relies on (mibfiles.CheckWalk): it ends at the end of the MIB view,
// strictly increasing, and every instance is of an accessible object
// with that object's SYNTAX, its range, enumeration and size.
func TestSNMPWholeTreeTypes(t *testing.T) {
	v := testnet.Enter(t)
	_, port := collectorSocket(t)
	d := startDaemon(t, fmt.Sprintf(`hostname typetap
username admin secret letmein
snmp-server community public RO
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination 127.0.0.1 %d
ip flow-aggregation cache protocol-port
 export destination 127.0.0.1 %d
 enabled
!
ip flow-top-talkers
 top 5
 sort-by bytes
`, v.Mon, port, port))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	d.waitMetering(t, v.Mon)
	var frames [][]byte
	for i := range 4 {
		frames = append(frames, udpFrame([4]byte{10, 0, 0, byte(i + 1)}, 4000, 100))
	}
	v.Send(t, frames)
	// The main cache's active flows (cnfCIActiveFlows.0), so the walk
	// meets the flow tables filled.
	for deadline := time.Now().Add(20 * time.Second); snmpCounter(t, agent, "1.3.6.1.4.1.9.9.387.1.1.2.1.4.0") < 4; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the cache never held the 4 flows sent")
		}
	}

	args := append(append([]string{}, mibfiles.WalkArgs...), "-v2c", "-cpublic", "-Cc", "-Cr30", "-t", "5", "-r", "1", agent, ".1")
	cmd := exec.Command("snmpbulkwalk", args...)
	cmd.Env = append(cmd.Environ(), "MIBS=", "MIBDIRS=/nonexistent", "SNMPCONFPATH=/nonexistent", "SNMP_PERSISTENT_DIR="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("snmpbulkwalk: %v", err)
	}
	insts, defs := mibfiles.CheckWalk(t, string(out))
	seen := map[string]bool{}
	for _, in := range insts {
		seen[defs[in.Name].Module] = true
	}
	for _, m := range []string{"SNMPv2-MIB", "IF-MIB", "ENTITY-MIB", "CISCO-PROCESS-MIB", "CISCO-ENHANCED-MEMPOOL-MIB", "CISCO-NETFLOW-MIB", "IPFIX-MIB", "FLOWTAP-MIB", "SNMP-USER-BASED-SM-MIB"} {
		if !seen[m] {
			t.Errorf("the walk has no instance of %s", m)
		}
	}
	t.Logf("%d instances, all as the MIB files define them", len(insts))
}
