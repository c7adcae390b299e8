package export_test

import (
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/internal/collector"
)

// TestTsharkDecodesBiflows: an RFC 5103 biflow record as tshark reads it.
// tshark names a reverse element (PEN 29305) as its forward one, so each
// counter field comes twice per record: forward, then reverse (the
// times: reverse, then forward).
func TestTsharkDecodesBiflows(t *testing.T) {
	start := time.Date(2026, 12, 6, 1, 2, 3, 4e6, time.UTC)
	fwd := flow.Record{
		Key:     flow.Key{SrcAddr: netip.MustParseAddr("10.0.0.1"), DstAddr: netip.MustParseAddr("192.0.2.80"), SrcPort: 40000, DstPort: 80, Proto: 6, InputIf: 64001},
		Packets: 12, Bytes: 1234, Start: start, End: start.Add(2 * time.Second), TCPFlags: 0x1b,
		Direction: flow.DirIngress, Biflow: flow.BiflowInitiator, EndReason: flow.EndOfFlow,
		Reverse: flow.Reverse{Packets: 9, Bytes: 8765, Start: start.Add(5 * time.Millisecond), End: start.Add(1900 * time.Millisecond), TCPFlags: 0x12},
	}
	lone := flow.Record{
		Key:     flow.Key{SrcAddr: netip.MustParseAddr("192.0.2.9"), DstAddr: netip.MustParseAddr("10.0.0.7"), SrcPort: 53, DstPort: 5353, Proto: 17},
		Packets: 1, Bytes: 80, Start: start, End: start, OutputIf: 64001,
		Direction: flow.DirEgress, Biflow: flow.BiflowArbitrary, EndReason: flow.EndIdle,
	}
	pkts := encodeAll(t, export.EncoderConfig{Version: export.IPFIX, BootTime: start.Add(-time.Hour), Biflow: true}, []flow.Record{fwd, lone}, nil)
	got := collector.TsharkCflow(t, pkts, cflowPort, "cflow.srcaddr", "cflow.inputint", "cflow.outputint", "cflow.packets", "cflow.octets",
		"cflow.abstimestart", "cflow.direction", "cflow.biflow_direction", "cflow.flow_end_reason", "cflow.template_ipfix_field_pen")
	if len(got) != 1 {
		t.Fatalf("%d packets, want 1", len(got))
	}
	want := map[string][]string{
		"cflow.srcaddr":   {"10.0.0.1", "192.0.2.9"},
		"cflow.inputint":  {"64001", "0"},
		"cflow.outputint": {"0", "64001"},
		"cflow.packets":   {"12", "9", "1", "0"},
		"cflow.octets":    {"1234", "8765", "80", "0"},
		// The times reverse first (template.go: nfdump keeps the last).
		"cflow.abstimestart": {"Dec  6, 2026 01:02:03.009000000 UTC", "Dec  6, 2026 01:02:03.004000000 UTC",
			"Jan  1, 1970 00:00:00.000000000 UTC", "Dec  6, 2026 01:02:03.004000000 UTC"},
		"cflow.direction":        {"0", "1"},
		"cflow.biflow_direction": {"1", "0"},
		"cflow.flow_end_reason":  {"3", "1"},
		// Two templates (IPv4, IPv6), five reverse elements each.
		"cflow.template_ipfix_field_pen": repeat("29305", 10),
	}
	for f, w := range want {
		if g := got[0][f]; !reflect.DeepEqual(g, w) {
			t.Errorf("%s = %q, want %q", f, g, w)
		}
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// TestTsharkDecodesBGPNextHop: with bgp-nexthop, v9 and IPFIX records
// carry the destination route's BGP next hop (IE 18, IPv6 63).
func TestTsharkDecodesBGPNextHop(t *testing.T) {
	start := time.Date(2026, 12, 6, 1, 2, 3, 0, time.UTC)
	recs := []flow.Record{
		{Key: flow.Key{SrcAddr: netip.MustParseAddr("10.0.0.1"), DstAddr: netip.MustParseAddr("192.0.2.80"), Proto: 17, InputIf: 2},
			Packets: 1, Bytes: 100, Start: start, End: start, BGPNextHop: netip.MustParseAddr("198.51.100.1")},
		{Key: flow.Key{SrcAddr: netip.MustParseAddr("2001:db8::1"), DstAddr: netip.MustParseAddr("2001:db8:1::1"), Proto: 17, InputIf: 2},
			Packets: 1, Bytes: 100, Start: start, End: start, BGPNextHop: netip.MustParseAddr("2001:db8:ff::1")},
	}
	for _, v := range []export.Version{export.V9, export.IPFIX} {
		pkts := encodeAll(t, export.EncoderConfig{Version: v, BootTime: start.Add(-time.Hour), BGPNextHop: true}, recs, nil)
		got := collector.TsharkCflow(t, pkts, cflowPort, "cflow.bgpnexthop", "cflow.bgpnexthopv6")
		var v4, v6 []string
		for _, p := range got {
			v4 = append(v4, p["cflow.bgpnexthop"]...)
			v6 = append(v6, p["cflow.bgpnexthopv6"]...)
		}
		if !reflect.DeepEqual(v4, []string{"198.51.100.1"}) || !reflect.DeepEqual(v6, []string{"2001:db8:ff::1"}) {
			t.Errorf("%v: BGP next hops %q %q", v, v4, v6)
		}
	}
}

// TestTsharkDecodesQinQ: with ip flow-capture vlan-id, v9 and IPFIX carry
// both tags of a QinQ frame.
func TestTsharkDecodesQinQ(t *testing.T) {
	start := time.Date(2026, 12, 6, 1, 2, 3, 0, time.UTC)
	rec := flow.Record{Key: flow.Key{SrcAddr: netip.MustParseAddr("10.0.0.1"), DstAddr: netip.MustParseAddr("192.0.2.80"), Proto: 17, InputIf: 2},
		Packets: 1, Bytes: 100, Start: start, End: start, VLAN: 100, InnerVLAN: 200}
	for _, v := range []export.Version{export.V9, export.IPFIX} {
		pkts := encodeAll(t, export.EncoderConfig{Version: v, BootTime: start.Add(-time.Hour), Capture: export.CaptureVLAN}, []flow.Record{rec}, nil)
		got := collector.TsharkCflow(t, pkts, cflowPort, "cflow.vlanid", "cflow.dot1q_customer_vlan_id")
		if len(got) != 1 || !reflect.DeepEqual(got[0]["cflow.vlanid"], []string{"100"}) || !reflect.DeepEqual(got[0]["cflow.dot1q_customer_vlan_id"], []string{"200"}) {
			t.Errorf("%v: %v", v, got)
		}
	}
}

// TestTsharkDecodesTapVLANs: with a tap's directions, an ingress
// fibre's record carries its tags as vlanId and dot1qCustomerVlanId, an
// egress fibre's as postVlanId and postDot1qCustomerVlanId (RFC 7012:
// the egress interface's), the other pair 0.
func TestTsharkDecodesTapVLANs(t *testing.T) {
	start := time.Date(2026, 12, 6, 1, 2, 3, 0, time.UTC)
	in := flow.Record{Key: flow.Key{SrcAddr: netip.MustParseAddr("10.0.0.1"), DstAddr: netip.MustParseAddr("192.0.2.80"), Proto: 17, InputIf: 2},
		Packets: 1, Bytes: 100, Start: start, End: start, VLAN: 100, InnerVLAN: 200, Direction: flow.DirIngress}
	out := in
	out.SrcAddr, out.VLAN, out.InnerVLAN, out.Direction = netip.MustParseAddr("10.0.0.2"), 101, 201, flow.DirEgress
	for _, v := range []export.Version{export.V9, export.IPFIX} {
		pkts := encodeAll(t, export.EncoderConfig{Version: v, BootTime: start.Add(-time.Hour), Capture: export.CaptureVLAN, Direction: true}, []flow.Record{in, out}, nil)
		got := collector.TsharkCflow(t, pkts, cflowPort, "cflow.vlanid", "cflow.dot1q_customer_vlan_id", "cflow.post_vlanid", "cflow.post_dot1q_customer_vlan_id")
		want := []map[string][]string{{
			"cflow.vlanid": {"100", "0"}, "cflow.dot1q_customer_vlan_id": {"200", "0"},
			"cflow.post_vlanid": {"0", "101"}, "cflow.post_dot1q_customer_vlan_id": {"0", "201"},
		}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: %v, want %v", v, got, want)
		}
	}
}

// TestTsharkDecodesIPv6Capture: an IPv6 flow's ip flow-capture fields
// and labels in v9 and IPFIX as tshark reads them: the fragment header's
// 32-bit identification (IPFIX; v9's IPV4_IDENT keeps its low 16 bits),
// the offset, the length range, ICMPv6 type and code from the first
// packet (IPFIX icmpTypeCodeIPv6, v9 ICMP_TYPE), and two label positions.
func TestTsharkDecodesIPv6Capture(t *testing.T) {
	start := time.Date(2026, 12, 6, 1, 2, 3, 0, time.UTC)
	all := flow.CapIPID | flow.CapPacketLength | flow.CapICMP | flow.CapFragOffset | flow.CapMPLS
	rec := flow.Record{Key: flow.Key{SrcAddr: netip.MustParseAddr("2001:db8::1"), DstAddr: netip.MustParseAddr("ff02::1"), Proto: 58, InputIf: 2},
		Packets: 3, Bytes: 300, Start: start, End: start,
		Captured: flow.Captured{Fields: all, IPID: 0xdeadbeef, FragOffset: 10, FragSeen: true, ICMPTypeCode: 0x8700, MinLength: 72, MaxLength: 120,
			Labels: [3]uint32{16001<<12 | 5<<9 | 64, 24002<<12 | 1<<8 | 63}, Depth: 2}}
	capture := export.CaptureIPID | export.CapturePacketLength | export.CaptureICMP | export.CaptureFragmentOffset
	for _, c := range []struct {
		v     export.Version
		ident string
		icmp  []string // fields and their values
	}{
		{export.V9, "48879", []string{"cflow.icmp_type_code_ipv4", "0x8700"}},
		{export.IPFIX, "3735928559", []string{"cflow.icmp_ipv6_type", "135", "cflow.icmp_ipv6_code", "0"}},
	} {
		pkts := encodeAll(t, export.EncoderConfig{Version: c.v, BootTime: start.Add(-time.Hour), Capture: capture, MPLSLabels: 2}, []flow.Record{rec}, nil)
		fields := []string{"cflow.srcaddrv6", "cflow.frag_ident", "cflow.fragment_offset", "cflow.length_min", "cflow.length_max", "cflow.mpls_label", "cflow.mpls_exp", "cflow.mpls_bos"}
		for i := 0; i < len(c.icmp); i += 2 {
			fields = append(fields, c.icmp[i])
		}
		got := collector.TsharkCflow(t, pkts, cflowPort, fields...)
		want := map[string][]string{"cflow.srcaddrv6": {"2001:db8::1"}, "cflow.frag_ident": {c.ident}, "cflow.fragment_offset": {"10"},
			"cflow.length_min": {"72"}, "cflow.length_max": {"120"}, "cflow.mpls_label": {"16001", "24002"}, "cflow.mpls_exp": {"5", "0"}}
		for i := 0; i < len(c.icmp); i += 2 {
			want[c.icmp[i]] = []string{c.icmp[i+1]}
		}
		if len(got) != 1 {
			t.Fatalf("%v: %d packets decoded", c.v, len(got))
		}
		for f, w := range want {
			if !reflect.DeepEqual(got[0][f], w) {
				t.Errorf("%v: %s = %v, want %v", c.v, f, got[0][f], w)
			}
		}
		if b := got[0]["cflow.mpls_bos"]; len(b) != 2 || b[0] == b[1] {
			t.Errorf("%v: bottom of stack %v, want not set then set", c.v, b)
		}
	}
}
