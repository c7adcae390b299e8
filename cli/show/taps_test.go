package show

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
)

func TestFlowtapTapsScreen(t *testing.T) {
	var b bytes.Buffer
	FlowtapTaps(&b, []TapView{
		{Name: "uplink", IfIndex: 64001, Fibres: []FibreView{
			{Side: "A", Port: "eth1", Present: true, AdminUp: true, Carrier: true, Flows: 30, Packets: 75, Bytes: 14233, Received: true, LastInput: time.Second},
			{Side: "B", Port: "eth2", Present: true, AdminUp: true, Flows: 25, Packets: 61, Bytes: 11027, Received: true, LastInput: 3*time.Minute + 4*time.Second},
		}},
		{Name: "backup", IfIndex: 900, Fibres: []FibreView{
			{Side: "A", Port: "eth3", Present: true, AdminUp: true, Carrier: true, Received: true, LastInput: 2 * time.Second},
			{Side: "B", Port: "eth4", Present: true, AdminUp: true, Carrier: true, SilentFor: 45 * time.Second, PartnerReceives: "A"},
		}},
		{Name: "quiet", IfIndex: 64003, Fibres: []FibreView{
			{Side: "A", Port: "eth5", Present: true, AdminUp: true, Carrier: true, Received: true, LastInput: 26*time.Hour + time.Minute},
			{Side: "B", Port: "eth6", Present: true, AdminUp: true, Carrier: true},
		}},
		{Name: "half", IfIndex: 64004, Fibres: []FibreView{
			{Side: "A", Port: "eth7"},
			{Side: "B"},
		}},
	})
	golden(t, "show-flowtap-taps", b.Bytes())
	b.Reset()
	FlowtapTaps(&b, nil)
	if b.String() != "No taps configured\n" {
		t.Errorf("no taps: %q", b.String())
	}
}

func TestIPCacheBiflowScreen(t *testing.T) {
	mk := func(src, dst string, sp, dp uint16, proto uint8, f, r uint64, d flow.BiflowDirection) flow.Record {
		return flow.Record{Key: flow.Key{SrcAddr: netip.MustParseAddr(src), DstAddr: netip.MustParseAddr(dst), SrcPort: sp, DstPort: dp, Proto: proto, InputIf: 64001},
			Packets: f, Bytes: f * 100, Start: now, End: now.Add(time.Second), Direction: flow.DirIngress, Biflow: d,
			Reverse: flow.Reverse{Packets: r, Bytes: r * 90}}
	}
	var b bytes.Buffer
	IPCacheBiflow(&b, BiflowView{
		Flows: []flow.Record{
			mk("141.142.220.118", "208.80.152.3", 49997, 80, 6, 12, 17, flow.BiflowInitiator),
			mk("141.142.220.118", "141.142.2.2", 58206, 53, 17, 1, 1, flow.BiflowArbitrary),
			mk("141.142.220.226", "141.142.220.255", 137, 137, 17, 7, 0, flow.BiflowInitiator),
		},
		Link: func(*flow.Record) string { return "uplink" },
	})
	golden(t, "show-ip-cache-biflow", b.Bytes())
}

// TestIPCacheBiflowLongAddresses: an IPv6 address wider than its column
// pushes the row on, but every field stays a word of its own (it ran
// into the port before: "ff02::1:ffc3:e2028700").
func TestIPCacheBiflowLongAddresses(t *testing.T) {
	recs := []flow.Record{
		{Key: flow.Key{SrcAddr: netip.MustParseAddr("::"), DstAddr: netip.MustParseAddr("ff02::1:ffc3:e202"), DstPort: 0x8700, Proto: 58}, Packets: 1, Bytes: 72},
		{Key: flow.Key{SrcAddr: netip.MustParseAddr("fe80::d0e2:a8ff:fec3:e202"), DstAddr: netip.MustParseAddr("ff02::2"), DstPort: 0x8500, Proto: 58}, Packets: 2, Bytes: 112},
		{Key: flow.Key{SrcAddr: netip.MustParseAddr("2001:db8:1234:5678::10"), DstAddr: netip.MustParseAddr("2001:db8:1234:5678::20"), SrcPort: 40000, DstPort: 443, Proto: 6},
			Packets: 5, Bytes: 500, Reverse: flow.Reverse{Packets: 4, Bytes: 400}},
	}
	var b bytes.Buffer
	IPCacheBiflow(&b, BiflowView{Flows: recs, Link: func(*flow.Record) string { return "uplink" }})
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	for i, r := range recs {
		f := strings.Fields(lines[i+1])
		want := []string{"uplink", r.SrcAddr.String(), fmt.Sprintf("%04X", r.SrcPort), r.DstAddr.String(), fmt.Sprintf("%04X", r.DstPort)}
		if len(f) != 10 || strings.Join(f[:5], " ") != strings.Join(want, " ") {
			t.Errorf("row %d %q: fields %q, want 10 starting %q", i, lines[i+1], f, want)
		}
	}
	golden(t, "show-ip-cache-biflow-ipv6", b.Bytes())
}

