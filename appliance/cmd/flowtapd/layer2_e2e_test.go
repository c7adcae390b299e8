package main

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestLayer2SwitchedExport: on a PFC3BXL persona with `ip flow export
// layer2-switched vlan 10,20-30`, the flows of frames tagged 10 and 25
// and of untagged frames reach nfcapd; those of VLAN 40 do not, and `show
// ip flow export` counts them (flows and packets) as not exported.
func TestLayer2SwitchedExport(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname l2test
username admin secret letmein
platform pfc3bxl
mls flow ip interface-full
mls nde sender
interface %s
 ip flow ingress
!
ip flow export layer2-switched vlan 10,20-30
ip flow-export version 9
ip flow-export destination %s %d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	d.waitMetering(t, v.Mon)
	var frames [][]byte
	for src, c := range map[[4]byte]struct {
		vlan uint16
		n    int
	}{{10, 8, 0, 1}: {10, 3}, {10, 8, 0, 2}: {25, 4}, {10, 8, 0, 3}: {40, 5}, {10, 8, 0, 4}: {0, 6}} {
		for range c.n {
			f := udpFrame(src, 1000, 20)
			if c.vlan != 0 {
				f = tagged(f, c.vlan)
			}
			frames = append(frames, f)
		}
	}
	v.Send(t, frames)
	if got := d.cliUntil(t, "ios", "show ip flow datapath | include frames seen\n", "  18 frames seen (1164 bytes)\n"); got != "  18 frames seen (1164 bytes)\n" {
		t.Fatalf("show ip flow datapath: %q", got)
	}
	// clear mls netflow exports and purges the table, as a PFC does.
	time.Sleep(200 * time.Millisecond)
	d.cli(t, "ios", "clear mls netflow\n")
	want := "  Layer 2-switched flows exported for VLANs 10,20-30\n  1 flows (5 packets) of other VLANs were not exported\n"
	if got := d.cliUntil(t, "ios", "show ip flow export | include Layer 2|other VLANs\n", want); got != want {
		t.Errorf("show ip flow export:\n%s\nwant:\n%s", got, want)
	}
	d.stop(t, syscall.SIGTERM)
	files, _ := capd.Close(t)
	got := map[string]bool{}
	for _, row := range nfdumpRows(t, files, "%sa|%pkt") {
		got[row] = true
	}
	wantRecs := map[string]bool{"10.8.0.1|3": true, "10.8.0.2|4": true, "10.8.0.4|6": true}
	if fmt.Sprint(got) != fmt.Sprint(wantRecs) {
		t.Errorf("nfdump (source|packets): %v, want %v", got, wantRecs)
	}
}
