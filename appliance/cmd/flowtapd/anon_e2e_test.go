package main

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestTruncatedDestination: of two collectors, the one configured with
// `truncate 21` gets /21 addresses, the other the real ones; the CLI's
// cache keeps the real ones and `show ip flow export` says what each
// destination gets.
func TestTruncatedDestination(t *testing.T) {
	v := testnet.Enter(t)
	cut, real := collector.StartNfcapd(t), collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname e2e
username admin privilege 15 secret letmein
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination %s %d truncate 21
ip flow-export destination %s %d
`, v.Mon, cut.Addr.Addr(), cut.Addr.Port(), real.Addr.Addr(), real.Addr.Port()))

	var frames [][]byte
	for i := 0; i < 4; i++ {
		frames = append(frames, udpFrame([4]byte{10, 1, 7, byte(1 + i)}, 4000, 10))
	}
	v.Send(t, frames)
	time.Sleep(500 * time.Millisecond)
	if out := d.cli(t, "ios", "show ip cache flow\n"); !strings.Contains(out, "10.1.7.1") {
		t.Errorf("the cache does not show the real address:\n%s", out)
	}
	exp := d.cli(t, "ios", "show ip flow export\n")
	if !strings.Contains(exp, fmt.Sprintf("(%d)\n      Addresses: IPv4 truncated to /21\n", cut.Addr.Port())) {
		t.Errorf("show ip flow export does not say what the first destination gets:\n%s", exp)
	}
	d.stop(t, os.Interrupt)
	gotCut, _ := cut.Stop(t)
	gotReal, _ := real.Stop(t)
	wantCut, wantReal := collector.Tuples{}, collector.Tuples{}
	for i := 0; i < 4; i++ {
		k := collector.Tuple{Proto: 17, Src: netip.AddrFrom4([4]byte{10, 1, 7, byte(1 + i)}), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 4000, DstPort: 53}
		wantReal.Add(k, 1, 38)
		k.Src, k.Dst = netip.MustParseAddr("10.1.0.0"), netip.MustParseAddr("192.0.0.0")
		wantCut.Add(k, 1, 38)
	}
	for _, x := range collector.Compare(gotCut, wantCut) {
		t.Errorf("truncated collector %s: got %v, want %v", x.Tuple, x.Ours, x.Their)
	}
	for _, x := range collector.Compare(gotReal, wantReal) {
		t.Errorf("real collector %s: got %v, want %v", x.Tuple, x.Ours, x.Their)
	}
}
