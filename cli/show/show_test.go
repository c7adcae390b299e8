package show

import (
	"bytes"
	"flag"
	"github.com/flowtap/flowtap/appliance/platform"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/datapath/dpstats"
)

var update = flag.Bool("update", false, "rewrite the golden screens")

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs; got:\n%s\nwant:\n%s", name, got, want)
	}
}

func sampleFlows() []flow.Record {
	mk := func(src, dst string, proto uint8, sp, dp uint16, pk, by uint64) flow.Record {
		r := flow.Record{Key: flow.Key{SrcAddr: netip.MustParseAddr(src), DstAddr: netip.MustParseAddr(dst),
			SrcPort: sp, DstPort: dp, Proto: proto, ToS: 0x10, InputIf: 2}, Packets: pk, Bytes: by,
			Start: now.Add(-90 * time.Second), End: now.Add(-2 * time.Second), TCPFlags: 0x1b, MinTTL: 60, MaxTTL: 64,
			SrcMAC: [6]byte{2, 0, 0, 0, 0, 1}, DstMAC: [6]byte{2, 0, 0, 0, 0, 2}, VLAN: 10}
		return r
	}
	return []flow.Record{
		mk("192.168.67.6", "172.16.10.200", 1, 0, 0x0c01, 51, 2856),
		mk("10.0.0.1", "192.0.2.80", 6, 40000, 80, 12, 7300),
		mk("2001:db8::1", "2001:db8::2", 17, 1, 2, 3, 300), // IPv6: not in the IPv4 cache list
	}
}

func sampleCache() CacheView {
	var st CacheStats
	st.Active, st.Capacity, st.Added, st.AgerPolls, st.AllocFailures = 3, 4096, 1234, 9876, 2
	st.Since = now.Add(-100 * time.Second)
	st.Protocols = []ProtocolStats{
		{Name: "TCP-WWW", Flows: 100, Packets: 1500, Bytes: 1390500, ActiveMillis: 240000, IdleMillis: 460000},
		{Name: "UDP-DNS", Flows: 200, Packets: 400, Bytes: 30000, ActiveMillis: 20000, IdleMillis: 3000000}}
	// The IPv6 flows' share: 50 of the DNS flows, none of the web ones;
	// the IPv4 flows' the rest.
	st.Protocols6 = []ProtocolStats{{Name: "TCP-WWW"},
		{Name: "UDP-DNS", Flows: 50, Packets: 100, Bytes: 7500, ActiveMillis: 5000, IdleMillis: 750000}}
	st.Protocols4 = []ProtocolStats{st.Protocols[0],
		{Name: "UDP-DNS", Flows: 150, Packets: 300, Bytes: 22500, ActiveMillis: 15000, IdleMillis: 2250000}}
	// Each family's screen prints its own packets' distribution.
	var hist4, hist6 [26]uint64
	hist4[1], hist4[17], hist4[19] = 150, 107, 700
	hist6[1], hist6[19] = 41, 2
	names := map[uint32]string{2: "eth1"}
	return CacheView{Now: now, Stats: st, Aging: platform.Aging{Inactive: platform.DefaultInactive, Active: platform.DefaultActive}, SizeHist4: hist4, SizeHist6: hist6, TableBytes: 1261568,
		Flows: sampleFlows(), IfName: func(i uint32) string { return names[i] }}
}

func TestIPCacheFlow(t *testing.T) {
	var b bytes.Buffer
	IPCacheFlow(&b, sampleCache())
	golden(t, "show-ip-cache-flow", b.Bytes())
}

func TestIPCacheVerboseFlow(t *testing.T) {
	var b bytes.Buffer
	IPCacheVerboseFlow(&b, sampleCache())
	golden(t, "show-ip-cache-verbose-flow", b.Bytes())
}

