package export

import (
	"encoding/binary"
	"math"
	"net/netip"
	"time"
)

var be = binary.BigEndian

// asTrans is AS_TRANS (RFC 6793): what a 2-byte AS field carries for a
// 4-byte AS.
const asTrans = 23456

// sysUp ties one instant's wall-clock time to the box's uptime then: the
// sysUptime of any other instant is that uptime plus the wall-clock time
// between them. A flow's times are wall-clock times (the datapath's stamps
// converted at the harvest), so dating them against a wall-clock boot
// instant put every First and Last off by each step NTP made to the clock
// since the exporter opened, for good: against the header's sysUptime in
// v5, v7 and v8 (taken by the monotonic clock), so collectors dated the
// flows off by the step; and a step back past the boot instant (a clock
// kept in local time, set right by NTP) clamped them all to 0, v9's header
// too. Read as each packet opens, the uptime never jumps with the wall
// clock and the packet's times agree with each other; a step while a
// packet is open can misdate that one packet.
type sysUp struct {
	wall time.Time
	up   time.Duration
	set  bool
}

// anchor reads the clocks for a packet opening at now.
func (c *EncoderConfig) anchor(now time.Time) {
	up := now.Sub(c.BootTime)
	if u, ok := c.Clock.(UptimeClock); ok {
		up = u.Uptime()
	}
	c.up = sysUp{wall: now, up: up, set: true}
}

// uptimeMillis is t as sysUptime: milliseconds since boot, wrapping at 2^32
// like a router's. Times before boot (flows metered by a previous run of the
// daemon, whose maps survive restarts) are clamped to 0.
func (c *EncoderConfig) uptimeMillis(t time.Time) uint32 {
	d := t.Sub(c.BootTime)
	if c.up.set {
		d = c.up.up + t.Sub(c.up.wall)
	}
	if d <= 0 {
		return 0
	}
	return uint32(d.Milliseconds())
}

// unixTime splits t into the v5/v7/v8 header's unix_secs and unix_nsecs.
func unixTime(t time.Time) (secs, nsecs uint32) {
	return uint32(t.Unix()), uint32(t.Nanosecond())
}

// put4 writes an IPv4 address; anything else (absent, IPv6) writes zeros.
func put4(b []byte, a netip.Addr) {
	a = a.Unmap()
	if a.Is4() {
		v := a.As4()
		copy(b[:4], v[:])
		return
	}
	clear(b[:4])
}

// put16 writes an address as 16 bytes (IPv4 as IPv4-mapped).
func put16(b []byte, a netip.Addr) {
	if !a.IsValid() {
		clear(b[:16])
		return
	}
	v := a.As16()
	copy(b[:16], v[:])
}

// putUint writes v big-endian into all of b, keeping its low-order bytes
// (RFC 7011 reduced-size encoding).
func putUint(b []byte, v uint64) {
	switch len(b) {
	case 1:
		b[0] = byte(v)
	case 2:
		be.PutUint16(b, uint16(v))
	case 4:
		be.PutUint32(b, uint32(v))
	case 8:
		be.PutUint64(b, v)
	default:
		for i := len(b) - 1; i >= 0; i-- {
			b[i] = byte(v)
			v >>= 8
		}
	}
}

// if16 is an ifIndex in v5, v7 and v8's 16-bit interface fields: one
// past 65535 is 0, no interface, as an AS past 65535 is AS_TRANS. Its
// low 16 bits named another interface: the kernel numbers links up for as
// long as it runs, so a box left up while links came and went meters
// ports numbered past 65535, whose flows a v5 collector put on whatever
// port had the low bits' number (65537 on the loopback, 1).
func if16(ifIndex uint32) uint16 {
	if ifIndex > math.MaxUint16 {
		return 0
	}
	return uint16(ifIndex)
}

func as16(asn uint32) uint16 {
	if asn > math.MaxUint16 {
		return asTrans
	}
	return uint16(asn)
}

// splitCount is how many 32-bit records it takes to carry the counters
// without wrapping: a v5 record whose dOctets wrapped would lose bytes, and
// exported sums must equal metered sums.
func splitCount(counters ...uint64) uint64 {
	n := uint64(1)
	for _, c := range counters {
		if k := (c + math.MaxUint32 - 1) / math.MaxUint32; k > n {
			n = k
		}
	}
	return n
}

// share is part i of n of total, remainders going to the first parts, so
// that the parts add up to total.
func share(total, n, i uint64) uint64 {
	s := total / n
	if i < total%n {
		s++
	}
	return s
}
