package snmp

import (
	"fmt"
	"math"

	"github.com/flowtap/flowtap/mgmt/hostres"
)

// CISCO-PROCESS-MIB's cpmCPUTotalTable, CISCO-MEMORY-POOL-MIB's
// ciscoMemoryPoolTable and CISCO-ENHANCED-MEMPOOL-MIB's cempMemPoolTable:
// where every NMS that knows Cisco reads a box's CPU and memory (LibreNMS
// reads cempMemPoolTable first, its HC columns when they are there, and
// falls back to ciscoMemoryPoolTable only when it has no valid row). The
// figures come from a hostres.CPUAverages, the sampler `show processes
// cpu` and `show memory statistics` read too, so all say the same.

var (
	oidCpmCPUTotalEntry = mustOID("1.3.6.1.4.1.9.9.109.1.1.1.1")
	oidMemPoolEntry     = mustOID("1.3.6.1.4.1.9.9.48.1.1.1")
	oidCempMemPoolEntry = mustOID("1.3.6.1.4.1.9.9.221.1.1.1.1")
)

// cpmCPUTotalIndex of the one row: all of the machine's cores together,
// as a single-CPU router reports its one.
const cpmCPUIndex = 1

// Memory pools: CiscoMemoryPoolTypes processor(1) and i/o(2), the order
// hostres.CPUAverages.Pools gives them in. cempMemPoolTable numbers them
// the same (cempMemPoolIndex) and types them CempMemPoolTypes
// processorMemory(2) and ioMemory(3).
const (
	memPoolProcessor = 1
	memPoolIO        = 2
)

var cempPoolType = map[int]int32{memPoolProcessor: 2, memPoolIO: 3}

// percent rounds a percentage to a Gauge32 in 0..100.
func percent(v float64) uint32 {
	return uint32(min(max(math.Round(v), 0), 100))
}

// kib32 splits a KiB figure into the low 32 bits CISCO-PROCESS-MIB's
// plain columns carry and the upper 32 its *Ovrflw columns do.
func kib32(v uint64) (lo, hi uint32) { return uint32(v), uint32(v >> 32) }

// processMIB serves cpmCPUTotalTable and ciscoMemoryPoolTable.
type processMIB struct {
	cpu *hostres.CPUAverages
	// chassis is cpmCPUTotalPhysicalIndex: the entPhysicalIndex of the
	// box the CPU is in; 0 when no ENTITY-MIB chassis is served.
	chassis func() int32
}

func (p *processMIB) register(r *Registry) error {
	if err := registerAll(r, nil, []Table{p.cpuTable(), p.poolTable(), p.cempTable()}); err != nil {
		return fmt.Errorf("CISCO-PROCESS-MIB: %w", err)
	}
	return nil
}

func (p *processMIB) cpuTable() Table {
	return Table{
		Entry: oidCpmCPUTotalEntry, Name: "cpmCPUTotalTable",
		// The deprecated cpmCPUTotal5sec/1min/5min (3-5) are served for
		// the NMS templates that still poll them; their range starts at
		// 1, so an idle box reads 1 there and 0 in the *Rev columns.
		Columns: []Column{{ID: 2, Name: "cpmCPUTotalPhysicalIndex"},
			{ID: 3, Name: "cpmCPUTotal5sec"}, {ID: 4, Name: "cpmCPUTotal1min"}, {ID: 5, Name: "cpmCPUTotal5min"},
			{ID: 6, Name: "cpmCPUTotal5secRev"}, {ID: 7, Name: "cpmCPUTotal1minRev"}, {ID: 8, Name: "cpmCPUTotal5minRev"},
			{ID: 12, Name: "cpmCPUMemoryUsed"}, {ID: 13, Name: "cpmCPUMemoryFree"},
			{ID: 16, Name: "cpmCPUMemoryUsedOvrflw"}, {ID: 17, Name: "cpmCPUMemoryHCUsed"},
			{ID: 18, Name: "cpmCPUMemoryFreeOvrflw"}, {ID: 19, Name: "cpmCPUMemoryHCFree"},
			{ID: 24, Name: "cpmCPULoadAvg1min"}, {ID: 25, Name: "cpmCPULoadAvg5min"}, {ID: 26, Name: "cpmCPULoadAvg15min"}},
		Rows: func() ([]Row, error) {
			avg := p.cpu.Read()
			pools, err := p.cpu.Pools()
			if err != nil {
				return nil, err
			}
			la, err := hostres.LoadAverage()
			if err != nil {
				return nil, err
			}
			// cpmCPUMemory* count KiB.
			used, free := pools[memPoolProcessor-1].Used/1024, pools[memPoolProcessor-1].Free/1024
			usedLo, usedHi := kib32(used)
			freeLo, freeHi := kib32(free)
			s5, m1, m5 := percent(avg.FiveSec), percent(avg.OneMin), percent(avg.FiveMin)
			chassis := p.chassisIndex()
			hundredths := func(v float64) Value { return Gauge32(uint32(min(math.Round(v*100), math.MaxUint32))) }
			return []Row{{Index: OID{cpmCPUIndex}, Values: []Value{Integer(chassis),
				Gauge32(max(s5, 1)), Gauge32(max(m1, 1)), Gauge32(max(m5, 1)),
				Gauge32(s5), Gauge32(m1), Gauge32(m5),
				Gauge32(usedLo), Gauge32(freeLo), Gauge32(usedHi), Counter64(used), Gauge32(freeHi), Counter64(free),
				hundredths(la[0]), hundredths(la[1]), hundredths(la[2])}}}, nil
		},
	}
}

