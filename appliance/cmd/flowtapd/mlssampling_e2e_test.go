package main

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestPFCMLSNetflowSamplingPerInterface: with `mls sampling packet-based
// 64` and `mls netflow sampling` on another interface only, a PFC3B's
// real XDP datapath meters the port without the line in full: both of its
// flows are exported with their exact 3 packets (the global sampler would
// have taken about one packet in 64), and the v5 header says no single
// sampling rate, since not every record was sampled.
func TestPFCMLSNetflowSamplingPerInterface(t *testing.T) {
	v := testnet.Enter(t)
	sink, port := collectorSocket(t)
	d := startDaemon(t, fmt.Sprintf(`hostname pfcsampling
username admin secret letmein
platform pfc3b
mls flow ip interface-full
mls sampling packet-based 64
mls nde sender version 5
mls netflow interface
interface %s
 ip flow ingress
!
interface %s
 ip flow ingress
 mls netflow sampling
!
ip flow-export destination 127.0.0.1 %d
`, v.Mon, v.Src, port))
	d.waitMetering(t, v.Mon)
	src := [4]byte{10, 7, 0, 1}
	v.Send(t, [][]byte{tcpFrame(src, 40001, 0x12), tcpFrame(src, 40001, 0x18), tcpFrame(src, 40001, 0x18),
		tcpFrame(src, 40002, 0x12), tcpFrame(src, 40002, 0x18), tcpFrame(src, 40002, 0x18)})
	line := "  6 frames seen (324 bytes)\n"
	if got := d.cliUntil(t, "ios", "show ip flow datapath | include frames seen\n", line); got != line {
		t.Fatalf("show ip flow datapath: %q, want %q", got, line)
	}
	time.Sleep(200 * time.Millisecond)
	d.cli(t, "ios", "clear mls netflow\n")
	buf := make([]byte, 2048)
	records := 0
	for records < 2 {
		sink.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _, err := sink.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("%d records exported, want 2: %v", records, err)
		}
		p := buf[:n]
		count := int(binary.BigEndian.Uint16(p[2:]))
		if binary.BigEndian.Uint16(p) != 5 || n != 24+48*count {
			t.Fatalf("packet of %d bytes, version %d, count %d", n, binary.BigEndian.Uint16(p), count)
		}
		if s := binary.BigEndian.Uint16(p[22:]); s != 0 {
			t.Errorf("v5 sampling field %#x, want 0 (sampled and unsampled ports mixed)", s)
		}
		for i := range count {
			r := p[24+48*i:]
			if pk, oc := binary.BigEndian.Uint32(r[16:]), binary.BigEndian.Uint32(r[20:]); pk != 3 || oc != 120 {
				t.Errorf("record for port %d: %d packets %d bytes, want 3 and 120 (unsampled)", binary.BigEndian.Uint16(r[32:]), pk, oc)
			}
		}
		records += count
	}
	rc := d.cli(t, "ios", "show running-config\n")
	for _, want := range []string{"\nmls netflow interface\n", fmt.Sprintf("\ninterface %s\n ip flow ingress\n mls netflow sampling\n", v.Src)} {
		if !strings.Contains(rc, want) {
			t.Errorf("show running-config lacks %q:\n%s", want, rc)
		}
	}
}