// TestVerboseValuesUnderHeadings: the second line of a verbose flow
// puts B/Pk and Active right-aligned under their headings, as IOS does
// ("0.0.0.0                28  1258.1"); they were a column short.
func TestVerboseValuesUnderHeadings(t *testing.T) {
	var b bytes.Buffer
	IPCacheVerboseFlow(&b, sampleCache())
	lines := strings.Split(b.String(), "\n")
	head := slices.Index(lines, "Port Msk AS                    Port Msk AS    NextHop              B/Pk  Active")
	if head < 0 {
		t.Fatalf("no verbose heading:\n%s", b.String())
	}
	bpkEnd := strings.Index(lines[head], "B/Pk") + len("B/Pk")
	checked := 0
	for _, l := range lines[head+1:] {
		f := strings.Fields(l)
		// The port line: PORT /MSK AS PORT /MSK AS NEXTHOP B/PK ACTIVE.
		if len(f) != 9 || !strings.HasPrefix(f[1], "/") {
			continue
		}
		checked++
		if end := strings.LastIndex(l, " "+f[7]+" ") + 1 + len(f[7]); end != bpkEnd || len(l) != len(lines[head]) {
			t.Errorf("B/Pk ends at %d (heading %d), Active at %d (heading %d): %q", end, bpkEnd, len(l), len(lines[head]), l)
		}
	}
	if checked == 0 {
		t.Fatal("no flow's port line found")
	}
}

// TestIPCacheVerboseFlowCapture: the ip flow-capture lines of flows
// captured with packet-length, icmp, ip-id, fragment-offset and the MPLS
// label positions 1, 2 and 3; a flow captured with nothing has none.
func TestIPCacheVerboseFlowCapture(t *testing.T) {
	v := sampleCache()
	v.LabelPositions = [3]uint8{1, 2, 3}
	all := flow.CapIPID | flow.CapPacketLength | flow.CapICMP | flow.CapFragOffset | flow.CapMPLS
	// Flows[0] is ICMP 12/1 (0C01), Flows[1] TCP.
	v.Flows[0].Captured = flow.Captured{Fields: all, ICMPTypeCode: 0x0c01, IPID: 13499, MinLength: 56, MaxLength: 56, FragOffset: 185, FragSeen: true}
	v.Flows[1].Captured = flow.Captured{Fields: all, IPID: 7, MinLength: 40, MaxLength: 1500,
		Labels: [3]uint32{16001<<12 | 5<<9 | 255, 24002<<12 | 3<<9 | 254, 1048575<<12 | 1<<8 | 253}, Depth: 3}
	extra := v.Flows[1]
	extra.SrcPort++
	extra.Captured = flow.Captured{Fields: flow.CapIPID, IPID: 99}
	v.Flows = append(v.Flows, extra)
	var b bytes.Buffer
	IPCacheVerboseFlow(&b, v)
	golden(t, "show-ip-cache-verbose-flow-capture", b.Bytes())
}

func TestIPFlowExport(t *testing.T) {
	var b bytes.Buffer
	IPFlowExport(&b, ExportView{Version: platform.V5, AS: platform.ASOrigin, Source: netip.MustParseAddr("10.1.1.1"), SourceIf: "eth0",
		Destinations: []ExportStats{
			{Collector: netip.MustParseAddrPort("172.16.10.2:9996"), Version: platform.V5, Packets: 39, Records: 1152},
			{Collector: netip.MustParseAddrPort("[2001:db8::9]:4739"), Version: platform.IPFIX, Packets: 12, Records: 300, NotExportable: 0},
		},
		// Flows once each: the IPFIX destination's 300 are among the 1152.
		Cache: CacheExport{Exported: 1152, ExportedPackets: 40000}})
	b.WriteString("---\n")
	IPFlowExport(&b, ExportView{Version: platform.V9})
	golden(t, "show-ip-flow-export", b.Bytes())
}

