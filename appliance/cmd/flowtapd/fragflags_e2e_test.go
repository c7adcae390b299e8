package main

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"testing"

	"github.com/flowtap/flowtap/internal/collector"
)

// TestFragmentFlagsFromCapture: with `ip flow-capture fragment-flags`,
// nDPI's dns_fragmented.pcap (DNS answers fragmented over IPv4 and
// IPv6, DNS over TCP with DF) reaches a v9 and an IPFIX collector with
// each flow's fragmentFlags (IE 197): the OR of its packets' flags, DF
// 0x40 and MF 0x20 (an IPv6 fragment header's M), as tshark decodes
// them; the truth is tshark's reading of the capture. The first
// fragment's flow (its ports) says MF, the later fragments' (ports 0)
// not: an analyst tells a fragmented datagram's flow from an unfragmented
// one, which the fragment offset (0 for both) cannot.
func TestFragmentFlagsFromCapture(t *testing.T) {
	const pcap = "../../../testdata/pcaps/ndpi-dns_fragmented.pcap"
	// One family a daemon: an export packet's IPv4 and IPv6 records are
	// one list per field in tshark's output, which pairs them up only
	// within one family.
	for _, fam := range []struct {
		name      string
		etherType uint16
		filter    string
		src, dst  string
	}{{"IPv4", 0x0800, "ip", "cflow.srcaddr", "cflow.dstaddr"}, {"IPv6", 0x86dd, "ipv6", "cflow.srcaddrv6", "cflow.dstaddrv6"}} {
		t.Run(fam.name, func(t *testing.T) {
			var frames [][]byte
			for _, p := range collector.ReadPcap(t, pcap) {
				// A TCP segment the capturing host's offload had merged
				// does not fit the veth.
				if len(p.Data) <= maxFrame && binary.BigEndian.Uint16(p.Data[12:]) == fam.etherType {
					frames = append(frames, p.Data)
				}
			}
			runCaptureField(t, captureField{host: "fragflags", capture: "ip flow-capture fragment-flags", field: "cflow.ip_fragment_flags",
				srcField: fam.src, dstField: fam.dst, key: fragFlagsKey, norm: flagsHex}, frames, captureFragFlags(t, pcap, fam.filter))
		})
	}
}

// maxFrame is the largest frame the veth carries (its 1500-byte MTU).
const maxFrame = 1514

func fragFlagsKey(src, dst, sport, dport string) string {
	if sport == "" {
		sport = "0"
	}
	if dport == "" {
		dport = "0"
	}
	return fmt.Sprintf("%s.%s > %s.%s", src, sport, dst, dport)
}

// flagsHex reads tshark's flags value, decimal or 0x hex, as 0x%02x.
func flagsHex(s string) string {
	n, err := strconv.ParseUint(s, 0, 8)
	if err != nil {
		return s
	}
	return fmt.Sprintf("0x%02x", n)
}

// captureFragFlags is tshark's reading of the capture, without
// reassembly: per flow (a later fragment has no ports) the OR of its
// packets' flags as IPFIX lays them out, for the frames filter (ip,
// ipv6) takes (tshark gives IPv4's three bits
// as a number: DF 2, MF 1; and an IPv6 fragment header's M).
func captureFragFlags(t *testing.T, pcap, filter string) map[string]string {
	t.Helper()
	or := map[string]uint64{}
	for _, f := range collector.TsharkPcapFields(t, pcap, fmt.Sprintf("%s && frame.len <= %d", filter, maxFrame),
		[]string{"ip.defragment:FALSE", "ipv6.defragment:FALSE"},
		"ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport", "ip.flags", "ipv6.fraghdr.more") {
		src, dst := f[0]+f[2], f[1]+f[3]
		sport, dport := f[4]+f[6], f[5]+f[7]
		var flags uint64
		if f[8] != "" {
			v, err := strconv.ParseUint(f[8], 0, 8)
			if err != nil {
				t.Fatalf("tshark fields %q: %v", f, err)
			}
			flags = v << 5
		}
		if f[9] == "1" || f[9] == "True" {
			flags |= 0x20
		}
		k := fragFlagsKey(src, dst, sport, dport)
		or[k] |= flags
	}
	want := map[string]string{}
	for k, v := range or {
		want[k] = fmt.Sprintf("0x%02x", v)
	}
	return want
}
