// Package rtnl sets links up, adds and removes addresses and routes through
// rtnetlink, with nothing but golang.org/x/sys/unix: the few requests the
// image's init needs before the daemon takes over the interfaces.
package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Conn is a NETLINK_ROUTE socket.
type Conn struct {
	fd  int
	seq atomic.Uint32
}

// Dial opens a NETLINK_ROUTE socket.
func Dial() (*Conn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("rtnetlink socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("rtnetlink bind: %w", err)
	}
	return &Conn{fd: fd}, nil
}

// Close closes the socket.
func (c *Conn) Close() error { return unix.Close(c.fd) }

// SetUp sets a link administratively up.
func (c *Conn) SetUp(index int) error {
	msg := make([]byte, unix.SizeofIfInfomsg)
	msg[0] = unix.AF_UNSPEC
	binary.NativeEndian.PutUint32(msg[4:], uint32(index))
	binary.NativeEndian.PutUint32(msg[8:], unix.IFF_UP)  // flags
	binary.NativeEndian.PutUint32(msg[12:], unix.IFF_UP) // change mask
	if err := c.request(unix.RTM_NEWLINK, 0, msg); err != nil {
		return fmt.Errorf("set link %d up: %w", index, err)
	}
	return nil
}

// AddAddr adds an address with its prefix length to a link; one already
// there is no error.
func (c *Conn) AddAddr(index int, p netip.Prefix) error {
	return c.AddAddrLifetime(index, p, 0)
}

// AddAddrLifetime is AddAddr with a valid lifetime (whole seconds, 0 for
// forever): the kernel removes the address itself when it runs out, even
// if whoever added it is no longer there to. Adding it again replaces the
// lifetime.
func (c *Conn) AddAddrLifetime(index int, p netip.Prefix, valid time.Duration) error {
	msg := addrMsg(index, p)
	if valid > 0 {
		secs := uint32(min(valid/time.Second, 0xfffffffe))
		ci := make([]byte, 16) // struct ifa_cacheinfo: preferred, valid, cstamp, tstamp
		binary.NativeEndian.PutUint32(ci[0:], secs)
		binary.NativeEndian.PutUint32(ci[4:], secs)
		msg = attr(msg, unix.IFA_CACHEINFO, ci)
	}
	if err := c.request(unix.RTM_NEWADDR, unix.NLM_F_CREATE|unix.NLM_F_REPLACE, msg); err != nil {
		return fmt.Errorf("add address %s to link %d: %w", p, index, err)
	}
	return nil
}

// DelAddr removes an address from a link (with the prefix route the
// kernel made for it).
func (c *Conn) DelAddr(index int, p netip.Prefix) error {
	if err := c.request(unix.RTM_DELADDR, 0, addrMsg(index, p)); err != nil {
		return fmt.Errorf("remove address %s from link %d: %w", p, index, err)
	}
	return nil
}

func addrMsg(index int, p netip.Prefix) []byte {
	fam, addr := family(p.Addr())
	msg := make([]byte, unix.SizeofIfAddrmsg)
	msg[0] = fam
	msg[1] = byte(p.Bits())
	msg[3] = unix.RT_SCOPE_UNIVERSE
	binary.NativeEndian.PutUint32(msg[4:], uint32(index))
	msg = attr(msg, unix.IFA_LOCAL, addr)
	return attr(msg, unix.IFA_ADDRESS, addr)
}

// AddDefaultRoute routes everything of gw's family through gw on a link.
func (c *Conn) AddDefaultRoute(index int, gw netip.Addr) error {
	if err := c.request(unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_REPLACE, defaultRouteMsg(index, gw)); err != nil {
		return fmt.Errorf("add default route via %s on link %d: %w", gw, index, err)
	}
	return nil
}

// DelDefaultRoute removes the default route through gw on a link.
func (c *Conn) DelDefaultRoute(index int, gw netip.Addr) error {
	if err := c.request(unix.RTM_DELROUTE, 0, defaultRouteMsg(index, gw)); err != nil {
		return fmt.Errorf("remove default route via %s on link %d: %w", gw, index, err)
	}
	return nil
}

// AddRoute adds (or replaces) the route to dst through gw on a link; a
// dst of length 0 is the default route.
func (c *Conn) AddRoute(index int, dst netip.Prefix, gw netip.Addr) error {
	if err := c.request(unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_REPLACE, routeMsg(index, dst, gw)); err != nil {
		return fmt.Errorf("add route to %s via %s on link %d: %w", dst, gw, index, err)
	}
	return nil
}