// TestIPFlowExportLayer2: with `ip flow export layer2-switched vlan` the
// screen names the VLANs and counts the flows of the others, once each
// however many destinations left them out.
func TestIPFlowExportLayer2(t *testing.T) {
	var b bytes.Buffer
	vlans, _ := platform.ParseVLANList("10,20-30")
	IPFlowExport(&b, ExportView{Version: platform.V7, Layer2VLANs: vlans, Destinations: []ExportStats{
		{Collector: netip.MustParseAddrPort("192.0.2.10:2055"), Version: platform.V7, Packets: 3, Records: 80, Layer2Filter: true,
			Layer2NotSelected: 12, Layer2NotSelectedPackets: 345},
		{Collector: netip.MustParseAddrPort("192.0.2.11:2055"), Version: platform.V7, Packets: 3, Records: 80, Layer2Filter: true,
			Layer2NotSelected: 12, Layer2NotSelectedPackets: 345},
	}, Cache: CacheExport{Exported: 80, Layer2NotSelected: 12, Layer2NotSelectedPackets: 345}})
	golden(t, "show-ip-flow-export-layer2", b.Bytes())
}

// TestIPFlowExportNDEFilter: with a PFC's NDE flow filter the screen
// counts the flows it kept back, the cache's (each flow once, those a
// removed destination left out included), as not exported with the
// reason.
func TestIPFlowExportNDEFilter(t *testing.T) {
	var b bytes.Buffer
	IPFlowExport(&b, ExportView{Version: platform.V5, NDEFilter: true, Removed: ExportStats{NDEFiltered: 1, NDEFilteredPackets: 5},
		Destinations: []ExportStats{
			{Collector: netip.MustParseAddrPort("192.0.2.10:2055"), Version: platform.V5, Packets: 3, Records: 80, NDEFiltered: 12, NDEFilteredPackets: 345},
		}, Cache: CacheExport{Exported: 80, NDEFiltered: 13, NDEFilteredPackets: 350}})
	golden(t, "show-ip-flow-export-ndefilter", b.Bytes())
}

// TestIPFlowExportLoss: a destination that lost records says how many
// flows and packets, and whether its collector is unreachable now; the
// totals count the flows the other one sent as exported, once.
func TestIPFlowExportLoss(t *testing.T) {
	var b bytes.Buffer
	IPFlowExport(&b, ExportView{Version: platform.V9, Destinations: []ExportStats{
		{Collector: netip.MustParseAddrPort("192.0.2.10:2055"), Version: platform.V9, Packets: 210, Records: 6100},
		{Collector: netip.MustParseAddrPort("192.0.2.11:2055"), Version: platform.V9, Packets: 120, Records: 3500,
			Errors: 88, ErrorRecords: 2600, LostRecords: 2600, LostPackets: 51234, Unreachable: true},
	}, Cache: CacheExport{Exported: 6100, ExportedPackets: 120000}})
	golden(t, "show-ip-flow-export-loss", b.Bytes())
}

// TestIPFlowExportLossCauses: packets lost for want of a route, of the
// next hop's ARP entry or because a hop refused them as too big count on
// IOS's lines for those causes (they were hard-wired to 0), apart from
// the send errors, a removed destination's included; a destination that
// lost only packets too big for the path does not say its collector is
// unreachable. The flows every destination lost are not exported, once
// each.
func TestIPFlowExportLossCauses(t *testing.T) {
	var b bytes.Buffer
	IPFlowExport(&b, ExportView{Version: platform.V9,
		Removed: ExportStats{Packets: 5, Records: 100, Errors: 7, ErrorRecords: 150, NoRoute: 7},
		Destinations: []ExportStats{
			{Collector: netip.MustParseAddrPort("192.0.2.10:2055"), Version: platform.V9, Packets: 210, Records: 6100,
				Errors: 40, ErrorRecords: 1000, Adjacency: 30, NoRoute: 4, LostRecords: 1000, LostPackets: 20000, Unreachable: true,
				NoRouteRecords: 100, NoRoutePackets: 2000, AdjacencyRecords: 900, AdjacencyPackets: 18000},
			{Collector: netip.MustParseAddrPort("[2001:db8::10]:2055"), Version: platform.V9, Packets: 120, Records: 3500,
				Errors: 1, ErrorRecords: 30, TooBig: 1, LostRecords: 30, LostPackets: 300, TooBigRecords: 30, TooBigPackets: 300},
		},
		Cache: CacheExport{Exported: 6200, NoRoute: 50, NoRoutePackets: 1000, Adjacency: 20, AdjacencyPackets: 400}})
	golden(t, "show-ip-flow-export-loss-causes", b.Bytes())
}

