package main

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"testing"

	"github.com/flowtap/flowtap/internal/collector"
)

// IANA's ipv6ExtensionHeaders (IE 64) bits, counted from the most
// significant of its 32 [SRC: IANA IPFIX registry, IE 64, the diagram
// of RFC 5102's errata 1738].
const (
	ext6DST  = 1 << (31 - 0)
	ext6HOP  = 1 << (31 - 1)
	ext6FRA0 = 1 << (31 - 4)
	ext6RH   = 1 << (31 - 5)
	ext6FRA1 = 1 << (31 - 6)
	ext6ESP  = 1 << (31 - 13)
	ext6AH   = 1 << (31 - 14)
)

// TestExtensionHeadersFromCapture: with `ip flow-capture
// extension-headers`, the IPv6 frames of three real captures reach a v9
// and an IPFIX collector with each flow's ipv6ExtensionHeaders (IE 64):
// the OR of the extension headers its packets carried, as tshark reads
// the export, against tshark's reading of the captures themselves.
// Zeek's ipv6-http-atomic-frag sends one HTTP connection behind each of
// a hop-by-hop, a routing, a destination options and an atomic fragment
// header (the answers carry none); nDPI's dns_fragmented has IPv6 DNS
// answers in a first and a later fragment; Zeek's ip6_esp is ESP. An
// analyst finds the flows that carry a routing header (RH0 source
// routing) or hop-by-hop options, which routers drop or punt and
// attackers use to slip past filters, and which softflowd and pmacctd's
// nfprobe cannot show: they export no such field. nfdump (1.7.1) does
// not decode IE 64, so tshark is the reader.
func TestExtensionHeadersFromCapture(t *testing.T) {
	pcaps := []string{
		"../../../testdata/pcaps/zeek-ipv6-http-atomic-frag.pcap",
		"../../../testdata/pcaps/ndpi-dns_fragmented.pcap",
		"../../../testdata/pcaps/zeek-ip6_esp.pcap",
	}
	want := map[string]string{}
	var frames [][]byte
	for _, pcap := range pcaps {
		for k, v := range captureExtHeaders(t, pcap) {
			want[k] = v
		}
		for _, p := range collector.ReadPcap(t, pcap) {
			// A TCP segment the capturing host's offload had merged
			// does not fit the veth.
			if len(p.Data) <= maxFrame && binary.BigEndian.Uint16(p.Data[12:]) == 0x86dd {
				frames = append(frames, p.Data)
			}
		}
	}
	// The truth must hold each header the test is for, or it proves
	// nothing about that header.
	var all uint64
	for _, v := range want {
		n, _ := strconv.ParseUint(v, 0, 32)
		all |= n
	}
	if w := uint64(ext6DST | ext6HOP | ext6FRA0 | ext6RH | ext6FRA1 | ext6ESP); all != w {
		t.Fatalf("the captures' flows hold headers %#08x, want %#08x", all, w)
	}
	runCaptureField(t, captureField{host: "exthdr", capture: "ip flow-capture extension-headers", field: "cflow.ipv6_exthdr",
		srcField: "cflow.srcaddrv6", dstField: "cflow.dstaddrv6", key: fragFlagsKey, norm: ext6Hex,
		merge: func(a, b string) string {
			x, _ := strconv.ParseUint(a, 0, 32)
			y, _ := strconv.ParseUint(b, 0, 32)
			return fmt.Sprintf("0x%08x", x|y)
		}}, frames, want)
}

// ext6Hex reads tshark's IE 64 value, decimal or 0x hex, as 0x%08x.
func ext6Hex(s string) string {
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return s
	}
	return fmt.Sprintf("0x%08x", n)
}

// captureExtHeaders is tshark's reading of a capture's IPv6 frames,
// without reassembly: per flow (a later fragment has no ports; ICMPv6's
// destination port is type*256+code, as flowtap exports it) the OR of
// the extension headers its packets carried, as IE 64 lays them out.
func captureExtHeaders(t *testing.T, pcap string) map[string]string {
	t.Helper()
	or := map[string]uint64{}
	for _, f := range collector.TsharkPcapFields(t, pcap, fmt.Sprintf("ipv6 && frame.len <= %d", maxFrame),
		[]string{"ipv6.defragment:FALSE"},
		"ipv6.src", "ipv6.dst", "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport", "icmpv6.type", "icmpv6.code",
		"ipv6.hopopts.nxt", "ipv6.dstopts.nxt", "ipv6.routing.nxt", "ipv6.fraghdr.offset", "esp.spi", "ah.spi") {
		sport, dport := f[2]+f[4], f[3]+f[5]
		if f[6] != "" {
			typ, err1 := strconv.Atoi(f[6])
			code, err2 := strconv.Atoi(f[7])
			if err1 != nil || err2 != nil {
				t.Fatalf("tshark ICMPv6 type/code %q/%q", f[6], f[7])
			}
			sport, dport = "0", strconv.Itoa(typ<<8|code)
		}
		var bits uint64
		for _, b := range []struct {
			field string
			bit   uint64
		}{{f[8], ext6HOP}, {f[9], ext6DST}, {f[10], ext6RH}, {f[12], ext6ESP}, {f[13], ext6AH}} {
			if b.field != "" {
				bits |= b.bit
			}
		}
		if f[11] != "" {
			if f[11] == "0" {
				bits |= ext6FRA0
			} else {
				bits |= ext6FRA1
			}
		}
		or[fragFlagsKey(f[0], f[1], sport, dport)] |= bits
	}
	want := map[string]string{}
	for k, v := range or {
		want[k] = fmt.Sprintf("0x%08x", v)
	}
	return want
}
