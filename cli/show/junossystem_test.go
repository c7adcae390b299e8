package show

import (
	"bytes"
	"testing"
	"time"
)

// TestJunOSSystemScreens fixes `show version`, `show system uptime` and
// `show system users`: the ago forms under and over a day, uptime(1)'s
// line, w(1)'s LOGIN@ and IDLE forms, and a console with no login left
// out of the users.
func TestJunOSSystemScreens(t *testing.T) {
	now := time.Date(2026, 12, 7, 13, 10, 30, 0, time.UTC)
	v := JunosSystemView{Hostname: "jtap", Model: "flowtap-cflowd", Version: "1.4.0", GoVersion: "go1.24.1", Arch: "amd64", Kernel: "6.1.0-27-amd64",
		Now: now, NTP: true, Booted: now.Add(-(12*24*time.Hour + 17*time.Hour + 9*time.Minute + 5*time.Second)),
		Started: now.Add(-(3*24*time.Hour + 4*time.Hour + 5*time.Minute)), LastConfigured: now.Add(-(1*time.Hour + 2*time.Minute + 3*time.Second)), LastBy: "admin",
		Load: [3]float64{0.05, 0.5, 1.25}}
	var b bytes.Buffer
	JunosVersion(&b, v)
	golden(t, "junos-show-version", b.Bytes())
	b.Reset()
	JunosSystemUptime(&b, v, 2)
	golden(t, "junos-show-system-uptime", b.Bytes())
	b.Reset()
	JunosSystemUsers(&b, v, []UserLine{
		{Number: 0, Name: "con 0", Idle: 3 * time.Hour},
		{Number: 1, Name: "vty 0", User: "admin", Location: "192.0.2.10", Idle: 30 * time.Second, Since: now.Add(-5 * time.Minute), Self: true},
		{Number: 2, Name: "vty 1", User: "ops", Location: "2001:db8::77", Idle: 75 * time.Minute, Since: now.Add(-26 * time.Hour)},
		{Number: -1, Name: "ctl 0", User: "root", Idle: 50 * time.Hour, Since: now.Add(-10 * 24 * time.Hour)}})
	golden(t, "junos-show-system-users", b.Bytes())
	for _, c := range []struct {
		d    time.Duration
		want string
	}{{0, "00:00:00"}, {23*time.Hour + 59*time.Minute + 59*time.Second, "23:59:59"}, {24 * time.Hour, "1d 00:00"},
		{7 * 24 * time.Hour, "1w 00:00"}, {12*24*time.Hour + 17*time.Hour + 9*time.Minute, "1w5d 17:09"}} {
		if got := junosAgo(c.d); got != c.want {
			t.Errorf("junosAgo(%v) = %q, want %q", c.d, got, c.want)
		}
	}
	for _, c := range []struct {
		up   time.Duration
		want string
	}{{5 * time.Minute, "up 5 mins,"}, {time.Minute, "up 1 min,"}, {2*time.Hour + 3*time.Minute, "up 2:03,"},
		{24*time.Hour + 30*time.Second, "up 1 day,"}, {2*24*time.Hour + time.Hour, "up 2 days, 1:00,"}} {
		if got := uptimeLine(JunosSystemView{Now: now, Booted: now.Add(-c.up)}, 1); !bytes.Contains([]byte(got), []byte(" "+c.want+" 1 user,")) {
			t.Errorf("uptime %v: %q, want %q", c.up, got, c.want)
		}
	}
}

// TestJunOSProcessesSummary fixes `show system processes summary`: top's
// header (uptime as days+hh:mm:ss, the states in top's words and order,
// idle kernel threads among the sleeping), the CPU split, memory in K
// then M, and flowtapd's row.
func TestJunOSProcessesSummary(t *testing.T) {
	var b bytes.Buffer
	ProcessesSummary(&b, ProcessesSummaryView{LastPID: 61244, Load: [3]float64{0, 0.02, 1.5},
		Up: 27*24*time.Hour + 2*time.Hour + 27*time.Minute + 33*time.Second, Now: time.Date(2026, 12, 7, 10, 26, 41, 0, time.UTC),
		States: map[byte]int{'R': 2, 'S': 100, 'I': 34, 'D': 1, 'Z': 1},
		CPU:    CPUSplit{User: 12.5, Background: 0.5, Kernel: 3.25, Interrupt: 1, Idle: 82.75},
		Active: 484352, Inactive: 114688, Cache: 232448, Buffers: 70656, Free: 99999, SwapTotal: 2097152, SwapFree: 2097152,
		Process: TopProcess{PID: 812, User: "root", Threads: 14, Priority: 20, SizeKiB: 1261416, ResKiB: 42000, State: 'S',
			CPU: 101*time.Minute + 30*time.Second, WCPU: 1.27, Command: "flowtapd"}})
	golden(t, "junos-show-system-processes-summary", b.Bytes())
	if got := topTime(99*time.Minute + 59*time.Second); got != "99:59" {
		t.Errorf("topTime 99:59 = %q", got)
	}
}

// TestJunOSSystemMemory fixes `show system memory`: each list in KiB and
// its whole percent of the total, the labels right-aligned.
func TestJunOSSystemMemory(t *testing.T) {
	var b bytes.Buffer
	SystemMemory(&b, SystemMemoryView{Total: 4000000, Active: 1000000, Inactive: 500000, Cache: 1200000, Buffers: 20000, Free: 1279999})
	golden(t, "junos-show-system-memory", b.Bytes())
}
