package datapath

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/flowtap/flowtap/appliance/flow"
)

type wantFlow struct {
	src, dst        netip.Addr
	proto           uint8
	sport, dport    uint16
	bytes           uint64 // IP total length
	tos             uint8
	vlan, innerVLAN uint16
	flags           uint8
}

func TestParse(t *testing.T) {
	udp := udpHdr(1234, 53, 10)
	plain4 := ip4{src: v4a, dst: v4b, proto: 17}.bytes(udp) // 38 bytes
	tcp6 := tcpHdr(40000, 443, tcpSYN)

	tests := []struct {
		name   string
		frame  []byte
		want   *wantFlow // nil: not metered
		reason string    // ParseReasons entry when want is nil
	}{
		{name: "ipv4 udp", frame: cat(ethHdr(0x0800), plain4),
			want: &wantFlow{src: v4a, dst: v4b, proto: 17, sport: 1234, dport: 53, bytes: 38}},
		{name: "802.1Q", frame: cat(ethHdr(0x8100), vlanTag(100, 0x0800), plain4),
			want: &wantFlow{src: v4a, dst: v4b, proto: 17, sport: 1234, dport: 53, bytes: 38, vlan: 100}},
		{name: "802.1ad QinQ", frame: cat(ethHdr(0x88a8), vlanTag(0x2000|200, 0x8100), vlanTag(300, 0x0800), plain4),
			want: &wantFlow{src: v4a, dst: v4b, proto: 17, sport: 1234, dport: 53, bytes: 38, vlan: 200, innerVLAN: 300}},
		{name: "three tags", frame: cat(ethHdr(0x8100), vlanTag(1, 0x8100), vlanTag(2, 0x8100), vlanTag(3, 0x0800), plain4),
			want: &wantFlow{src: v4a, dst: v4b, proto: 17, sport: 1234, dport: 53, bytes: 38, vlan: 1, innerVLAN: 2}},
		{name: "four tags", frame: cat(ethHdr(0x8100), vlanTag(1, 0x8100), vlanTag(2, 0x8100), vlanTag(3, 0x8100), vlanTag(4, 0x0800), plain4),
			reason: "too-many-vlan-tags"},
		{name: "mpls one label", frame: cat(ethHdr(0x8847), mplsLabel(16, true), plain4),
			want: &wantFlow{src: v4a, dst: v4b, proto: 17, sport: 1234, dport: 53, bytes: 38}},
		{name: "mpls stack of three, ipv6", frame: cat(ethHdr(0x8847), mplsLabel(16, false), mplsLabel(17, false), mplsLabel(18, true),
			ip6{src: v6a, dst: v6b, nh: 6}.bytes(tcp6)),
			want: &wantFlow{src: v6a, dst: v6b, proto: 6, sport: 40000, dport: 443, bytes: 60, flags: tcpSYN}},
		{name: "vlan then mpls", frame: cat(ethHdr(0x8100), vlanTag(7, 0x8847), mplsLabel(16, true), plain4),
			want: &wantFlow{src: v4a, dst: v4b, proto: 17, sport: 1234, dport: 53, bytes: 38, vlan: 7}},
		{name: "mpls pseudowire (control word)", frame: cat(ethHdr(0x8847), mplsLabel(16, true), []byte{0, 0, 0, 0}, ethHdr(0x0800), plain4),
			reason: "mpls-non-ip"},
		{name: "mpls without bottom of stack", frame: cat(ethHdr(0x8847), mplsLabel(1, false), mplsLabel(2, false), mplsLabel(3, false),
			mplsLabel(4, false), mplsLabel(5, false), mplsLabel(6, false), mplsLabel(7, false), mplsLabel(8, false), mplsLabel(9, true), plain4),
			reason: "mpls-stack-too-deep"},
		{name: "pppoe ipv6", frame: cat(ethHdr(0x8864), []byte{0x11, 0, 0, 1, 0, 62, 0x00, 0x57}, ip6{src: v6a, dst: v6b, nh: 17}.bytes(udpHdr(546, 547, 0))),
			want: &wantFlow{src: v6a, dst: v6b, proto: 17, sport: 546, dport: 547, bytes: 48}},
		{name: "pppoe lcp", frame: cat(ethHdr(0x8864), []byte{0x11, 0, 0, 1, 0, 6, 0xc0, 0x21}, make([]byte, 20)), reason: "non-ip"},
		{name: "ipv4 options", frame: cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 6, tos: 0xb8, options: []byte{0x94, 4, 0, 0, 1, 0, 0, 0}}.bytes(tcpHdr(22, 5555, tcpACK|tcpPSH))),
			want: &wantFlow{src: v4a, dst: v4b, proto: 6, sport: 22, dport: 5555, bytes: 48, tos: 0xb8, flags: tcpACK | tcpPSH}},
		{name: "ipv4 first fragment keeps ports", frame: cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 17, more: true}.bytes(udpHdr(7000, 7001, 24))),
			want: &wantFlow{src: v4a, dst: v4b, proto: 17, sport: 7000, dport: 7001, bytes: 52}},
		{name: "ipv4 non-first fragment has ports 0", frame: cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 17, fragOff: 4}.bytes(make([]byte, 40))),
			want: &wantFlow{src: v4a, dst: v4b, proto: 17, bytes: 60}},
		{name: "ipv6 extension chain", frame: cat(ethHdr(0x86dd), ip6{src: v6a, dst: v6b, nh: 0}.bytes(cat(ext6(43, 0), ext6(60, 1), ext6(6, 0), tcp6))),
			want: &wantFlow{src: v6a, dst: v6b, proto: 6, sport: 40000, dport: 443, bytes: 40 + 8 + 16 + 8 + 20, flags: tcpSYN}},
		{name: "ipv6 first fragment", frame: cat(ethHdr(0x86dd), ip6{src: v6a, dst: v6b, nh: 44}.bytes(cat(frag6(17, 0, true), udpHdr(53, 5353, 16)))),
			want: &wantFlow{src: v6a, dst: v6b, proto: 17, sport: 53, dport: 5353, bytes: 40 + 8 + 24}},
		{name: "ipv6 non-first fragment", frame: cat(ethHdr(0x86dd), ip6{src: v6a, dst: v6b, nh: 44}.bytes(cat(frag6(17, 3, false), make([]byte, 16)))),
			want: &wantFlow{src: v6a, dst: v6b, proto: 17, bytes: 40 + 8 + 16}},
		{name: "ipv6 traffic class", frame: cat(ethHdr(0x86dd), ip6{src: v6a, dst: v6b, nh: 17, tc: 0x2e}.bytes(udpHdr(1, 2, 0))),
			want: &wantFlow{src: v6a, dst: v6b, proto: 17, sport: 1, dport: 2, bytes: 48, tos: 0x2e}},
		{name: "ipv6 chain too long", frame: cat(ethHdr(0x86dd), ip6{src: v6a, dst: v6b, nh: 60}.bytes(cat(ext6(60, 0), ext6(60, 0), ext6(60, 0),
			ext6(60, 0), ext6(60, 0), ext6(60, 0), ext6(60, 0), ext6(60, 0), ext6(17, 0), udpHdr(1, 2, 0)))),
			reason: "ipv6-ext-chain-too-long"},
		{name: "icmp echo", frame: cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 1}.bytes(icmpHdr(8, 0))),
			want: &wantFlow{src: v4a, dst: v4b, proto: 1, dport: 0x0800, bytes: 28}},
		{name: "icmp port unreachable", frame: cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 1}.bytes(icmpHdr(3, 3))),
			want: &wantFlow{src: v4a, dst: v4b, proto: 1, dport: 0x0303, bytes: 28}},
		{name: "icmpv6 echo", frame: cat(ethHdr(0x86dd), ip6{src: v6a, dst: v6b, nh: 58}.bytes(icmpHdr(128, 0))),
			want: &wantFlow{src: v6a, dst: v6b, proto: 58, dport: 0x8000, bytes: 48}},
		{name: "sctp", frame: cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 132}.bytes(cat(udpHdr(2905, 2905, 0), make([]byte, 4)))),
			want: &wantFlow{src: v4a, dst: v4b, proto: 132, sport: 2905, dport: 2905, bytes: 32}},
		{name: "gre by number", frame: cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 47}.bytes([]byte{0, 0, 0x08, 0})),
			want: &wantFlow{src: v4a, dst: v4b, proto: 47, bytes: 24}},
		{name: "esp by number", frame: cat(ethHdr(0x86dd), ip6{src: v6a, dst: v6b, nh: 50}.bytes(make([]byte, 16))),
			want: &wantFlow{src: v6a, dst: v6b, proto: 50, bytes: 56}},
		// Malformed and truncated: counted by reason, never read out of bounds.
		{name: "arp", frame: cat(ethHdr(0x0806), make([]byte, 28)), reason: "non-ip"},
		{name: "runt ethernet", frame: cat(ethHdr(0x8100)), reason: "truncated-l2"},
		{name: "vlan tag cut", frame: cat(ethHdr(0x8100), []byte{0, 5}), reason: "truncated-l2"},
		{name: "ipv4 header cut", frame: cat(ethHdr(0x0800), plain4[:12]), reason: "truncated-ip"},
		{name: "ipv4 options cut", frame: cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 6, options: make([]byte, 20)}.bytes(nil)[:30]), reason: "truncated-ip"},
		{name: "ipv4 wrong version", frame: cat(ethHdr(0x0800), append([]byte{0x55}, plain4[1:]...)), reason: "bad-ip-header"},
		{name: "ipv4 ihl below 5", frame: cat(ethHdr(0x0800), append([]byte{0x44}, plain4[1:]...)), reason: "bad-ip-header"},
		{name: "ipv4 total length below header", frame: cat(ethHdr(0x0800), plain4[:2], []byte{0, 10}, plain4[4:]), reason: "bad-ip-header"},
		{name: "ipv6 header cut", frame: cat(ethHdr(0x86dd), make([]byte, 30)), reason: "truncated-ip"},
		{name: "ipv6 extension cut", frame: cat(ethHdr(0x86dd), ip6{src: v6a, dst: v6b, nh: 0}.bytes(ext6(6, 2))[:40+10]), reason: "truncated-ip"},
		{name: "tcp header cut", frame: cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 6}.bytes(tcpHdr(1, 2, 0))[:20+10]), reason: "truncated-l4"},
		{name: "udp header cut", frame: cat(ethHdr(0x86dd), ip6{src: v6a, dst: v6b, nh: 17}.bytes(udpHdr(1, 2, 0))[:40+3]), reason: "truncated-l4"},
		{name: "mpls payload missing", frame: cat(ethHdr(0x8847), mplsLabel(3, true)), reason: "truncated-ip"},
	}
	// A 1024-entry cache meters each packet directly; one of
	// batchMinEntries buffers it as a record (bpf/batch.h) that the
	// harvest applies: the record carries the key and the MACs, written
	// with word loads and stores from the packet.
	for _, entries := range []int{1024, batchMinEntries} {
		d := openTest(t, entries)
		for _, tc := range tests {
			t.Run(fmt.Sprintf("%s/cache %d", tc.name, entries), func(t *testing.T) {
				before, err := d.Stats()
				if err != nil {
					t.Fatal(err)
				}
				if _, err := d.Feed(tc.frame, 1); err != nil {
					t.Fatal(err)
				}
				after, err := d.Stats()
				if err != nil {
					t.Fatal(err)
				}
				if entries >= batchMinEntries && tc.want != nil && after.BatchPending != 1 {
					t.Fatalf("%d records buffered, want the packet's", after.BatchPending)
				}
				recs := harvestAll(t, d)
				if tc.want == nil {
					if len(recs) != 0 {
						t.Fatalf("metered %+v, want not metered (%s)", recs, tc.reason)
					}
					for i, name := range ParseReasons {
						delta := after.Unparsed[i] - before.Unparsed[i]
						if name == tc.reason && delta != 1 {
							t.Errorf("unparsed[%s] went up by %d, want 1", name, delta)
						} else if name != tc.reason && delta != 0 {
							t.Errorf("unparsed[%s] went up by %d, want 0 (expected %s)", name, delta, tc.reason)
						}
					}
					return
				}
				if len(recs) != 1 {
					t.Fatalf("got %d records, want 1 (unparsed %v)", len(recs), after.Unparsed)
				}
				r, w := recs[0], tc.want
				got := wantFlow{src: r.SrcAddr, dst: r.DstAddr, proto: r.Proto, sport: r.SrcPort, dport: r.DstPort,
					bytes: r.Bytes, tos: r.ToS, vlan: r.VLAN, innerVLAN: r.InnerVLAN, flags: r.TCPFlags}
				if got != *w {
					t.Errorf("flow\n got %+v\nwant %+v", got, *w)
				}
				if r.Packets != 1 || r.EndReason != flow.EndForced || r.InputIf != 1 {
					t.Errorf("packets %d reason %v input if %d, want 1 forced 1", r.Packets, r.EndReason, r.InputIf)
				}
				if [6]byte(mac1) != r.SrcMAC || [6]byte(mac2) != r.DstMAC {
					t.Errorf("macs %x > %x, want %x > %x", r.SrcMAC, r.DstMAC, mac1, mac2)
				}
			})
		}
	}
}