// TestIPFlowExportUncleanStop: after a kill, a destination says how many
// records the killed daemon had taken and not sent it, which this one
// sent, and how many of them the collector may hold twice.
func TestIPFlowExportUncleanStop(t *testing.T) {
	var b bytes.Buffer
	IPFlowExport(&b, ExportView{Version: platform.V9, Destinations: []ExportStats{
		{Collector: netip.MustParseAddrPort("192.0.2.10:2055"), Version: platform.V9, Packets: 1600, Records: 33500,
			Resent: 1339, ResentPackets: 2678, Doubt: 21, DoubtPackets: 42},
		{Collector: netip.MustParseAddrPort("192.0.2.11:2055"), Version: platform.V9, Packets: 1600, Records: 32000},
	}, Cache: CacheExport{Exported: 33500}, UncleanStopLost: UncleanStopLoss{Records: 1352, Packets: 2704, Doubt: 20, DoubtPackets: 40},
		UncleanStopHeld: []HeldLoss{
			{Reason: "held in aggregation cache destination-prefix", Collector: netip.MustParseAddrPort("192.0.2.12:9996"),
				UncleanStopLoss: UncleanStopLoss{Records: 900, Packets: 1800, Doubt: 30, DoubtPackets: 60}},
			{Reason: "held for biflow pairing", Collector: netip.MustParseAddrPort("192.0.2.13:4739"),
				UncleanStopLoss: UncleanStopLoss{Records: 12, Packets: 24}},
		}})
	golden(t, "show-ip-flow-export-unclean-stop", b.Bytes())
}

func TestIPFlowTopTalkers(t *testing.T) {
	var b bytes.Buffer
	fl := sampleFlows()[:2]
	IPFlowTopTalkers(&b, TopTalkers{SortBy: platform.SortByBytes, Flows: []flow.Record{fl[1], fl[0]}, Matched: 2, Processed: 49},
		func(i uint32) string { return "eth1" })
	golden(t, "show-ip-flow-top-talkers", b.Bytes())
}

// TestServicesAccountingStatus: the JunOS status screen, and its line for
// overload protection when it is configured.
func TestServicesAccountingStatus(t *testing.T) {
	var b bytes.Buffer
	v := AccountingView{Status: AccountingStatus{ExportFormat: "cflowd v9", RouteRecordCount: 812, ASCount: 37, RouteRecordSet: true}}
	ServicesAccountingStatus(&b, v)
	b.WriteString("---\n")
	v.Status.Overload = &dpstats.Overload{Configured: true, Active: true, Rate: 64, Entered: 3}
	ServicesAccountingStatus(&b, v)
	b.WriteString("---\n")
	v.Status.Overload = &dpstats.Overload{Configured: true, Entered: 3}
	ServicesAccountingStatus(&b, v)
	golden(t, "show-services-accounting-status", b.Bytes())
}

func TestMLS(t *testing.T) {
	var b bytes.Buffer
	v := ContentionView{Module: 5, Used: 80763, Capacity: 262144, CreationFailures: 19, HashAliases: 3}
	MLSTableContentionDetailed(&b, v)
	b.WriteString("---\n")
	MLSTableContentionAggregate(&b, v)
	b.WriteString("---\n")
	MLSNetflowIP(&b, sampleCache())
	golden(t, "show-mls", b.Bytes())

	// LastSeen is wall-clock time, on the configured clock.
	b.Reset()
	v2 := sampleCache()
	pst := time.FixedZone("PST", -8*3600)
	v2.Local = func(t time.Time) time.Time { return t.In(pst) }
	MLSNetflowIP(&b, v2)
	utc, local := v2.Flows[0].End.UTC().Format("15:04:05"), v2.Flows[0].End.In(pst).Format("15:04:05")
	if !strings.Contains(b.String(), " "+local+" ") || strings.Contains(b.String(), " "+utc+" ") {
		t.Errorf("LastSeen not on the clock (%s, not %s):\n%s", local, utc, b.String())
	}
}

