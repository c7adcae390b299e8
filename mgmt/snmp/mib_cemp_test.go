package snmp

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/mibfiles"
	"github.com/flowtap/flowtap/mgmt/hostres"
)

// TestNetSNMPEnhancedMemPool reads CISCO-ENHANCED-MEMPOOL-MIB's
// cempMemPoolTable by name with Cisco's file, as LibreNMS's Cisco
// mempool discovery does (it walks cempMemPoolTable first and takes a row
// whose cempMemPoolValid is true, preferring cempMemPoolHCUsed and
// HCFree): one row per pool under the chassis (entPhysicalIndex 1), the
// bytes exactly those of the sampler's Pools, which `show memory
// statistics` prints, split into the 32-bit columns and their Ovrflw
// upper halves; ciscoMemoryPoolTable and cpmCPUMemoryHC* carry the same
// sample. The sampler is not run, so its one sample holds still.
func TestNetSNMPEnhancedMemPool(t *testing.T) {
	cfg := testConfig(newFakeBackend())
	cpu := &hostres.CPUAverages{}
	if err := cpu.Sample(); err != nil {
		t.Fatal(err)
	}
	cfg.CPU = cpu
	_, v4, _ := startAgent(t, cfg)
	pools, err := cpu.Pools()
	if err != nil || len(pools) != 2 {
		t.Fatalf("Pools: %v %v", pools, err)
	}
	const mods = "CISCO-ENHANCED-MEMPOOL-MIB:CISCO-MEMORY-POOL-MIB:CISCO-PROCESS-MIB"
	out, err := mibfiles.Run(t, mods, "snmpbulkwalk", "-v2c", "-c", roCommunity, "-Os", "-OQ", "-Oe", v4, "cempMemPoolTable")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	types := []int{2, 3} // processorMemory, ioMemory
	col := func(name string, f func(i int, p hostres.Pool) string) {
		for i, p := range pools {
			want = append(want, fmt.Sprintf("%s.1.%d = %s", name, i+1, f(i, p)))
		}
	}
	col("cempMemPoolType", func(i int, _ hostres.Pool) string { return fmt.Sprint(types[i]) })
	col("cempMemPoolName", func(_ int, p hostres.Pool) string { return p.Name })
	col("cempMemPoolAlternate", func(int, hostres.Pool) string { return "0" })
	col("cempMemPoolValid", func(int, hostres.Pool) string { return "1" })
	bytes := func(name string, v func(hostres.Pool) uint64) {
		col("cempMemPool"+name, func(_ int, p hostres.Pool) string { return fmt.Sprintf("%d bytes", uint32(v(p))) })
	}
	bytes("Used", func(p hostres.Pool) uint64 { return p.Used })
	bytes("Free", func(p hostres.Pool) uint64 { return p.Free })
	bytes("LargestFree", func(p hostres.Pool) uint64 { return p.Largest })
	bytes("LowestFree", func(p hostres.Pool) uint64 { return p.Lowest })
	hc := func(name string, v func(hostres.Pool) uint64) {
		col("cempMemPool"+name+"Ovrflw", func(_ int, p hostres.Pool) string { return fmt.Sprintf("%d bytes", v(p)>>32) })
		col("cempMemPoolHC"+name, func(_ int, p hostres.Pool) string { return fmt.Sprintf("%d bytes", v(p)) })
	}
	hc("Used", func(p hostres.Pool) uint64 { return p.Used })
	hc("Free", func(p hostres.Pool) uint64 { return p.Free })
	hc("LargestFree", func(p hostres.Pool) uint64 { return p.Largest })
	hc("LowestFree", func(p hostres.Pool) uint64 { return p.Lowest })
	// The walk gives the columns in their OID order; so sort both.
	got := lines(out)
	if strings.Join(sorted(got), "\n") != strings.Join(sorted(want), "\n") {
		t.Errorf("cempMemPoolTable:\n%s\nwant (any order):\n%s", out, strings.Join(want, "\n"))
	}
	for _, p := range pools {
		if p.Used+p.Free == 0 || p.Lowest > p.Free {
			t.Errorf("pool %+v: want a size, and lowest <= free", p)
		}
	}

	// The other two tables carry the same sample.
	out, err = mibfiles.Run(t, mods, "snmpget", "-v2c", "-c", roCommunity, "-Os", "-OQ", "-OU", v4,
		"ciscoMemoryPoolUsed.1", "ciscoMemoryPoolFree.2", "cpmCPUMemoryHCUsed.1", "cpmCPUMemoryHCFree.1")
	if err != nil {
		t.Fatal(err)
	}
	clamp := func(v uint64) uint64 { return min(v, 1<<32-1) }
	wantLines(t, out,
		fmt.Sprintf("ciscoMemoryPoolUsed.1 = %d", clamp(pools[0].Used)),
		fmt.Sprintf("ciscoMemoryPoolFree.2 = %d", clamp(pools[1].Free)),
		fmt.Sprintf("cpmCPUMemoryHCUsed.1 = %d", pools[0].Used/1024),
		fmt.Sprintf("cpmCPUMemoryHCFree.1 = %d", pools[0].Free/1024))
}

func sorted(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
