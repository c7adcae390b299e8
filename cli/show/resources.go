package show

import (
	"fmt"
	"io"
)

// ProcessesCPUView is `show processes cpu`: the machine's busy
// percentages as IOS samples them (five seconds, the part of it at
// interrupt level after the slash, one- and five-minute decaying
// averages) and the processes below. flowtap lists one process,
// flowtapd itself: its goroutines are not processes an operator can
// tell apart, and the other programs on the appliance are not its own.
type ProcessesCPUView struct {
	FiveSec, FiveSecInterrupt, OneMin, FiveMin float64
	Processes                                  []ProcessCPU
}

// ProcessCPU is one row of `show processes cpu`. Invoked is how often
// the process was switched to (its context switches); the percentages
// are its share of all the cores' time, as the header's are.
type ProcessCPU struct {
	PID                      int
	RuntimeMS, Invoked       uint64
	FiveSec, OneMin, FiveMin float64
	TTY                      int
	Name                     string
}

// ProcessesCPU writes `show processes cpu` in IOS's layout (as recalled:
// no router's screen was at hand to check the column widths against).
func ProcessesCPU(w io.Writer, v ProcessesCPUView) {
	fmt.Fprintf(w, "CPU utilization for five seconds: %d%%/%d%%; one minute: %d%%; five minutes: %d%%\n",
		roundPct(v.FiveSec), roundPct(v.FiveSecInterrupt), roundPct(v.OneMin), roundPct(v.FiveMin))
	fmt.Fprintln(w, " PID Runtime(ms)     Invoked      uSecs   5Sec   1Min   5Min TTY Process ")
	for _, p := range v.Processes {
		var usecs uint64
		if p.Invoked > 0 {
			usecs = p.RuntimeMS * 1000 / p.Invoked
		}
		fmt.Fprintf(w, "%4d %11d %11d %10d %5.2f%% %5.2f%% %5.2f%% %3d %s\n",
			p.PID, p.RuntimeMS, p.Invoked, usecs, p.FiveSec, p.OneMin, p.FiveMin, p.TTY, p.Name)
	}
}

// roundPct is a percentage as IOS prints the header's: a whole number.
func roundPct(v float64) int { return int(min(max(v+0.5, 0), 100)) }

// MemoryPool is one row of `show memory statistics`, in bytes. Head is
// where the pool starts on IOS; flowtap's pools are Linux's accounting,
// with no address, and show 0.
type MemoryPool struct {
	Name                               string
	Head                               uint64
	Total, Used, Free, Lowest, Largest uint64
}

// MemoryStatistics writes `show memory statistics`' pool header: one line
// per pool, IOS's columns (layout as recalled).
func MemoryStatistics(w io.Writer, pools []MemoryPool) {
	fmt.Fprintln(w, "                Head    Total(b)     Used(b)     Free(b)   Lowest(b)  Largest(b)")
	for _, p := range pools {
		fmt.Fprintf(w, "%9s %10X %11d %11d %11d %11d %11d\n", p.Name, p.Head, p.Total, p.Used, p.Free, p.Lowest, p.Largest)
	}
}

// InventoryItem is one part in `show inventory`: the chassis, a metered
// port or tap fibre, a tap's link.
type InventoryItem struct {
	Name, Descr, PID, VID, SN string
	// Contained: a part inside the chassis (JunOS's `show chassis
	// hardware` indents it); false for the chassis itself.
	Contained bool
}

// Inventory writes `show inventory` in IOS's layout (as recalled): each
// part's name and description, then its product ID, version ID and
// serial number, a blank line after each.
func Inventory(w io.Writer, items []InventoryItem) {
	for _, it := range items {
		fmt.Fprintf(w, "NAME: %q, DESCR: %q\nPID: %-18s, VID: %-4s, SN: %s\n\n", it.Name, it.Descr, it.PID, it.VID, it.SN)
	}
}
