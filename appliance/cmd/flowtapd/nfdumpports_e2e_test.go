package main

import (
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestIPFIXPortsAsNfdumpReadsThem: the IPFIX export of zeek's
// communityid captures (SCTP between ports 7 and 7, ICMPv6 echo,
// neighbour discovery and errors), read by nfcapd and nfdump as an
// analyst reads it, gives every flow its ports as tshark reads them in
// the captures: SCTP's destination port 7, ICMPv6's type and code. nfdump
// (1.7.1) copies an IPFIX ICMP type/code into the destination port as
// it meets it and restores the port for TCP and UDP only, so with the
// ICMP field after the ports every SCTP flow read destination port 0
// (DCCP and UDP-Lite alike).
func TestIPFIXPortsAsNfdumpReadsThem(t *testing.T) {
	pcaps := []string{"../../../testdata/pcaps/zeek-communityid-sctp.pcap", "../../../testdata/pcaps/zeek-communityid-icmp6.pcap"}
	want := collector.Tuples{}
	var frames [][]byte
	for _, pcap := range pcaps {
		for _, f := range collector.TsharkPcapFields(t, pcap, "ip or ipv6", nil,
			"ip.proto", "ipv6.nxt", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "sctp.srcport", "sctp.dstport", "icmpv6.type", "icmpv6.code", "ip.len", "ipv6.plen") {
			// An ICMPv6 error quotes a packet, whose fields come second.
			for i := range f {
				f[i], _, _ = strings.Cut(f[i], ",")
			}
			k := collector.Tuple{Proto: uint8(fieldInt(t, f[0]+f[1])), Src: netip.MustParseAddr(f[2] + f[3]), Dst: netip.MustParseAddr(f[4] + f[5])}
			var bytes uint64
			if f[8] != "" {
				k.DstPort = uint16(fieldInt(t, f[8])<<8 | fieldInt(t, f[9]))
				bytes = uint64(fieldInt(t, f[11]) + 40)
			} else {
				k.SrcPort, k.DstPort = uint16(fieldInt(t, f[6])), uint16(fieldInt(t, f[7]))
				bytes = uint64(fieldInt(t, f[10]))
			}
			want.Add(k, 1, bytes)
		}
		for _, p := range collector.ReadPcap(t, pcap) {
			frames = append(frames, p.Data)
		}
	}
	v := testnet.Enter(t)
	n := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname nfdumpports
username admin secret letmein
interface %s
 ip flow ingress
!
ip flow-export version ipfix
ip flow-export destination %s %d
`, v.Mon, n.Addr.Addr(), n.Addr.Port()))
	d.waitMetering(t, v.Mon)
	v.Send(t, frames)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if s := d.cli(t, "ios", "show ip flow datapath\n"); strings.Contains(s, fmt.Sprintf(" %d packets counted in flows", want.Total().Packets)) {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the %d packets sent were not all counted:\n%s", want.Total().Packets, s)
		}
	}
	d.stop(t, os.Interrupt)
	got, _ := n.Stop(t)
	for k, w := range want {
		if got[k] != w {
			t.Errorf("nfdump reads flow %s as %+v, want %+v", k, got[k], w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("nfdump reads a flow %s %+v not in the captures", k, g)
		}
	}
}

func fieldInt(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("tshark field %q: %v", s, err)
	}
	return n
}
