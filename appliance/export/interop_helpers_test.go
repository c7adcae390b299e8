package export_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testproc"
)

// encodeAll runs records (or aggregates) through a fresh encoder and
// returns the packets.
func encodeAll(t *testing.T, cfg export.EncoderConfig, recs []flow.Record, aggs []export.Aggregate) [][]byte {
	t.Helper()
	enc, c := newEncoder(t, cfg)
	for i := range recs {
		if err := enc.Add(&recs[i]); err != nil {
			t.Fatalf("Add record %d: %v", i, err)
		}
	}
	for i := range aggs {
		if err := enc.AddAggregate(&aggs[i]); err != nil {
			t.Fatalf("AddAggregate %d: %v", i, err)
		}
	}
	mustFlush(t, enc)
	return c.pkts
}

// interopRecords is a mix of TCP, UDP and ICMP flows with distinct values in
// every field the collectors report.
func interopRecords(n int) []flow.Record {
	var out []flow.Record
	for i := range n {
		r := tcpRecord()
		r.SrcAddr = netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i + 1)})
		r.DstAddr = netip.AddrFrom4([4]byte{192, 0, 2, byte(100 + i)})
		r.SrcPort = uint16(20000 + i)
		r.DstPort = uint16(443 + i)
		r.Packets = uint64(2 + i)
		r.Bytes = uint64(1000*(i+1) + 7)
		r.Start = boot.Add(time.Duration(10_000+1_111*i) * time.Millisecond)
		r.End = r.Start.Add(time.Duration(500+i*37) * time.Millisecond)
		r.TCPFlags = uint8(0x12 + i%3)
		r.InputIf, r.OutputIf = uint32(1+i%4), uint32(5+i%3)
		r.SrcAS, r.DstAS = uint32(64512+i), uint32(65000+i)
		r.ToS = uint8(i * 4)
		switch i % 3 {
		case 1:
			r.Proto, r.TCPFlags = 17, 0
		case 2:
			r.Proto, r.TCPFlags, r.SrcPort, r.DstPort = 1, 0, 0, 8<<8 // ICMP type 8 (echo request), code 0
		}
		out = append(out, r)
	}
	return out
}

func interopV6Records(n int) []flow.Record {
	recs := interopRecords(n)
	for i := range recs {
		recs[i].SrcAddr = netip.MustParseAddr(fmt.Sprintf("2001:db8::%x", i+1))
		recs[i].DstAddr = netip.MustParseAddr(fmt.Sprintf("2001:db8:1::%x", i+100))
		recs[i].NextHop = netip.Addr{}
		if recs[i].Proto == 1 {
			recs[i].Proto, recs[i].DstPort = 58, 128<<8 // ICMPv6 echo request
		}
	}
	return recs
}

const cflowPort = 2055

// nfdumpFlow is the part of nfdump's JSON output the tests compare.
type nfdumpFlow struct {
	First     string `json:"first"`
	Last      string `json:"last"`
	InPackets uint64 `json:"in_packets"`
	InBytes   uint64 `json:"in_bytes"`
	Proto     uint8  `json:"proto"`
	TCPFlags  string `json:"tcp_flags"`
	SrcPort   uint16 `json:"src_port"`
	DstPort   uint16 `json:"dst_port"`
	ICMPType  uint8  `json:"icmp_type"` // nfdump prints ICMP as type/code, not ports
	ICMPCode  uint8  `json:"icmp_code"`
	SrcToS    uint8  `json:"src_tos"`
	Src4      string `json:"src4_addr"`
	Dst4      string `json:"dst4_addr"`
	Src6      string `json:"src6_addr"`
	Dst6      string `json:"dst6_addr"`
	InputIf   uint32 `json:"input_snmp"`
	OutputIf  uint32 `json:"output_snmp"`
	SrcAS     uint32 `json:"src_as"`
	DstAS     uint32 `json:"dst_as"`
}

// collectWithNfcapd runs nfcapd on a loopback port, sends the packets,
// stops it so that it closes its file, and returns nfdump's view.
func collectWithNfcapd(t *testing.T, pkts [][]byte) []nfdumpFlow {
	t.Helper()
	flows, logs := collectNfcapdLogs(t, pkts)
	if !strings.Contains(logs, "Sequence Errors: 0") {
		t.Errorf("nfcapd reports sequence errors or no summary:\n%s", logs)
	}
	return flows
}

// collectNfcapdLogs is collectWithNfcapd that leaves nfcapd's log to the
// caller.
func collectNfcapdLogs(t *testing.T, pkts [][]byte) ([]nfdumpFlow, string) {
	t.Helper()
	nfdump := collector.RequireTool(t, "nfdump", "nfdump")
	capd := collector.StartNfcapd(t)
	conn, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(capd.Addr))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, p := range pkts {
		if _, err := conn.Write(p); err != nil {
			t.Fatalf("send to nfcapd: %v", err)
		}
		time.Sleep(time.Millisecond) // keep nfcapd's socket buffer from overflowing
	}
	time.Sleep(300 * time.Millisecond)
	files, logs := capd.Close(t)
	if len(files) != 1 {
		t.Fatalf("nfcapd wrote %v, want one closed file; log:\n%s", files, logs)
	}
	nd := exec.Command(nfdump, "-r", files[0], "-o", "json")
	nd.Env = append(os.Environ(), "TZ=UTC")
	out, err := testproc.Output(nd)
	if err != nil {
		t.Fatalf("nfdump -r %s: %v", files[0], err)
	}
	var flows []nfdumpFlow
	if err := json.Unmarshal(out, &flows); err != nil {
		t.Fatalf("nfdump JSON: %v\n%s", err, out)
	}
	return flows, logs
}
