package snmp

import (
	"net/netip"
	"os/exec"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestNetSNMPAggregationExportRows: an aggregation cache that exports
// has its rows in cnfEIExportInfoTable and cnfEICollectorTable, indexed
// by its NfCacheTypes as Cisco's file names them; one that exports
// nowhere has none. They are read-only: an aggregation cache's version
// and destinations are lines under `ip flow-aggregation cache`. The old
// agent listed the main cache's alone, so an NMS never saw where the
// aggregates went.
func TestNetSNMPAggregationExportRows(t *testing.T) {
	b := newFakeBackend()
	b.cache.Aggregations[0].ExportVersion = 9
	b.cache.Aggregations[0].Collectors = []netip.AddrPort{netip.MustParseAddrPort("192.0.2.44:9996"), netip.MustParseAddrPort("[2001:db8::44]:9995")}
	b.cache.Aggregations = append(b.cache.Aggregations,
		AggregationCacheStats{Type: uint32(platform.SchemeDestinationPrefix), Enabled: true, Entries: 1024},
		AggregationCacheStats{Type: uint32(platform.SchemeProtocolPort), Enabled: true, Entries: 1024, ExportVersion: 8,
			Collectors: []netip.AddrPort{netip.MustParseAddrPort("192.0.2.45:9996")}})
	_, v4, _ := startAgent(t, testConfig(b))
	got := walkByName(t, v4, "1.3.6.1.4.1.9.9.387.1.2")
	var all []string
	for _, ls := range got {
		all = append(all, ls...)
	}
	wantLines(t, strings.Join(all, "\n"),
		`cnfEIExportVersion.main = Gauge32: 9`,
		`cnfEIExportVersion.protocolPort = Gauge32: 8`,
		`cnfEIExportVersion.prefix = Gauge32: 9`,
		`cnfEIPeerAS.prefix = INTEGER: false(2)`,
		`cnfEICollectorStatus.main.ipv4."192.0.2.1".2055 = INTEGER: active(1)`,
		`cnfEICollectorStatus.protocolPort.ipv4."192.0.2.45".9996 = INTEGER: active(1)`,
		`cnfEICollectorStatus.prefix.ipv4."192.0.2.44".9996 = INTEGER: active(1)`,
	)
	if n := len(got["cnfEIExportVersion"]); n != 3 {
		t.Errorf("cnfEIExportVersion has %d rows, want 3 (main, protocolPort, prefix):\n%s", n, strings.Join(got["cnfEIExportVersion"], "\n"))
	}
	if n := len(got["cnfEICollectorStatus"]); n != 5 {
		t.Errorf("cnfEICollectorStatus has %d rows, want 5:\n%s", n, strings.Join(got["cnfEICollectorStatus"], "\n"))
	}
	if !strings.Contains(strings.Join(got["cnfEICollectorStatus"], "\n"), `cnfEICollectorStatus.prefix.ipv6."20:01:0d:b8:00:00:00:00:00:00:00:00:00:00:00:44".9995`) {
		t.Errorf("no IPv6 collector row for the prefix cache:\n%s", strings.Join(got["cnfEICollectorStatus"], "\n"))
	}

	// By number: prefix(5) is the cache type.
	const version, status = "1.3.6.1.4.1.9.9.387.1.2.1.1.1.5", "1.3.6.1.4.1.9.9.387.1.2.3.1.4.5.1.4.192.0.2.44.9996"
	before := len(b.Calls())
	for _, args := range [][]string{{version, "u", "5"}, {status, "i", "6"}} {
		out, err := testproc.CombinedOutput(exec.Command("snmpset", append([]string{"-v2c", "-c", rwCommunity, "-t", "2", "-r", "0", "-m", "", v4}, args...)...))
		if err == nil || !strings.Contains(string(out), "Reason: notWritable") {
			t.Errorf("set %v: %v, want notWritable\n%s", args, err, out)
		}
	}
	if calls := b.Calls()[before:]; len(calls) != 0 {
		t.Errorf("the refused sets changed the configuration: %q", calls)
	}
}
