// Package hostres reads what an NMS polls on any host from Linux's /proc
// and statfs: processor load per core, memory, a file system's size and
// use, the load averages and one process's name, CPU time and memory.
// The SNMP agent serves them as HOST-RESOURCES-MIB and UCD-SNMP-MIB.
// CPUAverages (cpuavg.go) samples the busy share as IOS does (5 s, and
// 1- and 5-minute exponentially decayed averages) for CISCO-PROCESS-MIB
// and `show processes cpu`, and the last interval's split by what ran
// for JunOS's `show chassis routing-engine`; ProcessorPool and IOPool map Linux's memory
// onto IOS's two pools for CISCO-MEMORY-POOL-MIB and `show memory
// statistics`.
package hostres

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Proc is where /proc is mounted; tests of this package read the real one.
const Proc = "/proc"

// cpuTimes is one cpu line of /proc/stat, in USER_HZ ticks.
type cpuTimes struct {
	busy, total uint64
}

// CPUTimes is the machine's time, all cores together, by state (USER_HZ
// ticks since boot): UCD-SNMP-MIB's ssCpuRaw* counters.
type CPUTimes struct {
	User, Nice, System, Idle, Wait, Interrupt, SoftIRQ, Steal uint64
}

// readStat parses /proc/stat: the total line and one per online core.
func readStat() (CPUTimes, []cpuTimes, error) {
	b, err := os.ReadFile(filepath.Join(Proc, "stat"))
	if err != nil {
		return CPUTimes{}, nil, fmt.Errorf("hostres: %w", err)
	}
	var all CPUTimes
	var cores []cpuTimes
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 9 || !strings.HasPrefix(f[0], "cpu") {
			continue
		}
		var v [8]uint64
		for i := range v {
			if v[i], err = strconv.ParseUint(f[i+1], 10, 64); err != nil {
				return CPUTimes{}, nil, fmt.Errorf("hostres: /proc/stat %s: %w", f[0], err)
			}
		}
		if f[0] == "cpu" {
			all = CPUTimes{User: v[0], Nice: v[1], System: v[2], Idle: v[3], Wait: v[4], Interrupt: v[5], SoftIRQ: v[6], Steal: v[7]}
			continue
		}
		var total uint64
		for _, x := range v {
			total += x
		}
		// Idle and I/O wait are the time the core had nothing to run.
		cores = append(cores, cpuTimes{busy: total - v[3] - v[4], total: total})
	}
	if len(cores) == 0 {
		return CPUTimes{}, nil, fmt.Errorf("hostres: /proc/stat lists no cpu")
	}
	return all, cores, nil
}

// ReadCPUTimes is the machine's CPU time by state since boot.
func ReadCPUTimes() (CPUTimes, error) {
	all, _, err := readStat()
	return all, err
}

// LoadWindow is the span hrProcessorLoad averages over: "the last
// minute" (RFC 2790).
const LoadWindow = time.Minute

type sample struct {
	at    time.Time
	cores []cpuTimes
}

// CPULoad averages each core's load over the last minute from samples
// taken by Run. Before a second sample exists, the load is the average
// since boot.
type CPULoad struct {
	mu      sync.Mutex
	samples []sample // oldest first, spanning at most LoadWindow plus one interval
}

// Sample reads /proc/stat once and keeps it.
func (c *CPULoad) Sample(now time.Time) error {
	_, cores, err := readStat()
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.samples = append(c.samples, sample{at: now, cores: cores})
	// Keep the newest sample at least LoadWindow old as the baseline.
	for len(c.samples) > 2 && now.Sub(c.samples[1].at) >= LoadWindow {
		c.samples = c.samples[1:]
	}
	return nil
}

// Run samples every interval until ctx ends.
func (c *CPULoad) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		_ = c.Sample(time.Now()) // a failed read leaves the window as it was
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Load is each core's busy percentage (0..100) between the oldest and
// the newest sample: over the last minute once Run has run that long.
func (c *CPULoad) Load() ([]int, error) {
	c.mu.Lock()
	var first, last []cpuTimes
	if n := len(c.samples); n >= 2 {
		first, last = c.samples[0].cores, c.samples[n-1].cores
	}
	c.mu.Unlock()
	if first == nil {
		_, cores, err := readStat()
		if err != nil {
			return nil, err
		}
		first, last = make([]cpuTimes, len(cores)), cores
	}
	out := make([]int, len(last))
	for i := range last {
		if i >= len(first) {
			break // a core came online within the window
		}
		busy, total := last[i].busy-first[i].busy, last[i].total-first[i].total
		if total > 0 {
			out[i] = int((busy*100 + total/2) / total)
		}
	}
	return out, nil
}

// Memory is /proc/meminfo's figures, in KiB.
type Memory struct {
	Total, Free, Available, Buffers, Cached, Shared uint64
	SwapTotal, SwapFree                             uint64
	// Active and Inactive are the page lists top's Active and Inact
	// count (recently used, and reclaimable first).
	Active, Inactive uint64
}

