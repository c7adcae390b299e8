package daemon

import (
	"os"
	osuser "os/user"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/cli/show"
	"github.com/flowtap/flowtap/mgmt/hostres"
)

// ProcessesCPU is `show processes cpu`: the manager's sampler (the one
// CISCO-PROCESS-MIB reads) and flowtapd's own row.
func (c *CLI) ProcessesCPU() show.ProcessesCPUView {
	avg := c.m.cpu.Read()
	v := show.ProcessesCPUView{FiveSec: avg.FiveSec, FiveSecInterrupt: avg.FiveSecInterrupt, OneMin: avg.OneMin, FiveMin: avg.FiveMin}
	pid := os.Getpid()
	if p, err := hostres.ReadProcess(pid); err == nil {
		mine := c.m.cpu.Process()
		invoked, _ := hostres.ContextSwitches(pid)
		v.Processes = []show.ProcessCPU{{PID: pid, RuntimeMS: uint64(p.CPU / time.Millisecond), Invoked: invoked,
			FiveSec: mine.FiveSec, OneMin: mine.OneMin, FiveMin: mine.FiveMin, Name: "flowtapd"}}
	}
	return v
}

// MemoryPools is `show memory statistics`: the Processor and I/O pools
// as the manager's sampler last read them (hostres.CPUAverages.Pools,
// which CISCO-MEMORY-POOL-MIB and CISCO-ENHANCED-MEMPOOL-MIB read too),
// in bytes.
func (c *CLI) MemoryPools() []show.MemoryPool {
	pools, err := c.m.cpu.Pools()
	if err != nil {
		return nil
	}
	out := make([]show.MemoryPool, len(pools))
	for i, p := range pools {
		out[i] = show.MemoryPool{Name: p.Name, Total: p.Used + p.Free, Used: p.Used, Free: p.Free, Lowest: p.Lowest, Largest: p.Largest}
	}
	return out
}

// Inventory is `show inventory`: the parts ENTITY-MIB lists, in its order.
func (c *CLI) Inventory() []show.InventoryItem {
	items := c.m.Inventory()
	out := make([]show.InventoryItem, len(items))
	for i, it := range items {
		out[i] = show.InventoryItem{Name: it.Name, Descr: it.Descr, PID: it.PID, VID: it.VID, SN: it.SN, Contained: it.Class != InventoryChassis}
	}
	return out
}

// RoutingEngine is JunOS's `show chassis routing-engine`: the CPU split
// of the sampler's last interval (the one `show processes cpu` and
// CISCO-PROCESS-MIB read), memory in use as the Processor pool counts
// it, the chassis's model and serial from the inventory, the boot time
// in the box's clock and the load averages.
func (c *CLI) RoutingEngine() show.RoutingEngineView {
	v := show.RoutingEngineView{CPU: show.CPUSplit(c.m.cpu.Read().Split)}
	if m, err := hostres.ReadMemory(); err == nil {
		used, free := hostres.ProcessorPool(m)
		v.MemoryMB = m.Total / 1024
		if total := used + free; total > 0 {
			v.MemoryUtil = int((used*100 + total/2) / total)
		}
	}
	for _, it := range c.m.Inventory() {
		if it.Class == InventoryChassis {
			v.Model, v.Serial = it.PID, it.SN
		}
	}
	if boot, err := hostres.BootTime(); err == nil {
		v.Start, v.Uptime = c.m.Config().Clock.In(boot), time.Since(boot)
	}
	v.Load, _ = hostres.LoadAverage()
	return v
}

// JunosSystem is what JunOS's `show version` and `show system uptime`
// read: the chassis's PID as the model, flowtapd's build, the kernel,
// the box's time (NTP's when it set it), the boot and flowtapd's start,
// the last commit and the load averages, every time in the box's clock.
func (c *CLI) JunosSystem() show.JunosSystemView {
	cfg := c.m.Config()
	clk, now := cfg.Clock, time.Now()
	v := show.JunosSystemView{Hostname: cfg.HostnameOrDefault(), Model: strings.ToLower("FLOWTAP-" + cfg.PlatformName()),
		Version: c.m.opts.Version, GoVersion: runtime.Version(), Arch: runtime.GOARCH, Kernel: readMachine().Kernel,
		Now: clk.In(now), NTP: c.m.clockSyncNow() == config.ClockSynced, Started: clk.In(c.m.started)}
	if boot, err := hostres.BootTime(); err == nil {
		v.Booted = clk.In(boot)
	} else {
		v.Booted = v.Started
	}
	if cs := c.m.Commits(); len(cs) > 0 {
		v.LastConfigured, v.LastBy = clk.In(cs[0].When), cs[0].User
	}
	v.Load, _ = hostres.LoadAverage()
	return v
}

// ProcessesSummary is JunOS's `show system processes summary`: top's
// header from /proc (last pid, load, uptime, processes by state, the
// page lists) with the sampler's CPU split, and flowtapd's row with its
// share from the same sampler.
func (c *CLI) ProcessesSummary() show.ProcessesSummaryView {
	cfg := c.m.Config()
	v := show.ProcessesSummaryView{Now: cfg.Clock.In(time.Now()), CPU: show.CPUSplit(c.m.cpu.Read().Split)}
	v.LastPID, _ = hostres.LastPID()
	v.Load, _ = hostres.LoadAverage()
	v.Up, _ = hostres.Uptime()
	v.States, _ = hostres.ProcessStates()
	if m, err := hostres.ReadMemory(); err == nil {
		v.Active, v.Inactive, v.Cache, v.Buffers, v.Free, v.SwapTotal, v.SwapFree = m.Active, m.Inactive, m.Cached, m.Buffers, m.Free, m.SwapTotal, m.SwapFree
	}
	pid := os.Getpid()
	if p, err := hostres.ReadProcess(pid); err == nil {
		user := "root"
		if os.Getuid() != 0 {
			user = strconv.Itoa(os.Getuid())
			if u, err := osuser.LookupId(user); err == nil {
				user = u.Username
			}
		}
		v.Process = show.TopProcess{PID: pid, User: user, Threads: p.Threads, Priority: p.Priority, Nice: p.Nice, SizeKiB: p.VSizeKiB,
			ResKiB: p.RSSKiB, State: p.State, CPU: p.CPU, WCPU: c.m.cpu.Process().FiveSec, Command: "flowtapd"}
	}
	return v
}

// SystemStorage is JunOS's `show system storage`: every mounted file
// system that has blocks (proc, sysfs and the like have none), as df
// lists them.
func (c *CLI) SystemStorage() []show.Filesystem {
	ms, err := hostres.ReadMounts()
	if err != nil {
		return nil
	}
	var out []show.Filesystem
	for _, m := range ms {
		fs, err := hostres.ReadFileSystem(m.Path)
		if err != nil || fs.Blocks == 0 {
			continue
		}
		bs := fs.BlockSize
		out = append(out, show.Filesystem{Name: m.Source, MountedOn: m.Path, Size: fs.Blocks * bs, Used: fs.Used * bs, Avail: fs.Avail * bs})
	}
	return out
}

// SystemMemory is JunOS's `show system memory`: /proc/meminfo's lists.
func (c *CLI) SystemMemory() show.SystemMemoryView {
	m, err := hostres.ReadMemory()
	if err != nil {
		return show.SystemMemoryView{}
	}
	return show.SystemMemoryView{Total: m.Total, Active: m.Active, Inactive: m.Inactive, Cache: m.Cached, Buffers: m.Buffers, Free: m.Free}
}
