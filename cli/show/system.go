package show

import (
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/platform"
)

// VersionView is `show version`.
type VersionView struct {
	Arch, Version, GoVersion string
	Kernel                   string // the kernel release, "" if unknown
	Hostname                 string
	// SystemUptime is the machine's (IOS's "uptime is": the box's);
	// Uptime is flowtapd's, which a supervisor's restart starts over.
	SystemUptime, Uptime time.Duration
	Persona              string
	// The hardware, as far as the machine tells (DMI): the model, its
	// memory and its serial number (IOS's Processor board ID); lines
	// whose facts are unknown are left out.
	Model    string
	MemoryKB uint64
	Serial   string
	// ReloadReason is why the machine last started ("Reload Command",
	// "power-on"); "" leaves the line out (a host flowtapd does not own).
	ReloadReason string
}

// Version writes `show version`.
func Version(w io.Writer, v VersionView) {
	fmt.Fprintf(w, "flowtap Software (%s), Version %s\nCompiled with %s\n", v.Arch, v.Version, v.GoVersion)
	if v.Kernel != "" {
		fmt.Fprintf(w, "Kernel: Linux %s\n", v.Kernel)
	}
	up := v.SystemUptime
	if up == 0 {
		up = v.Uptime
	}
	fmt.Fprintf(w, "\n%s uptime is %s\nflowtapd uptime is %s\nPlatform persona: %s\n", v.Hostname, Uptime(up), Uptime(v.Uptime), v.Persona)
	if v.ReloadReason != "" {
		fmt.Fprintf(w, "Last reload reason: %s\n", v.ReloadReason)
	}
	if v.Model != "" || v.MemoryKB != 0 {
		model := v.Model
		if model == "" {
			model = "Unknown machine"
		}
		fmt.Fprintln(w)
		if v.MemoryKB != 0 {
			fmt.Fprintf(w, "%s with %dK bytes of memory.\n", model, v.MemoryKB)
		} else {
			fmt.Fprintf(w, "%s\n", model)
		}
	}
	if v.Serial != "" {
		fmt.Fprintf(w, "Processor board ID %s\n", v.Serial)
	}
}

// Uptime writes a time since start as IOS's show version does: years,
// weeks, days, hours and minutes from the largest one that is not 0,
// down to minutes ("2 weeks, 0 days, 3 hours, 1 minute"; "0 minutes" in
// the first one), not Go's "1h2m3s".
func Uptime(d time.Duration) string {
	const day = 24 * time.Hour
	return spellDuration(d, []durationUnit{{"year", 365 * day}, {"week", 7 * day}, {"day", day}, {"hour", time.Hour}, {"minute", time.Minute}})
}

type durationUnit struct {
	name string
	size time.Duration
}

