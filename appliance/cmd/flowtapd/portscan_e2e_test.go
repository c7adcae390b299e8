package main

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// trafgenPortScan is a SYN scan from 10.9.9.9 of ports 1-250 on
// 192.0.2.9, one probe per port.
const trafgenPortScan = `{
  0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
  0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
  c16(0x0800),
  0x45, 0x00, c16(40), c16(0), c16(0), 64, 6, csumip(14, 33),
  10, 9, 9, 9,
  192, 0, 2, 9,
  c16(40000), 0x00, dinc(1, 250), c32(0), c32(0), 0x50, 0x02, c16(1024), c16(0), c16(0)
}
`

// TestPortScannerFound: during a port scan (trafgen, 250 ports) among
// ordinary traffic, the analyst's questions find the scanner: the
// dynamic top talkers by flows put its address first with a flow per
// port probed, the flows to the target list every probe, and `show ip
// cache flow | include` on the scanner's address lists exactly them.
func TestPortScannerFound(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, fmt.Sprintf(`hostname e2e
username admin privilege 15 secret letmein
ip flow-cache timeout inactive 3600
interface %s
 ip flow ingress
!
`, v.Mon))
	var frames [][]byte
	for i := range 20 { // ordinary traffic: 20 hosts, 5 packets each, one flow each
		for range 5 {
			frames = append(frames, udpFrame([4]byte{10, 1, 0, byte(i + 1)}, 4000, 100))
		}
	}
	v.Send(t, frames)
	g := startTrafgen(t, v, trafgenPortScan, 250, 5000)
	if n := g.wait(t); n != 250 {
		t.Fatalf("trafgen sent %d probes, want 250", n)
	}
	var top string
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		top = d.cli(t, "ios", "show ip flow top 3 aggregate source-address sorted-by flows\n")
		if strings.Contains(top, "10.9.9.9") && strings.Contains(top, " 250 ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scanner is not the top source by flows:\n%s", top)
		}
	}
	first := "" // the first row: the first line led by an address
	for _, l := range strings.Split(top, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			if _, err := netip.ParseAddr(f[0]); err == nil {
				first = l
				break
			}
		}
	}
	if !strings.Contains(first, "10.9.9.9") || !strings.Contains(first, " 250 ") {
		t.Errorf("the first source is not the scanner with 250 flows (%q):\n%s", first, top)
	}
	scan := d.cli(t, "ios", "show ip cache flow | include 10.9.9.9\n")
	if n := strings.Count(scan, "10.9.9.9"); n != 250 {
		t.Errorf("| include 10.9.9.9 lists %d flows, want the 250 probes", n)
	}
	for _, port := range []string{" 0001 ", " 00FA ", " 0080 "} {
		if !strings.Contains(scan, port) {
			t.Errorf("the probe of port %s is missing", port)
		}
	}
}
