package datapath

import "github.com/flowtap/flowtap/appliance/platform"

// The flow mask is platform.Mask, the one spelling the grammars, the
// validator and SNMP use too. Here it becomes the AND-masks over the BPF
// flow keys: the fields it does not keep are zeroed before the lookup, so
// flows that differ only in them merge.

// keep says which key fields a mask keeps, in the key's terms.
type keep struct{ src, dst, ports, proto, tos, ifindex bool }

func keeps(m platform.Mask) keep {
	f := m.Fields()
	return keep{
		src:     f&platform.FieldSrcAddr != 0,
		dst:     f&platform.FieldDstAddr != 0,
		ports:   f&platform.FieldPorts != 0,
		proto:   f&platform.FieldProto != 0,
		tos:     f&platform.FieldToS != 0,
		ifindex: f&platform.FieldInputIf != 0,
	}
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
func words4(m platform.Mask) [5]uint32 {
	k := keeps(m)
	return [5]uint32{ones(k.src), ones(k.dst), ones(k.ports), ones(k.ifindex), k.protoTosWord()}
}

// words6 is the AND-mask over struct flow_key6 as eleven 32-bit words.
func words6(m platform.Mask) [11]uint32 {
	k := keeps(m)
	s, d := ones(k.src), ones(k.dst)
	return [11]uint32{s, s, s, s, d, d, d, d, ones(k.ports), ones(k.ifindex), k.protoTosWord()}
}
