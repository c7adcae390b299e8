package snmp

import (
	"fmt"
	"os"
	"time"

	"github.com/flowtap/flowtap/mgmt/hostres"
)

// HOST-RESOURCES-MIB (RFC 2790) and UCD-SNMP-MIB's memory, load and CPU
// objects: what an NMS polls on any appliance. They read Linux's /proc
// and statfs through hostres at each request.

var (
	oidHost      = mustOID("1.3.6.1.2.1.25")
	oidHostTypes = oidHost.Append(2, 1) // hrStorageTypes
	oidHrDevProc = oidHost.Append(3, 1, 3)
	oidZeroZero  = mustOID("0.0")
	oidUCD       = mustOID("1.3.6.1.4.1.2021")
)

// hrStorage types (HOST-RESOURCES-TYPES).
var (
	hrStorageRam           = oidHostTypes.Append(2)
	hrStorageVirtualMemory = oidHostTypes.Append(3)
	hrStorageFixedDisk     = oidHostTypes.Append(4)
)

// hrDeviceIndex of the processors: net-snmp's numbering (the device
// type in the high half), so an NMS sees the indexes it knows.
const hrProcessorBase = 3 << 16

// hrStorage indexes: net-snmp's for memory and swap; file systems from 31.
const (
	storageRAM  = 1
	storageSwap = 3
	storageDisk = 31
)

// hostMIB serves the host's resources; Disks are the paths whose file
// systems hrStorage lists, PID the process hrSWRun lists.
type hostMIB struct {
	cpu   *hostres.CPULoad
	disks []string
	pid   int
}

// ticks is d as TimeTicks, which count modulo 2^32 (RFC 2578): a host up
// longer than 497 days wraps, as net-snmp's hrSystemUptime does, rather
// than stopping at the largest value, which a manager would read as a
// host that stopped counting.
func ticks(d time.Duration) uint32 { return uint32(d / (10 * time.Millisecond)) }

// clampInt32 holds a figure to Integer32's range (KBytes of a large disk).
func clampInt32(v uint64) int32 {
	if v > 1<<31-1 {
		return 1<<31 - 1
	}
	return int32(v)
}

func (h *hostMIB) register(r *Registry) error {
	scalars := []Scalar{
		{OID: oidHost.Append(1, 1), Name: "hrSystemUptime", Get: func() (Value, error) {
			up, err := hostres.Uptime()
			return TimeTicks(ticks(up)), err
		}},
		{OID: oidHost.Append(1, 2), Name: "hrSystemDate", Get: func() (Value, error) { return OctetString(dateAndTime(time.Now())), nil }},
		{OID: oidHost.Append(1, 6), Name: "hrSystemProcesses", Get: func() (Value, error) {
			n, err := hostres.Processes()
			return Gauge32(uint32(n)), err
		}},
		{OID: oidHost.Append(2, 2), Name: "hrMemorySize", Get: func() (Value, error) {
			m, err := hostres.ReadMemory()
			return Integer(clampInt32(m.Total)), err
		}},
	}
	scalars = append(scalars, ucdScalars()...)
	tables := []Table{h.storageTable(), h.deviceTable(), h.processorTable(), h.swRunTable(), h.swRunPerfTable(), loadTable()}
	if err := registerAll(r, scalars, tables); err != nil {
		return fmt.Errorf("HOST-RESOURCES-MIB: %w", err)
	}
	return nil
}

// dateAndTime is SNMPv2-TC DateAndTime with its UTC offset.
func dateAndTime(t time.Time) []byte {
	_, off := t.Zone()
	dir := byte('+')
	if off < 0 {
		dir, off = '-', -off
	}
	return []byte{byte(t.Year() >> 8), byte(t.Year()), byte(t.Month()), byte(t.Day()),
		byte(t.Hour()), byte(t.Minute()), byte(t.Second()), byte(t.Nanosecond() / 100_000_000),
		dir, byte(off / 3600), byte(off % 3600 / 60)}
}

