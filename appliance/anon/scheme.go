package anon

import (
	"fmt"
	"net/netip"
)

// Scheme is what one export destination gets instead of real addresses.
// The zero Scheme keeps them.
type Scheme struct {
	// Prefix4 and Prefix6 truncate: the bits past them are zeroed.
	// 0 keeps the address whole (a zero-length prefix is never useful).
	Prefix4, Prefix6 int
	// PAn, when set, pseudonymises before any truncation, so that a
	// truncated export of a pseudonymised address is still a prefix of
	// the untruncated one.
	PAn *CryptoPAn
}

// Active reports whether the scheme changes anything.
func (s Scheme) Active() bool { return s.Prefix4 != 0 || s.Prefix6 != 0 || s.PAn != nil }

// Addr rewrites one address.
func (s Scheme) Addr(a netip.Addr) netip.Addr {
	if !a.IsValid() || a.IsUnspecified() {
		return a
	}
	if s.PAn != nil {
		a = s.PAn.Anonymize(a)
	}
	bits := s.Prefix6
	if a.Is4() || a.Is4In6() {
		bits = s.Prefix4
	}
	if bits == 0 || bits >= a.BitLen() {
		return a
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return a
	}
	return p.Addr()
}

// String says what a destination gets, for `show ip flow export`.
func (s Scheme) String() string {
	if !s.Active() {
		return "real addresses"
	}
	out := ""
	if s.PAn != nil {
		out = "prefix-preserving (Crypto-PAn)"
	}
	add := func(w string) {
		if out != "" {
			out += ", "
		}
		out += w
	}
	if s.Prefix4 != 0 {
		add(fmt.Sprintf("IPv4 truncated to /%d", s.Prefix4))
	}
	if s.Prefix6 != 0 {
		add(fmt.Sprintf("IPv6 truncated to /%d", s.Prefix6))
	}
	return out
}
