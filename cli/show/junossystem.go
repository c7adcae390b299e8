package show

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// JunosSystemView is what JunOS's `show version` and `show system
// uptime` say about the box.
type JunosSystemView struct {
	Hostname string
	// Model is the chassis's PID as Junos spells a model: lower case.
	Model                    string
	Version, GoVersion, Arch string
	Kernel                   string // the kernel release, "" if unknown
	// Now is the box's time in its clock; NTP whether NTP set it.
	Now time.Time
	NTP bool
	// Booted is when the machine booted; Started when flowtapd started
	// (Junos's "Protocols started"); both in the box's clock.
	Booted, Started time.Time
	// LastConfigured is the last commit (the running configuration's),
	// by whom; zero when none is known.
	LastConfigured time.Time
	LastBy         string
	Load           [3]float64
}

// JunosVersion writes JunOS's `show version`: the hostname and model
// lines Junos starts with, then flowtap's software in the bracketed
// package lines Junos lists (flowtap's own names: it is not Junos).
// Layout as recalled.
func JunosVersion(w io.Writer, v JunosSystemView) {
	fmt.Fprintf(w, "Hostname: %s\nModel: %s\n", v.Hostname, v.Model)
	fmt.Fprintf(w, "flowtap: %s\n", v.Version)
	fmt.Fprintf(w, "flowtap Software Suite [%s] (%s, %s)\n", v.Version, v.Arch, v.GoVersion)
	if v.Kernel != "" {
		fmt.Fprintf(w, "Linux Kernel [%s]\n", v.Kernel)
	}
}

// JunosSystemUptime writes `show system uptime`: the current time and
// its source, when the system booted, when flowtapd (the protocols)
// started and when the configuration was last committed, each with how
// long ago, then the uptime(1) line with the logged-in users. Layout as
// recalled.
func JunosSystemUptime(w io.Writer, v JunosSystemView, users int) {
	stamp := func(t time.Time) string {
		return fmt.Sprintf("%s (%s ago)", t.Format("2006-01-02 15:04:05 MST"), junosAgo(v.Now.Sub(t)))
	}
	src := "LOCAL CLOCK"
	if v.NTP {
		src = "NTP CLOCK"
	}
	fmt.Fprintf(w, "Current time: %s\n", v.Now.Format("2006-01-02 15:04:05 MST"))
	fmt.Fprintf(w, "Time Source:  %s\n", src)
	fmt.Fprintf(w, "System booted: %s\n", stamp(v.Booted))
	fmt.Fprintf(w, "Protocols started: %s\n", stamp(v.Started))
	if !v.LastConfigured.IsZero() {
		fmt.Fprintf(w, "Last configured: %s by %s\n", stamp(v.LastConfigured), v.LastBy)
	}
	fmt.Fprintln(w, uptimeLine(v, users))
}

// uptimeLine is FreeBSD uptime(1)'s line, which Junos prints atop `show
// system uptime` and `show system users`: the time, how long up (days,
// then hours:minutes, or minutes under an hour), the users and the load
// averages.
func uptimeLine(v JunosSystemView, users int) string {
	up := v.Now.Sub(v.Booted)
	if up < 0 {
		up = 0
	}
	days, rest := int(up/(24*time.Hour)), up%(24*time.Hour)
	h, m := int(rest/time.Hour), int(rest%time.Hour/time.Minute)
	var ups []string
	if days > 0 {
		ups = append(ups, plural(days, "day"))
	}
	switch {
	case h > 0:
		ups = append(ups, fmt.Sprintf("%d:%02d", h, m))
	case m > 0 || days == 0:
		ups = append(ups, plural(m, "min"))
	}
	return fmt.Sprintf("%7s  up %s, %s, load averages: %.2f, %.2f, %.2f", v.Now.Format("3:04PM"), strings.Join(ups, ", "),
		plural(users, "user"), v.Load[0], v.Load[1], v.Load[2])
}

