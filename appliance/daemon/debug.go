package daemon

import (
	"fmt"
	"net/netip"
	"sync/atomic"
	"time"
)

// debugState is the `debug` commands in force: runtime state, as on IOS,
// never in the configuration and gone at a restart.
type debugState struct {
	export atomic.Bool // debug ip flow export
}

// exportSent is an exporter's hook (Options.ExportSent): while `debug ip
// flow export` is on, each export packet written is a debug message in
// IOS's words [SRC: a 12.4 router's output quoted on community.cisco.com
// thread 837519, "IPFLOW: Sending UDP export pak 14 to 192.168.1.2 port
// 6000 reason 4"; flowtap leaves out the number and the flush reason,
// whose meanings it does not know for certain].
func (s *debugState) exportSent(logs *LogBuffer) func(netip.AddrPort) {
	return func(c netip.AddrPort) {
		if s.export.Load() {
			logs.Debug(fmt.Sprintf("IPFLOW: Sending UDP export pak to %s port %d", c.Addr(), c.Port()))
		}
	}
}

// Debug writes a debug message (severity 7, `service timestamps debug`'s
// stamp, no %FACILITY name: IOS prints debug output bare) wherever
// messages go that take that level: the buffer, terminal monitor lines,
// the console and syslog hosts at `logging trap debugging`.
func (b *LogBuffer) Debug(line string) {
	now := time.Now()
	b.add(now, b.stamp(now, 7)+line, 7)
}

// Debug turns a `debug` on or off (`debug ip flow export`, `undebug all`):
// what is "ip flow export" or "all" (off only). It returns IOS's answer.
func (m *Manager) Debug(what string, on bool) string {
	switch what {
	case "ip flow export":
		m.debug.export.Store(on)
		if on {
			return "IP flow export debugging is on"
		}
		return "IP flow export debugging is off"
	case "all":
		m.debug.export.Store(false)
		return "All possible debugging has been turned off"
	}
	return "% Unknown debug " + what
}

// Debugging is `show debugging`: each debug on, under its facility.
func (m *Manager) Debugging() string {
	if !m.debug.export.Load() {
		return ""
	}
	return "IP flow:\n  IP flow export debugging is on\n"
}
