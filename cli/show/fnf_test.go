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

// TestFlowExporterStatisticsLossCauses: records that failed to reach the
// collector are listed under "- failed to send" by cause, in show ip
// flow export's words, with the packets they counted: sent plus every
// cause is what the monitor added.
func TestFlowExporterStatisticsLossCauses(t *testing.T) {
	st := ExportStats{Packets: 3, Records: 90, Bytes: 4000, Errors: 4, ErrorRecords: 15, Dropped: 1, DroppedRecords: 2, DroppedPackets: 9,
		LostRecords: 17, LostPackets: 70, NoRouteRecords: 5, NoRoutePackets: 20, AdjacencyRecords: 4, AdjacencyPackets: 16,
		TooBigRecords: 0, SendErrorRecords: 6, SendErrorPackets: 25}
	var b strings.Builder
	FlowExporterStatistics(&b, FNFView{Exporters: []FNFExporter{{Name: "E", Users: []string{"M"}, Stats: &st}}})
	want := `Flow Exporter E:
  Packet send statistics:
    Successfully sent:         3                     (4000 bytes)
  Reason not given:
    Send errors:               4                     (15 records)
    Dropped:                   1                     (2 records)
  Client send statistics:
    Client: Flow Monitor M
      Records added:         107
        - sent:              90
        - failed to send:    17
          no fib:                5 (20 packets)
          adjacency issues:      4 (16 packets)
          send errors:           6 (25 packets)
          lack of export packet: 2 (9 packets)
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
