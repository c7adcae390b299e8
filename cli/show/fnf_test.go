package show

import (
	"net/netip"
	"strings"
	"testing"
)

// TestFlowExporterStatisticsOneCache: an exporter two monitors use (an
// IPv4 and an IPv6 one sharing flowtap's cache) counts its records once,
// as one client naming both, not once per monitor.
func TestFlowExporterStatisticsOneCache(t *testing.T) {
	st := ExportStats{Collector: netip.MustParseAddrPort("192.0.2.10:2055"), Packets: 3, Records: 90, Bytes: 4000}
	var b strings.Builder
	FlowExporterStatistics(&b, FNFView{Exporters: []FNFExporter{{Name: "E", Users: []string{"M4", "M6"}, Stats: &st}}})
	want := "Flow Exporter E:\n  Packet send statistics:\n    Successfully sent:         3                     (4000 bytes)\n" +
		"  Client send statistics:\n    Client: Flow Monitors M4, M6 (one cache)\n      Records added:         90\n        - sent:              90\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
