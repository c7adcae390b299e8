package platform

import "net/netip"

func zeroOf(a netip.Addr) netip.Addr {
	switch {
	case a.Is4():
		return netip.IPv4Unspecified()
	case a.Is6():
		return netip.IPv6Unspecified()
	}
	return a
}
