package hostres

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AvgInterval is how often CPUAverages samples /proc/stat: IOS's
// five-second CPU figure is the busy share of the last such interval.
const AvgInterval = 5 * time.Second

// CPUAverages keeps the machine's busy percentage as IOS reports it
// (`show processes cpu`, CISCO-PROCESS-MIB cpmCPUTotalTable): the last
// five seconds, and one- and five-minute averages that decay
// exponentially, each five-second figure weighing in as it comes. It
// also reads the memory pools at each sample (Pools), for `show memory
// statistics` and the SNMP memory pool tables, which so agree to the
// byte between two samples, and keeps the lowest free memory seen. The
// zero value is ready; Run samples.
type CPUAverages struct {
	mu         sync.Mutex
	last       CPUTimes
	lastProc   uint64 // this process's ticks at the last reading
	have       bool
	avg        CPUAverage
	proc       CPUAverage // this process's share of the machine's time
	lowest     uint64     // KiB of MemAvailable, the least seen; 0 before a reading
	lowestFree uint64     // KiB of MemFree, the least seen
	mem        Memory     // the last sample's /proc/meminfo; zero before one
	largest    uint64     // the last sample's LargestFreeBlock, bytes
}

// CPUAverage is one reading of CPUAverages, in percent (0..100).
type CPUAverage struct {
	// FiveSec is the busy share of the last interval; FiveSecInterrupt
	// the part of it spent in hard and soft interrupts (IOS's figure
	// after the slash: time at interrupt level).
	FiveSec, FiveSecInterrupt float64
	OneMin, FiveMin           float64
	// Sampled is false until a first interval has passed: the figures
	// are then the averages since boot.
	Sampled bool
	// Split is FiveSec's interval by what the CPUs ran, for JunOS's
	// `show chassis routing-engine`; its Idle is 100 - FiveSec.
	Split CPUSplit
}

// CPUSplit is an interval's CPU time by what ran, in percent of all the
// cores' time, the five adding to 100: user processes at normal
// priority, niced ones (Junos's "background"), the kernel (with the time
// a hypervisor stole, which is busy time as FiveSec counts it), hard
// and soft interrupts, and idle (with I/O wait).
type CPUSplit struct {
	User, Background, Kernel, Interrupt, Idle float64
}

// split is the time between two readings by what ran; zero when no tick
// passed or a counter went back, as busy has it.
func split(a, b CPUTimes) CPUSplit {
	total := b.total() - a.total()
	if total == 0 || b.Idle < a.Idle || b.total() < a.total() {
		return CPUSplit{}
	}
	pct := func(v uint64) float64 { return 100 * float64(v) / float64(total) }
	return CPUSplit{User: pct(b.User - a.User), Background: pct(b.Nice - a.Nice),
		Kernel: pct((b.System - a.System) + (b.Steal - a.Steal)), Interrupt: pct((b.Interrupt - a.Interrupt) + (b.SoftIRQ - a.SoftIRQ)),
		Idle: pct((b.Idle - a.Idle) + (b.Wait - a.Wait))}
}

// busy is the share of the time between two readings the CPUs ran
// something, and the share they spent in interrupts, in percent.
func busy(a, b CPUTimes) (all, irq float64) {
	idle := (b.Idle - a.Idle) + (b.Wait - a.Wait)
	intr := (b.Interrupt - a.Interrupt) + (b.SoftIRQ - a.SoftIRQ)
	total := idle + intr + (b.User - a.User) + (b.Nice - a.Nice) + (b.System - a.System) + (b.Steal - a.Steal)
	if total == 0 || b.Idle < a.Idle {
		return 0, 0 // no tick between the readings, or a counter went back
	}
	return 100 * float64(total-idle) / float64(total), 100 * float64(intr) / float64(total)
}

// decay is the weight an average keeps per interval: IOS's one- and
// five-minute figures are exponential moving averages of the
// five-second one with these time constants.
func decay(window time.Duration) float64 {
	return math.Exp(-float64(AvgInterval) / float64(window))
}

// Sample reads /proc/stat and /proc/meminfo once and folds the interval
// since the last reading into the averages. The first reading starts
// every figure at the average since boot.
func (c *CPUAverages) Sample() error {
	now, err := ReadCPUTimes()
	if err != nil {
		return err
	}
	mem, merr := ReadMemory()
	largest, lerr := LargestFreeBlock()
	var proc uint64
	if p, err := ReadProcess(os.Getpid()); err == nil {
		proc = uint64(p.CPU / (time.Second / userHZ))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if merr == nil && (c.lowest == 0 || mem.Available < c.lowest) {
		c.lowest = max(mem.Available, 1)
	}
	if merr == nil && (c.lowestFree == 0 || mem.Free < c.lowestFree) {
		c.lowestFree = max(mem.Free, 1)
	}
	if merr == nil {
		c.mem = mem
	}
	if lerr == nil {
		c.largest = largest
	}
	c.fold(now, proc)
	if merr != nil {
		return merr
	}
	return lerr
}

// fold takes a reading of the CPU times and this process's ticks into the
// averages; c.mu held.
func (c *CPUAverages) fold(now CPUTimes, proc uint64) {
	if !c.have {
		all, irq := busy(CPUTimes{}, now)
		c.avg = CPUAverage{FiveSec: all, FiveSecInterrupt: irq, OneMin: all, FiveMin: all, Split: split(CPUTimes{}, now)}
		c.last, c.lastProc, c.have = now, proc, true
		return
	}
	all, irq := busy(c.last, now)
	c.avg.Split = split(c.last, now)
	var mine float64
	if total := now.total() - c.last.total(); total > 0 && proc >= c.lastProc {
		mine = min(100*float64(proc-c.lastProc)/float64(total), 100)
	}
	c.last, c.lastProc = now, proc
	c.avg.FiveSec, c.avg.FiveSecInterrupt = all, irq
	k1, k5 := decay(time.Minute), decay(5*time.Minute)
	c.avg.OneMin = c.avg.OneMin*k1 + all*(1-k1)
	c.avg.FiveMin = c.avg.FiveMin*k5 + all*(1-k5)
	c.avg.Sampled = true
	c.proc.FiveSec = mine
	c.proc.OneMin = c.proc.OneMin*k1 + mine*(1-k1)
	c.proc.FiveMin = c.proc.FiveMin*k5 + mine*(1-k5)
	c.proc.Sampled = true
}

func (t CPUTimes) total() uint64 {
	return t.User + t.Nice + t.System + t.Idle + t.Wait + t.Interrupt + t.SoftIRQ + t.Steal
}

// Process is this process's share of all the machine's CPU time (every
// core together, as Read's figures are) over the same intervals, for
// `show processes cpu`'s row of flowtapd; zero before two readings.
func (c *CPUAverages) Process() CPUAverage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.proc
}