func plural(n int, unit string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, unit)
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// junosAgo is a time past as Junos's "(... ago)" gives it: HH:MM:SS
// under a day, else weeks and days then HH:MM ("1w5d 17:09", "3d 04:05").
func junosAgo(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	d = d.Truncate(time.Second)
	if d < 24*time.Hour {
		return fmt.Sprintf("%02d:%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second))
	}
	days := int(d / (24 * time.Hour))
	rest := d % (24 * time.Hour)
	var b strings.Builder
	if days >= 7 {
		fmt.Fprintf(&b, "%dw", days/7)
	}
	if days%7 > 0 || days < 7 {
		fmt.Fprintf(&b, "%dd", days%7)
	}
	fmt.Fprintf(&b, " %02d:%02d", int(rest/time.Hour), int(rest%time.Hour/time.Minute))
	return b.String()
}

// JunosSystemUsers writes `show system users`: the uptime line, then one
// row per CLI session as FreeBSD's w(1) lays them out (user, terminal,
// where from, when it logged in, how long idle, what it runs: the CLI).
// A line with no one logged in yet (the console before its login) is
// left out. Layout as recalled.
func JunosSystemUsers(w io.Writer, v JunosSystemView, lines []UserLine) {
	var rows []UserLine
	for _, l := range lines {
		if l.User != "" {
			rows = append(rows, l)
		}
	}
	fmt.Fprintln(w, uptimeLine(v, len(rows)))
	fmt.Fprintln(w, "USER     TTY      FROM                              LOGIN@  IDLE WHAT")
	for _, l := range rows {
		from := l.Location
		if from == "" {
			from = "-"
		}
		tty := strings.ReplaceAll(l.Name, " ", "")
		fmt.Fprintf(w, "%-8s %-8s %-32s %7s %5s %s\n", l.User, tty, from, loginAt(l.Since.In(v.Now.Location()), v.Now), wIdle(l.Idle), "cli")
	}
}

// loginAt is w(1)'s LOGIN@: the time today, the weekday and hour within
// the week, else the date.
func loginAt(t, now time.Time) string {
	switch {
	case now.Sub(t) < 24*time.Hour && t.YearDay() == now.YearDay():
		return t.Format("3:04PM")
	case now.Sub(t) < 7*24*time.Hour:
		return t.Format("Mon03PM")
	}
	return t.Format("02Jan06")
}

// wIdle is w(1)'s IDLE: "-" under a minute, minutes, hours:minutes,
// then days.
func wIdle(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "-"
	case d < time.Hour:
		return fmt.Sprint(int(d / time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dday", int(d/(24*time.Hour)))
}

// ProcessesSummaryView is JunOS's `show system processes summary`: top's
// header lines and flowtapd's row (IOS's show processes cpu lists it
// alone too). Memory is in KiB.
type ProcessesSummaryView struct {
	LastPID int
	Load    [3]float64
	Up      time.Duration
	Now     time.Time
	// States counts the processes by the kernel's one-letter state.
	States map[byte]int
	// CPU is the sampler's last interval, as show chassis
	// routing-engine splits it.
	CPU                                    CPUSplit
	Active, Inactive, Cache, Buffers, Free uint64
	SwapTotal, SwapFree                    uint64
	Process                                TopProcess
}

// TopProcess is one row of top's process table.
type TopProcess struct {
	PID             int
	User            string
	Threads         int
	Priority, Nice  int
	SizeKiB, ResKiB uint64
	State           byte // the kernel's letter
	CPU             time.Duration
	WCPU            float64 // percent of all the cores' time
	Command         string
}

// topStates are the kernel's process states in top's words, in the
// order top's processes line names them (idle kernel threads sleep).
var topStates = []struct {
	letters string
	word    string
}{{"R", "running"}, {"SI", "sleeping"}, {"D", "waiting"}, {"Tt", "stopped"}, {"Z", "zombie"}}

// ProcessesSummary writes `show system processes summary` as FreeBSD's
// top heads its screen under Junos: last pid, load averages, uptime
// (days+hh:mm:ss) and time; the processes by state; the CPU split; the
// memory and swap (Linux's page lists: no Wired line, Linux has no such
// count); then flowtapd's row. Layout as recalled.
func ProcessesSummary(w io.Writer, v ProcessesSummaryView) {
	up := v.Up.Truncate(time.Second)
	days := int(up / (24 * time.Hour))
	up -= time.Duration(days) * 24 * time.Hour
	fmt.Fprintf(w, "last pid: %5d;  load averages: %5.2f, %5.2f, %5.2f  up %d+%02d:%02d:%02d    %s\n", v.LastPID, v.Load[0], v.Load[1], v.Load[2],
		days, int(up/time.Hour), int(up%time.Hour/time.Minute), int(up%time.Minute/time.Second), v.Now.Format("15:04:05"))
	total := 0
	for _, n := range v.States {
		total += n
	}
	var parts []string
	for _, st := range topStates {
		n := 0
		for i := range len(st.letters) {
			n += v.States[st.letters[i]]
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st.word))
		}
	}
	fmt.Fprintf(w, "%d processes: %s\n\n", total, strings.Join(parts, ", "))
	fmt.Fprintf(w, "CPU: %4.1f%% user, %4.1f%% nice, %4.1f%% system, %4.1f%% interrupt, %4.1f%% idle\n",
		v.CPU.User, v.CPU.Background, v.CPU.Kernel, v.CPU.Interrupt, v.CPU.Idle)
	fmt.Fprintf(w, "Mem: %s Active, %s Inact, %s Cache, %s Buf, %s Free\n", topMem(v.Active), topMem(v.Inactive), topMem(v.Cache), topMem(v.Buffers), topMem(v.Free))
	fmt.Fprintf(w, "Swap: %s Total, %s Free\n\n", topMem(v.SwapTotal), topMem(v.SwapFree))
	fmt.Fprintln(w, "  PID USERNAME  THR PRI NICE   SIZE    RES STATE    TIME   WCPU COMMAND")
	p := v.Process
	fmt.Fprintf(w, "%5d %-8.8s %4d %3d %4d %6s %6s %-6.6s %6s %5.2f%% %s\n", p.PID, p.User, p.Threads, p.Priority, p.Nice,
		topMem(p.SizeKiB), topMem(p.ResKiB), topState(p.State), topTime(p.CPU), p.WCPU, p.Command)
}

// topMem is a KiB figure as top prints it: K, then M from 100000K.
func topMem(kib uint64) string {
	if kib < 100000 {
		return fmt.Sprintf("%dK", kib)
	}
	return fmt.Sprintf("%dM", kib/1024)
}

// topState is a process's state in top's column.
func topState(s byte) string {
	switch s {
	case 'R':
		return "RUN"
	case 'D':
		return "WAIT"
	case 'T', 't':
		return "STOP"
	case 'Z':
		return "zomb"
	}
	return "sleep"
}

// topTime is a process's CPU time as top prints it: minutes:seconds
// under 100 minutes, then hours with a tenth.
func topTime(d time.Duration) string {
	if d < 100*time.Minute {
		return fmt.Sprintf("%d:%02d", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return fmt.Sprintf("%.1fH", d.Hours())
}

// SystemMemoryView is JunOS's `show system memory`: Linux's memory by
// the lists the kernel keeps, in KiB.
type SystemMemoryView struct {
	Total, Active, Inactive, Cache, Buffers, Free uint64
}

// SystemMemory writes `show system memory`'s usage distribution, each
// figure with its share of the total, in the Junos (FreeBSD) lines'
// layout as recalled; Linux's lists stand for FreeBSD's (no Reserved
// nor Wired, which Linux does not count; Buffer for its buffer cache).
// Junos's per-process table below it is not printed. Linux's lists
// overlap (cached pages are active or inactive too), so the shares add
// to more than 100.
func SystemMemory(w io.Writer, v SystemMemoryView) {
	fmt.Fprintln(w, "System memory usage distribution:")
	for _, r := range []struct {
		name string
		kib  uint64
	}{{"Total", v.Total}, {"Active", v.Active}, {"Inactive", v.Inactive}, {"Cache", v.Cache}, {"Buffer", v.Buffers}, {"Free", v.Free}} {
		pct := 0
		if v.Total > 0 {
			pct = int((r.kib*100 + v.Total/2) / v.Total)
		}
		fmt.Fprintf(w, "%20s %8d Kbytes (%3d%%)\n", r.name+" memory:", r.kib, pct)
	}
}
