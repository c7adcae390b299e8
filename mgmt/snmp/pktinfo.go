package snmp

import (
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// enablePktinfo asks the kernel for each datagram's destination address,
// which an extended access list may match and which a wildcard listener
// does not otherwise know.
func enablePktinfo(c *net.UDPConn) bool {
	rc, err := c.SyscallConn()
	if err != nil {
		return false
	}
	ok := false
	_ = rc.Control(func(fd uintptr) {
		if unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_PKTINFO, 1) == nil {
			ok = true
		}
		if unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_RECVPKTINFO, 1) == nil {
			ok = true
		}
	})
	return ok
}

// localAddr is the datagram's destination: from its packet info, else
// the socket's bound address.
func localAddr(c *net.UDPConn, oob []byte) netip.AddrPort {
	bound := netip.AddrPort{}
	if ua, ok := c.LocalAddr().(*net.UDPAddr); ok {
		bound = ua.AddrPort()
	}
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return bound
	}
	for _, m := range msgs {
		switch {
		case m.Header.Level == unix.IPPROTO_IP && m.Header.Type == unix.IP_PKTINFO && len(m.Data) >= unix.SizeofInet4Pktinfo:
			// struct in_pktinfo: ifindex, spec_dst, addr (the header's
			// destination).
			var a [4]byte
			copy(a[:], m.Data[8:12])
			return netip.AddrPortFrom(netip.AddrFrom4(a), bound.Port())
		case m.Header.Level == unix.IPPROTO_IPV6 && m.Header.Type == unix.IPV6_PKTINFO && len(m.Data) >= unix.SizeofInet6Pktinfo:
			var a [16]byte
			copy(a[:], m.Data[0:16])
			return netip.AddrPortFrom(netip.AddrFrom16(a).Unmap(), bound.Port())
		}
	}
	return bound
}

// replyFrom is the control message that makes a reply leave from to, the
// address the request was sent to, when the socket is bound to a
// wildcard address: else the kernel picks the route's preferred source,
// and a manager that asked a secondary address (or a firewall keeping
// state for it) gets the answer from another one and drops it. nil when
// the socket's own address serves.
func replyFrom(c *net.UDPConn, to netip.AddrPort) []byte {
	ua, ok := c.LocalAddr().(*net.UDPAddr)
	if !ok || !ua.IP.IsUnspecified() || !to.IsValid() || to.Addr().IsUnspecified() {
		return nil
	}
	a := to.Addr().Unmap()
	switch {
	case a.Is4():
		return unix.PktInfo4(&unix.Inet4Pktinfo{Spec_dst: a.As4()})
	case a.IsLinkLocalUnicast():
		// Bound to its link: the kernel's choice is that address.
		return nil
	}
	return unix.PktInfo6(&unix.Inet6Pktinfo{Addr: a.As16()})
}