func TestFraction(t *testing.T) {
	for _, c := range []struct {
		n, total uint64
		want     string
	}{{0, 0, ".000"}, {191, 1000, ".191"}, {1, 1, "1.00"}, {1, 3, ".333"}, {2, 3, ".667"}} {
		if got := fraction(c.n, c.total); got != c.want {
			t.Errorf("fraction(%d, %d) = %q, want %q", c.n, c.total, got, c.want)
		}
	}
}

func TestJunOS(t *testing.T) {
	var b bytes.Buffer
	v := AccountingView{Cache: sampleCache(), Exports: []ExportStats{{Packets: 7, Records: 40}}, CacheExport: CacheExport{Exported: 40}, Packets10s: 100, Bytes10s: 8000}
	v.Cache.Stats.Expired[flow.EndIdle] = 8
	ServicesAccountingFlow(&b, v)
	b.WriteString("---\n")
	ServicesAccountingFlowDetail(&b, v, FlowDetailOptions{Limit: 2, ByBytes: true})
	b.WriteString("---\n")
	ServicesAccountingFlowDetail(&b, v, FlowDetailOptions{Terse: true})
	b.WriteString("---\n")
	ServicesAccountingAggregation(&b, v)
	b.WriteString("---\n")
	ServicesAccountingErrors(&b, v)
	golden(t, "show-services-accounting", b.Bytes())
}

// TestIPFlowDatapath: every frame the meter saw is on a line, and the
// lines add up (a random-source flood against a 4096-entry cache).
func TestIPFlowDatapath(t *testing.T) {
	var b bytes.Buffer
	IPFlowDatapath(&b, DatapathView{
		Frames: 42400126, FrameBytes: 2713608064, IPv4: 42400009, IPv6: 0, SampledOut: 0,
		MeteredPackets: 42400009, MeteredBytes: 1950400414, FlowsCreated: 249856,
		CreateFailPackets: 42150144, CreateFailBytes: 1938906624, CreateFailFull: 42150000, CreateFailContention: 144,
		Unparsed:  []Reason{{Name: "non-ip", Count: 100}, {Name: "truncated-l2", Count: 0}, {Name: "truncated-ip", Count: 17}},
		FinEvents: 0, FullEvents: 6, EventDrops: 0, CaptureFull: 12, BatchPending: 9,
	})
	// Overload protection: sampling now, after an earlier overload.
	b.WriteString("---\n")
	IPFlowDatapath(&b, DatapathView{
		Frames: 1000000, FrameBytes: 64000000, IPv4: 1000000, SampledOut: 870000, OverloadSampledOut: 870000,
		MeteredPackets: 130000, MeteredBytes: 5980000, FlowsCreated: 4096, CreateFailPackets: 125904, CreateFailBytes: 5791584,
		CreateFailFull: 125904, FullEvents: 2,
		Overload: &dpstats.Overload{Configured: true, Active: true, Rate: 16, Threshold: 1, MaxRate: 1024, Interval: time.Second,
			Since: 75 * time.Second, Entered: 2, Time: 3725 * time.Second},
	})
	b.WriteString("---\n")
	IPFlowDatapath(&b, DatapathView{Overload: &dpstats.Overload{Configured: true, Threshold: 5, MaxRate: 64, Interval: 2 * time.Second, Budget: 400}})
	golden(t, "show-ip-flow-datapath", b.Bytes())
}

