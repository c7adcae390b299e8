// Package flow holds the user-space form of a metered flow: what the
// datapath harvests, the cache ages and the exporters encode.
package flow

import (
	"net/netip"
	"time"
)

// EndReason is why a flow left the cache. Values are IPFIX flowEndReason
// (IANA IE 136) codes so that the IPFIX exporter can write them as they are.
type EndReason uint8

const (
	EndIdle       EndReason = 1 // inactive timeout
	EndActive     EndReason = 2 // active timeout: the flow goes on in a new record
	EndOfFlow     EndReason = 3 // TCP FIN or RST seen
	EndForced     EndReason = 4 // operator purge, mask change, shutdown
	EndNoResource EndReason = 5 // emergency expiry while the cache was nearly full
)

func (r EndReason) String() string {
	switch r {
	case EndIdle:
		return "idle"
	case EndActive:
		return "active"
	case EndOfFlow:
		return "end-of-flow"
	case EndForced:
		return "forced"
	case EndNoResource:
		return "lack-of-resources"
	}
	return "unknown"
}

// Key is the IOS 7-tuple after the flow mask has zeroed what it does not
// keep. ICMP flows carry SrcPort 0 and DstPort type*256+code.
type Key struct {
	SrcAddr netip.Addr
	DstAddr netip.Addr
	SrcPort uint16
	DstPort uint16
	Proto   uint8
	ToS     uint8
	InputIf uint32
}

// Record is one exported flow.
type Record struct {
	Key

	Packets uint64
	Bytes   uint64 // sum of IP total length

	// Start and End are the first and last packet's wall-clock times,
	// millisecond precision.
	Start time.Time
	End   time.Time

	TCPFlags  uint8 // OR of all packets' flags
	MinTTL    uint8
	MaxTTL    uint8
	SrcMAC    [6]byte // first seen
	DstMAC    [6]byte
	VLAN      uint16 // outer 802.1Q/802.1ad VID, 0 if untagged
	InnerVLAN uint16

	OutputIf uint32
	NextHop  netip.Addr
	SrcAS    uint32
	DstAS    uint32
	SrcMask  uint8 // prefix length of the source route, 0 if unknown
	DstMask  uint8

	EndReason EndReason

	// SamplerID is the sampler that picked the flow's packets (a key
	// field in the datapath, so flows of two samplers never merge); 0 is
	// the global sampler or none.
	SamplerID uint16
}

// IsIPv6 reports whether the flow is an IPv6 flow (v5/v7/v8 cannot carry it).
func (r *Record) IsIPv6() bool { return r.SrcAddr.Is6() && !r.SrcAddr.Is4In6() }
