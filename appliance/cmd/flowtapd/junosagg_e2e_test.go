package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSAggregationServer: a JunOS version 8 flow-server with
// `aggregation { protocol-port; }` becomes the protocol-port cache's
// server (IOS shows the cache and its destination, the main cache does
// not export there); on real frames JunOS's `show services accounting
// aggregation protocol-port` and IOS's screen of the cache carry the same
// numbers, and the server receives version 8 protocol-port aggregates
// counting every packet.
func TestJunOSAggregationServer(t *testing.T) {
	v := testnet.Enter(t)
	main, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer main.Close()
	agg, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer agg.Close()
	mainPort, aggPort := main.LocalAddr().(*net.UDPAddr).Port, agg.LocalAddr().(*net.UDPAddr).Port
	d := startDaemon(t, fmt.Sprintf(`hostname jaggtap
username admin secret letmein
interface %s
 ip flow ingress
!
ip flow-cache timeout inactive 10
ip flow-export version 9
ip flow-export destination 127.0.0.1 %d
`, v.Mon, mainPort))
	const o = "set forwarding-options sampling family inet output "
	commit := d.cli(t, "junos", "configure\n"+
		fmt.Sprintf(o+"flow-server 127.0.0.1 port %d version 8\n", aggPort)+
		fmt.Sprintf(o+"flow-server 127.0.0.1 port %d aggregation protocol-port\n", aggPort)+
		"commit and-quit\n")
	if !strings.Contains(commit, "commit complete") {
		t.Fatalf("commit:\n%s", commit)
	}
	run := d.cli(t, "ios", "show running-config\n")
	cache := fmt.Sprintf("ip flow-aggregation cache protocol-port\n export destination 127.0.0.1 %d\n", aggPort)
	if !strings.Contains(run, cache) || strings.Contains(run, fmt.Sprintf("ip flow-export destination 127.0.0.1 %d", aggPort)) ||
		!strings.Contains(run, fmt.Sprintf("ip flow-export destination 127.0.0.1 %d\n", mainPort)) {
		t.Fatalf("running-config after the JunOS commit, want\n%s\nand no main export to %d:\n%s", cache, aggPort, run)
	}
	// JunOS cannot say the cache's timeouts: IOS sets them on the same cache.
	if out := d.cli(t, "ios", "configure terminal\nip flow-aggregation cache protocol-port\ncache timeout inactive 10\nend\n"); strings.Contains(out, "%") {
		t.Fatalf("cache timeout: %s", out)
	}

	// Two source ports: 5 + 3 frames, then 2 from another source on the
	// first port (one aggregate of two flows).
	var frames [][]byte
	frames = append(frames, udpFrames([4]byte{10, 0, 0, 1}, 4000, 5)...)
	frames = append(frames, udpFrames([4]byte{10, 0, 0, 1}, 4001, 3)...)
	frames = append(frames, udpFrames([4]byte{10, 0, 0, 2}, 4000, 2)...)
	v.Send(t, frames)

	type iosDoc struct {
		MainCacheFlowsAdded uint64 `json:"main_cache_flows_added"`
		Table               struct {
			Rows []struct {
				Protocol       uint8
				SrcPort        uint16 `json:"src_port"`
				DstPort        uint16 `json:"dst_port"`
				Flows, Packets uint64
				Bytes          uint64
			} `json:"ROW_aggregate"`
		} `json:"TABLE_aggregate"`
	}
	var doc iosDoc
	for deadline := time.Now().Add(40 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		d.jsonCLI(t, "show ip cache verbose flow aggregation protocol-port", &doc)
		if doc.MainCacheFlowsAdded == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d main cache flows added, want 3", doc.MainCacheFlowsAdded)
		}
	}
	var jdoc struct {
		Aggregations []struct {
			Protocol        uint8  `json:"protocol"`
			SourcePort      uint16 `json:"source_port"`
			DestinationPort uint16 `json:"destination_port"`
			FlowCount       uint64 `json:"flow_count"`
			PacketCount     uint64 `json:"packet_count"`
			ByteCount       uint64 `json:"byte_count"`
		} `json:"aggregations"`
	}
	js := d.cli(t, "junos", "show services accounting aggregation protocol-port | display json\n")
	if err := json.Unmarshal([]byte(js), &jdoc); err != nil {
		t.Fatalf("display json: %v\n%s", err, js)
	}
	ios := map[string]string{}
	for _, r := range doc.Table.Rows {
		ios[fmt.Sprint(r.Protocol, r.SrcPort, r.DstPort)] = fmt.Sprint(r.Flows, r.Packets, r.Bytes)
	}
	junos := map[string]string{}
	for _, r := range jdoc.Aggregations {
		junos[fmt.Sprint(r.Protocol, r.SourcePort, r.DestinationPort)] = fmt.Sprint(r.FlowCount, r.PacketCount, r.ByteCount)
	}
	want := map[string]string{"17 4000 53": fmt.Sprint(2, 7, 7*38), "17 4001 53": fmt.Sprint(1, 3, 3*38)}
	if fmt.Sprint(ios) != fmt.Sprint(want) || fmt.Sprint(junos) != fmt.Sprint(want) {
		t.Errorf("protocol-port aggregates: IOS %v, JunOS %v, want %v", ios, junos, want)
	}
	text := d.cli(t, "junos", "show services accounting aggregation protocol-port\n")
	if !strings.Contains(text, "  Protocol Source port Destination port Flow count Packet count Byte count\n  17       4000        53               2          7            266\n  17       4001        53               1          3            114\n") {
		t.Errorf("JunOS screen:\n%s", text)
	}

	// The server gets version 8 protocol-port aggregates (aggregation 2)
	// once the cache ages them out: every packet, in two records.
	var records, packets int
	for deadline := time.Now().Add(40 * time.Second); records < 2 && time.Now().Before(deadline); {
		for _, m := range readDatagrams(t, agg) {
			if len(m) < 28 || binary.BigEndian.Uint16(m) != 8 || m[22] != 2 {
				t.Fatalf("not a version 8 protocol-port datagram: % x", m[:min(len(m), 28)])
			}
			n := int(binary.BigEndian.Uint16(m[2:]))
			if len(m) != 28+28*n {
				t.Fatalf("%d records in %d bytes", n, len(m))
			}
			for i := range n {
				packets += int(binary.BigEndian.Uint32(m[28+28*i+4:]))
			}
			records += n
		}
	}
	if records != 2 || packets != 10 {
		t.Errorf("the version 8 server got %d aggregates of %d packets, want 2 of 10", records, packets)
	}
}
