// Package asmap maps addresses to the AS numbers and prefix lengths of
// their routes, from a text table, for `ip flow-export version N
// origin-as | peer-as`: the appliance sees no BGP, so the operator feeds
// it the routing view.
//
// Lookups are longest-prefix matches over the prefixes flattened into
// sorted, disjoint address ranges: a binary search, no allocation.
package asmap

import (
	"encoding/binary"
	"net/netip"
)

// Route is what a prefix in the table says.
type Route struct {
	Prefix   netip.Prefix
	OriginAS uint32 // the AS that originates the prefix
	PeerAS   uint32 // the neighbouring AS the route is learned from; 0 if the table did not say
	// NextHop is the route's BGP next hop; invalid if the table did not say.
	NextHop netip.Addr
}

// HasNextHops reports whether any route gives a BGP next hop: without
// them, `bgp-nexthop` would export nothing.
func (t *Table) HasNextHops() bool {
	for i := range t.routes {
		if t.routes[i].NextHop.IsValid() {
			return true
		}
	}
	return false
}

// Table is an immutable prefix table; Lookup is safe for concurrent use.
type Table struct {
	routes []Route
	v4     ranges4
	v6     ranges6
}

// ranges4 holds, for each range start (ascending), the index into routes
// of the most specific prefix covering it, or -1.
type ranges4 struct {
	starts []uint32
	route  []int32
}

type ranges6 struct {
	starts []u128
	route  []int32
}

// ASCount is the number of distinct AS numbers the routes name, origin
// and peer alike.
func (t *Table) ASCount() int {
	seen := map[uint32]bool{}
	for _, r := range t.routes {
		for _, as := range [...]uint32{r.OriginAS, r.PeerAS} {
			if as != 0 {
				seen[as] = true
			}
		}
	}
	return len(seen)
}

// Len is the number of prefixes in the table.
func (t *Table) Len() int { return len(t.routes) }

// Lookup returns the most specific route covering a. IPv4-mapped IPv6
// addresses are looked up as IPv4.
func (t *Table) Lookup(a netip.Addr) (Route, bool) {
	if i := t.lookup(a); i >= 0 {
		return t.routes[i], true
	}
	return Route{}, false
}

func (t *Table) lookup(a netip.Addr) int32 {
	if a.Is4() || a.Is4In6() {
		return t.v4.find(addr4(a.Unmap()))
	}
	if a.Is6() {
		return t.v6.find(addr6(a))
	}
	return -1
}

func (r *ranges4) find(x uint32) int32 {
	// Find the last start <= x: the range x falls in.
	lo, hi := 0, len(r.starts)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if r.starts[m] <= x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return -1
	}
	return r.route[lo-1]
}

func (r *ranges6) find(x u128) int32 {
	lo, hi := 0, len(r.starts)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if !x.less(r.starts[m]) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return -1
	}
	return r.route[lo-1]
}

// u128 is an IPv6 address as a number.
type u128 struct{ hi, lo uint64 }

func (a u128) less(b u128) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

func (a u128) addOne() u128 {
	a.lo++
	if a.lo == 0 {
		a.hi++
	}
	return a
}

func addr4(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

func addr6(a netip.Addr) u128 {
	b := a.As16()
	return u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}