func sampleInterfaces() []Interface {
	return []Interface{
		{Name: "eth0", AdminUp: true, Carrier: true, ProtocolUp: true, Hardware: "virtio_net",
			MAC: net.HardwareAddr{0x52, 0x54, 0, 0x12, 0x34, 0x56}, Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.2.15/24")},
			MTU: 1500, SpeedMbps: 1000, Duplex: "full", RxPackets: 1200, RxBytes: 96000, RxMulticast: 3,
			TxPackets: 1100, TxBytes: 88000},
		{Name: "eth1", AdminUp: true, Carrier: true, ProtocolUp: true, Hardware: "virtio_net", Description: "span from core1",
			MAC: net.HardwareAddr{0xaa, 0xbb, 0xcc, 0, 1, 0}, MTU: 1500, SpeedMbps: 10000, Duplex: "full",
			Metering: "ingress, passive tap, XDP native", HasXDPDrops: true, XDPDrops: 987640,
			RxPackets: 987654, RxBytes: 812345678, RxMulticast: 12, RxErrors: 2, RxCRC: 2, RxMissed: 7, RxDropped: 3},
		{Name: "eth2", AdminUp: true, Hardware: "veth", MAC: net.HardwareAddr{0xaa, 0xbb, 0xcc, 0, 2, 0}, MTU: 9000},
		{Name: "eth3", MAC: net.HardwareAddr{0xaa, 0xbb, 0xcc, 0, 3, 0}, MTU: 1500, RxDropped: 4, TxErrors: 1, TxDropped: 2},
	}
}

func TestShowInterfaces(t *testing.T) {
	var b bytes.Buffer
	ShowInterfaces(&b, sampleInterfaces())
	golden(t, "show-interfaces", b.Bytes())
	b.Reset()
	ShowIPInterfaceBrief(&b, sampleInterfaces())
	golden(t, "show-ip-interface-brief", b.Bytes())
}

func TestShowClockAndSNMP(t *testing.T) {
	var b bytes.Buffer
	at := time.Date(2026, 12, 6, 1, 23, 45, 678e6, time.UTC)
	Clock(&b, ClockView{Now: at})
	Clock(&b, ClockView{Now: at.Add(12 * time.Hour), Synced: true})
	ClockDetail(&b, ClockView{Now: at, SyncLost: true})
	if want := "*01:23:45.678 UTC Sun Dec 6 2026\n13:23:45.678 UTC Sun Dec 6 2026\n.01:23:45.678 UTC Sun Dec 6 2026\nTime source is NTP\n"; b.String() != want {
		t.Errorf("show clock:\n%q\nwant\n%q", b.String(), want)
	}
	// A zone and its summer time, as `clock timezone PST -8` and `clock
	// summer-time PDT recurring` give them.
	b.Reset()
	pst, pdt := time.FixedZone("PST", -8*3600), time.FixedZone("PDT", -7*3600)
	ClockDetail(&b, ClockView{Now: at.In(pst), SummerStart: time.Date(2027, 3, 14, 2, 0, 0, 0, pst),
		SummerEnd: time.Date(2027, 11, 7, 2, 0, 0, 0, pdt)})
	ClockDetail(&b, ClockView{Now: at, Synced: true})
	golden(t, "show-clock-detail", b.Bytes())
	b.Reset()
	SNMP(&b, SNMPView{})
	SNMP(&b, SNMPView{Enabled: true, Contact: "noc@example.net", Location: "rack 4", InPkts: 41, InBadVersions: 1,
		InBadCommunityNames: 2, InASNParseErrs: 3, InUnknownUserNames: 5, InUserACLRefused: 2, InTotalReqVars: 60, InGetRequests: 10, InGetNexts: 25,
		OutPkts: 37, OutNoSuchNames: 4, OutGetResponses: 35, OutTraps: 2,
		Logging: []SNMPLogging{{Host: netip.MustParseAddrPort("192.0.2.10:162"), Sent: 2}, {Host: netip.MustParseAddrPort("[2001:db8::5]:1162"), Sent: 1, Dropped: 1}}})
	golden(t, "show-snmp", b.Bytes())
}

