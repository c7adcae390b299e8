package main

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/dnsmasq"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestCollectorHostName: the startup-config names its collector by host
// name; flowtapd resolves it at boot on the configured name server (a
// real dnsmasq in the test's namespace, ip domain name appended), and
// nfcapd stores every flow. The running-config keeps the address, as
// IOS's does; a name added from the CLI resolves through the ip host
// table, and one nobody knows is refused with IOS's Translating line.
func TestCollectorHostName(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	ns := dnsmasq.Addr(31)
	dnsmasq.Start(t, ns, "flowtap.test", map[string]netip.Addr{"collector.flowtap.test": capd.Addr.Addr()})
	d := startDaemon(t, fmt.Sprintf(`hostname e2e
username admin privilege 15 secret letmein
ip domain name flowtap.test
ip name-server %s
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination collector %d
`, ns, v.Mon, capd.Addr.Port()))

	run := d.cli(t, "ios", "show running-config | include ^ip (flow-export destination|name-server|domain)\n")
	want := fmt.Sprintf("ip domain name flowtap.test\nip name-server %s\nip flow-export destination %s %d\n", ns, capd.Addr.Addr(), capd.Addr.Port())
	if run != want {
		t.Errorf("running-config:\n%s\nwant:\n%s", run, want)
	}
	out := d.cli(t, "ios", "configure terminal\nip flow-export destination nosuch 2056\nip host spare 192.0.2.55\nip flow-export destination SPARE 2057\nend\nshow ip flow export | include Destination\n")
	for _, w := range []string{
		fmt.Sprintf(`Translating "nosuch"...domain server (%s)`, ns),
		"% Invalid input detected at '^' marker.",
		fmt.Sprintf("Destination(1)  %s (%d)", capd.Addr.Addr(), capd.Addr.Port()),
		"Destination(2)  192.0.2.55 (2057)",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("the session lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "(2056)") {
		t.Errorf("the unresolved destination was configured:\n%s", out)
	}

	var frames [][]byte
	for i := 0; i < 4; i++ {
		frames = append(frames, udpFrame([4]byte{10, 1, 9, byte(1 + i)}, 4000, 10))
	}
	v.Send(t, frames)
	time.Sleep(500 * time.Millisecond)
	d.stop(t, os.Interrupt)
	got, _ := capd.Stop(t)
	wantT := collector.Tuples{}
	for i := 0; i < 4; i++ {
		wantT.Add(collector.Tuple{Proto: 17, Src: netip.AddrFrom4([4]byte{10, 1, 9, byte(1 + i)}), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 4000, DstPort: 53}, 1, 38)
	}
	for _, x := range collector.Compare(got, wantT) {
		t.Errorf("collector %s: got %v, want %v", x.Tuple, x.Ours, x.Their)
	}
}
