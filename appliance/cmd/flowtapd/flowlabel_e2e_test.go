package main

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"testing"

	"github.com/flowtap/flowtap/internal/collector"
)

// TestFlowLabelFromCapture: with `ip flow-capture flow-label`, the IPv6
// frames of a real capture (nDPI's gnutella.pcap: DHCPv6, LLMNR, SSDP,
// WS-Discovery and mDNS from one host, several flows whose label changes
// between packets, and label-0 ICMPv6/MLD) reach a v9 and an IPFIX
// collector with each flow's first packet's flow label (IE 31, 3 bytes
// in v9, 4 in IPFIX), as tshark decodes them; the truth is tshark's
// reading of the capture itself. An analyst follows a conversation
// across NAT64 or load balancers by its label; softflowd and pmacctd's
// nfprobe export none.
func TestFlowLabelFromCapture(t *testing.T) {
	const pcap = "../../../testdata/pcaps/ndpi-gnutella.pcap"
	want := firstFlowLabels(t, pcap)
	var frames [][]byte
	for _, p := range collector.ReadPcap(t, pcap) {
		if len(p.Data) > 14 && binary.BigEndian.Uint16(p.Data[12:]) == 0x86dd {
			frames = append(frames, p.Data)
		}
	}
	if len(frames) != 68 {
		t.Fatalf("%s has %d IPv6 frames, want 68", pcap, len(frames))
	}
	runCaptureField(t, captureField{host: "flowlabel", capture: "ip flow-capture flow-label", field: "cflow.ipv6flowlabel",
		srcField: "cflow.srcaddrv6", dstField: "cflow.dstaddrv6", key: flowLabelKey,
		norm: func(s string) string { return labelHex(t, s) }}, frames, want)
}

// flowLabelKey names a flow by its addresses and ports; ICMPv6 flows
// (whose destination port is type and code) are named by their
// addresses, which in this capture tell them apart.
func flowLabelKey(src, dst, sport, dport string) string {
	if sport == "0" || sport == "" {
		return src + " > " + dst
	}
	return fmt.Sprintf("%s.%s > %s.%s", src, sport, dst, dport)
}

// labelHex reads tshark's flow label, decimal or 0x hex, as 0x%05x.
func labelHex(t *testing.T, s string) string {
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return s
	}
	return fmt.Sprintf("0x%05x", n)
}

// firstFlowLabels is tshark's reading of the capture: each IPv6 flow's
// first packet's label, by flowLabelKey.
func firstFlowLabels(t *testing.T, pcap string) map[string]string {
	t.Helper()
	first := map[string]string{}
	for _, f := range collector.TsharkPcapFields(t, pcap, "ipv6", nil, "ipv6.src", "ipv6.dst", "udp.srcport", "udp.dstport", "ipv6.flow") {
		k := flowLabelKey(f[0], f[1], f[2], f[3])
		if _, seen := first[k]; !seen {
			first[k] = labelHex(t, f[4])
		}
	}
	return first
}