func (h *hostMIB) storageTable() Table {
	return Table{
		Entry: oidHost.Append(2, 3, 1), Name: "hrStorageTable",
		// hrStorageAllocationFailures is left out: Linux counts none.
		Columns: []Column{{ID: 1, Name: "hrStorageIndex"}, {ID: 2, Name: "hrStorageType"}, {ID: 3, Name: "hrStorageDescr"},
			{ID: 4, Name: "hrStorageAllocationUnits"}, {ID: 5, Name: "hrStorageSize"}, {ID: 6, Name: "hrStorageUsed"}},
		Rows: func() ([]Row, error) {
			m, err := hostres.ReadMemory()
			if err != nil {
				return nil, err
			}
			row := func(index int32, typ OID, descr string, unit, size, used uint64) Row {
				return Row{Index: OID{uint32(index)}, Values: []Value{Integer(index), ObjectID(typ), String(descr),
					Integer(clampInt32(unit)), Integer(clampInt32(size)), Integer(clampInt32(used))}}
			}
			// Memory in use is what the kernel could not give a new
			// process (MemTotal - MemAvailable), as free(1) counts it.
			rows := []Row{
				row(storageRAM, hrStorageRam, "Physical memory", 1024, m.Total, m.Total-min(m.Total, m.Available)),
				row(storageSwap, hrStorageVirtualMemory, "Swap space", 1024, m.SwapTotal, m.SwapTotal-min(m.SwapTotal, m.SwapFree)),
			}
			for i, d := range h.disks {
				fs, err := hostres.ReadFileSystem(d)
				if err != nil {
					continue // a path that went away: no row until it is back
				}
				rows = append(rows, row(int32(storageDisk+i), hrStorageFixedDisk, d, fs.BlockSize, fs.Blocks, fs.Used))
			}
			return rows, nil
		},
	}
}

func (h *hostMIB) deviceTable() Table {
	return Table{
		Entry: oidHost.Append(3, 2, 1), Name: "hrDeviceTable",
		// hrDeviceErrors is left out: Linux counts no processor errors.
		Columns: []Column{{ID: 1, Name: "hrDeviceIndex"}, {ID: 2, Name: "hrDeviceType"}, {ID: 3, Name: "hrDeviceDescr"},
			{ID: 4, Name: "hrDeviceID"}, {ID: 5, Name: "hrDeviceStatus"}},
		Rows: func() ([]Row, error) {
			load, err := h.cpu.Load()
			if err != nil {
				return nil, err
			}
			names := hostres.CPUNames(len(load))
			rows := make([]Row, len(load))
			for i := range load {
				descr := names[i]
				if descr == "" {
					descr = fmt.Sprintf("CPU %d", i)
				}
				idx := int32(hrProcessorBase + i)
				// hrDeviceStatus running(2).
				rows[i] = Row{Index: OID{uint32(idx)}, Values: []Value{Integer(idx), ObjectID(oidHrDevProc), String(descr), ObjectID(oidZeroZero), Integer(2)}}
			}
			return rows, nil
		},
	}
}

func (h *hostMIB) processorTable() Table {
	return Table{
		Entry: oidHost.Append(3, 3, 1), Name: "hrProcessorTable",
		Columns: []Column{{ID: 1, Name: "hrProcessorFrwID"}, {ID: 2, Name: "hrProcessorLoad"}},
		Rows: func() ([]Row, error) {
			load, err := h.cpu.Load()
			if err != nil {
				return nil, err
			}
			rows := make([]Row, len(load))
			for i, l := range load {
				rows[i] = Row{Index: OID{uint32(hrProcessorBase + i)}, Values: []Value{ObjectID(oidZeroZero), Integer(int32(l))}}
			}
			return rows, nil
		},
	}
}

// swRunTable lists flowtapd itself: the one program on the appliance an
// NMS watches. hrSWRunStatus is read-only here (killing the daemon over
// SNMP is not a configuration change).
func (h *hostMIB) swRunTable() Table {
	return Table{
		Entry: oidHost.Append(4, 2, 1), Name: "hrSWRunTable",
		Columns: []Column{{ID: 1, Name: "hrSWRunIndex"}, {ID: 2, Name: "hrSWRunName"}, {ID: 3, Name: "hrSWRunID"},
			{ID: 4, Name: "hrSWRunPath"}, {ID: 5, Name: "hrSWRunParameters"}, {ID: 6, Name: "hrSWRunType"}, {ID: 7, Name: "hrSWRunStatus"}},
		Rows: func() ([]Row, error) {
			p, err := hostres.ReadProcess(h.pid)
			if err != nil {
				return nil, err
			}
			// hrSWRunType application(4), hrSWRunStatus running(1).
			return []Row{{Index: OID{uint32(p.PID)}, Values: []Value{Integer(int32(p.PID)), String(truncate(p.Name, 64)), ObjectID(oidZeroZero),
				String(truncate(p.Path, 128)), String(truncate(p.Parameters, 128)), Integer(4), Integer(1)}}}, nil
		},
	}
}

