package config

import (
	"net/netip"
	"slices"
)

var (
	anyAddr     = netip.IPv4Unspecified()
	anyWildcard = netip.AddrFrom4([4]byte{255, 255, 255, 255})
)

// Any reports whether the entry matches every address.
func (e ACE) Any() bool { return e.Wildcard == anyWildcard }

// Host reports whether the entry matches one address.
func (e ACE) Host() bool { return e.Wildcard == anyAddr }

// Match reports whether a matches the entry. Only IPv4 is matched: IOS
// standard lists are IPv4 lists.
func (e ACE) Match(a netip.Addr) bool {
	a = a.Unmap()
	if !a.Is4() || !e.Addr.Is4() || !e.Wildcard.Is4() {
		return false
	}
	x, w, m := a.As4(), e.Wildcard.As4(), e.Addr.As4()
	for i := range x {
		if x[i]&^w[i] != m[i]&^w[i] {
			return false
		}
	}
	return true
}

// masked clears the address bits the wildcard ignores, as IOS does when it
// stores `access-list 10 permit 10.1.2.3 0.0.0.255` as 10.1.2.0.
func (e ACE) masked() ACE {
	if !e.Addr.Is4() || !e.Wildcard.Is4() {
		return e
	}
	x, w := e.Addr.As4(), e.Wildcard.As4()
	for i := range x {
		x[i] &^= w[i]
	}
	e.Addr = netip.AddrFrom4(x)
	return e
}

// Permits applies the list: the first matching entry decides, and an
// address no entry matches is denied.
func (l AccessList) Permits(a netip.Addr) bool {
	for _, e := range l.Entries {
		if e.Match(a) {
			return e.Permit
		}
	}
	return false
}

// AccessList returns the numbered list, if configured.
func (c *Config) AccessList(n int) (AccessList, bool) {
	i := slices.IndexFunc(c.AccessLists, func(l AccessList) bool { return l.Number == n })
	if i < 0 {
		return AccessList{}, false
	}
	return c.AccessLists[i], true
}

// ManagementPermits reports whether the numbered list lets a in. An
// unconfigured or absent list permits everything, as IOS treats an
// access-class or community list that names no list.
func (c *Config) ManagementPermits(n int, a netip.Addr) bool {
	if n == 0 {
		return true
	}
	l, ok := c.AccessList(n)
	return !ok || l.Permits(a)
}
