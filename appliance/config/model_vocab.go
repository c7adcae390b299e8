package config

import "net/netip"

// The model's words for what the engines also name: the daemon's
// derivation (daemon.SettingsFrom) maps each to the engine's type, so the
// model and the grammars build without the engines.

// ASMode is `ip flow-export version N origin-as|peer-as` (JunOS
// autonomous-system-type): which AS numbers the records carry.
type ASMode uint8

const (
	ASNone ASMode = iota
	ASOrigin
	ASPeer
)

func (m ASMode) String() string {
	switch m {
	case ASOrigin:
		return "origin-as"
	case ASPeer:
		return "peer-as"
	}
	return ""
}

// Capture is `ip flow-capture ttl|mac-addresses|vlan-id`: fields added
// to the v9 and IPFIX templates.
type Capture uint8

const (
	CaptureTTL Capture = 1 << iota
	CaptureMAC
	CaptureVLAN
)

// SortBy is the top talkers' `sort-by`; the values are the MIB's
// NfTopFlowsSortTypes (SNMP sets them as they are). 0 is not set.
type SortBy uint8

const (
	SortNone      SortBy = 1
	SortByPackets SortBy = 2
	SortByBytes   SortBy = 3
)

func (s SortBy) String() string {
	switch s {
	case SortByPackets:
		return "packets"
	case SortByBytes:
		return "bytes"
	}
	return "none"
}

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