// TestIPFlowExportAnon: a destination that gets rewritten addresses says
// what it gets under its line; one that gets real addresses says nothing.
func TestIPFlowExportAnon(t *testing.T) {
	var b bytes.Buffer
	IPFlowExport(&b, ExportView{Version: platform.V9, Destinations: []ExportStats{
		{Collector: netip.MustParseAddrPort("192.0.2.10:2055"), Version: platform.V9, Anon: "IPv4 truncated to /21"},
		{Collector: netip.MustParseAddrPort("192.0.2.11:2055"), Version: platform.V9},
	}})
	want := "    Destination(1)  192.0.2.10 (2055)\n" +
		"      Addresses: IPv4 truncated to /21\n" +
		"      0 flow records sent in 0 udp datagrams\n" +
		"    Destination(2)  192.0.2.11 (2055)\n" +
		"      0 flow records sent in 0 udp datagrams\n" +
		"  Version 9 flow records\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("got\n%s\nwant it to contain\n%s", b.String(), want)
	}
}

func TestFlowSamplers(t *testing.T) {
	var b strings.Builder
	FlowSamplers(&b, []FlowSampler{{Name: "S1", ID: 1, Matched: 10, Interval: 100}, {Name: "D", ID: 2, Matched: 3, Deterministic: true, Interval: 7}})
	want := " Sampler : S1, id : 1, packets matched : 10, mode : random sampling mode\n  sampling interval is : 100\n" +
		" Sampler : D, id : 2, packets matched : 3, mode : deterministic sampling mode\n  sampling interval is : 7\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestJunOSPortNames: flow-detail names well-known ports as JunOS does,
// so `| match bgp` finds BGP sessions; TCP and UDP differ where JunOS's
// names do, and ICMP's type/code stays a number.
func TestJunOSPortNames(t *testing.T) {
	for _, c := range []struct {
		proto uint8
		port  uint16
		want  string
	}{{6, 179, "bgp(179)"}, {6, 514, "cmd(514)"}, {17, 514, "syslog(514)"}, {17, 53, "domain(53)"}, {6, 40000, "40000"}, {1, 2048, "2048"}} {
		if got := junosPort(c.proto, c.port); got != c.want {
			t.Errorf("junosPort(%d, %d) = %q, want %q", c.proto, c.port, got, c.want)
		}
	}
	var b bytes.Buffer
	v := AccountingView{Cache: CacheView{Flows: []flow.Record{{Key: flow.Key{Proto: 6, SrcPort: 179, DstPort: 50123}, Packets: 1}}}}
	ServicesAccountingFlowDetail(&b, v, FlowDetailOptions{})
	if !strings.Contains(b.String(), "Source port: bgp(179)\n") {
		t.Errorf("flow-detail:\n%s", b.String())
	}
}

// TestLastClearingLikeIOS: "last clearing of statistics" in IOS's
// elapsed-time form, which stays short on a box left running for months.
func TestLastClearingLikeIOS(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	const day = 24 * time.Hour
	for ago, want := range map[time.Duration]string{
		0:                "00:00:00",
		74 * time.Second: "00:01:14",
		23*time.Hour + 59*time.Minute + 59*time.Second: "23:59:59",
		day + 2*time.Hour + 5*time.Minute:              "1d02h",
		6*day + 23*time.Hour:                           "6d23h",
		2*7*day + 3*day + time.Hour:                    "2w3d",
		90 * day:                                       "12w6d",
		400 * day:                                      "1y5w",
	} {
		if got := hms(now.Add(-ago), now); got != want {
			t.Errorf("cleared %v ago: %q, want %q", ago, got, want)
		}
	}
	if got := hms(time.Time{}, now); got != "never" {
		t.Errorf("never cleared: %q", got)
	}
}

// TestIPFlowExportKeepsRemovedInTotals: the totals line counts the
// datagrams destinations removed since the clear sent, beside the
// configured ones', and the cache's flows (which the daemon's ledger
// kept, whoever sent them).
func TestIPFlowExportKeepsRemovedInTotals(t *testing.T) {
	v := ExportView{Version: 9, Destinations: []ExportStats{{Collector: netip.MustParseAddrPort("192.0.2.10:2055"), Version: 9, Records: 100, Packets: 5}},
		Removed: ExportStats{Records: 40, Packets: 2, NotExportable: 3}, Cache: CacheExport{Exported: 140, NotExportable: 3}}
	var b bytes.Buffer
	IPFlowExport(&b, v)
	for _, want := range []string{"  140 flows exported in 7 udp datagrams\n", "  3 flows were not exportable in this version (IPv6)\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("show ip flow export lacks %q:\n%s", want, b.String())
		}
	}
}

