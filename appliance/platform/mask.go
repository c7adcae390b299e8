package platform

import (
	"fmt"
	"slices"

	"github.com/flowtap/flowtap/appliance/flow"
)

// Mask is a flow mask: which key fields a flow entry keeps.
type Mask uint8

// The six Catalyst masks (`mls flow ip KEYWORD`, vendor-behaviour.md 1.1:
// semantics SRC, keyword spelling RECALL) and the router's 7-tuple.
const (
	MaskSource                     Mask = iota + 1 // src IP
	MaskDestination                                // dst IP
	MaskDestinationSource                          // src, dst IP
	MaskInterfaceDestinationSource                 // src, dst IP, input ifIndex
	MaskFull                                       // src, dst IP, protocol, ports
	MaskInterfaceFull                              // full + input ifIndex
	MaskSevenTuple                                 // IOS/JunOS: full + ToS + input ifIndex
)

var maskKeywords = [...]string{
	MaskSource:                     "source",
	MaskDestination:                "destination",
	MaskDestinationSource:          "destination-source",
	MaskInterfaceDestinationSource: "interface-destination-source",
	MaskFull:                       "full",
	MaskInterfaceFull:              "interface-full",
	MaskSevenTuple:                 "7-tuple",
}

// String is the `mls flow ip` keyword; the router's mask has no keyword
// and prints as "7-tuple".
func (m Mask) String() string {
	if m > 0 && int(m) < len(maskKeywords) {
		return maskKeywords[m]
	}
	return fmt.Sprintf("Mask(%d)", m)
}

// MaskKeywords is the `mls flow ip` keywords of ms, in the alphabetical
// order IOS's help lists them.
func MaskKeywords(ms []Mask) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.String())
	}
	slices.Sort(out)
	return out
}

// ParseMask reads an `mls flow ip` keyword (or "7-tuple").
func ParseMask(s string) (Mask, error) {
	for m, k := range maskKeywords {
		if k == s && m > 0 {
			return Mask(m), nil
		}
	}
	return 0, fmt.Errorf("platform: flow mask %q: want source, destination, destination-source, "+
		"interface-destination-source, full, interface-full or 7-tuple", s)
}

// Field is a key field a mask can keep.
type Field uint8

const (
	FieldSrcAddr Field = 1 << iota
	FieldDstAddr
	FieldProto
	FieldPorts
	FieldToS
	FieldInputIf
)

// Fields lists what the mask keeps: the datapath builds its key masks
// from it, and Apply is the same rule over a flow.Key. ToS is a key only in the 7-tuple: "ToS
// is not a key in any PFC mask" (SRC, 1.1).
func (m Mask) Fields() Field {
	switch m {
	case MaskSource:
		return FieldSrcAddr
	case MaskDestination:
		return FieldDstAddr
	case MaskDestinationSource:
		return FieldSrcAddr | FieldDstAddr
	case MaskInterfaceDestinationSource:
		return FieldSrcAddr | FieldDstAddr | FieldInputIf
	case MaskFull:
		return FieldSrcAddr | FieldDstAddr | FieldProto | FieldPorts
	case MaskInterfaceFull:
		return FieldSrcAddr | FieldDstAddr | FieldProto | FieldPorts | FieldInputIf
	case MaskSevenTuple:
		return FieldSrcAddr | FieldDstAddr | FieldProto | FieldPorts | FieldToS | FieldInputIf
	}
	return 0
}

// Apply zeroes what the mask does not keep; flows whose keys then agree
// share one entry. A dropped address becomes the zero address of the
// key's family, so IPv4 and IPv6 flows never merge.
func (m Mask) Apply(k flow.Key) flow.Key {
	f := m.Fields()
	if f&FieldSrcAddr == 0 {
		k.SrcAddr = zeroOf(k.SrcAddr)
	}
	if f&FieldDstAddr == 0 {
		k.DstAddr = zeroOf(k.DstAddr)
	}
	if f&FieldProto == 0 {
		k.Proto = 0
	}
	if f&FieldPorts == 0 {
		k.SrcPort, k.DstPort = 0, 0
	}
	if f&FieldToS == 0 {
		k.ToS = 0
	}
	if f&FieldInputIf == 0 {
		k.InputIf = 0
	}
	return k
}
