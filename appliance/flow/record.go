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
	// BGPNextHop is the destination route's BGP next hop (package asmap),
	// exported with `bgp-nexthop`.
	BGPNextHop netip.Addr
	SrcAS      uint32
	DstAS      uint32
	SrcMask    uint8 // prefix length of the source route, 0 if unknown
	DstMask    uint8

	EndReason EndReason

	// SamplerID is the sampler that picked the flow's packets (a key
	// field in the datapath, so flows of two samplers never merge); 0 is
	// the global sampler or none.
	SamplerID uint16

	// Direction is set when the port is a fibre of a tap (see package
	// tap): which way the traffic crossed the tapped link.
	Direction Direction
	// Biflow and Reverse are set on a biflow (RFC 5103): the record's own
	// counters are the forward direction's, Reverse the other one's.
	Biflow  BiflowDirection
	Reverse Reverse

	// Captured holds what `ip flow-capture` and the MPLS label positions
	// added to the flow in the datapath; zero when capture was off.
	Captured Captured

	// SpoolSeq is the record's number in the export spool (package
	// spool), 0 when it was not spooled: the exporters mark a destination
	// sent up to it once the packet carrying it is written. Replayed says
	// the record comes from the spool of a daemon that did not stop in
	// order, and was taken from the table but not sent by it.
	SpoolSeq uint64
	Replayed bool
	// CacheSeq is the record's number in its cache's export ledger
	// (export.Ledger), 0 when none numbered it: each destination settles
	// it there once, so the cache counts the flow once however many
	// destinations it has.
	CacheSeq uint64
}

// CaptureFields says which of a Captured's values the datapath recorded
// (the capture settings in force when the flow's first packet came).
type CaptureFields uint8

const (
	CapIPID         CaptureFields = 1 << iota // IPID: IE 54
	CapPacketLength                           // MinLength, MaxLength: IEs 25, 26
	CapICMP                                   // ICMPTypeCode: IE 32 (139 for IPv6)
	CapFragOffset                             // FragOffset: IE 88
	CapMPLS                                   // Labels: IEs 70-72
	CapFlowLabel                              // FlowLabel: IE 31
	CapFragFlags                              // FragFlags: IE 197
	CapExt6                                   // Ext6: IE 64
)

// MaxLabels is how many label stack entries a record carries (IOS's
// three label positions).
const MaxLabels = 3

// Captured is a flow's `ip flow-capture` extras.
type Captured struct {
	Fields CaptureFields
	// IPID is the first packet's IPv4 identification (or its IPv6
	// fragment header's identification).
	IPID uint32
	// FragOffset is the 13-bit fragment offset field (8-octet units) of
	// the flow's first fragment; FragSeen says there was one.
	FragOffset uint16
	FragSeen   bool
	// ICMPTypeCode is the first packet's ICMP type << 8 | code, whatever
	// the flow mask kept of the ports.
	ICMPTypeCode uint16
	MinLength    uint16 // IP total length, saturated at 65535
	MaxLength    uint16
	// Labels are the label stack entries (label << 12 | EXP << 9 | S << 8
	// | TTL, as on the wire) at the configured positions, 0 where the
	// first packet had no label there; Depth is its stack's depth.
	Labels [MaxLabels]uint32
	Depth  uint8
	// FragFlags is the OR of the packets' fragment flags as IPFIX's
	// fragmentFlags lays them out: 0x40 DF, 0x20 MF (an IPv6 fragment
	// header's M), 0x80 the IPv4 reserved bit.
	FragFlags uint8
	// Ext6 is the OR of the IPv6 extension headers the flow's packets
	// carried, as IPFIX's ipv6ExtensionHeaders (IE 64) lays them out:
	// bit 0 (the most significant) destination options, 1 hop-by-hop,
	// 4 a first fragment's fragment header, 5 routing, 6 a later
	// fragment's, 12 mobility, 13 ESP, 14 AH, 15 IPComp; 0 for IPv4.
	Ext6 uint32
	// FlowLabel is the first packet's IPv6 flow label (20 bits); 0 for
	// IPv4.
	FlowLabel uint32
}

// Label, EXP and BottomOfStack split a label stack entry.
func Label(entry uint32) uint32       { return entry >> 12 }
func EXP(entry uint32) uint8          { return uint8(entry>>9) & 7 }
func BottomOfStack(entry uint32) bool { return entry&0x100 != 0 }

// Direction is IPFIX flowDirection (IE 61) plus one: zero means unknown,
// so that records from ports that are not tap fibres say nothing.
type Direction uint8

const (
	DirUnknown Direction = iota
	DirIngress           // fibre A: into the link's interface
	DirEgress            // fibre B: out of it
)

// IE is the flowDirection value; ok is false when unknown.
func (d Direction) IE() (v uint8, ok bool) {
	if d == DirUnknown {
		return 0, false
	}
	return uint8(d - 1), true
}

// BiflowDirection is IPFIX biflowDirection (IE 239, RFC 5103 section 6.3).
type BiflowDirection uint8

const (
	BiflowNone BiflowDirection = iota // not a biflow
	// BiflowArbitrary: both sides started in the same datapath tick and
	// no lone SYN told them apart (package biflow says who leads then).
	BiflowArbitrary
	BiflowInitiator // the forward (source) side sent the first packet
)

// IE is the biflowDirection value: 0 arbitrary, 1 initiator.
func (b BiflowDirection) IE() uint8 {
	if b == BiflowInitiator {
		return 1
	}
	return 0
}

// Reverse is the reverse direction of a biflow: the counters of the flow
// whose source is the forward record's destination.
type Reverse struct {
	Packets  uint64
	Bytes    uint64
	Start    time.Time
	End      time.Time
	TCPFlags uint8
	MinTTL   uint8
	MaxTTL   uint8
	// CacheSeq is the reverse direction's Record.CacheSeq: a biflow is
	// two flows, each settled in the ledger.
	CacheSeq uint64
}

// IsIPv6 reports whether the flow is an IPv6 flow (v5/v7/v8 cannot carry it).
func (r *Record) IsIPv6() bool { return r.SrcAddr.Is6() && !r.SrcAddr.Is4In6() }
