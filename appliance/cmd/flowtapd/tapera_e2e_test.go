package main

import (
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// tapEraBox starts a daemon with tap uplink (fibre a the veth's port,
// fibre b vmonb) exporting v5 to nfcapd, and meters 10.8.0.1 (1 packet)
// on fibre A and 10.8.0.2 (2 packets) on fibre B.
func tapEraBox(t *testing.T, host string) (v, b *testnet.Veth, d *runningDaemon, capd *collector.Nfcapd) {
	t.Helper()
	collector.RequireTool(t, "nfdump", "nfdump")
	v = testnet.Enter(t)
	_, srcB := v.AddPair(t, "vmonb", "vsrcb")
	bb := *v
	bb.SrcIndex = srcB
	capd = collector.StartNfcapd(t)
	d = startDaemon(t, fmt.Sprintf(`hostname %s
username admin privilege 15 secret letmein
flowtap tap uplink
 fibre a %s
 fibre b vmonb
!
ip flow-export version 5
ip flow-export destination %s %d
`, host, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	d.waitMeteringN(t, v.Mon, 1)
	d.waitMeteringN(t, "vmonb", 1)
	v.Send(t, udpFrames([4]byte{10, 8, 0, 1}, 4000, 1))
	bb.Send(t, udpFrames([4]byte{10, 8, 0, 2}, 4000, 2))
	// The change must come after the flows' first packets by more than
	// the meter's stamp (a millisecond).
	time.Sleep(200 * time.Millisecond)
	return v, &bb, d, capd
}

func wantRows(t *testing.T, capd *collector.Nfcapd, want ...string) {
	t.Helper()
	files, _ := capd.Close(t)
	got := nfdumpRows(t, files, "%sa|%in|%out|%pkt")
	slices.Sort(got)
	slices.Sort(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("nfdump (source|in|out|packets):\n%v\nwant\n%v", got, want)
	}
}

// TestTapSwappedFibresKeepTheirFlows: the operator swaps `fibre a` and
// `fibre b` (one line at a time, as at the console: `no fibre b`, `fibre a`, `fibre b`) while flows are
// cached; those flows leave with the direction they were metered under,
// the flows metered after the swap with the new one.
func TestTapSwappedFibresKeepTheirFlows(t *testing.T) {
	v, b, d, capd := tapEraBox(t, "tapswap")
	if out := d.cli(t, "ios", fmt.Sprintf("configure terminal\nflowtap tap uplink\nno fibre b\nfibre a vmonb\nfibre b %s\nend\n", v.Mon)); strings.Contains(out, "%") {
		t.Fatalf("swap: %s", out)
	}
	time.Sleep(200 * time.Millisecond)
	v.Send(t, udpFrames([4]byte{10, 8, 0, 3}, 4000, 3)) // now fibre B
	b.Send(t, udpFrames([4]byte{10, 8, 0, 4}, 4000, 4)) // now fibre A
	time.Sleep(200 * time.Millisecond)
	d.stop(t, syscall.SIGTERM)
	wantRows(t, capd, "10.8.0.1|64001|0|1", "10.8.0.2|0|64001|2", "10.8.0.3|0|64001|3", "10.8.0.4|64001|0|4")
}

// TestTapRemovedKeepsItsFlows: `no flowtap tap` while its fibres' flows
// are cached; they leave as the link's, as a removed fibre's do, not as
// the bare ports'.
func TestTapRemovedKeepsItsFlows(t *testing.T) {
	_, _, d, capd := tapEraBox(t, "taprmall")
	if out := d.cli(t, "ios", "configure terminal\nno flowtap tap uplink\nend\n"); strings.Contains(out, "%") {
		t.Fatalf("no flowtap tap: %s", out)
	}
	if out := d.cli(t, "ios", "show running-config | include flowtap tap\n"); strings.Contains(out, "uplink") {
		t.Fatalf("the tap is still configured:\n%s", out)
	}
	d.stop(t, syscall.SIGTERM)
	wantRows(t, capd, "10.8.0.1|64001|0|1", "10.8.0.2|0|64001|2")
}

// TestTapFibreRowCountersNeverGoBack: FLOWTAP-MIB's flowtapFibreTable row
// is the link's side; its Counter64s count on when the operator takes
// the side's port off and gives the side another port, where they went
// back to the new port's (a wrap, to a manager).
func TestTapFibreRowCountersNeverGoBack(t *testing.T) {
	v := testnet.Enter(t)
	_, srcC := v.AddPair(t, "vmonc", "vsrcc")
	c := *v
	c.SrcIndex = srcC
	d := startDaemon(t, fmt.Sprintf(`hostname taprow
username admin privilege 15 secret letmein
snmp-server community public RO
flowtap tap uplink
 fibre a %s
!
`, v.Mon))
	agent := "udp:" + d.snmpAddr
	packets := "1.3.6.1.4.1.32473.1.7.1.1.7.64001.1"
	d.waitMeteringN(t, v.Mon, 1)
	v.Send(t, udpFrames([4]byte{10, 8, 0, 1}, 4000, 3))
	time.Sleep(200 * time.Millisecond)
	// An orderly stop exports every flow: the next daemon counts them.
	d.stopAndStart(t, syscall.SIGTERM)
	if got := snmpCounter(t, agent, packets); got != 3 {
		t.Fatalf("fibre A's row counts %d packets, want 3", got)
	}
	if out := d.cli(t, "ios", "configure terminal\nflowtap tap uplink\nno fibre a\nend\n"); strings.Contains(out, "%") {
		t.Fatalf("no fibre a: %s", out)
	}
	if got := snmpCounter(t, agent, packets); got != 3 {
		t.Errorf("fibre A's row, its port taken off: %d packets, want 3", got)
	}
	if out := d.cli(t, "ios", "configure terminal\nflowtap tap uplink\nfibre a vmonc\nend\nwrite memory\n"); strings.Contains(out, "% ") {
		t.Fatalf("fibre a vmonc: %s", out)
	}
	d.waitMeteringN(t, "vmonc", 1)
	c.Send(t, udpFrames([4]byte{10, 8, 0, 2}, 4000, 2))
	time.Sleep(200 * time.Millisecond)
	d.stopAndStart(t, syscall.SIGTERM)
	if got := snmpCounter(t, agent, packets); got != 5 {
		t.Errorf("fibre A's row on its new port: %d packets, want 5", got)
	}
}
