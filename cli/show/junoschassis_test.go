package show

import (
	"bytes"
	"testing"
	"time"
)

// TestJunOSChassisScreens fixes `show chassis hardware` (columns, a part
// indented under the chassis, a serial wider than its column pushing the
// description along) and `show chassis routing-engine` (the CPU split
// rounded to whole percents, Junos's uptime words, the load averages
// under their heads).
func TestJunOSChassisScreens(t *testing.T) {
	var b bytes.Buffer
	ChassisHardware(&b, []InventoryItem{
		{Name: "Chassis", Descr: "flowtap NetFlow probe, Juniper cflowd persona", PID: "FLOWTAP-CFLOWD", SN: "0123456789abcdef0123456789abcdef"},
		{Name: "eth1", Descr: "Metered port eth1 (XDP native)", Contained: true},
		{Name: "uplink", Descr: "Passive tap uplink (fibre A eth2, fibre B eth3)", Contained: true}})
	golden(t, "junos-show-chassis-hardware", b.Bytes())
	b.Reset()
	RoutingEngine(&b, RoutingEngineView{MemoryMB: 3942, MemoryUtil: 27,
		CPU:   CPUSplit{User: 12.4, Background: 0.6, Kernel: 3.5, Interrupt: 1.2, Idle: 82.3},
		Model: "FLOWTAP-CFLOWD", Serial: "SN1234", Start: time.Date(2026, 11, 24, 8, 0, 5, 0, time.UTC),
		Uptime: 12*24*time.Hour + time.Hour + 4*time.Minute + 5*time.Second + 300*time.Millisecond, Load: [3]float64{0.05, 1.5, 12.25}})
	golden(t, "junos-show-chassis-routing-engine", b.Bytes())
	for d, want := range map[time.Duration]string{0: "0 seconds", time.Second: "1 second",
		24*time.Hour + time.Minute: "1 day, 0 hours, 1 minute, 0 seconds"} {
		if got := JunosUptime(d); got != want {
			t.Errorf("JunosUptime(%v) = %q, want %q", d, got, want)
		}
	}
}