// TestIPFlowExportKeepsRemovedLoss: the flows a removed destination lost
// stay on the screen, by cause, until the clear, and the totals stay when
// the last destination goes (the export is then disabled).
func TestIPFlowExportKeepsRemovedLoss(t *testing.T) {
	removed := ExportStats{Records: 40, Packets: 2, Errors: 7, NoRoute: 7, LostRecords: 300, LostPackets: 4500,
		NoRouteRecords: 300, NoRoutePackets: 4500}
	for _, c := range []struct {
		name string
		v    ExportView
		want []string
	}{
		{"with a destination", ExportView{Version: 5, Destinations: []ExportStats{{Collector: netip.MustParseAddrPort("192.0.2.10:2055"), Version: 5, Records: 100, Packets: 5}},
			Removed: removed, Cache: CacheExport{Exported: 140}}, []string{
			"    Destinations removed since the last clear\n      300 flows (4500 packets) lost\n        flows lost by cause: 300 no fib\n",
			"  140 flows exported in 7 udp datagrams\n", "  7 export packets were dropped due to no fib\n"}},
		{"the last removed", ExportView{Version: 5, Removed: removed, Cache: CacheExport{Exported: 40}}, []string{
			"Flow export v5 is disabled for main cache\n    Destinations removed since the last clear\n      300 flows (4500 packets) lost\n",
			"  40 flows exported in 2 udp datagrams\n", "  7 export packets were dropped due to no fib\n"}},
	} {
		var b bytes.Buffer
		IPFlowExport(&b, c.v)
		for _, want := range c.want {
			if !strings.Contains(b.String(), want) {
				t.Errorf("%s: show ip flow export lacks %q:\n%s", c.name, want, b.String())
			}
		}
	}
	// Nothing removed since the clear: the disabled screen is IOS's line.
	var b bytes.Buffer
	IPFlowExport(&b, ExportView{Version: 5})
	if b.String() != "Flow export v5 is disabled for main cache\n" {
		t.Errorf("disabled, nothing removed:\n%s", b.String())
	}
}

// TestAccountingKeepsRemovedInTotals: JunOS's show services accounting
// flow and errors count what removed destinations sent since the clear,
// as show ip flow export does.
func TestAccountingKeepsRemovedInTotals(t *testing.T) {
	v := AccountingView{Exports: []ExportStats{{Records: 100, Packets: 5, Errors: 1}},
		Removed: ExportStats{Records: 40, Packets: 2, Errors: 2, NotExportable: 3}, CacheExport: CacheExport{Exported: 140, NotExportable: 3}}
	if f := AccountingFlowOf(v); f.FlowsExported != 140 || f.FlowsPacketsExported != 7 {
		t.Errorf("flows exported %d in %d packets, want 140 in 7", f.FlowsExported, f.FlowsPacketsExported)
	}
	if e := AccountingErrorsOf(v); e.ExportSendErrors != 3 || e.FlowsNotExportable != 3 {
		t.Errorf("errors %+v, want 3 send errors and 3 not exportable", e)
	}
}