// Run samples every AvgInterval until ctx ends.
func (c *CPUAverages) Run(ctx context.Context) {
	t := time.NewTicker(AvgInterval)
	defer t.Stop()
	for {
		_ = c.Sample() // a failed read leaves the averages as they were
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Read is the latest averages. Before Run's first reading it reads the
// average since boot.
func (c *CPUAverages) Read() CPUAverage {
	c.mu.Lock()
	have := c.have
	avg := c.avg
	c.mu.Unlock()
	if !have {
		if t, err := ReadCPUTimes(); err == nil {
			all, irq := busy(CPUTimes{}, t)
			avg = CPUAverage{FiveSec: all, FiveSecInterrupt: irq, OneMin: all, FiveMin: all, Split: split(CPUTimes{}, t)}
		}
	}
	return avg
}

// Pool is one memory pool as IOS reports it, in bytes: what is in use
// and free now, the least free since the start, and the largest
// contiguous free block.
type Pool struct {
	Name                        string
	Used, Free, Lowest, Largest uint64
}

// Pools is the Processor and I/O pools (ProcessorPool, IOPool) as the
// last sample read them: `show memory statistics`,
// CISCO-MEMORY-POOL-MIB and CISCO-ENHANCED-MEMPOOL-MIB all read this,
// so that they show the same bytes. Before the first sample it reads
// /proc once, and the lowest free is what is free now.
func (c *CPUAverages) Pools() ([]Pool, error) {
	c.mu.Lock()
	m, largest, lowAvail, lowFree := c.mem, c.largest, c.lowest, c.lowestFree
	c.mu.Unlock()
	if m.Total == 0 {
		var err error
		if m, err = ReadMemory(); err != nil {
			return nil, err
		}
		largest, _ = LargestFreeBlock()
		lowAvail, lowFree = m.Available, m.Free
	}
	pu, pf := ProcessorPool(m)
	iu, iff := IOPool(m)
	return []Pool{
		{Name: "Processor", Used: pu * 1024, Free: pf * 1024, Lowest: min(lowAvail, pf) * 1024, Largest: largest},
		{Name: "I/O", Used: iu * 1024, Free: iff * 1024, Lowest: min(lowFree, iff) * 1024, Largest: largest},
	}, nil
}

// ContextSwitches is how many times the process pid was switched to
// (voluntary and involuntary context switches, /proc/PID/status): what
// `show processes cpu` calls Invoked for flowtapd.
func ContextSwitches(pid int) (uint64, error) {
	b, err := os.ReadFile(filepath.Join(Proc, strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, fmt.Errorf("hostres: %w", err)
	}
	var n uint64
	for _, l := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if ok && (k == "voluntary_ctxt_switches" || k == "nonvoluntary_ctxt_switches") {
			x, _ := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			n += x
		}
	}
	return n, nil
}

// LargestFreeBlock is the largest contiguous free block of physical
// memory in bytes, from /proc/buddyinfo: the highest order any zone has
// a free block of, times the page size. It is what IOS's "largest free"
// means, on Linux's page allocator.
func LargestFreeBlock() (uint64, error) {
	b, err := os.ReadFile(filepath.Join(Proc, "buddyinfo"))
	if err != nil {
		return 0, fmt.Errorf("hostres: %w", err)
	}
	best := -1
	for _, l := range strings.Split(string(b), "\n") {
		// Node 0, zone   Normal    120     45 ... (one count per order)
		_, counts, ok := strings.Cut(l, "zone")
		if !ok {
			continue
		}
		f := strings.Fields(counts)
		for order := len(f) - 1; order >= 1; order-- {
			if n, err := strconv.ParseUint(f[order], 10, 64); err == nil && n > 0 {
				best = max(best, order-1)
				break
			}
		}
	}
	if best < 0 {
		return 0, nil
	}
	return uint64(os.Getpagesize()) << best, nil
}

// ProcessorPool is the processor pool in KiB: in use is what the kernel
// could not give a new process (MemTotal - MemAvailable, free(1)'s
// "used"), free is MemAvailable. HOST-RESOURCES-MIB's RAM row counts
// the same; CISCO-MEMORY-POOL-MIB and `show memory statistics` call it
// the Processor pool.
func ProcessorPool(m Memory) (used, free uint64) {
	free = min(m.Available, m.Total)
	return m.Total - free, free
}

// IOPool is the I/O pool in KiB. Linux has no memory set apart for
// packet buffers as IOS does; the nearest is the memory the kernel does
// I/O through, its buffers and page cache: those are in use, and RAM
// nobody uses (MemFree) is free, which the cache grows into.
func IOPool(m Memory) (used, free uint64) {
	return m.Buffers + m.Cached, m.Free
}
