package show

import (
	"bytes"
	"testing"
)

// TestResourceScreens fixes `show processes cpu` (the header's whole
// percentages rounded, flowtapd's row with uSecs per invocation) and
// `show memory statistics`' pool lines.
func TestResourceScreens(t *testing.T) {
	var b bytes.Buffer
	ProcessesCPU(&b, ProcessesCPUView{FiveSec: 12.5, FiveSecInterrupt: 1.4, OneMin: 9.49, FiveMin: 100,
		Processes: []ProcessCPU{{PID: 812, RuntimeMS: 123456, Invoked: 4000, FiveSec: 4.25, OneMin: 3.5, FiveMin: 1, Name: "flowtapd"}}})
	golden(t, "show-processes-cpu", b.Bytes())
	b.Reset()
	MemoryStatistics(&b, []MemoryPool{{Name: "Processor", Total: 25165824000, Used: 1014669312, Free: 24151154688, Lowest: 24000000000, Largest: 4194304},
		{Name: "I/O", Total: 20000000000, Used: 4000000000, Free: 16000000000, Lowest: 15000000000, Largest: 4194304}})
	golden(t, "show-memory-statistics", b.Bytes())
	b.Reset()
	Inventory(&b, []InventoryItem{{Name: "Chassis", Descr: "flowtap NetFlow probe, Cisco IOS router, traditional NetFlow main cache persona", PID: "FLOWTAP-IOS", SN: "0123456789abcdef"},
		{Name: "eth1", Descr: "Metered port eth1 (XDP native)"}, {Name: "uplink", Descr: "Passive tap uplink (fibre A eth2, fibre B eth3)"}})
	golden(t, "show-inventory", b.Bytes())
}
