package show

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// ChassisHardware writes JunOS's `show chassis hardware` from the one
// inventory `show inventory` and ENTITY-MIB read: the chassis (no part
// number, as on Junos; its serial number and description), then each
// part inside it indented under it, as Junos indents an FPC's PICs.
// Layout as recalled (Junos's column heads and widths), not checked
// against a router.
func ChassisHardware(w io.Writer, items []InventoryItem) {
	fmt.Fprintln(w, "Hardware inventory:")
	fmt.Fprintln(w, "Item             Version  Part number  Serial number     Description")
	for _, it := range items {
		name, part := it.Name, ""
		if it.Contained {
			name, part = "  "+name, it.PID
		}
		// A value wider than its column pushes the rest along, one
		// space kept, as the columns' own spacing does.
		row := fmt.Sprintf("%-16s %-8s %-12s %-17s %s", name, it.VID, part, it.SN, it.Descr)
		fmt.Fprintln(w, strings.TrimRight(row, " "))
	}
}

// RoutingEngineView is JunOS's `show chassis routing-engine`: the box as
// its one routing engine. CPU is the last five-second interval's split
// from the sampler `show processes cpu` and CISCO-PROCESS-MIB read.
type RoutingEngineView struct {
	// MemoryMB is the machine's memory; MemoryUtil the percentage in
	// use, as the Processor pool of `show memory statistics` counts it.
	MemoryMB   uint64
	MemoryUtil int
	CPU        CPUSplit
	// Model and Serial are the chassis's, from the inventory.
	Model, Serial string
	// Start is when the machine booted; Uptime is how long ago.
	Start  time.Time
	Uptime time.Duration
	// Load is the 1, 5 and 15 minute load averages.
	Load [3]float64
}

// CPUSplit is a CPU interval by what ran, in percent.
type CPUSplit struct {
	User, Background, Kernel, Interrupt, Idle float64
}

// RoutingEngine writes `show chassis routing-engine` for a single
// routing engine (no Slot header, no mastership, no temperatures: the
// box has no sensors flowtap reads). Layout as recalled.
func RoutingEngine(w io.Writer, v RoutingEngineView) {
	fmt.Fprintln(w, "Routing Engine status:")
	fmt.Fprintf(w, "    %-24s%6d MB\n", "DRAM", v.MemoryMB)
	fmt.Fprintf(w, "    %-24s%6d percent\n", "Memory utilization", v.MemoryUtil)
	fmt.Fprintln(w, "    CPU utilization:")
	for _, r := range []struct {
		name string
		pct  float64
	}{{"User", v.CPU.User}, {"Background", v.CPU.Background}, {"Kernel", v.CPU.Kernel}, {"Interrupt", v.CPU.Interrupt}, {"Idle", v.CPU.Idle}} {
		fmt.Fprintf(w, "      %-22s%6d percent\n", r.name, roundPct(r.pct))
	}
	fmt.Fprintf(w, "    %-31s%s\n", "Model", v.Model)
	if v.Serial != "" {
		fmt.Fprintf(w, "    %-31s%s\n", "Serial ID", v.Serial)
	}
	fmt.Fprintf(w, "    %-31s%s\n", "Start time", v.Start.Format("2006-01-02 15:04:05 MST"))
	fmt.Fprintf(w, "    %-31s%s\n", "Uptime", JunosUptime(v.Uptime))
	fmt.Fprintf(w, "    %-31s%s\n", "Load averages:", "1 minute   5 minute  15 minute")
	fmt.Fprintf(w, "%43.2f%11.2f%11.2f\n", v.Load[0], v.Load[1], v.Load[2])
}

// JunosUptime is a duration as Junos spells an uptime: "12 days, 3
// hours, 4 minutes, 5 seconds", leading zero units left out, a unit of
// one in the singular.
func JunosUptime(d time.Duration) string {
	return spellDuration(d, []durationUnit{{"day", 24 * time.Hour}, {"hour", time.Hour}, {"minute", time.Minute}, {"second", time.Second}})
}
