package export

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// dialCollector opens a connected UDP socket to the collector. Connected,
// because then the kernel reports ICMP port unreachable as ECONNREFUSED on
// the next send and a dead collector shows up in the error counter.
//
// For a multicast collector ttl sets IP_MULTICAST_TTL (IPv6: hop limit);
// for unicast, IP_TTL. 0 leaves the kernel default (1 for multicast). With
// a source address set, Linux also sends multicast out of the interface
// that owns it.
func dialCollector(collector, source netip.AddrPort, ttl int) (*net.UDPConn, error) {
	collector = netip.AddrPortFrom(collector.Addr().Unmap(), collector.Port())
	var laddr *net.UDPAddr
	if source.Addr().IsValid() || source.Port() != 0 {
		laddr = net.UDPAddrFromAddrPort(netip.AddrPortFrom(source.Addr().Unmap(), source.Port()))
		if !source.Addr().IsValid() {
			laddr.IP = nil
		}
	}
	conn, err := net.DialUDP("udp", laddr, net.UDPAddrFromAddrPort(collector))
	if err != nil {
		return nil, fmt.Errorf("dial collector %s: %w", collector, err)
	}
	if err := setRecvErr(conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("collector %s: %w", collector, err)
	}
	if collector.Addr().Is4() {
		// No DF bit: a hop with a smaller MTU on the way fragments the
		// packet instead of dropping it with "fragmentation needed" (the
		// kernel's default sets DF, and such a drop lost a packet each
		// time the learnt path MTU expired). IPv6 has no such choice:
		// its routers never fragment.
		if err := sockControl(conn, func(fd int) error {
			return unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, unix.IP_PMTUDISC_DONT)
		}); err != nil {
			conn.Close()
			return nil, fmt.Errorf("collector %s: set IP_MTU_DISCOVER: %w", collector, err)
		}
	}
	if ttl > 0 {
		if err := setTTL(conn, collector.Addr(), ttl); err != nil {
			conn.Close()
			return nil, fmt.Errorf("collector %s: %w", collector, err)
		}
	}
	return conn, nil
}

// setTxStamps asks the kernel to report, on the socket's error queue,
// when each packet sent reaches the outgoing device's queue
// (SOF_TIMESTAMPING_TX_SCHED, the stamp only: OPT_TSONLY). A packet to a
// next hop whose link-layer address is not yet known waits in the
// neighbour table instead, and is dropped without a word to the socket
// when the table's queue overflows; one whose ARP or neighbour discovery
// fails is answered with a local ICMP host unreachable only after seconds.
// Neither shows up within ConfirmAfter, so without the stamp such packets
// would count as exported. false: the kernel cannot stamp, and packets
// count as queued as soon as the send returns.
func setTxStamps(conn *net.UDPConn) bool {
	err := sockControl(conn, func(fd int) error {
		return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPING,
			unix.SOF_TIMESTAMPING_TX_SCHED|unix.SOF_TIMESTAMPING_SOFTWARE|unix.SOF_TIMESTAMPING_OPT_TSONLY)
	})
	return err == nil
}

// pathPayload is the largest UDP payload the connected socket's route
// carries without fragmenting: its MTU (IP_MTU, IPV6_MTU: the interface's,
// or a smaller one learnt from the path) less the IP and UDP headers; 0
// when the socket does not say.
func pathPayload(conn *net.UDPConn, collector netip.Addr) int {
	level, opt, hdr := unix.IPPROTO_IP, unix.IP_MTU, 20+8
	if !collector.Unmap().Is4() {
		level, opt, hdr = unix.IPPROTO_IPV6, unix.IPV6_MTU, 40+8
	}
	var mtu int
	if err := sockControl(conn, func(fd int) error {
		v, err := unix.GetsockoptInt(fd, level, opt)
		mtu = v
		return err
	}); err != nil || mtu <= hdr {
		return 0
	}
	return mtu - hdr
}

// setRecvErr turns on IP_RECVERR (IPV6_RECVERR on an IPv6 socket): each
// ICMP error is queued on the socket with the start of the packet it
// refused, so the sender knows which packet a dead collector lost.
func setRecvErr(conn *net.UDPConn) error {
	return sockControl(conn, func(fd int) error {
		domain, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
		if err != nil {
			return fmt.Errorf("get SO_DOMAIN: %w", err)
		}
		if domain == unix.AF_INET6 {
			if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_RECVERR, 1); err != nil {
				return fmt.Errorf("set IPV6_RECVERR: %w", err)
			}
			// A v4-mapped peer on a dual-stack socket reports through
			// the IPv4 option; not every kernel allows it there.
			unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_RECVERR, 1)
			return nil
		}
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_RECVERR, 1); err != nil {
			return fmt.Errorf("set IP_RECVERR: %w", err)
		}
		return nil
	})
}

func ttlOption(dst netip.Addr) (level, opt int, name string) {
	switch {
	case dst.Is4() && dst.IsMulticast():
		return unix.IPPROTO_IP, unix.IP_MULTICAST_TTL, "IP_MULTICAST_TTL"
	case dst.Is4():
		return unix.IPPROTO_IP, unix.IP_TTL, "IP_TTL"
	case dst.IsMulticast():
		return unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS"
	default:
		return unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS"
	}
}

func setTTL(conn *net.UDPConn, dst netip.Addr, ttl int) error {
	if ttl > 255 {
		return fmt.Errorf("ttl %d: want 1..255", ttl)
	}
	level, opt, name := ttlOption(dst)
	return sockControl(conn, func(fd int) error {
		if err := unix.SetsockoptInt(fd, level, opt, ttl); err != nil {
			return fmt.Errorf("set %s %d: %w", name, ttl, err)
		}
		return nil
	})
}

// socketTTL reads back the option setTTL sets.
func socketTTL(conn *net.UDPConn, dst netip.Addr) (int, error) {
	level, opt, name := ttlOption(dst.Unmap())
	var ttl int
	err := sockControl(conn, func(fd int) error {
		v, err := unix.GetsockoptInt(fd, level, opt)
		if err != nil {
			return fmt.Errorf("get %s: %w", name, err)
		}
		ttl = v
		return nil
	})
	return ttl, err
}

func sockControl(conn syscall.Conn, fn func(fd int) error) error {
	rc, err := conn.SyscallConn()
	if err != nil {
		return fmt.Errorf("raw socket: %w", err)
	}
	var opErr error
	if err := rc.Control(func(fd uintptr) { opErr = fn(int(fd)) }); err != nil {
		return fmt.Errorf("raw socket: %w", err)
	}
	return opErr
}
