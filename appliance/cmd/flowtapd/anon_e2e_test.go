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

// TestCryptoPAnDestination: three collectors get the same flows, one
// with `truncate 24`, one with `crypto-pan` keyed with the Crypto-PAn
// reference sample's key, one plain. The pseudonymised addresses are the
// ones the reference sample (sample_trace_raw.dat -> sanitized.dat) gives
// for them, so the mapping is the paper's, prefix-preserving, and
// another tool keyed alike reproduces it; the truncated collector gets
// the /24s and the plain one the real addresses. The cache and the top
// talkers show the real ones.
func TestCryptoPAnDestination(t *testing.T) {
	v := testnet.Enter(t)
	cut, pan, real := collector.StartNfcapd(t), collector.StartNfcapd(t), collector.StartNfcapd(t)
	const refKey = "1522178d33a4cf80130a5b1649907d10d8988f837979652762574c2d2a842202"
	d := startDaemon(t, fmt.Sprintf(`hostname e2e
username admin privilege 15 secret letmein
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination %s %d truncate 24
ip flow-export destination %s %d crypto-pan %s
ip flow-export destination %s %d
ip flow-top-talkers
 top 10
 sort-by packets
`, v.Mon, cut.Addr.Addr(), cut.Addr.Port(), pan.Addr.Addr(), pan.Addr.Port(), refKey, real.Addr.Addr(), real.Addr.Port()))

	// Pairs of the reference sample, real -> pseudonymised.
	flows := []struct{ src, dst, panSrc, panDst string }{
		{"128.11.68.132", "192.102.249.13", "135.242.180.132", "252.138.62.131"},
		{"129.118.74.4", "195.205.63.100", "134.136.186.123", "255.186.223.5"},
		{"141.223.7.43", "207.33.151.131", "141.167.8.160", "241.1.233.131"},
		{"141.233.145.108", "24.5.0.80", "141.129.237.235", "100.9.15.210"},
	}
	var frames [][]byte
	for i, f := range flows {
		for range i + 1 { // flow i has i+1 packets: the top talkers' order
			b := udpFrame(netip.MustParseAddr(f.src).As4(), 4000, 10)
			dst := netip.MustParseAddr(f.dst).As4()
			copy(b[14+16:], dst[:])
			frames = append(frames, b)
		}
	}
	v.Send(t, frames)
	time.Sleep(500 * time.Millisecond)
	cache := d.cli(t, "ios", "show ip cache flow\n")
	top := d.cli(t, "ios", "show ip flow top-talkers\n")
	for _, f := range flows {
		for _, a := range []string{f.src, f.dst} {
			if !strings.Contains(cache, " "+a+" ") || !strings.Contains(top, " "+a+" ") {
				t.Errorf("%s: the cache or the top talkers do not show the real address:\n%s\n%s", a, cache, top)
			}
		}
		for _, a := range []string{f.panSrc, f.panDst} {
			if strings.Contains(cache, a) || strings.Contains(top, a) {
				t.Errorf("the CLI shows the pseudonym %s", a)
			}
		}
	}
	if exp := d.cli(t, "ios", "show ip flow export\n"); !strings.Contains(exp, fmt.Sprintf("(%d)\n      Addresses: prefix-preserving (Crypto-PAn)\n", pan.Addr.Port())) {
		t.Errorf("show ip flow export does not say what the Crypto-PAn destination gets:\n%s", exp)
	}
	d.stop(t, os.Interrupt)
	gotCut, _ := cut.Stop(t)
	gotPan, _ := pan.Stop(t)
	gotReal, _ := real.Stop(t)
	wantCut, wantPan, wantReal := collector.Tuples{}, collector.Tuples{}, collector.Tuples{}
	for i, f := range flows {
		k := collector.Tuple{Proto: 17, Src: netip.MustParseAddr(f.src), Dst: netip.MustParseAddr(f.dst), SrcPort: 4000, DstPort: 53}
		n := uint64(i + 1)
		wantReal.Add(k, n, 38*n)
		c := k
		c.Src, c.Dst = netip.PrefixFrom(k.Src, 24).Masked().Addr(), netip.PrefixFrom(k.Dst, 24).Masked().Addr()
		wantCut.Add(c, n, 38*n)
		k.Src, k.Dst = netip.MustParseAddr(f.panSrc), netip.MustParseAddr(f.panDst)
		wantPan.Add(k, n, 38*n)
	}
	for name, x := range map[string][2]collector.Tuples{"truncated": {gotCut, wantCut}, "crypto-pan": {gotPan, wantPan}, "real": {gotReal, wantReal}} {
		for _, c := range collector.Compare(x[0], x[1]) {
			t.Errorf("%s collector %s: got %v, want %v", name, c.Tuple, c.Ours, c.Their)
		}
	}
}