func TestIPv6FlowCacheScreen(t *testing.T) {
	var b bytes.Buffer
	IPv6FlowCache(&b, sampleCache())
	golden(t, "show-ipv6-flow-cache", b.Bytes())
}

// TestIPFlowExportBiflow: a biflow destination says so, with the
// directions still waiting for their partner.
func TestIPFlowExportBiflow(t *testing.T) {
	var b bytes.Buffer
	IPFlowExport(&b, ExportView{Version: platform.IPFIX, Destinations: []ExportStats{
		{Collector: netip.MustParseAddrPort("192.0.2.10:4739"), Version: platform.IPFIX, Packets: 7, Records: 34, Biflow: true, BiflowWaiting: 2},
		{Collector: netip.MustParseAddrPort("192.0.2.11:4739"), Version: platform.IPFIX, Packets: 9, Records: 57},
	}, Cache: CacheExport{Exported: 57}})
	golden(t, "show-ip-flow-export-biflow", b.Bytes())
}

// TestProtocolTablePerFamily: show ip cache flow's protocol table counts
// the IPv4 flows expired and show ipv6 flow cache's the IPv6 ones, as
// IOS's two caches each have their own table; both printed the whole
// cache's rows, the IPv6 flows counted on the IPv4 screen too. The
// JSON forms follow.
func TestProtocolTablePerFamily(t *testing.T) {
	table := func(screen string) string {
		i := strings.Index(screen, "--------         Flows")
		j := strings.Index(screen[i:], "\n\n")
		if i < 0 || j < 0 {
			t.Fatalf("no protocol table:\n%s", screen)
		}
		_, rows, _ := strings.Cut(screen[i:i+j], "\n")
		return rows + "\n"
	}
	var b bytes.Buffer
	IPCacheFlow(&b, sampleCache())
	v4 := "TCP-WWW            100      1.0        15   927     15.0       2.4       4.6\n" +
		"UDP-DNS            150      1.5         2    75      3.0       0.1      15.0\n" +
		"Total:             250      2.5         7   785     18.0       1.0      10.8\n"
	if got := table(b.String()); got != v4 {
		t.Errorf("show ip cache flow's protocol table:\n%swant\n%s", got, v4)
	}
	b.Reset()
	IPv6FlowCache(&b, sampleCache())
	v6 := "UDP-DNS             50      0.5         2    75      1.0       0.1      15.0\n" +
		"Total:              50      0.5         2    75      1.0       0.1      15.0\n"
	if got := table(b.String()); got != v6 {
		t.Errorf("show ipv6 flow cache's protocol table:\n%swant\n%s", got, v6)
	}
	for _, c := range []struct {
		ipv6  bool
		total uint64
	}{{false, 250}, {true, 50}} {
		rows := CacheJSON(sampleCache(), c.ipv6).(map[string]any)["TABLE_protocol"].(map[string]any)["ROW_protocol"].([]protocolRow)
		if last := rows[len(rows)-1]; last.Protocol != "Total:" || last.TotalFlows != c.total {
			t.Errorf("JSON ipv6=%v: total row %+v, want %d flows", c.ipv6, last, c.total)
		}
	}
}