// ReadMemory parses /proc/meminfo.
func ReadMemory() (Memory, error) {
	f, err := os.Open(filepath.Join(Proc, "meminfo"))
	if err != nil {
		return Memory{}, fmt.Errorf("hostres: %w", err)
	}
	defer f.Close()
	var m Memory
	fields := map[string]*uint64{"MemTotal": &m.Total, "MemFree": &m.Free, "MemAvailable": &m.Available,
		"Buffers": &m.Buffers, "Cached": &m.Cached, "Shmem": &m.Shared, "SwapTotal": &m.SwapTotal, "SwapFree": &m.SwapFree,
		"Active": &m.Active, "Inactive": &m.Inactive}
	s := bufio.NewScanner(f)
	for s.Scan() {
		name, rest, ok := strings.Cut(s.Text(), ":")
		if p := fields[name]; ok && p != nil {
			v := strings.Fields(rest)
			if len(v) > 0 {
				*p, _ = strconv.ParseUint(v[0], 10, 64)
			}
		}
	}
	if err := s.Err(); err != nil {
		return Memory{}, fmt.Errorf("hostres: /proc/meminfo: %w", err)
	}
	if m.Total == 0 {
		return Memory{}, fmt.Errorf("hostres: /proc/meminfo has no MemTotal")
	}
	return m, nil
}

// FileSystem is the size and use of the file system holding a path.
type FileSystem struct {
	BlockSize   uint64
	Blocks      uint64 // size in blocks
	Used        uint64 // blocks in use (size less free, as df counts)
	Avail       uint64 // blocks free to an unprivileged user
	MountedPath string
}

// Mount is one line of /proc/self/mounts.
type Mount struct {
	Source, Path, Type string
}

// ReadMounts lists the mounted file systems, in mount order.
func ReadMounts() ([]Mount, error) {
	b, err := os.ReadFile(filepath.Join(Proc, "self", "mounts"))
	if err != nil {
		return nil, fmt.Errorf("hostres: %w", err)
	}
	var ms []Mount
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 3 {
			continue
		}
		ms = append(ms, Mount{Source: unescapeMount(f[0]), Path: unescapeMount(f[1]), Type: f[2]})
	}
	return ms, nil
}

// unescapeMount undoes the kernel's octal escapes of a mounts field
// (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ReadFileSystem statfs()es path.
func ReadFileSystem(path string) (FileSystem, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return FileSystem{}, fmt.Errorf("hostres: statfs %s: %w", path, err)
	}
	bs := uint64(st.Frsize)
	if bs == 0 {
		bs = uint64(st.Bsize)
	}
	return FileSystem{BlockSize: bs, Blocks: st.Blocks, Used: st.Blocks - st.Bfree, Avail: st.Bavail, MountedPath: path}, nil
}

// LoadAverage is /proc/loadavg's 1, 5 and 15 minute figures.
func LoadAverage() ([3]float64, error) {
	b, err := os.ReadFile(filepath.Join(Proc, "loadavg"))
	if err != nil {
		return [3]float64{}, fmt.Errorf("hostres: %w", err)
	}
	f := strings.Fields(string(b))
	var out [3]float64
	if len(f) < 3 {
		return out, fmt.Errorf("hostres: /proc/loadavg: %q", b)
	}
	for i := range out {
		if out[i], err = strconv.ParseFloat(f[i], 64); err != nil {
			return out, fmt.Errorf("hostres: /proc/loadavg: %w", err)
		}
	}
	return out, nil
}

// Uptime is the time since the kernel booted.
func Uptime() (time.Duration, error) {
	b, err := os.ReadFile(filepath.Join(Proc, "uptime"))
	if err != nil {
		return 0, fmt.Errorf("hostres: %w", err)
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0, fmt.Errorf("hostres: /proc/uptime is empty")
	}
	s, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return 0, fmt.Errorf("hostres: /proc/uptime: %w", err)
	}
	return time.Duration(s * float64(time.Second)), nil
}

// BootTime is when the kernel booted, to the second (/proc/stat's
// btime): one instant however often it is read, where now less Uptime
// moves by a second between reads.
func BootTime() (time.Time, error) {
	b, err := os.ReadFile(filepath.Join(Proc, "stat"))
	if err != nil {
		return time.Time{}, fmt.Errorf("hostres: %w", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "btime "); ok {
			s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return time.Time{}, fmt.Errorf("hostres: /proc/stat btime: %w", err)
			}
			return time.Unix(s, 0), nil
		}
	}
	return time.Time{}, fmt.Errorf("hostres: /proc/stat has no btime")
}

