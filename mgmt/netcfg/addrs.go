package netcfg

import (
	"fmt"
	"net"
	"net/netip"
)

// HostHas says whether a is one of this host's addresses.
func HostHas(a netip.Addr) (bool, error) {
	if !a.IsValid() {
		return false, nil
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false, fmt.Errorf("read the host's addresses: %w", err)
	}
	for _, x := range addrs {
		if p, err := netip.ParsePrefix(x.String()); err == nil && p.Addr().Unmap() == a.Unmap() {
			return true, nil
		}
	}
	return false, nil
}

// SourceGone returns the source address of c, a connected UDP socket,
// and whether this host no longer has it: such a socket keeps the source
// it was connected with for good (DHCP leased the port another address,
// an operator renumbered it), and every send from it fails until it is
// opened again. A socket bound to no address, or a host whose addresses
// cannot be read, is not gone: nothing is reopened on a guess.
func SourceGone(c *net.UDPConn) (netip.Addr, bool) {
	a, ok := c.LocalAddr().(*net.UDPAddr)
	if !ok {
		return netip.Addr{}, false
	}
	l := a.AddrPort().Addr().Unmap().WithZone("")
	if !l.IsValid() || l.IsUnspecified() {
		return l, false
	}
	has, err := HostHas(l)
	return l, err == nil && !has
}
