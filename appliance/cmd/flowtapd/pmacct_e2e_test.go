package main

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestNfacctdReadsMeteredTraffic: flowtapd meters frames sent into a
// veth, 1-in-4 deterministic sampling, and exports them in v5, v9,
// IPFIX and IPFIX biflows (RFC 5103; one direction sent, so each flow
// goes out alone after the clear), one pmacct nfacctd per destination
// (renormalising, its sequence checks on). Each flow is 12 frames in a row, so the sampler takes
// exactly 3 of each whatever its phase, and nfacctd must show each flow
// with the packets and bytes sent (3 sampled times 4), its protocol,
// ports, ToS, TCP flags, input ifIndex, origin AS numbers and masks (from
// a prefix-as-file, IPv4 and IPv6), dated within the seconds the
// frames were sent, and log nothing against the packets. v5 carries no
// IPv6: its collector gets the IPv4 flows only.
// stampResolution is how much earlier than its packet a flow time exported
// in milliseconds can read: one datapath tick (2^20 ns) plus the floored ms.
const stampResolution = 1<<20*time.Nanosecond + time.Millisecond

func TestNfacctdReadsMeteredTraffic(t *testing.T) {
	v := testnet.Enter(t)
	versions := []string{"5", "9", "ipfix", "ipfix biflow"}
	colls := map[string]*collector.Nfacctd{}
	var dests strings.Builder
	for _, ver := range versions {
		colls[ver] = collector.StartNfacctd(t)
		fmt.Fprintf(&dests, "ip flow-export destination %s %d version %s origin-as\n", colls[ver].Addr.Addr(), colls[ver].Addr.Port(), ver)
	}
	// The routes origin-as and the masks come from (flowtap sees no BGP).
	routes := filepath.Join(t.TempDir(), "prefix-as.txt")
	if err := os.WriteFile(routes, []byte("10.0.3.0/24 64500\n192.0.2.0/25 65001\n2001:db8::/64 64501\n2001:db8::/124 65002\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, fmt.Sprintf(`hostname pmacct
username admin secret letmein
flow-sampler-map QUARTER
 mode deterministic one-out-of 4
!
interface %s
 flow-sampler QUARTER
!
ip flow-export interface-names
flowtap prefix-as-file %s
%s`, v.Mon, routes, dests.String()))
	d.waitMetering(t, v.Mon)

	type sent struct {
		src, dst         string
		proto            uint8
		sport, dport     uint16
		tos, flags       uint8
		ipLen            uint64
		frame            []byte
		srcAS, dstAS     uint32
		srcMask, dstMask uint8
	}
	withToS := func(b []byte, tos uint8) []byte { b[15] = tos; return b }
	flows := []sent{
		{"10.0.3.1", "192.0.2.9", 17, 4001, 53, 0x28, 0, 38, withToS(udpFrame([4]byte{10, 0, 3, 1}, 4001, 10), 0x28), 64500, 65001, 24, 25},
		{"10.0.3.2", "192.0.2.9", 17, 4002, 53, 0xb8, 0, 128, withToS(udpFrame([4]byte{10, 0, 3, 2}, 4002, 100), 0xb8), 64500, 65001, 24, 25},
		{"10.0.3.3", "192.0.2.9", 6, 40003, 80, 0, 0x12, 40, tcpFrame([4]byte{10, 0, 3, 3}, 40003, 0x12), 64500, 65001, 24, 25},
		{"10.0.3.4", "192.0.2.9", 6, 40004, 80, 0x10, 0x18, 40, withToS(tcpFrame([4]byte{10, 0, 3, 4}, 40004, 0x18), 0x10), 64500, 65001, 24, 25},
		{"2001:db8::31", "2001:db8::9", 17, 4005, 53, 0, 0, 58, l4Frame6("2001:db8::31", 17, 4005), 64501, 65002, 64, 124},
		{"2001:db8::32", "2001:db8::9", 6, 4006, 22, 0, 0x10, 60, l4Frame6("2001:db8::32", 6, 4006), 64501, 65002, 64, 124},
	}
	const perFlow, rate = 12, 4
	var frames [][]byte
	for _, f := range flows {
		for range perFlow {
			frames = append(frames, f.frame)
		}
	}
	before := time.Now().Truncate(time.Second)
	v.Send(t, frames)
	after := time.Now()
	// The cache's flows, each once (v5 takes the 4 IPv4 flows, the
	// others all of them).
	want := fmt.Sprintf("  %d flows exported", len(flows))
	d.cliUntil(t, "ios", "show ip cache flow | include active,\n", fmt.Sprintf("  %d active, ", len(flows))) // metered
	d.cli(t, "ios", "clear mls netflow\n")
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(d.cli(t, "ios", "show ip flow export\n"), want); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("flows not exported:\n%s", d.cli(t, "ios", "show ip flow export\n"))
		}
	}

	for _, ver := range versions {
		n := colls[ver]
		expect := flows
		if ver == "5" {
			expect = flows[:4]
		}
		rows := n.WaitRows(t, len(expect))
		if len(rows) != len(expect) {
			t.Errorf("v%s: nfacctd holds %d flows, want %d; log:\n%s", ver, len(rows), len(expect), n.Log())
		}
		for _, c := range n.Complaints() {
			t.Errorf("v%s: nfacctd: %s", ver, c)
		}
		for _, l := range strings.Split(n.Log(), "\n") {
			if strings.Contains(l, "expecting flow") || strings.Contains(l, "malformed") || strings.Contains(l, "discarding") || strings.Contains(l, "unable to") {
				t.Errorf("v%s: nfacctd: %s", ver, l)
			}
		}
		bySrc := map[string]collector.NfacctdRow{}
		for _, r := range rows {
			bySrc[r.Str("ip_src")] = r
		}
		for _, f := range expect {
			r, ok := bySrc[f.src]
			if !ok {
				t.Errorf("v%s: no flow from %s in nfacctd", ver, f.src)
				continue
			}
			got := fmt.Sprintln(r.Str("ip_dst"), r.Str("ip_proto"), r.Uint("port_src"), r.Uint("port_dst"), r.Uint("tos"), r.Uint("tcp_flags"),
				r.Uint("iface_in"), r.Uint("packets"), r.Uint("bytes"), r.Uint("as_src"), r.Uint("as_dst"), r.Uint("mask_src"), r.Uint("mask_dst"))
			proto := map[uint8]string{6: "tcp", 17: "udp"}[f.proto]
			w := fmt.Sprintln(netip.MustParseAddr(f.dst), proto, f.sport, f.dport, f.tos, f.flags, v.MonIndex, perFlow, perFlow*f.ipLen, f.srcAS, f.dstAS, f.srcMask, f.dstMask)
			if got != w {
				t.Errorf("v%s: %s: nfacctd reads %swant %s", ver, f.src, got, w)
			}
			// nfacctd dates v5/v9 flows to the whole second, rounded up.
			// The meter stamps in 2^20 ns ticks, floored, and IPFIX carries
			// milliseconds, floored: a packet sent in the first 2 ms of a
			// second may be dated in the last ms of the one before.
			for _, k := range []string{"timestamp_start", "timestamp_end"} {
				if ts := r.Time(k); ts.Before(before.Add(-stampResolution)) || ts.After(after.Add(2*time.Second)) {
					t.Errorf("v%s: %s: %s %s, sent between %s and %s", ver, f.src, k, ts, before, after)
				}
			}
		}
	}
}
