package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestPFCFlowMaskOnTheWire: a PFC3B persona metering on its real XDP
// datapath exports NDE v5 records holding only what the flow mask keeps,
// the other key fields 0, as the 12.2SX table of NDE v5 fields gives
// (docs/vendor-behaviour.md 1.4): the destination mask keeps the
// destination address alone, destination-source both addresses, the
// interface forms add the input ifIndex, full adds ports and protocol.
// Each mask is typed while exporting; packets and bytes stay exact.
func TestPFCFlowMaskOnTheWire(t *testing.T) {
	v := testnet.Enter(t)
	sink, port := collectorSocket(t)
	d := startDaemon(t, fmt.Sprintf(`hostname pfcmask
username admin secret letmein
platform pfc3b
mls flow ip interface-full
mls nde sender version 5
interface %s
 ip flow ingress
!
ip flow-export destination 127.0.0.1 %d
`, v.Mon, port))
	d.waitMetering(t, v.Mon)
	buf := make([]byte, 2048)
	drain := func() {
		for {
			sink.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			if _, _, err := sink.ReadFromUDP(buf); err != nil {
				return
			}
		}
	}
	seen := 0
	ifx := uint16(v.MonIndex)
	for i, c := range []struct {
		mask                string
		src                 []byte
		input, sport, dport uint16
		proto               byte
	}{
		{"interface-full", []byte{10, 7, 0, 1}, ifx, 40001, 80, 6},
		{"full", []byte{10, 7, 0, 1}, 0, 40002, 80, 6},
		{"interface-destination-source", []byte{10, 7, 0, 1}, ifx, 0, 0, 0},
		{"destination-source", []byte{10, 7, 0, 1}, 0, 0, 0, 0},
		{"destination", []byte{0, 0, 0, 0}, 0, 0, 0, 0},
	} {
		if i > 0 {
			if out := d.cli(t, "ios", "configure terminal\nmls flow ip "+c.mask+"\nend\n"); strings.Contains(out, "%") {
				t.Fatalf("mls flow ip %s: %s", c.mask, out)
			}
		}
		drain()
		sport := uint16(40001 + i)
		v.Send(t, [][]byte{tcpFrame([4]byte{10, 7, 0, 1}, sport, 0x12), tcpFrame([4]byte{10, 7, 0, 1}, sport, 0x18), tcpFrame([4]byte{10, 7, 0, 1}, sport, 0x18)})
		seen += 3
		want := fmt.Sprintf("  %d frames seen (%d bytes)\n", seen, seen*54)
		if got := d.cliUntil(t, "ios", "show ip flow datapath | include frames seen\n", want); got != want {
			t.Fatalf("%s: show ip flow datapath: %q, want %q", c.mask, got, want)
		}
		time.Sleep(200 * time.Millisecond)
		d.cli(t, "ios", "clear mls netflow\n")
		sink.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _, err := sink.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("%s: no export packet: %v", c.mask, err)
		}
		p := buf[:n]
		if n != 24+48 || binary.BigEndian.Uint16(p) != 5 || binary.BigEndian.Uint16(p[2:]) != 1 {
			t.Fatalf("%s: packet of %d bytes, version %d, count %d; want one v5 record", c.mask, n, binary.BigEndian.Uint16(p), binary.BigEndian.Uint16(p[2:]))
		}
		r := p[24:]
		if string(r[0:4]) != string(c.src) || string(r[4:8]) != string([]byte{192, 0, 2, 9}) {
			t.Errorf("%s: addresses % x, want % x and c0 00 02 09", c.mask, r[0:8], c.src)
		}
		if in := binary.BigEndian.Uint16(r[12:]); in != c.input {
			t.Errorf("%s: input ifIndex %d, want %d", c.mask, in, c.input)
		}
		if pk, oc := binary.BigEndian.Uint32(r[16:]), binary.BigEndian.Uint32(r[20:]); pk != 3 || oc != 120 {
			t.Errorf("%s: %d packets %d bytes, want 3 and 120", c.mask, pk, oc)
		}
		wantPorts := c.sport
		if wantPorts != 0 {
			wantPorts = sport
		}
		if sp, dp := binary.BigEndian.Uint16(r[32:]), binary.BigEndian.Uint16(r[34:]); sp != wantPorts || dp != c.dport {
			t.Errorf("%s: ports %d %d, want %d %d", c.mask, sp, dp, wantPorts, c.dport)
		}
		if r[37] != 0 || r[38] != c.proto {
			t.Errorf("%s: tcp_flags %#x prot %d, want 0 and %d", c.mask, r[37], r[38], c.proto)
		}
	}
}

