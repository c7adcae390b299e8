package main

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestPFCNDEFlowFilterOnTheWire: a PFC3B metering on its real XDP
// datapath, given `mls nde flow exclude src-port 40002` while it exports,
// sends the collector only the other flow's record, exact, and counts the
// excluded flow and its packets as filtered by NDE flow filter in show
// mls nde and show ip flow export: each metered flow is exported or
// counted with the reason. `no mls nde flow exclude` exports it again.
func TestPFCNDEFlowFilterOnTheWire(t *testing.T) {
	v := testnet.Enter(t)
	sink, port := collectorSocket(t)
	d := startDaemon(t, fmt.Sprintf(`hostname pfcfilter
username admin secret letmein
platform pfc3b
mls flow ip full
mls nde sender version 5
interface %s
 ip flow ingress
!
ip flow-export destination 127.0.0.1 %d
`, v.Mon, port))
	d.waitMetering(t, v.Mon)
	if out := d.cli(t, "ios", "configure terminal\nmls nde flow exclude src-port 40002\nend\n"); strings.Contains(out, "%") {
		t.Fatalf("mls nde flow exclude: %s", out)
	}
	buf := make([]byte, 2048)
	seen := 0
	for round, want := range [][]uint16{{40001}, {40001, 40002}} {
		if round == 1 {
			if out := d.cli(t, "ios", "configure terminal\nno mls nde flow exclude\nend\n"); strings.Contains(out, "%") {
				t.Fatalf("no mls nde flow exclude: %s", out)
			}
		}
		src := [4]byte{10, 7, 0, 1}
		v.Send(t, [][]byte{tcpFrame(src, 40001, 0x12), tcpFrame(src, 40001, 0x18), tcpFrame(src, 40001, 0x18),
			tcpFrame(src, 40002, 0x12), tcpFrame(src, 40002, 0x18), tcpFrame(src, 40002, 0x18)})
		seen += 6
		line := fmt.Sprintf("  %d frames seen (%d bytes)\n", seen, seen*54)
		if got := d.cliUntil(t, "ios", "show ip flow datapath | include frames seen\n", line); got != line {
			t.Fatalf("round %d: show ip flow datapath: %q, want %q", round, got, line)
		}
		time.Sleep(200 * time.Millisecond)
		d.cli(t, "ios", "clear mls netflow\n")
		var got []uint16
		for len(got) < len(want) {
			sink.SetReadDeadline(time.Now().Add(10 * time.Second))
			n, _, err := sink.ReadFromUDP(buf)
			if err != nil {
				t.Fatalf("round %d: records for source ports %v, want %v: %v", round, got, want, err)
			}
			p := buf[:n]
			count := int(binary.BigEndian.Uint16(p[2:]))
			if binary.BigEndian.Uint16(p) != 5 || n != 24+48*count {
				t.Fatalf("round %d: packet of %d bytes, version %d, count %d", round, n, binary.BigEndian.Uint16(p), count)
			}
			for i := range count {
				r := p[24+48*i:]
				if pk, oc := binary.BigEndian.Uint32(r[16:]), binary.BigEndian.Uint32(r[20:]); pk != 3 || oc != 120 {
					t.Errorf("round %d: %d packets %d bytes, want 3 and 120", round, pk, oc)
				}
				got = append(got, binary.BigEndian.Uint16(r[32:]))
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("round %d: records for source ports %v, want %v", round, got, want)
		}
		// Nothing more: the excluded flow was not sent late.
		sink.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		if n, _, err := sink.ReadFromUDP(buf); err == nil {
			t.Errorf("round %d: an extra export packet of %d bytes", round, n)
		}
	}
	const filtered = "  1 flows (3 packets) were not exported, filtered by NDE flow filter\n"
	if out := d.cli(t, "ios", "show mls nde\n"); !strings.Contains(out, filtered) || !strings.Contains(out, "    Exclude filter not configured\n") {
		t.Errorf("show mls nde lacks %q and the removed filter:\n%s", filtered, out)
	}
	if out := d.cli(t, "ios", "show ip flow export\n"); !strings.Contains(out, filtered) || !strings.Contains(out, "  3 flows exported in ") {
		t.Errorf("show ip flow export lacks %q or the exported flows:\n%s", filtered, out)
	}
}

// TestPFCNDEFlowFilterTwoDestinations: with two NDE destinations, the
// flow the filter leaves out is one flow to the device: show mls nde
// counts it once (with its 3 packets), and so does show ip flow export,
// whose totals are the cache's (1 flow exported, the other one, in a
// datagram to each destination). `clear ip flow stats` zeroes both.
// Before, both summed the destinations' counts: 2 flows, 6 packets.
func TestPFCNDEFlowFilterTwoDestinations(t *testing.T) {
	v := testnet.Enter(t)
	_, port1 := collectorSocket(t)
	_, port2 := collectorSocket(t)
	d := startDaemon(t, fmt.Sprintf(`hostname pfcfilter2
username admin secret letmein
platform pfc3b
mls flow ip full
mls nde sender version 5
mls nde flow exclude src-port 40002
interface %s
 ip flow ingress
!
ip flow-export destination 127.0.0.1 %d
ip flow-export destination 127.0.0.1 %d
`, v.Mon, port1, port2))
	d.waitMetering(t, v.Mon)
	src := [4]byte{10, 7, 0, 2}
	v.Send(t, [][]byte{tcpFrame(src, 40001, 0x12), tcpFrame(src, 40001, 0x18), tcpFrame(src, 40001, 0x18),
		tcpFrame(src, 40002, 0x12), tcpFrame(src, 40002, 0x18), tcpFrame(src, 40002, 0x18)})
	if got := d.cliUntil(t, "ios", "show ip flow datapath | include frames seen\n", "  6 frames seen (324 bytes)\n"); got != "  6 frames seen (324 bytes)\n" {
		t.Fatalf("show ip flow datapath: %q", got)
	}
	time.Sleep(200 * time.Millisecond)
	d.cli(t, "ios", "clear mls netflow\n")
	const exported = "  1 flows exported in 2 udp datagrams\n"
	if got := d.cliUntil(t, "ios", "show ip flow export | include exported in\n", exported); got != exported {
		t.Fatalf("show ip flow export: %q, want %q", got, exported)
	}
	const once = "  1 flows (3 packets) were not exported, filtered by NDE flow filter\n"
	if out := d.cli(t, "ios", "show mls nde\n"); !strings.Contains(out, once) {
		t.Errorf("show mls nde lacks %q (the flow once):\n%s", once, out)
	}
	if out := d.cli(t, "ios", "show ip flow export\n"); !strings.Contains(out, once) {
		t.Errorf("show ip flow export lacks %q (the flow once):\n%s", once, out)
	}
	d.cli(t, "ios", "clear ip flow stats\n")
	const none = "  0 flows (0 packets) were not exported, filtered by NDE flow filter\n"
	if out := d.cli(t, "ios", "show mls nde\n"); !strings.Contains(out, none) {
		t.Errorf("after clear ip flow stats, show mls nde lacks %q:\n%s", none, out)
	}
}
