package snmp

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// OID is an object identifier as its sub-identifiers. OIDs order
// lexicographically by numeric sub-identifier, never by their text: 1.3.6.1.10
// comes after 1.3.6.1.9.
type OID []uint32

// maxOIDLen is the SMI limit on sub-identifiers (RFC 2578 section 3.5).
const maxOIDLen = 128

// ParseOID reads dotted decimal, with or without a leading dot.
func ParseOID(s string) (OID, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), ".")
	if s == "" {
		return nil, errors.New("snmp: empty OID")
	}
	parts := strings.Split(s, ".")
	if len(parts) > maxOIDLen {
		return nil, fmt.Errorf("snmp: OID %q has %d sub-identifiers, at most %d allowed", s, len(parts), maxOIDLen)
	}
	o := make(OID, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("snmp: OID %q: sub-identifier %d %q is not a number in 0..4294967295", s, i+1, p)
		}
		o[i] = uint32(v)
	}
	return o, nil
}

// mustOID is for the package's own constant OIDs only.
func mustOID(s string) OID {
	o, err := ParseOID(s)
	if err != nil {
		panic(err)
	}
	return o
}

// String is dotted decimal without a leading dot, as net-snmp's -On prints
// it after the dot.
func (o OID) String() string {
	var b strings.Builder
	for i, v := range o {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.FormatUint(uint64(v), 10))
	}
	return b.String()
}

// Compare orders OIDs lexicographically by sub-identifier; a prefix sorts
// before its extensions.
func (o OID) Compare(p OID) int { return slices.Compare(o, p) }

// Equal reports whether both name the same object.
func (o OID) Equal(p OID) bool { return slices.Equal(o, p) }

// HasPrefix reports whether p is o or an ancestor of o.
func (o OID) HasPrefix(p OID) bool {
	return len(o) >= len(p) && slices.Equal(o[:len(p)], p)
}

// Append returns a new OID: o followed by subs. It never shares o's backing
// array, so package-level OIDs cannot be changed through the result.
func (o OID) Append(subs ...uint32) OID {
	r := make(OID, 0, len(o)+len(subs))
	return append(append(r, o...), subs...)
}

// successor is the smallest OID greater than o and every OID under it:
// the start of the next subtree. ok is false when no such OID exists (every
// sub-identifier is at its maximum).
func (o OID) successor() (OID, bool) {
	for i := len(o) - 1; i >= 0; i-- {
		if o[i] != ^uint32(0) {
			r := slices.Clone(o[:i+1])
			r[i]++
			return r, true
		}
	}
	return nil, false
}