func (h *hostMIB) swRunPerfTable() Table {
	return Table{
		Entry: oidHost.Append(5, 1, 1), Name: "hrSWRunPerfTable",
		Columns: []Column{{ID: 1, Name: "hrSWRunPerfCPU"}, {ID: 2, Name: "hrSWRunPerfMem"}},
		Rows: func() ([]Row, error) {
			p, err := hostres.ReadProcess(h.pid)
			if err != nil {
				return nil, err
			}
			return []Row{{Index: OID{uint32(p.PID)}, Values: []Value{
				Integer(clampInt32(uint64(p.CPU / (10 * time.Millisecond)))), Integer(clampInt32(p.RSSKiB)),
			}}}, nil
		},
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// ucdScalars are UCD-SNMP-MIB's memory group (KiB, as net-snmp serves
// it) and the raw CPU counters of systemStats.
func ucdScalars() []Scalar {
	mem := oidUCD.Append(4)
	memGet := func(f func(hostres.Memory) uint64) func() (Value, error) {
		return func() (Value, error) {
			m, err := hostres.ReadMemory()
			return Integer(clampInt32(f(m))), err
		}
	}
	out := []Scalar{
		{OID: mem.Append(1), Name: "memIndex", Get: constant(Integer(0))},
		{OID: mem.Append(2), Name: "memErrorName", Get: constant(String("swap"))},
		{OID: mem.Append(3), Name: "memTotalSwap", Get: memGet(func(m hostres.Memory) uint64 { return m.SwapTotal })},
		{OID: mem.Append(4), Name: "memAvailSwap", Get: memGet(func(m hostres.Memory) uint64 { return m.SwapFree })},
		{OID: mem.Append(5), Name: "memTotalReal", Get: memGet(func(m hostres.Memory) uint64 { return m.Total })},
		// memAvailReal is MemFree, as net-snmp reports it; MemAvailable
		// is hrStorage's view.
		{OID: mem.Append(6), Name: "memAvailReal", Get: memGet(func(m hostres.Memory) uint64 { return m.Free })},
		{OID: mem.Append(11), Name: "memTotalFree", Get: memGet(func(m hostres.Memory) uint64 { return m.Free + m.SwapFree })},
		{OID: mem.Append(13), Name: "memShared", Get: memGet(func(m hostres.Memory) uint64 { return m.Shared })},
		{OID: mem.Append(14), Name: "memBuffer", Get: memGet(func(m hostres.Memory) uint64 { return m.Buffers })},
		{OID: mem.Append(15), Name: "memCached", Get: memGet(func(m hostres.Memory) uint64 { return m.Cached })},
	}
	ss := oidUCD.Append(11)
	cpuGet := func(f func(hostres.CPUTimes) uint64) func() (Value, error) {
		return func() (Value, error) {
			c, err := hostres.ReadCPUTimes()
			return Counter32(Wrap32(f(c))), err
		}
	}
	return append(out,
		Scalar{OID: ss.Append(50), Name: "ssCpuRawUser", Get: cpuGet(func(c hostres.CPUTimes) uint64 { return c.User })},
		Scalar{OID: ss.Append(51), Name: "ssCpuRawNice", Get: cpuGet(func(c hostres.CPUTimes) uint64 { return c.Nice })},
		Scalar{OID: ss.Append(52), Name: "ssCpuRawSystem", Get: cpuGet(func(c hostres.CPUTimes) uint64 { return c.System })},
		Scalar{OID: ss.Append(53), Name: "ssCpuRawIdle", Get: cpuGet(func(c hostres.CPUTimes) uint64 { return c.Idle })},
		Scalar{OID: ss.Append(54), Name: "ssCpuRawWait", Get: cpuGet(func(c hostres.CPUTimes) uint64 { return c.Wait })},
		Scalar{OID: ss.Append(56), Name: "ssCpuRawInterrupt", Get: cpuGet(func(c hostres.CPUTimes) uint64 { return c.Interrupt })},
		Scalar{OID: ss.Append(61), Name: "ssCpuRawSoftIRQ", Get: cpuGet(func(c hostres.CPUTimes) uint64 { return c.SoftIRQ })},
		Scalar{OID: ss.Append(64), Name: "ssCpuRawSteal", Get: cpuGet(func(c hostres.CPUTimes) uint64 { return c.Steal })},
	)
}

// loadTable is UCD-SNMP-MIB laTable: the 1, 5 and 15 minute load
// averages. No threshold is configured, so laConfig and the error
// columns are left out.
func loadTable() Table {
	return Table{
		Entry: oidUCD.Append(10, 1), Name: "laTable",
		Columns: []Column{{ID: 1, Name: "laIndex"}, {ID: 2, Name: "laNames"}, {ID: 3, Name: "laLoad"}, {ID: 5, Name: "laLoadInt"}},
		Rows: func() ([]Row, error) {
			la, err := hostres.LoadAverage()
			if err != nil {
				return nil, err
			}
			rows := make([]Row, 3)
			for i, name := range []string{"Load-1", "Load-5", "Load-15"} {
				rows[i] = Row{Index: OID{uint32(i + 1)}, Values: []Value{Integer(int32(i + 1)), String(name),
					String(fmt.Sprintf("%.2f", la[i])), Integer(int32(la[i]*100 + 0.5))}}
			}
			return rows, nil
		},
	}
}

// defaultPID is this process: the agent runs inside flowtapd.
func defaultPID() int { return os.Getpid() }
