package snmp

import "net/netip"

// INET-ADDRESS-MIB InetAddressType values.
const (
	inetUnknown = 0
	inetIPv4    = 1
	inetIPv6    = 2
)

// inetAddress splits an address into InetAddressType and InetAddress.
func inetAddress(a netip.Addr) (int32, []byte) {
	switch {
	case !a.IsValid():
		return inetUnknown, []byte{}
	case a.Is4() || a.Is4In6():
		b := a.Unmap().As4()
		return inetIPv4, b[:]
	}
	b := a.As16()
	return inetIPv6, b[:]
}

// inetIndex is an (InetAddressType, InetAddress) pair as an index: the
// address is not IMPLIED, so its length comes first (RFC 2578 7.7).
func inetIndex(a netip.Addr) OID {
	typ, b := inetAddress(a)
	o := OID{uint32(typ), uint32(len(b))}
	for _, c := range b {
		o = append(o, uint32(c))
	}
	return o
}

// parseInetIndex reads inetIndex's form back; rest is what follows.
func parseInetIndex(o OID) (netip.Addr, OID, bool) {
	if len(o) < 2 {
		return netip.Addr{}, nil, false
	}
	typ, n := o[0], o[1]
	want := map[uint32]uint32{inetIPv4: 4, inetIPv6: 16}[typ]
	if want == 0 || n != want || uint32(len(o)-2) < n {
		return netip.Addr{}, nil, false
	}
	b := make([]byte, n)
	for i := range b {
		if o[2+i] > 255 {
			return netip.Addr{}, nil, false
		}
		b[i] = byte(o[2+i])
	}
	a, _ := netip.AddrFromSlice(b)
	return a, o[2+n:], true
}
