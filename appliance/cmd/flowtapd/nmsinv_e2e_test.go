package main

import (
	"fmt"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/mibfiles"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/mgmt/hostres"
)

// TestShowProcessesCPUMatchesSNMP: `show processes cpu`'s header and
// CISCO-PROCESS-MIB's cpmCPUTotal1minRev and 5minRev come from one
// sampler, so a read of both between two samples (every 5 s) agrees to
// the percent; the memory pools of `show memory statistics` are
// ciscoMemoryPoolTable's. JunOS's `show chassis routing-engine` reads
// the same sampler (its idle falls when the cores are busied) and the
// machine's memory.
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

	// Under load: the test busies every core; flowtapd's sampler (5 s)
	// sees the machine busy, in the MIB and on the screen. A direction,
	// not a time: wait until a sample taken during the burn is in.
	base := snmpCounter(t, agent, "1.3.6.1.4.1.9.9.109.1.1.1.1.6.1")
	var stop atomic.Bool
	defer stop.Store(true)
	for range runtime.NumCPU() {
		go func() {
			for x := 0; !stop.Load(); x++ {
				_ = x * x
			}
		}()
	}
	// JunOS's show chassis routing-engine splits the same interval:
	// its idle is what the five-second figure leaves.
	idle := regexp.MustCompile(`(?m)^      Idle +(\d+) percent$`)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		busy := snmpCounter(t, agent, "1.3.6.1.4.1.9.9.109.1.1.1.1.6.1")
		m := header.FindStringSubmatch(d.cli(t, "ios", "show processes cpu\n"))
		cli5, _ := strconv.Atoi(m[1])
		re := d.cli(t, "junos", "show chassis routing-engine\n")
		im := idle.FindStringSubmatch(re)
		if im == nil {
			t.Fatalf("show chassis routing-engine:\n%s", re)
		}
		reIdle, _ := strconv.Atoi(im[1])
		if busy >= 90 && cli5 >= 90 && reIdle <= 10 && (busy > base || base >= 95) {
			t.Logf("cpmCPUTotal5secRev %d%% -> %d%%, show processes cpu five seconds %d%%, show chassis routing-engine idle %d%%", base, busy, cli5, reIdle)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("every core busy: cpmCPUTotal5secRev %d (from %d), show processes cpu %d%%, show chassis routing-engine:\n%s", busy, base, cli5, re)
		}
	}
	stop.Store(true)

	// snmptable reads the table as an NMS's table view does.
	table, err := mibfiles.Run(t, "CISCO-PROCESS-MIB", "snmptable", "-v2c", "-cpublic", "-Cf", ",", "-CH", agent, "cpmCPUTotalTable")
	if err != nil || len(strings.Split(strings.TrimSpace(table), "\n")) != 1 || !strings.HasPrefix(table, "1,") {
		t.Errorf("snmptable cpmCPUTotalTable: %v\n%s", err, table)
	}

	// show chassis routing-engine: DRAM is the machine's memory, the
	// utilisation the Processor pool's, the load averages /proc's.
	re := d.cli(t, "junos", "show chassis routing-engine\n")
	mem, err := hostres.ReadMemory()
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("\n    DRAM                    %6d MB\n", mem.Total/1024); !strings.Contains(re, want) {
		t.Errorf("show chassis routing-engine lacks %q:\n%s", want, re)
	}
	for _, want := range []string{"\n    Model                          FLOWTAP-IOS\n", "\n    Start time                     20",
		"\n    Load averages:                 1 minute   5 minute  15 minute\n"} {
		if !strings.Contains(re, want) {
			t.Errorf("show chassis routing-engine lacks %q:\n%s", want, re)
		}
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
		if want := min(used, 1<<32-1); diff(snmpUsed, want) > 256<<20 { // other programs move memory between the reads
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

// entityWalk walks ENTITY-MIB and IF-MIB's ifName with RFC 6933's and
// IF-MIB's files loaded, as an NMS discovering the box does.
func entityWalk(t *testing.T, agent string) (ent, ifName map[string]string) {
	t.Helper()
	walk := func(root string) map[string]string {
		out, err := mibfiles.Run(t, "ENTITY-MIB:IF-MIB", "snmpbulkwalk", "-v2c", "-cpublic", "-Os", "-OQ", agent, root)
		if err != nil {
			t.Fatalf("snmpbulkwalk %s: %v", root, err)
		}
		m := map[string]string{}
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "Wrong Type") {
				t.Errorf("%s: %s", root, l)
			}
			if k, v, ok := strings.Cut(l, " = "); ok {
				m[k] = v
			}
		}
		return m
	}
	return walk("entityMIB"), walk("ifName")
}

