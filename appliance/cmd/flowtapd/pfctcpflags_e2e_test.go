package main

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// tcpFrame is a TCP segment from src:sport to 192.0.2.9:80 with flags.
func tcpFrame(src [4]byte, sport uint16, flags byte) []byte {
	b := make([]byte, 14+20+20)
	copy(b[0:], []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00})
	ip := b[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], 40)
	ip[8], ip[9] = 64, 6
	copy(ip[12:], src[:])
	copy(ip[16:], []byte{192, 0, 2, 9})
	tcp := ip[20:]
	binary.BigEndian.PutUint16(tcp[0:], sport)
	binary.BigEndian.PutUint16(tcp[2:], 80)
	tcp[12] = 5 << 4
	tcp[13] = flags
	return b
}

// TestPFCExportsZeroTCPFlags: a PFC3B persona meters TCP on its real XDP
// datapath and exports NDE v5 with tcp_flags 0, as a PFC does for
// hardware-switched flows; `mls nde tcp-flags` typed while exporting
// makes the next records carry the flags seen (SYN|ACK, PSH|ACK); with it
// removed and `mls nde sender version 7` the v7 records carry 0 again.
// The other bytes of the record are what the full flow mask populates.
func TestPFCExportsZeroTCPFlags(t *testing.T) {
	v := testnet.Enter(t)
	sink, port := collectorSocket(t)
	d := startDaemon(t, fmt.Sprintf(`hostname pfctcp
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
	seen := 0
	// round sends 3 segments of one flow (SYN|ACK, then PSH|ACK twice),
	// has the cache exported and returns the one record's packet.
	round := func(what string, sport uint16) []byte {
		t.Helper()
		v.Send(t, [][]byte{tcpFrame([4]byte{10, 7, 0, 1}, sport, 0x12), tcpFrame([4]byte{10, 7, 0, 1}, sport, 0x18), tcpFrame([4]byte{10, 7, 0, 1}, sport, 0x18)})
		seen += 3
		want := fmt.Sprintf("  %d frames seen (%d bytes)\n", seen, seen*54)
		if got := d.cliUntil(t, "ios", "show ip flow datapath | include frames seen\n", want); got != want {
			t.Fatalf("%s: show ip flow datapath: %q, want %q", what, got, want)
		}
		time.Sleep(200 * time.Millisecond)
		d.cli(t, "ios", "clear mls netflow\n")
		buf := make([]byte, 2048)
		sink.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _, err := sink.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("%s: no export packet: %v", what, err)
		}
		return buf[:n]
	}
	// check compares the record's bytes that do not depend on time or
	// the ifIndex: addresses, counters, ports, pad/flags, tcp_flags,
	// protocol, ToS.
	check := func(what string, p []byte, version uint16, recLen int, sport uint16, byte36, tcpFlags byte) {
		t.Helper()
		if len(p) != 24+recLen || binary.BigEndian.Uint16(p) != version || binary.BigEndian.Uint16(p[2:]) != 1 {
			t.Fatalf("%s: packet of %d bytes, version %d, count %d; want one v%d record", what, len(p), binary.BigEndian.Uint16(p), binary.BigEndian.Uint16(p[2:]), version)
		}
		r := p[24:]
		want := []byte{10, 7, 0, 1, 192, 0, 2, 9}
		if string(r[0:8]) != string(want) {
			t.Errorf("%s: addresses % x, want % x", what, r[0:8], want)
		}
		if pk, oc := binary.BigEndian.Uint32(r[16:]), binary.BigEndian.Uint32(r[20:]); pk != 3 || oc != 120 {
			t.Errorf("%s: %d packets %d bytes, want 3 and 120", what, pk, oc)
		}
		want = []byte{byte(sport >> 8), byte(sport), 0, 80, byte36, tcpFlags, 6, 0}
		if string(r[32:40]) != string(want) {
			t.Errorf("%s: bytes 32-39 (ports, %s, tcp_flags, prot, tos) % x, want % x", what, map[uint16]string{5: "pad1", 7: "flags"}[version], r[32:40], want)
		}
	}
	check("v5 default", round("v5 default", 40001), 5, 48, 40001, 0, 0)

	if out := d.cli(t, "ios", "configure terminal\nmls nde tcp-flags\nend\nshow running-config | include mls nde\n"); !strings.Contains(out, "mls nde sender version 5\nmls nde tcp-flags\n") {
		t.Fatalf("running-config after mls nde tcp-flags:\n%s", out)
	}
	check("v5 mls nde tcp-flags", round("v5 mls nde tcp-flags", 40002), 5, 48, 40002, 0, 0x1a)

	if out := d.cli(t, "ios", "configure terminal\nno mls nde tcp-flags\nmls nde sender version 7\nend\nshow running-config | include mls nde\n"); !strings.HasSuffix(out, "\nmls nde sender\n") {
		// v7 is the PFC3B's default version: the line leaves it out.
		t.Fatalf("running-config after no mls nde tcp-flags: %q", out)
	}
	check("v7 default", round("v7 default", 40003), 7, 52, 40003, 0, 0)
}
