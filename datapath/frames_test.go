package datapath

import (
	"encoding/binary"
	"net/netip"
)

// Frame builders for the table-driven tests: each returns wire bytes, so a
// test shows exactly what the meter is given.

var (
	mac1 = []byte{0x02, 0, 0, 0, 0, 0x01}
	mac2 = []byte{0x02, 0, 0, 0, 0, 0x02}
	v4a  = netip.MustParseAddr("192.0.2.1")
	v4b  = netip.MustParseAddr("198.51.100.7")
	v6a  = netip.MustParseAddr("2001:db8::1")
	v6b  = netip.MustParseAddr("2001:db8:1::99")
)

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

func ethHdr(etype uint16) []byte { return cat(mac2, mac1, be16(etype)) }

func vlanTag(vid, etype uint16) []byte { return cat(be16(vid), be16(etype)) }

func mplsLabel(label uint32, bos bool) []byte {
	w := label << 12
	if bos {
		w |= 1 << 8
	}
	w |= 64 // TTL
	return binary.BigEndian.AppendUint32(nil, w)
}

type ip4 struct {
	src, dst netip.Addr
	proto    uint8
	tos      uint8
	ttl      uint8
	id       uint16
	fragOff  uint16 // in 8-byte units
	more     bool
	options  []byte // multiple of 4
}

func (h ip4) bytes(payload []byte) []byte {
	ihl := 20 + len(h.options)
	b := make([]byte, 20)
	b[0] = 0x40 | byte(ihl/4)
	b[1] = h.tos
	binary.BigEndian.PutUint16(b[2:], uint16(ihl+len(payload)))
	ff := h.fragOff
	if h.more {
		ff |= 0x2000
	}
	binary.BigEndian.PutUint16(b[4:], h.id)
	binary.BigEndian.PutUint16(b[6:], ff)
	b[8] = h.ttl
	if b[8] == 0 {
		b[8] = 64
	}
	b[9] = h.proto
	s, d := h.src.As4(), h.dst.As4()
	copy(b[12:], s[:])
	copy(b[16:], d[:])
	return cat(b, h.options, payload)
}

type ip6 struct {
	src, dst netip.Addr
	nh       uint8
	tc       uint8
	hop      uint8
}

func (h ip6) bytes(payload []byte) []byte {
	b := make([]byte, 40)
	b[0] = 0x60 | h.tc>>4
	b[1] = h.tc << 4
	binary.BigEndian.PutUint16(b[4:], uint16(len(payload)))
	b[6] = h.nh
	b[7] = h.hop
	if b[7] == 0 {
		b[7] = 64
	}
	s, d := h.src.As16(), h.dst.As16()
	copy(b[8:], s[:])
	copy(b[24:], d[:])
	return cat(b, payload)
}

// ext6 is a generic IPv6 extension header of 8*(1+units) bytes.
func ext6(nh uint8, units uint8) []byte {
	b := make([]byte, 8*(int(units)+1))
	b[0] = nh
	b[1] = units
	return b
}

func frag6(nh uint8, offset uint16, more bool) []byte {
	b := make([]byte, 8)
	b[0] = nh
	v := offset << 3
	if more {
		v |= 1
	}
	binary.BigEndian.PutUint16(b[2:], v)
	return b
}

func tcpHdr(sport, dport uint16, flags uint8) []byte {
	b := make([]byte, 20)
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	b[12] = 5 << 4
	b[13] = flags
	return b
}

func udpHdr(sport, dport uint16, payload int) []byte {
	b := make([]byte, 8+payload)
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint16(b[4:], uint16(8+payload))
	return b
}

func icmpHdr(typ, code uint8) []byte { return []byte{typ, code, 0, 0, 0, 1, 0, 1} }

const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpRST = 0x04
	tcpPSH = 0x08
	tcpACK = 0x10
)

func netipFrom4(b [4]byte) netip.Addr { return netip.AddrFrom4(b) }
