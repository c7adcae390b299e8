package snmp

import (
	"errors"
	"fmt"
)

// The message and PDU framing is read and written here rather than by
// gosnmp: gosnmp's header code is shaped for a manager (uint8 error-index
// and non-repeaters, unsigned request-id, a one-byte community length, no
// way to verify a USM digest at a known offset). gosnmp still encodes and
// decodes every variable binding; see varbind.go.

// BER tags used by the framing.
const (
	tagInteger     = 0x02
	tagOctetString = 0x04
	tagNull        = 0x05
	tagSequence    = 0x30
)

var errTruncated = errors.New("truncated BER element")

// readTLV splits the first element off b. Only the definite length forms
// are accepted (RFC 3417 section 8 forbids the indefinite one), and a
// length must fit what follows.
func readTLV(b []byte) (tag byte, content, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, errTruncated
	}
	tag = b[0]
	if tag&0x1f == 0x1f {
		return 0, nil, nil, fmt.Errorf("multi-byte tag %#x not used by SNMP", tag)
	}
	n, hdr := int(b[1]), 2
	switch {
	case n == 0x80:
		return 0, nil, nil, errors.New("indefinite length not allowed")
	case n > 0x80:
		k := n & 0x7f
		if k > 4 {
			return 0, nil, nil, fmt.Errorf("length of %d octets is too long", k)
		}
		if len(b) < 2+k {
			return 0, nil, nil, errTruncated
		}
		n = 0
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		hdr += k
	}
	if n > len(b)-hdr {
		return 0, nil, nil, errTruncated
	}
	return tag, b[hdr : hdr+n], b[hdr+n:], nil
}

// expectTLV is readTLV with a required tag.
func expectTLV(b []byte, want byte, what string) (content, rest []byte, err error) {
	tag, content, rest, err := readTLV(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	if tag != want {
		return nil, nil, fmt.Errorf("%s: tag %#x, want %#x", what, tag, want)
	}
	return content, rest, nil
}

// readInteger reads an INTEGER that must fit in 32 signed bits, as every
// integer in the SNMP framing does.
func readInteger(b []byte, what string) (int32, []byte, error) {
	c, rest, err := expectTLV(b, tagInteger, what)
	if err != nil {
		return 0, nil, err
	}
	v, err := decodeInt32(c)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", what, err)
	}
	return v, rest, nil
}

func decodeInt32(c []byte) (int32, error) {
	if len(c) == 0 || len(c) > 5 {
		return 0, fmt.Errorf("integer of %d octets", len(c))
	}
	v := int64(int8(c[0])) // sign-extend the first octet
	for _, x := range c[1:] {
		v = v<<8 | int64(x)
	}
	if v != int64(int32(v)) {
		return 0, errors.New("integer out of 32-bit range")
	}
	return int32(v), nil
}

// offsetIn is where sub starts inside whole; sub must be a subslice of
// whole that runs to whole's capacity end, as readTLV's results do.
func offsetIn(whole, sub []byte) int { return cap(whole) - cap(sub) }

func appendLength(dst []byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(dst, byte(n))
	case n <= 0xff:
		return append(dst, 0x81, byte(n))
	case n <= 0xffff:
		return append(dst, 0x82, byte(n>>8), byte(n))
	default:
		return append(dst, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
}

func appendTLV(dst []byte, tag byte, content []byte) []byte {
	dst = append(dst, tag)
	dst = appendLength(dst, len(content))
	return append(dst, content...)
}

// appendInteger writes v in the fewest octets (X.690 8.3.2).
func appendInteger(dst []byte, v int64) []byte {
	n := 1
	for x := v; x > 127 || x < -128; x >>= 8 {
		n++
	}
	dst = append(dst, tagInteger, byte(n))
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(8*i)))
	}
	return dst
}
