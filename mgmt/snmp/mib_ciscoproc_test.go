package snmp

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/mibfiles"
	"github.com/flowtap/flowtap/mgmt/hostres"
)

const processModules = "CISCO-PROCESS-MIB:CISCO-MEMORY-POOL-MIB:SNMPv2-MIB"

// TestNetSNMPCiscoProcessAndMemoryPool reads cpmCPUTotalTable and
// ciscoMemoryPoolTable with Cisco's MIB files, as an NMS that graphs a
// Cisco box does: every column has the file's syntax, memory agrees with
// /proc/meminfo and with HOST-RESOURCES-MIB, and cpmCPUTotal5secRev and
// 1minRev go up while the test keeps every core busy.
func TestNetSNMPCiscoProcessAndMemoryPool(t *testing.T) {
	cfg := testConfig(newFakeBackend())
	cpu := &hostres.CPUAverages{}
	cfg.CPU = cpu
	_, v4, _ := startAgent(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go cpu.Run(ctx)

	walk := func(root string) map[string]string {
		t.Helper()
		out, err := mibfiles.Run(t, processModules, "snmpbulkwalk", "-v2c", "-c", roCommunity, "-Os", "-OQ", v4, root)
		if err != nil {
			t.Fatalf("snmpbulkwalk %s: %v", root, err)
		}
		got := map[string]string{}
		for _, l := range lines(out) {
			if strings.Contains(l, "Wrong Type") || strings.Contains(l, "No Such") {
				t.Errorf("%s: %s", root, l)
			}
			if k, v, ok := strings.Cut(l, " = "); ok {
				got[k] = v
			}
		}
		return got
	}
	num := func(m map[string]string, k string) uint64 {
		t.Helper()
		v, err := strconv.ParseUint(strings.Fields(m[k] + " x")[0], 10, 64)
		if err != nil {
			t.Fatalf("%s = %q: %v", k, m[k], err)
		}
		return v
	}
	before, err := hostres.ReadMemory()
	if err != nil {
		t.Fatal(err)
	}
	cpm := walk("cpmCPUTotalTable")
	pool := walk("ciscoMemoryPoolTable")
	after, err := hostres.ReadMemory()
	if err != nil {
		t.Fatal(err)
	}
	for _, col := range []string{"cpmCPUTotalPhysicalIndex", "cpmCPUTotal5secRev", "cpmCPUTotal1minRev", "cpmCPUTotal5minRev",
		"cpmCPUMemoryUsed", "cpmCPUMemoryFree", "cpmCPUMemoryHCUsed", "cpmCPUMemoryHCFree", "cpmCPULoadAvg1min"} {
		if _, ok := cpm[col+".1"]; !ok {
			t.Errorf("cpmCPUTotalTable has no %s.1: %v", col, cpm)
		}
	}
	for _, col := range []string{"cpmCPUTotal5secRev", "cpmCPUTotal1minRev", "cpmCPUTotal5minRev"} {
		if v := num(cpm, col+".1"); v > 100 {
			t.Errorf("%s.1 = %d, over 100", col, v)
		}
	}
	// Other programs on the machine move memory while the walk runs:
	// a figure must lie between the readings before and after it, give
	// or take 256 MiB; used and free, read together, add up exactly.
	between := func(name string, got, a, b uint64) {
		t.Helper()
		lo, hi := min(a, b), max(a, b)
		if got+256<<10 < lo || got > hi+256<<10 {
			t.Errorf("%s = %d KiB, /proc/meminfo said %d before the walk and %d after", name, got, a, b)
		}
	}
	hcUsed, hcFree := num(cpm, "cpmCPUMemoryHCUsed.1"), num(cpm, "cpmCPUMemoryHCFree.1")
	if hcUsed+hcFree != before.Total {
		t.Errorf("cpmCPUMemoryHCUsed %d + HCFree %d is not MemTotal %d", hcUsed, hcFree, before.Total)
	}
	between("cpmCPUMemoryHCFree", hcFree, before.Available, after.Available)
	if lo, hc := num(cpm, "cpmCPUMemoryUsed.1"), hcUsed; lo != hc&0xffffffff {
		t.Errorf("cpmCPUMemoryUsed %d is not the low 32 bits of cpmCPUMemoryHCUsed %d", lo, hc)
	}

	if pool["ciscoMemoryPoolName.1"] != "Processor" || pool["ciscoMemoryPoolName.2"] != "I/O" {
		t.Errorf("pools: %v, want 1 (processor) Processor and 2 (i/o) I/O", pool)
	}
	if pool["ciscoMemoryPoolValid.1"] != "true" {
		t.Errorf("ciscoMemoryPoolValid.1 = %q", pool["ciscoMemoryPoolValid.1"])
	}
	// Bytes in a Gauge32: a pool past 4 GiB reads 4294967295.
	gauge := func(kib uint64) uint64 { return min(kib*1024, 1<<32-1) / 1024 }
	between("ciscoMemoryPoolFree.1/1024", num(pool, "ciscoMemoryPoolFree.1")/1024, gauge(before.Available), gauge(after.Available))
	between("ciscoMemoryPoolUsed.1/1024", num(pool, "ciscoMemoryPoolUsed.1")/1024, gauge(before.Total-before.Available), gauge(after.Total-after.Available))
	between("ciscoMemoryPoolFree.2/1024", num(pool, "ciscoMemoryPoolFree.2")/1024, gauge(before.Free), gauge(after.Free))
	if lf, free := num(pool, "ciscoMemoryPoolLargestFree.1"), num(pool, "ciscoMemoryPoolFree.1"); lf == 0 || lf > free+256<<20 {
		t.Errorf("ciscoMemoryPoolLargestFree %d, free %d: want a block no larger than what is free", lf, free)
	}

	// Busy every core and watch the five-second figure rise above what
	// it read before; the one-minute average follows it up. (The
	// sampler's 5 s interval is IOS's; the test waits for a direction,
	// never a time.)
	get := func(col string) uint64 {
		t.Helper()
		out, err := mibfiles.Run(t, processModules, "snmpget", "-v2c", "-c", roCommunity, "-OqvU", v4, col+".1")
		if err != nil {
			t.Fatalf("snmpget %s: %v", col, err)
		}
		v, err := strconv.ParseUint(strings.TrimSpace(out), 10, 64)
		if err != nil {
			t.Fatalf("%s: %q", col, out)
		}
		return v
	}
	time.Sleep(hostres.AvgInterval + time.Second) // one whole interval without the burn
	base5, base1 := get("cpmCPUTotal5secRev"), get("cpmCPUTotal1minRev")
	var stop atomic.Bool
	defer stop.Store(true)
	for range runtime.NumCPU() {
		go func() {
			for x := 0; !stop.Load(); x++ {
				_ = x * x
			}
		}()
	}
	// Until a sample taken during the burn is in: the five-second figure
	// up (or already at the top) and the one-minute average above where
	// it was.
	var busy5, busy1 uint64
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		busy5, busy1 = get("cpmCPUTotal5secRev"), get("cpmCPUTotal1minRev")
		up5 := busy5 >= 90 && (busy5 > base5 || base5 >= 95)
		up1 := busy1 > base1 || base1 >= 95
		if up5 && up1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("with every core busy: cpmCPUTotal5secRev %d (from %d), cpmCPUTotal1minRev %d (from %d)", busy5, base5, busy1, base1)
		}
	}
	stop.Store(true)
	t.Logf("5 s: %d%% -> %d%%, 1 min: %d%% -> %d%%", base5, busy5, base1, busy1)
}