// TestInventoryMatchesIFMIBAndShowInventory: an NMS that discovers
// flowtap through ENTITY-MIB finds the chassis (the persona its model,
// flowtapd's version its software) containing each metered port and tap
// fibre, and the tap's link; each maps (entAliasMappingTable) to the
// ifIndex IF-MIB names it by, and `show inventory` lists the same parts.
// A port no longer metered leaves the inventory, moves entLastChangeTime
// and sends entConfigChange under `snmp-server enable traps entity`.
func TestInventoryMatchesIFMIBAndShowInventory(t *testing.T) {
	v := testnet.Enter(t)
	v.AddPair(t, "vinva", "vinvsa")
	v.AddPair(t, "vinvb", "vinvsb")
	port, trapLines := startTrapd(t, "")
	d := startDaemon(t, fmt.Sprintf(`hostname invtap
username admin secret letmein
snmp-server community public RO
snmp-server enable traps entity
snmp-server host 127.0.0.1 version 2c public udp-port %d
interface %s
 ip flow ingress
!
flowtap tap uplink
 fibre a vinva
 fibre b vinvb
!
`, port, v.Mon))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	d.waitMetering(t, v.Mon)
	d.waitMeteringN(t, "vinvb", 1)

	ent, ifName := entityWalk(t, agent)
	if ent["entPhysicalClass.1"] != "chassis" || ent["entPhysicalModelName.1"] != "FLOWTAP-IOS" || ent["entPhysicalContainedIn.1"] != "0" ||
		ent["entPhysicalSoftwareRev.1"] == "" || ent["entPhysicalSerialNum.1"] == "" {
		t.Errorf("chassis: %v", ent)
	}
	cpu := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", agent, "1.3.6.1.4.1.9.9.109.1.1.1.1.2.1")
	if cpu != "1" {
		t.Errorf("cpmCPUTotalPhysicalIndex.1 = %s, want 1 (the chassis)", cpu)
	}
	// Every part but the chassis is in it, and maps to an interface
	// whose ifName is the part's name.
	names := map[string]string{} // entPhysicalName -> index
	for k, val := range ent {
		idx, ok := strings.CutPrefix(k, "entPhysicalName.")
		if !ok || idx == "1" {
			continue
		}
		names[val] = idx
		if ent["entPhysicalContainedIn."+idx] != "1" || ent["entPhysicalChildIndex.1."+idx] != idx {
			t.Errorf("%s (%s) is not in the chassis: %v", val, idx, ent)
		}
		ifIndex, ok := strings.CutPrefix(ent["entAliasMappingIdentifier."+idx+".0"], "ifIndex.")
		if !ok || ifName["ifName."+ifIndex] != val {
			t.Errorf("%s (%s) maps to %q, whose ifName is %q", val, idx, ent["entAliasMappingIdentifier."+idx+".0"], ifName["ifName."+ifIndex])
		}
	}
	for _, want := range []string{v.Mon, "vinva", "vinvb", "uplink"} {
		if _, ok := names[want]; !ok {
			t.Errorf("no entity named %s: %v", want, names)
		}
	}
	if len(names) != 4 {
		t.Errorf("entities besides the chassis: %v, want the metered port, the two fibres and the tap", names)
	}
	if ent["entPhysicalClass."+names["uplink"]] != "other" || ent["entPhysicalClass."+names["vinvb"]] != "port" {
		t.Errorf("classes: tap %s, fibre %s", ent["entPhysicalClass."+names["uplink"]], ent["entPhysicalClass."+names["vinvb"]])
	}

	// show inventory: the same parts, each NAME and DESCR as entPhysicalName
	// and entPhysicalDescr, the chassis's PID its model.
	screen := d.cli(t, "ios", "show inventory\n")
	for name, idx := range names {
		block := fmt.Sprintf("NAME: %q, DESCR: %q\n", name, ent["entPhysicalDescr."+idx])
		if !strings.Contains(screen, block) {
			t.Errorf("show inventory lacks %q:\n%s", block, screen)
		}
	}
	if !strings.HasPrefix(screen, fmt.Sprintf("NAME: \"Chassis\", DESCR: %q\nPID: FLOWTAP-IOS       , VID:     , SN: %s\n\n", ent["entPhysicalDescr.1"], ent["entPhysicalSerialNum.1"])) {
		t.Errorf("show inventory's chassis:\n%s", screen)
	}
	if n := strings.Count(screen, "NAME: "); n != 5 {
		t.Errorf("show inventory lists %d parts, want 5:\n%s", n, screen)
	}
	// JunOS's show chassis hardware: the same parts, the chassis first
	// with its serial number, each part indented under it with
	// entPhysicalDescr as its description.
	hw := d.cli(t, "junos", "show chassis hardware\n")
	if !strings.HasPrefix(hw, "Hardware inventory:\nItem             Version  Part number  Serial number     Description\n"+
		fmt.Sprintf("%-16s %-8s %-12s %-17s %s\n", "Chassis", "", "", ent["entPhysicalSerialNum.1"], ent["entPhysicalDescr.1"])) {
		t.Errorf("show chassis hardware's chassis:\n%s", hw)
	}
	for name, idx := range names {
		row := fmt.Sprintf("\n  %-14s %-8s %-12s %-17s %s\n", name, "", "", "", ent["entPhysicalDescr."+idx])
		if !strings.Contains(hw, row) {
			t.Errorf("show chassis hardware lacks %q:\n%s", row, hw)
		}
	}
	if n := strings.Count(hw, "\n"); n != 2+5 {
		t.Errorf("show chassis hardware has %d lines, want the heads and 5 parts:\n%s", n, hw)
	}
	// snmptable: the NMS's table view of the same five rows.
	table, err := mibfiles.Run(t, "ENTITY-MIB", "snmptable", "-v2c", "-cpublic", "-Cf", "|", "-CH", "-Ci", agent, "entPhysicalTable")
	if rows := strings.Split(strings.TrimSpace(table), "\n"); err != nil || len(rows) != 5 || !strings.HasPrefix(rows[0], "1|") || !strings.Contains(rows[0], "|chassis|") {
		t.Errorf("snmptable entPhysicalTable: %v\n%s", err, table)
	}

	// The metered port stops being metered: it leaves the inventory.
	gone := names[v.Mon]
	d.cli(t, "ios", fmt.Sprintf("configure terminal\ninterface %s\nno ip flow ingress\nend\n", v.Mon))
	const entConfigChange = "OID: .1.3.6.1.2.1.47.2.0.1"
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(trapLines(), entConfigChange); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no entConfigChange after a port left:\n%s", trapLines())
		}
	}
	ent, _ = entityWalk(t, agent)
	if _, ok := ent["entPhysicalName."+gone]; ok {
		t.Errorf("%s (%s) still listed after no ip flow ingress", v.Mon, gone)
	}
	if last := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqvt", agent, "1.3.6.1.2.1.47.1.4.1.0"); last == "0" {
		t.Errorf("entLastChangeTime still 0 after a port left")
	}
	if screen := d.cli(t, "ios", "show inventory\n"); strings.Contains(screen, fmt.Sprintf("NAME: %q", v.Mon)) {
		t.Errorf("show inventory still lists %s:\n%s", v.Mon, screen)
	}
}
