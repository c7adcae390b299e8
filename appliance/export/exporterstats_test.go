package export_test

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/internal/collector"
)

// exportStatsPackets runs a real Exporter with the exporter-statistics
// table to a loopback collector: 3 records in a first packet, then, once
// that packet is counted, 1 in a second. It returns both packets, the
// Stats in force when the second was written, and the exporter's socket.
func exportStatsPackets(t *testing.T, base export.EncoderConfig, everyPacket bool) (pkts [][]byte, before export.Stats, from netip.AddrPort, to netip.AddrPort) {
	t.Helper()
	c, addr := listenUDP(t, "udp4", "127.0.0.1:0")
	enc := base
	enc.ExporterStats = true
	if everyPacket {
		enc.OptionsRefreshPackets = 1
	}
	x, err := export.NewExporter(destination(addr, enc))
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, x)
	recs := interopRecords(4)
	read := func() []byte {
		buf := make([]byte, 65536)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, src, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		from = src
		return buf[:n]
	}
	for i := range recs[:3] {
		x.Export(&recs[i])
	}
	if err := x.Flush(); err != nil {
		t.Fatal(err)
	}
	pkts = append(pkts, read())
	waitFor(t, func() bool { return x.Stats().Packets == 1 })
	before = x.Stats()
	x.Export(&recs[3])
	if err := x.Flush(); err != nil {
		t.Fatal(err)
	}
	pkts = append(pkts, read())
	return pkts, before, from, addr
}

// The exporter-statistics row says what the collector had been sent when
// it was written, exactly as Stats (show ip flow export) had it, and
// names the socket's two ends; tshark reads every field of it.
func TestTsharkDecodesExporterStats(t *testing.T) {
	for _, base := range []export.EncoderConfig{v9Config, ipfixConfig} {
		name := "v" + base.Version.String()
		pkts, s, from, to := exportStatsPackets(t, base, true)
		if s.Packets != 1 || s.Records != 3 || s.Bytes != uint64(len(pkts[0])) {
			t.Fatalf("%s: Stats after the first packet: %+v", name, s)
		}
		res := collector.TsharkCflow(t, pkts, cflowPort, "cflow.exporter_addr", "cflow.exporter_port", "cflow.collector_addr", "cflow.collector_port",
			"cflow.packetsexp", "cflow.octetsexp", "cflow.flowsexp", "cflow.notsent_flows", "cflow.notsent_packets", "cflow.srcaddr", "_ws.expert.message")
		if len(res) != 2 {
			t.Fatalf("%s: tshark decoded %d packets, want 2", name, len(res))
		}
		for i, want := range []map[string]string{
			{"cflow.packetsexp": "0", "cflow.octetsexp": "0", "cflow.flowsexp": "0", "cflow.notsent_flows": "0", "cflow.notsent_packets": "0"},
			{"cflow.packetsexp": fmt.Sprint(s.Packets), "cflow.octetsexp": fmt.Sprint(s.Bytes), "cflow.flowsexp": fmt.Sprint(s.Records),
				"cflow.notsent_flows": fmt.Sprint(s.LostRecords), "cflow.notsent_packets": fmt.Sprint(s.LostPackets)},
		} {
			want["cflow.exporter_addr"] = from.Addr().String()
			want["cflow.exporter_port"] = fmt.Sprint(from.Port())
			want["cflow.collector_addr"] = to.Addr().String()
			want["cflow.collector_port"] = fmt.Sprint(to.Port())
			for f, v := range want {
				if got := res[i][f]; len(got) != 1 || got[0] != v {
					t.Errorf("%s packet %d: %s = %q, want [%s]", name, i+1, f, got, v)
				}
			}
			if n := len(res[i]["cflow.srcaddr"]); n != []int{3, 1}[i] {
				t.Errorf("%s packet %d: %d flow records, want %d", name, i+1, n, []int{3, 1}[i])
			}
			for _, m := range res[i]["_ws.expert.message"] {
				t.Errorf("%s packet %d: Wireshark says %q", name, i+1, m)
			}
		}
	}
}

