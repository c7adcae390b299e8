package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

// Before it uses an address a server leased, the client asks the link
// whether anyone has it (RFC 2131 section 4.4.1, with RFC 5227's ARP
// probe): a server whose lease database lost a static host, or a host
// configured by hand in the pool, would otherwise share the address with
// the appliance, and each would lose connections to the other. An answer
// makes the client DECLINE the address and discover again.

// arpConflict is another host answering for the probed address.
type arpConflict struct {
	addr netip.Addr
	mac  net.HardwareAddr
}

func (c *arpConflict) Error() string {
	return fmt.Sprintf("%v is in use by %v (it answered an ARP probe)", c.addr, c.mac)
}

const (
	arpRequest = 1
	arpReply   = 2
)

// htons is the network-order protocol number packet sockets take.
func htons(v uint16) uint16 { return v<<8 | v>>8 }

// arpProbe sends count ARP probes for addr on the link (sender address
// 0.0.0.0, so that no host's ARP cache learns the address yet), every
// interval, and listens until listen after the last one. It returns an
// *arpConflict when another host has the address (an ARP message from it
// with that sender address, or its own probe for it), nil when none
// answered.
func arpProbe(ctx context.Context, link *net.Interface, addr netip.Addr, count int, interval, listen time.Duration) error {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ARP)))
	if err != nil {
		return fmt.Errorf("ARP socket: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ARP), Ifindex: link.Index}); err != nil {
		return fmt.Errorf("ARP socket on %s: %w", link.Name, err)
	}
	target := addr.As4()
	probe := make([]byte, 28)
	binary.BigEndian.PutUint16(probe[0:], 1)      // Ethernet
	binary.BigEndian.PutUint16(probe[2:], 0x0800) // IPv4
	probe[4], probe[5] = 6, 4
	binary.BigEndian.PutUint16(probe[6:], arpRequest)
	copy(probe[8:14], link.HardwareAddr)
	// sender IP 0.0.0.0, target hardware address 0
	copy(probe[24:28], target[:])
	to := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ARP), Ifindex: link.Index, Halen: 6,
		Addr: [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}

	buf := make([]byte, 128)
	sent := 0
	next := time.Now()
	end := time.Time{}
	for {
		now := time.Now()
		if sent < count && !now.Before(next) {
			if err := unix.Sendto(fd, probe, 0, to); err != nil {
				return fmt.Errorf("ARP probe on %s: %w", link.Name, err)
			}
			sent++
			next = now.Add(interval)
			if sent == count {
				end = now.Add(listen)
			}
		}
		wake := next
		if sent == count {
			wake = end
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := time.Until(wake)
		if sent == count && wait <= 0 {
			return nil
		}
		ms := int(max(wait, time.Millisecond) / time.Millisecond)
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(pfd, min(ms, 200))
		if err != nil && err != unix.EINTR {
			return fmt.Errorf("ARP probe on %s: %w", link.Name, err)
		}
		if n <= 0 {
			continue
		}
		m, _, err := unix.Recvfrom(fd, buf, unix.MSG_DONTWAIT)
		if err != nil || m < 28 {
			continue
		}
		if c := arpConflictIn(buf[:m], link.HardwareAddr, target); c != nil {
			return c
		}
	}
}

// arpConflictIn reads one received ARP message: a conflict when another
// host (not mac) says it has target, or probes for it too.
func arpConflictIn(p []byte, mac net.HardwareAddr, target [4]byte) *arpConflict {
	if binary.BigEndian.Uint16(p[0:]) != 1 || binary.BigEndian.Uint16(p[2:]) != 0x0800 || p[4] != 6 || p[5] != 4 {
		return nil
	}
	op := binary.BigEndian.Uint16(p[6:])
	if op != arpRequest && op != arpReply {
		return nil
	}
	sha := net.HardwareAddr(bytes.Clone(p[8:14]))
	if bytes.Equal(sha, mac) {
		return nil // our own probe
	}
	spa, tpa := [4]byte(p[14:18]), [4]byte(p[24:28])
	if spa == target || op == arpRequest && spa == [4]byte{} && tpa == target {
		return &arpConflict{addr: netip.AddrFrom4(target), mac: sha}
	}
	return nil
}