// DelRoute removes the route to dst through gw on a link.
func (c *Conn) DelRoute(index int, dst netip.Prefix, gw netip.Addr) error {
	if err := c.request(unix.RTM_DELROUTE, 0, routeMsg(index, dst, gw)); err != nil {
		return fmt.Errorf("remove route to %s via %s on link %d: %w", dst, gw, index, err)
	}
	return nil
}

// routeMsg is a main-table route to dst via gw out of a link; a gw that
// is not valid (or unspecified, RFC 3442's "on the link") makes it a
// link-scope route without a gateway.
func routeMsg(index int, dst netip.Prefix, gw netip.Addr) []byte {
	fam, _ := family(dst.Addr())
	msg := make([]byte, unix.SizeofRtMsg)
	msg[0] = fam
	msg[1] = byte(dst.Bits())
	msg[4] = unix.RT_TABLE_MAIN
	msg[5] = unix.RTPROT_BOOT
	msg[6] = unix.RT_SCOPE_UNIVERSE
	msg[7] = unix.RTN_UNICAST
	if dst.Bits() > 0 {
		_, d := family(dst.Masked().Addr())
		msg = attr(msg, unix.RTA_DST, d)
	}
	if gw.IsValid() && !gw.IsUnspecified() {
		_, g := family(gw)
		msg = attr(msg, unix.RTA_GATEWAY, g)
	} else {
		msg[6] = unix.RT_SCOPE_LINK
	}
	oif := make([]byte, 4)
	binary.NativeEndian.PutUint32(oif, uint32(index))
	return attr(msg, unix.RTA_OIF, oif)
}

func defaultRouteMsg(index int, gw netip.Addr) []byte {
	fam, addr := family(gw)
	msg := make([]byte, unix.SizeofRtMsg)
	msg[0] = fam
	msg[4] = unix.RT_TABLE_MAIN
	msg[5] = unix.RTPROT_BOOT
	msg[6] = unix.RT_SCOPE_UNIVERSE
	msg[7] = unix.RTN_UNICAST
	msg = attr(msg, unix.RTA_GATEWAY, addr)
	oif := make([]byte, 4)
	binary.NativeEndian.PutUint32(oif, uint32(index))
	return attr(msg, unix.RTA_OIF, oif)
}

func family(a netip.Addr) (byte, []byte) {
	if a.Is4() {
		b := a.As4()
		return unix.AF_INET, b[:]
	}
	b := a.As16()
	return unix.AF_INET6, b[:]
}

// attr appends a route attribute, padded to 4 bytes.
func attr(b []byte, typ uint16, data []byte) []byte {
	l := unix.SizeofRtAttr + len(data)
	h := make([]byte, unix.SizeofRtAttr)
	binary.NativeEndian.PutUint16(h[0:], uint16(l))
	binary.NativeEndian.PutUint16(h[2:], typ)
	b = append(b, h...)
	b = append(b, data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// request sends one message asking for an acknowledgement and waits for it.
func (c *Conn) request(typ uint16, flags uint16, body []byte) error {
	seq := c.seq.Add(1)
	msg := make([]byte, unix.SizeofNlMsghdr, unix.SizeofNlMsghdr+len(body))
	binary.NativeEndian.PutUint32(msg[0:], uint32(unix.SizeofNlMsghdr+len(body)))
	binary.NativeEndian.PutUint16(msg[4:], typ)
	binary.NativeEndian.PutUint16(msg[6:], unix.NLM_F_REQUEST|unix.NLM_F_ACK|flags)
	binary.NativeEndian.PutUint32(msg[8:], seq)
	msg = append(msg, body...)
	if err := unix.Sendto(c.fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("netlink send: %w", err)
	}
	buf := make([]byte, 8192)
	for {
		n, _, err := unix.Recvfrom(c.fd, buf, 0)
		if err != nil {
			return fmt.Errorf("netlink receive: %w", err)
		}
		for b := buf[:n]; len(b) >= unix.SizeofNlMsghdr; {
			l := int(binary.NativeEndian.Uint32(b[0:]))
			if l < unix.SizeofNlMsghdr || l > len(b) {
				return errors.New("netlink: malformed reply")
			}
			mtyp := binary.NativeEndian.Uint16(b[4:])
			mseq := binary.NativeEndian.Uint32(b[8:])
			data := b[unix.SizeofNlMsghdr:l]
			b = b[min((l+3)&^3, len(b)):]
			if mseq != seq || mtyp != unix.NLMSG_ERROR {
				continue
			}
			if len(data) < 4 {
				return errors.New("netlink: short error message")
			}
			if code := int32(binary.NativeEndian.Uint32(data[:4])); code != 0 {
				return unix.Errno(-code)
			}
			return nil
		}
	}
}
