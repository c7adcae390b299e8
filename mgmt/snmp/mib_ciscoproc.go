package snmp

import (
	"fmt"
	"math"

	"github.com/flowtap/flowtap/mgmt/hostres"
)

// CISCO-PROCESS-MIB's cpmCPUTotalTable and CISCO-MEMORY-POOL-MIB's
// ciscoMemoryPoolTable: where every NMS that knows Cisco reads a box's CPU
// and memory. The CPU figures come from a hostres.CPUAverages, the
// sampler `show processes cpu` reads too, so both say the same.

var (
	oidCpmCPUTotalEntry = mustOID("1.3.6.1.4.1.9.9.109.1.1.1.1")
	oidMemPoolEntry     = mustOID("1.3.6.1.4.1.9.9.48.1.1.1")
)

// cpmCPUTotalIndex of the one row: all of the machine's cores together,
// as a single-CPU router reports its one.
const cpmCPUIndex = 1

// Memory pools: CiscoMemoryPoolTypes processor(1) and i/o(2).
const (
	memPoolProcessor = 1
	memPoolIO        = 2
)

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
	if err := registerAll(r, nil, []Table{p.cpuTable(), p.poolTable()}); err != nil {
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
			m, err := hostres.ReadMemory()
			if err != nil {
				return nil, err
			}
			la, err := hostres.LoadAverage()
			if err != nil {
				return nil, err
			}
			used, free := hostres.ProcessorPool(m)
			usedLo, usedHi := kib32(used)
			freeLo, freeHi := kib32(free)
			s5, m1, m5 := percent(avg.FiveSec), percent(avg.OneMin), percent(avg.FiveMin)
			var chassis int32
			if p.chassis != nil {
				chassis = p.chassis()
			}
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
			m, err := hostres.ReadMemory()
			if err != nil {
				return nil, err
			}
			largest, err := hostres.LargestFreeBlock()
			if err != nil {
				return nil, err
			}
			// The pool's figures are bytes in a Gauge32: a pool past
			// 4 GiB reads 4294967295 (the 64-bit figures are
			// CISCO-ENHANCED-MEMPOOL-MIB's, not served).
			bytes32 := func(kib uint64) Value { return Gauge32(uint32(min(kib*1024, math.MaxUint32))) }
			pu, pf := hostres.ProcessorPool(m)
			iu, iff := hostres.IOPool(m)
			// ciscoMemoryPoolValid true(1); no alternate pool (0).
			return []Row{
				{Index: OID{memPoolProcessor}, Values: []Value{String("Processor"), Integer(0), Integer(1), bytes32(pu), bytes32(pf),
					Gauge32(uint32(min(largest, math.MaxUint32)))}},
				{Index: OID{memPoolIO}, Values: []Value{String("I/O"), Integer(0), Integer(1), bytes32(iu), bytes32(iff),
					Gauge32(uint32(min(largest, math.MaxUint32)))}},
			}, nil
		},
	}
}
