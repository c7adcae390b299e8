package config

import "net/netip"

// The model's words for what the engines also name: the daemon's
// derivation (daemon.SettingsFrom) maps each to the engine's type, so the
// model and the grammars build without the engines.

// Capture is `ip flow-capture ttl|mac-addresses|vlan-id|ip-id|
// packet-length|icmp|fragment-offset|flow-label|fragment-flags|
// extension-headers`: fields added to the v9 and IPFIX
// templates (the last four recorded by the datapath only while asked).
type Capture uint16

const (
	CaptureTTL Capture = 1 << iota
	CaptureMAC
	CaptureVLAN
	CaptureIPID
	CapturePacketLength
	CaptureICMP
	CaptureFragmentOffset
	CaptureFlowLabel     // flowtap's `ip flow-capture flow-label`: the IPv6 flow label
	CaptureFragmentFlags // flowtap's `ip flow-capture fragment-flags`: DF and MF
	CaptureExtHeaders    // flowtap's `ip flow-capture extension-headers`: IPv6 extension headers seen

	CaptureAll = CaptureTTL | CaptureMAC | CaptureVLAN | CaptureIPID | CapturePacketLength | CaptureICMP | CaptureFragmentOffset | CaptureFlowLabel | CaptureFragmentFlags | CaptureExtHeaders
)

// TopPorts is `match {source|destination} port {N | min N | max N}`.
type TopPorts struct {
	Set      bool
	Min, Max uint16
}

// TopCounts is `match {byte-range|packet-range}`; Max 0 is no upper
// bound.
type TopCounts struct {
	Min, Max uint64
}

// TopTalkersMatch is the `ip flow-top-talkers` match criteria; zero
// fields match anything.
type TopTalkersMatch struct {
	ProtocolSet bool
	Protocol    uint8
	Src, Dst    netip.Prefix // `match source address A mask M`; invalid (zero) matches any
	SrcPort     TopPorts
	DstPort     TopPorts
	Bytes       TopCounts
	Packets     TopCounts
	ToS         TopToS
	// InputIf and OutputIf are `match input-interface|output-interface
	// IF`, by name; "" matches any.
	InputIf, OutputIf string
	NextHop           netip.Prefix // `match nexthop-address A mask M`
	SrcAS, DstAS      uint32       // `match source|destination as N`; 0 matches any
}

// TopToS is `match tos {N | dscp N | precedence N}`, kept as typed so it
// shows the same way.
type TopToS struct {
	Kind  TopToSKind
	Value uint8
}

// TopToSKind says which part of the ToS byte a TopToS compares.
type TopToSKind uint8

const (
	TopToSNone       TopToSKind = iota
	TopToSByte                  // tos <0-255>: the whole byte
	TopToSDSCP                  // tos dscp <0-63>: the top six bits
	TopToSPrecedence            // tos precedence <0-7>: the top three bits
)

// MaskValue is the bits of the ToS byte compared and their value.
func (t TopToS) MaskValue() (mask, value uint8) {
	switch t.Kind {
	case TopToSByte:
		return 0xff, t.Value
	case TopToSDSCP:
		return 0xfc, t.Value << 2
	case TopToSPrecedence:
		return 0xe0, t.Value << 5
	}
	return 0, 0
}