// nfcapd/nfdump read every flow record with the exporter-statistics
// table in the packets, and log no bad packet. v9 counts no sequence
// error; IPFIX counts one: nfcapd 1.7.1 drops an options template none
// of whose fields it knows, and leaves its rows out of its count of
// IPFIX's sequence, which RFC 7011 makes count them (README).
func TestNfdumpReadsFlowsWithExporterStats(t *testing.T) {
	for _, base := range []export.EncoderConfig{v9Config, ipfixConfig} {
		pkts, _, _, _ := exportStatsPackets(t, base, false)
		if !bytes.Contains(pkts[0], []byte{0x01, 0xfe}) { // set or template id 510
			t.Fatalf("v%s: no exporter-statistics table in the first packet", base.Version)
		}
		flows, logs := collectNfcapdLogs(t, pkts)
		wantSeq := "Sequence Errors: 0, Bad Packets: 0"
		if base.Version == export.IPFIX {
			wantSeq = "Sequence Errors: 1, Bad Packets: 0"
		}
		if !strings.Contains(logs, wantSeq) {
			t.Errorf("v%s: nfcapd's summary is not %q:\n%s", base.Version, wantSeq, logs)
		}
		if len(flows) != 4 {
			t.Errorf("v%s: nfdump read %d flows, want 4: %+v", base.Version, len(flows), flows)
		}
		ports := map[uint16]bool{}
		for _, r := range interopRecords(4) {
			ports[r.SrcPort] = true
		}
		for _, f := range flows {
			if !ports[f.SrcPort] {
				t.Errorf("v%s: nfdump has a flow from port %d, which was not sent", base.Version, f.SrcPort)
			}
			delete(ports, f.SrcPort)
		}
	}
}

// nfacctd (its sequence checks on) accounts every flow with the
// exporter-statistics table in every packet, v9 and IPFIX, and logs
// nothing against the packets: no sequence gap (IPFIX's counts the rows,
// as nfacctd expects), no unknown template or short set.
func TestNfacctdReadsFlowsWithExporterStats(t *testing.T) {
	for _, base := range []export.EncoderConfig{
		{Version: export.V9, ObservationDomain: 1, Sampler: pmacctSampler},
		{Version: export.IPFIX, ObservationDomain: 1, Sampler: pmacctSampler},
	} {
		pkts, _, _, _ := exportStatsPackets(t, base, true)
		if !bytes.Contains(pkts[1], []byte{0x01, 0xfe}) {
			t.Fatalf("v%s: no exporter-statistics table in the second packet", base.Version)
		}
		n := collector.StartNfacctd(t, "debug: true")
		conn, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(n.Addr))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkts {
			if _, err := conn.Write(p); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Millisecond)
		}
		conn.Close()
		if rows := n.WaitRows(t, 4); len(rows) != 4 {
			t.Errorf("v%s: nfacctd holds %d flows, sent 4", base.Version, len(rows))
		}
		for _, l := range nfacctdComplaints(n) {
			t.Errorf("v%s: nfacctd: %s", base.Version, l)
		}
		if !strings.Contains(n.Log(), "seqno [") {
			t.Fatal("nfacctd logged no packet: its debug log is off")
		}
	}
}

// The table alone (no sampler, no interface names) is sent and resent
// on the options refresh, with the counters of its moment.
func TestExporterStatsResentAlone(t *testing.T) {
	for _, v := range []export.Version{export.V9, export.IPFIX} {
		c, addr := listenUDP(t, "udp4", "127.0.0.1:0")
		x, err := export.NewExporter(destination(addr, export.EncoderConfig{Version: v, ObservationDomain: 3, ExporterStats: true, OptionsRefreshPackets: 2}))
		if err != nil {
			t.Fatal(err)
		}
		closeOnCleanup(t, x)
		recs := interopRecords(3)
		var pkts [][]byte
		for i := range recs {
			waitFor(t, func() bool { return x.Stats().Packets == uint64(i) })
			x.Export(&recs[i])
			if err := x.Flush(); err != nil {
				t.Fatal(err)
			}
			p, ok := readPacket(t, c, 5*time.Second)
			if !ok {
				t.Fatalf("v%s: packet %d not received", v, i+1)
			}
			pkts = append(pkts, p)
		}
		res := collector.TsharkCflow(t, pkts, cflowPort, "cflow.packetsexp", "cflow.flowsexp", "cflow.srcaddr")
		for i, want := range [][]string{{"0"}, nil, {"2"}} {
			if got := res[i]["cflow.packetsexp"]; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("v%s packet %d: exportedMessageTotalCount %q, want %q", v, i+1, got, want)
			}
			if got := res[i]["cflow.srcaddr"]; len(got) != 1 {
				t.Errorf("v%s packet %d: %d flow records, want 1", v, i+1, len(got))
			}
		}
		if got := res[2]["cflow.flowsexp"]; fmt.Sprint(got) != "[2]" {
			t.Errorf("v%s packet 3: exportedFlowRecordTotalCount %q, want [2]", v, got)
		}
	}
}