// TestPFCFastAgingOnTheWire: with `mls aging fast time 2 threshold 5` a
// flow that switched fewer than 5 packets is aged out (and exported) once
// it is 2 s old, while a flow of 8 packets stays in the table until
// `clear mls netflow`: the fast-aged record carries its exact 3 packets.
func TestPFCFastAgingOnTheWire(t *testing.T) {
	v := testnet.Enter(t)
	sink, port := collectorSocket(t)
	d := startDaemon(t, fmt.Sprintf(`hostname pfcfast
username admin secret letmein
platform pfc3b
mls flow ip full
mls aging fast time 2 threshold 5
mls nde sender version 5
interface %s
 ip flow ingress
!
ip flow-export destination 127.0.0.1 %d
`, v.Mon, port))
	d.waitMetering(t, v.Mon)
	var frames [][]byte
	for range 3 {
		frames = append(frames, tcpFrame([4]byte{10, 7, 0, 1}, 41000, 0x18))
	}
	for range 8 {
		frames = append(frames, tcpFrame([4]byte{10, 7, 0, 2}, 42000, 0x18))
	}
	v.Send(t, frames)
	want := "  11 frames seen (594 bytes)\n"
	if got := d.cliUntil(t, "ios", "show ip flow datapath | include frames seen\n", want); got != want {
		t.Fatalf("show ip flow datapath: %q, want %q", got, want)
	}
	buf := make([]byte, 2048)
	read := func(what string, wait time.Duration) []byte {
		t.Helper()
		sink.SetReadDeadline(time.Now().Add(wait))
		n, _, err := sink.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("%s: no export packet: %v", what, err)
		}
		if n != 24+48 || binary.BigEndian.Uint16(buf) != 5 || binary.BigEndian.Uint16(buf[2:]) != 1 {
			t.Fatalf("%s: packet of %d bytes, count %d; want one v5 record", what, n, binary.BigEndian.Uint16(buf[2:]))
		}
		return append([]byte(nil), buf[24:n]...)
	}
	r := read("fast aging", 15*time.Second)
	if src, pk := net.IP(r[0:4]).String(), binary.BigEndian.Uint32(r[16:]); src != "10.7.0.1" || pk != 3 {
		t.Fatalf("fast-aged record from %s with %d packets, want 10.7.0.1 with 3", src, pk)
	}
	d.cli(t, "ios", "clear mls netflow\n")
	r = read("clear", 10*time.Second)
	if src, pk := net.IP(r[0:4]).String(), binary.BigEndian.Uint32(r[16:]); src != "10.7.0.2" || pk != 8 {
		t.Fatalf("cleared record from %s with %d packets, want 10.7.0.2 with 8 (it passed the threshold)", src, pk)
	}
}

// TestPFCV7RouterSCOnTheWire: a PFC3B's NDE v7 record names the router
// being shortcut (bytes 48-51) as its `ip flow-export source` address,
// and its `flags` byte and tcp_flags stay 0; before, router_sc was 0.
func TestPFCV7RouterSCOnTheWire(t *testing.T) {
	v := testnet.Enter(t)
	if out, err := testproc.CombinedOutput(exec.Command("ip", "addr", "add", "10.77.0.1/24", "dev", v.Mon)); err != nil {
		t.Fatalf("ip addr add: %v: %s", err, out)
	}
	sink, port := collectorSocket(t)
	d := startDaemon(t, fmt.Sprintf(`hostname pfcv7
username admin secret letmein
platform pfc3b
mls flow ip full
mls nde sender version 7
interface %s
 ip flow ingress
!
ip flow-export source %s
ip flow-export destination 127.0.0.1 %d
`, v.Mon, v.Mon, port))
	d.waitMetering(t, v.Mon)
	v.Send(t, [][]byte{tcpFrame([4]byte{10, 7, 0, 1}, 43000, 0x12), tcpFrame([4]byte{10, 7, 0, 1}, 43000, 0x18)})
	want := "  2 frames seen (108 bytes)\n"
	if got := d.cliUntil(t, "ios", "show ip flow datapath | include frames seen\n", want); got != want {
		t.Fatalf("show ip flow datapath: %q, want %q", got, want)
	}
	time.Sleep(200 * time.Millisecond)
	d.cli(t, "ios", "clear mls netflow\n")
	buf := make([]byte, 2048)
	sink.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, _, err := sink.ReadFromUDP(buf)
	if err != nil {
		t.Fatalf("no export packet: %v", err)
	}
	if n != 24+52 || binary.BigEndian.Uint16(buf) != 7 || binary.BigEndian.Uint16(buf[2:]) != 1 {
		t.Fatalf("packet of %d bytes, version %d, count %d; want one v7 record", n, binary.BigEndian.Uint16(buf), binary.BigEndian.Uint16(buf[2:]))
	}
	r := buf[24:n]
	if pk, oc := binary.BigEndian.Uint32(r[16:]), binary.BigEndian.Uint32(r[20:]); pk != 2 || oc != 80 {
		t.Errorf("%d packets %d bytes, want 2 and 80", pk, oc)
	}
	if r[36] != 0 || r[37] != 0 {
		t.Errorf("flags %#x tcp_flags %#x, want 0 and 0", r[36], r[37])
	}
	if sc := net.IP(r[48:52]).String(); sc != "10.77.0.1" {
		t.Errorf("router_sc %s, want the export source 10.77.0.1", sc)
	}
}
