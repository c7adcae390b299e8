package datapath

import "fmt"

// FlowMask selects which key fields the datapath keeps; the others are
// zeroed before the flow lookup, so flows differing only in them merge.
type FlowMask int

const (
	// MaskIOS is the IOS traditional NetFlow key: the full 7-tuple.
	MaskIOS FlowMask = iota
	MaskSource
	MaskDestination
	MaskDestinationSource
	MaskInterfaceDestinationSource
	MaskFull // Catalyst full: addresses, protocol, ports; ToS is not a key on the PFC
	MaskInterfaceFull
)

var maskNames = [...]string{
	MaskIOS:                        "ios",
	MaskSource:                     "source",
	MaskDestination:                "destination",
	MaskDestinationSource:          "destination-source",
	MaskInterfaceDestinationSource: "interface-destination-source",
	MaskFull:                       "full",
	MaskInterfaceFull:              "interface-full",
}

func (m FlowMask) String() string {
	if m < 0 || int(m) >= len(maskNames) {
		return fmt.Sprintf("mask(%d)", int(m))
	}
	return maskNames[m]
}

// ParseFlowMask takes the `mls flow ip` keyword (or "ios").
func ParseFlowMask(s string) (FlowMask, error) {
	for i, n := range maskNames {
		if n == s {
			return FlowMask(i), nil
		}
	}
	return 0, fmt.Errorf("unknown flow mask %q: want one of %v", s, maskNames)
}

// keep says which key fields a mask keeps.
type keep struct{ src, dst, ports, proto, tos, ifindex bool }

func (m FlowMask) keeps() keep {
	switch m {
	case MaskSource:
		return keep{src: true}
	case MaskDestination:
		return keep{dst: true}
	case MaskDestinationSource:
		return keep{src: true, dst: true}
	case MaskInterfaceDestinationSource:
		return keep{src: true, dst: true, ifindex: true}
	case MaskFull:
		return keep{src: true, dst: true, ports: true, proto: true}
	case MaskInterfaceFull:
		return keep{src: true, dst: true, ports: true, proto: true, ifindex: true}
	}
	return keep{src: true, dst: true, ports: true, proto: true, tos: true, ifindex: true}
}

func ones(b bool) uint32 {
	if b {
		return 0xffffffff
	}
	return 0
}

// protoTosWord is the mask for the key's last word: proto (byte 0), ToS
// (byte 1); gen and pad are set after masking and stay zero here.
func (k keep) protoTosWord() uint32 {
	var w uint32
	if k.proto {
		w |= 0xff
	}
	if k.tos {
		w |= 0xff00
	}
	return w
}

// words4 is the AND-mask over struct flow_key4 as five 32-bit words.
func (m FlowMask) words4() [5]uint32 {
	k := m.keeps()
	return [5]uint32{ones(k.src), ones(k.dst), ones(k.ports), ones(k.ifindex), k.protoTosWord()}
}

// words6 is the AND-mask over struct flow_key6 as eleven 32-bit words.
func (m FlowMask) words6() [11]uint32 {
	k := m.keeps()
	s, d := ones(k.src), ones(k.dst)
	return [11]uint32{s, s, s, s, d, d, d, d, ones(k.ports), ones(k.ifindex), k.protoTosWord()}
}
