package config

import "net/netip"

// The model's words for what the engines also name: the daemon's
// derivation (daemon.SettingsFrom) maps each to the engine's type, so the
// model and the grammars build without the engines.

// Capture is `ip flow-capture ttl|mac-addresses|vlan-id|ip-id|
// packet-length|icmp|fragment-offset`: fields added to the v9 and IPFIX
// templates (the last four recorded by the datapath only while asked).
type Capture uint8

const (
	CaptureTTL Capture = 1 << iota
	CaptureMAC
	CaptureVLAN
	CaptureIPID
	CapturePacketLength
	CaptureICMP
	CaptureFragmentOffset

	CaptureAll = CaptureTTL | CaptureMAC | CaptureVLAN | CaptureIPID | CapturePacketLength | CaptureICMP | CaptureFragmentOffset
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
}