// spellDuration writes d in words, largest unit first ("2 days, 0 hours,
// 5 minutes"): leading zero units are left out, the last unit always
// shown, and what is under it dropped.
func spellDuration(d time.Duration, units []durationUnit) string {
	var parts []string
	for i, u := range units {
		n := d / u.size
		d -= n * u.size
		if n == 0 && len(parts) == 0 && i < len(units)-1 {
			continue
		}
		s := fmt.Sprintf("%d %s", n, u.name)
		if n != 1 {
			s += "s"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// PlatformView is `show platform`: the persona and what the datapath
// made of it.
type PlatformView struct {
	Name, Description string
	CacheEntries      int
	TableBytes        int
	Mask              string
	// Ports are the metered ports' XDP modes by name.
	Ports map[string]string
}

// Platform writes `show platform`, the ports in name order.
func Platform(w io.Writer, v PlatformView) {
	fmt.Fprintf(w, "Platform: %s (%s)\n", v.Name, v.Description)
	fmt.Fprintf(w, "  Flow table: %d entries (%d bytes), flow mask %s\n", v.CacheEntries, v.TableBytes, v.Mask)
	names := make([]string, 0, len(v.Ports))
	for n := range v.Ports {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %s: XDP %s mode\n", n, v.Ports[n])
	}
}

// FlowInterface is one metered interface in `show ip flow interface`.
type FlowInterface struct {
	Name string
	// Ingress and Egress are traditional NetFlow's `ip flow
	// ingress|egress`; Monitors the port's Flexible NetFlow lines (`ip
	// flow monitor NAME input`), which IOS lists as they are configured.
	Ingress, Egress bool
	Monitors        []string `json:",omitempty"`
	Sampler         string
	// Shared says, for a port numbered past the datapath's port table
	// whose setting is not its own, what it shares (flowtap's line).
	Shared *SharedPort `json:",omitempty"`
}

// SharedPort is the one setting of the ports past ifIndex 65535 that a
// port takes from others.
type SharedPort struct {
	IfIndex int
	Setting string   // "metered, passive"
	From    []string // the ports whose own setting it is
}

// IPFlowInterface writes `show ip flow interface`.
func IPFlowInterface(w io.Writer, ifs []FlowInterface) {
	for _, i := range ifs {
		fmt.Fprintln(w, i.Name)
		if i.Ingress {
			fmt.Fprintln(w, " ip flow ingress")
		}
		if i.Egress {
			fmt.Fprintln(w, " ip flow egress")
		}
		for _, m := range i.Monitors {
			fmt.Fprintf(w, " %s\n", m)
		}
		if i.Sampler != "" {
			fmt.Fprintf(w, " flow-sampler %s\n", i.Sampler)
		}
		if s := i.Shared; s != nil {
			fmt.Fprintf(w, " ifIndex %d, past 65535, shares the setting of %s: %s\n", s.IfIndex, strings.Join(s.From, ", "), s.Setting)
		}
	}
}

// NDEView is `show mls nde`.
type NDEView struct {
	Enabled      bool
	Version      int
	Destinations []netip.AddrPort
	Mask         string
	// TCPFlagsZeroed: v5/v7 records carry tcp_flags 0, as a PFC's NDE
	// writes for hardware-switched flows, because `mls nde tcp-flags`
	// is not configured.
	TCPFlagsZeroed bool
	// Include and Exclude are `mls nde flow include|exclude`; Filtered
	// counts the flows they left out (summed over the destinations, as
	// show ip flow export does) and FilteredPackets their packets.
	Include, Exclude          platform.NDEFlowFilter
	Filtered, FilteredPackets uint64
}

// MLSNDE writes `show mls nde`.
func MLSNDE(w io.Writer, v NDEView) {
	state := "disabled"
	if v.Enabled {
		state = "enabled"
	}
	fmt.Fprintf(w, "Netflow Data Export %s\n", state)
	fmt.Fprintf(w, "  Exporting flows to %d destination(s), version %d\n", len(v.Destinations), v.Version)
	for _, d := range v.Destinations {
		fmt.Fprintf(w, "    %s (%d)\n", d.Addr(), d.Port())
	}
	fmt.Fprintf(w, "  Current flow mask is %s\n", v.Mask)
	// flowtap's extension: a PFC's own `show mls nde` has no such line,
	// but whether the flags are exported is `mls nde tcp-flags`, also
	// flowtap's, and an operator comparing records needs to see it.
	if v.TCPFlagsZeroed {
		fmt.Fprintln(w, "  TCP flags exported as 0 (mls nde tcp-flags not configured)")
	} else {
		fmt.Fprintln(w, "  TCP flags exported")
	}
	if !v.Include.Set() && !v.Exclude.Set() && v.Filtered == 0 {
		return
	}
	fmt.Fprintln(w, "  Netflow Data Export filter:")
	for _, f := range []struct {
		name string
		f    platform.NDEFlowFilter
	}{{"Include", v.Include}, {"Exclude", v.Exclude}} {
		if f.f.Set() {
			fmt.Fprintf(w, "    %s filter: %s\n", f.name, f.f)
		} else {
			fmt.Fprintf(w, "    %s filter not configured\n", f.name)
		}
	}
	// Nothing lost: what the filters kept back is counted.
	fmt.Fprintf(w, "  %d flows (%d packets) were not exported, filtered by NDE flow filter\n", v.Filtered, v.FilteredPackets)
}

// LoggingView is `show logging`: the buffer's size and level, how many
// messages it kept, what went to the `logging host` collectors and at
// which `logging trap` level, and the lines the buffer still holds,
// oldest first.
type LoggingView struct {
	Size   int
	Logged int // messages the buffer took
	// BufferLevel and TrapLevel are severity names: `logging buffered`
	// and `logging trap`'s levels.
	BufferLevel, TrapLevel string
	TrapLogged             int // messages at or above the trap level
	Facility               string
	// Source is `logging source-interface`, and SourceState the address
	// it gives or why it gives none.
	Source, SourceState string
	Hosts               []LoggingHost
	Lines               []string
}

// LoggingHost is one `logging host`: its UDP port, the message lines
// sent to it and those whose send failed; NotOpened says why no socket
// could be opened to it (nothing is sent then).
type LoggingHost struct {
	Addr string
	Port int
	// Level is the host's own severity level where it differs from
	// logging trap's (JunOS `any LEVEL`); "" otherwise.
	Level        string
	Sent, Failed uint64
	NotOpened    string
}

// Logging writes `show logging`, in IOS's words.
func Logging(w io.Writer, v LoggingView) {
	fmt.Fprintf(w, "Syslog logging: enabled\n    Buffer logging:  level %s, %d messages logged\n", v.BufferLevel, v.Logged)
	fmt.Fprintf(w, "    Trap logging: level %s, %d message lines logged\n", v.TrapLevel, v.TrapLogged)
	if v.Facility != "" {
		fmt.Fprintf(w, "        Logging facility: %s\n", v.Facility)
	}
	if v.Source != "" {
		fmt.Fprintf(w, "        Logging Source-Interface: %s (%s)\n", v.Source, v.SourceState)
	}
	for _, h := range v.Hosts {
		fmt.Fprintf(w, "        Logging to %s  (udp port %d", h.Addr, h.Port)
		if h.Level != "" {
			fmt.Fprintf(w, ", level %s", h.Level)
		}
		if h.NotOpened != "" {
			fmt.Fprintf(w, ", not opened: %s", h.NotOpened)
		}
		fmt.Fprintf(w, "), %d message lines logged", h.Sent)
		if h.Failed > 0 {
			fmt.Fprintf(w, ", %d message lines failed", h.Failed)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Log Buffer (%d bytes):\n\n", v.Size)
	for _, l := range v.Lines {
		fmt.Fprintln(w, l)
	}
}
