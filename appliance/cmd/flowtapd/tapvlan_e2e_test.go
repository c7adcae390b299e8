package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// udpBetween is an untagged UDP frame src:sport -> dst:dport with a
// 10-byte payload.
func udpBetween(src, dst [4]byte, sport, dport uint16) []byte {
	b := udpFrame(src, sport, 10)
	copy(b[14+16:], dst[:])
	binary.BigEndian.PutUint16(b[14+22:], dport)
	return b
}

// writeCapture writes frames as a pcap file, a millisecond apart.
func writeCapture(t *testing.T, frames [][]byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tagged.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65536, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	for i, fr := range frames {
		ci := gopacket.CaptureInfo{Timestamp: at.Add(time.Duration(i) * time.Millisecond), CaptureLength: len(fr), Length: len(fr)}
		if err := w.WritePacket(ci, fr); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// TestTapVLANsPairApart: on a tagged link, one 5-tuple in VLAN 10 on
// fibre A and its reverse in VLAN 20 on fibre B are two conversations
// (two biflow records, each with no reverse), while a conversation
// whose two directions are both in VLAN 30 is one record. (Fibre B's
// records carry their tags as postVlanId: the link's output.) The frames are
// a tagged capture tcpreplay sends into the fibre veths; the records are
// read by our IPFIX decoder and by tshark.
func TestTapVLANsPairApart(t *testing.T) {
	tcpreplay := collector.RequireTool(t, "tcpreplay", "tcpreplay")
	v := testnet.Enter(t)
	v.AddPair(t, "vmonb", "vsrcb")
	biPort, biStop := listenUDP(t)
	d := startDaemon(t, fmt.Sprintf(`hostname tapvlan
username admin privilege 15 secret letmein
flowtap tap uplink
 fibre a %s
 fibre b vmonb
!
ip flow-capture vlan-id
ip flow-export version ipfix
ip flow-export destination 127.0.0.1 %d biflow
`, v.Mon, biPort))
	d.waitMeteringN(t, v.Mon, 1)
	d.waitMeteringN(t, "vmonb", 1)
	client, server, other := [4]byte{10, 8, 0, 1}, [4]byte{192, 0, 2, 9}, [4]byte{10, 8, 0, 5}
	var fibreA, fibreB [][]byte
	fibreA = append(fibreA, tagged(udpBetween(client, server, 4000, 53), 10))
	for range 2 {
		fibreB = append(fibreB, tagged(udpBetween(server, client, 53, 4000), 20))
	}
	for range 3 {
		fibreA = append(fibreA, tagged(udpBetween(other, server, 4001, 53), 30))
	}
	for range 4 {
		fibreB = append(fibreB, tagged(udpBetween(server, other, 53, 4001), 30))
	}
	// On one CPU: the meter keys an entry by the CPU that metered it.
	for _, run := range []struct {
		port   string
		frames [][]byte
	}{{v.Src, fibreA}, {"vsrcb", fibreB}} {
		if out, err := testproc.CombinedOutput(exec.Command("taskset", "-c", "0", tcpreplay, "-i", run.port, writeCapture(t, run.frames))); err != nil {
			t.Fatalf("tcpreplay on %s: %v\n%s", run.port, err, out)
		}
	}
	time.Sleep(200 * time.Millisecond)
	t.Logf("show ip cache biflow:\n%s", d.cli(t, "ios", "show ip cache biflow\n"))
	d.stop(t, syscall.SIGTERM)
	msgs := biStop()
	recs, err := collector.DecodeIPFIX(msgs)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, fmt.Sprintf("%v:%d>%v:%d vlan %d fwd %d rev %d", addrOf(r, 8, 27), r.Uint(0, 7), addrOf(r, 12, 28), r.Uint(0, 11),
			max(r.Uint(0, 58), r.Uint(0, 59)), r.Uint(0, 2), r.Uint(penReverse, 2)))
	}
	slices.Sort(got)
	want := []string{
		"10.8.0.1:4000>192.0.2.9:53 vlan 10 fwd 1 rev 0",
		"10.8.0.5:4001>192.0.2.9:53 vlan 30 fwd 3 rev 4",
		"192.0.2.9:53>10.8.0.1:4000 vlan 20 fwd 2 rev 0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("biflow records:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// tshark reads them alike: per record its VLAN, forward then reverse
	// packets.
	var ts []string
	for _, p := range collector.TsharkCflow(t, msgs, biPort, "cflow.vlanid", "cflow.post_vlanid", "cflow.packets") {
		for i, vl := range p["cflow.vlanid"] {
			if post := p["cflow.post_vlanid"]; vl == "0" && i < len(post) {
				vl = post[i]
			}
			ts = append(ts, fmt.Sprintf("vlan %s packets %s", vl, strings.Join(p["cflow.packets"][2*i:2*i+2], "/")))
		}
	}
	slices.Sort(ts)
	if want := "vlan 10 packets 1/0 vlan 20 packets 2/0 vlan 30 packets 3/4"; strings.Join(ts, " ") != want {
		t.Errorf("tshark: %v, want %s", ts, want)
	}
}