// ProcessStates counts the processes by the kernel's one-letter state
// (see Process.State), for top's "N processes: ..." line.
func ProcessStates() (map[byte]int, error) {
	ents, err := os.ReadDir(Proc)
	if err != nil {
		return nil, fmt.Errorf("hostres: %w", err)
	}
	out := map[byte]int{}
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil || !e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(Proc, e.Name(), "stat"))
		if err != nil {
			continue // it ended while we looked
		}
		if end := bytes.LastIndexByte(b, ')'); end >= 0 && end+2 < len(b) {
			out[b[end+2]]++
		}
	}
	return out, nil
}

// LastPID is the process ID the kernel gave last (/proc/loadavg's last
// field), top's "last pid".
func LastPID() (int, error) {
	b, err := os.ReadFile(filepath.Join(Proc, "loadavg"))
	if err != nil {
		return 0, fmt.Errorf("hostres: %w", err)
	}
	f := strings.Fields(string(b))
	if len(f) < 5 {
		return 0, fmt.Errorf("hostres: /proc/loadavg: %q", b)
	}
	n, err := strconv.Atoi(f[4])
	if err != nil {
		return 0, fmt.Errorf("hostres: /proc/loadavg: %w", err)
	}
	return n, nil
}

// Processes counts the processes running now.
func Processes() (int, error) {
	ents, err := os.ReadDir(Proc)
	if err != nil {
		return 0, fmt.Errorf("hostres: %w", err)
	}
	n := 0
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err == nil && e.IsDir() {
			n++
		}
	}
	return n, nil
}

// Process is one process as hrSWRun and hrSWRunPerf describe it.
type Process struct {
	PID        int
	Name       string // the command name (comm)
	Path       string // the executable
	Parameters string // the arguments after argv[0], space-separated
	CPU        time.Duration
	RSSKiB     uint64
	// State is the kernel's one-letter state (R running, S sleeping, D
	// in uninterruptible wait, T stopped, Z zombie, I idle kernel
	// thread); Threads, Priority, Nice and VSizeKiB as top shows them.
	State          byte
	Threads        int
	Priority, Nice int
	VSizeKiB       uint64
}

// userHZ is the kernel's USER_HZ, the unit of /proc's tick counts; it is
// 100 on every architecture Linux runs on today.
const userHZ = 100

// ReadProcess reads /proc/PID.
func ReadProcess(pid int) (Process, error) {
	dir := filepath.Join(Proc, strconv.Itoa(pid))
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return Process{}, fmt.Errorf("hostres: %w", err)
	}
	// comm is in parentheses and may hold spaces; the fields follow the
	// last ')'.
	open, end := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
	if open < 0 || end < open {
		return Process{}, fmt.Errorf("hostres: %s/stat: %q", dir, stat)
	}
	p := Process{PID: pid, Name: string(stat[open+1 : end])}
	f := strings.Fields(string(stat[end+1:]))
	// After comm: state(3) ... utime(14) stime(15) ... rss(24), counted
	// from 1 with pid and comm as 1 and 2.
	if len(f) < 22 {
		return Process{}, fmt.Errorf("hostres: %s/stat: %d fields", dir, len(f)+2)
	}
	utime, _ := strconv.ParseUint(f[11], 10, 64)
	stime, _ := strconv.ParseUint(f[12], 10, 64)
	rss, _ := strconv.ParseUint(f[21], 10, 64)
	p.CPU = time.Duration(utime+stime) * time.Second / userHZ
	p.RSSKiB = rss * uint64(os.Getpagesize()) / 1024
	// state(3), priority(18), nice(19), num_threads(20), vsize(23, bytes)
	if len(f[0]) > 0 {
		p.State = f[0][0]
	}
	p.Priority, _ = strconv.Atoi(f[15])
	p.Nice, _ = strconv.Atoi(f[16])
	p.Threads, _ = strconv.Atoi(f[17])
	vsize, _ := strconv.ParseUint(f[20], 10, 64)
	p.VSizeKiB = vsize / 1024
	p.Path, _ = os.Readlink(filepath.Join(dir, "exe"))
	if cmd, err := os.ReadFile(filepath.Join(dir, "cmdline")); err == nil {
		args := strings.Split(strings.TrimRight(string(cmd), "\x00"), "\x00")
		if len(args) > 1 {
			p.Parameters = strings.Join(args[1:], " ")
		}
	}
	return p, nil
}

// CPUNames are the processors' model names from /proc/cpuinfo, one per
// core in /proc/stat's order; "" where cpuinfo says none.
func CPUNames(n int) []string {
	out := make([]string, n)
	b, err := os.ReadFile(filepath.Join(Proc, "cpuinfo"))
	if err != nil {
		return out
	}
	i := -1
	for _, l := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(l, ":")
		k = strings.TrimSpace(k)
		switch {
		case !ok:
		case k == "processor":
			i++
		case k == "model name" && i >= 0 && i < n:
			out[i] = strings.TrimSpace(v)
		}
	}
	return out
}