func (p *processMIB) poolTable() Table {
	return Table{
		Entry: oidMemPoolEntry, Name: "ciscoMemoryPoolTable",
		// ciscoMemoryPoolLowMemoryNotifThreshold is left out: flowtap
		// sends no low-memory notification.
		Columns: []Column{{ID: 2, Name: "ciscoMemoryPoolName"}, {ID: 3, Name: "ciscoMemoryPoolAlternate"},
			{ID: 4, Name: "ciscoMemoryPoolValid"}, {ID: 5, Name: "ciscoMemoryPoolUsed"}, {ID: 6, Name: "ciscoMemoryPoolFree"},
			{ID: 7, Name: "ciscoMemoryPoolLargestFree"}},
		Rows: func() ([]Row, error) {
			pools, err := p.cpu.Pools()
			if err != nil {
				return nil, err
			}
			// The pool's figures are bytes in a Gauge32: a pool past
			// 4 GiB reads 4294967295 here; cempMemPoolTable has the
			// 64-bit figures.
			rows := make([]Row, len(pools))
			for i, pl := range pools {
				// ciscoMemoryPoolValid true(1); no alternate pool (0).
				rows[i] = Row{Index: OID{uint32(i + 1)}, Values: []Value{String(pl.Name), Integer(0), Integer(1),
					clamp32(pl.Used), clamp32(pl.Free), clamp32(pl.Largest)}}
			}
			return rows, nil
		},
	}
}

func clamp32(v uint64) Value { return Gauge32(uint32(min(v, math.MaxUint32))) }

// chassisIndex is the entPhysicalIndex of the box; 0 when no ENTITY-MIB
// chassis is served.
func (p *processMIB) chassisIndex() int32 {
	if p.chassis == nil {
		return 0
	}
	return p.chassis()
}

// cempTable is CISCO-ENHANCED-MEMPOOL-MIB's cempMemPoolTable: the same
// pools, indexed by the chassis's entPhysicalIndex (where an NMS looks up
// the pool's entPhysicalName) and cempMemPoolIndex, with each byte figure
// as the lower 32 bits, the upper 32 (*Ovrflw) and the 64-bit HC form.
// The columns flowtap has nothing for are left out: the platform memory
// type, the used low-water mark, allocation and free hit/miss counters
// and the shared bytes.
func (p *processMIB) cempTable() Table {
	return Table{
		Entry: oidCempMemPoolEntry, Name: "cempMemPoolTable",
		Columns: []Column{{ID: 2, Name: "cempMemPoolType"}, {ID: 3, Name: "cempMemPoolName"},
			{ID: 5, Name: "cempMemPoolAlternate"}, {ID: 6, Name: "cempMemPoolValid"},
			{ID: 7, Name: "cempMemPoolUsed"}, {ID: 8, Name: "cempMemPoolFree"},
			{ID: 9, Name: "cempMemPoolLargestFree"}, {ID: 10, Name: "cempMemPoolLowestFree"},
			{ID: 17, Name: "cempMemPoolUsedOvrflw"}, {ID: 18, Name: "cempMemPoolHCUsed"},
			{ID: 19, Name: "cempMemPoolFreeOvrflw"}, {ID: 20, Name: "cempMemPoolHCFree"},
			{ID: 21, Name: "cempMemPoolLargestFreeOvrflw"}, {ID: 22, Name: "cempMemPoolHCLargestFree"},
			{ID: 23, Name: "cempMemPoolLowestFreeOvrflw"}, {ID: 24, Name: "cempMemPoolHCLowestFree"}},
		Rows: func() ([]Row, error) {
			chassis := p.chassisIndex()
			if chassis <= 0 {
				return nil, nil // entPhysicalIndex starts at 1: no chassis, no rows
			}
			pools, err := p.cpu.Pools()
			if err != nil {
				return nil, err
			}
			rows := make([]Row, len(pools))
			for i, pl := range pools {
				lo := func(v uint64) Value { return Gauge32(uint32(v)) }
				hi := func(v uint64) Value { return Gauge32(uint32(v >> 32)) }
				// cempMemPoolValid true(1); no alternate pool (0).
				rows[i] = Row{Index: OID{uint32(chassis), uint32(i + 1)}, Values: []Value{
					Integer(cempPoolType[i+1]), String(pl.Name), Integer(0), Integer(1),
					lo(pl.Used), lo(pl.Free), lo(pl.Largest), lo(pl.Lowest),
					hi(pl.Used), Counter64(pl.Used), hi(pl.Free), Counter64(pl.Free),
					hi(pl.Largest), Counter64(pl.Largest), hi(pl.Lowest), Counter64(pl.Lowest)}}
			}
			return rows, nil
		},
	}
}
