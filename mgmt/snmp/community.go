package snmp

import (
	"crypto/subtle"
	"net/netip"
)

// Community is an SNMPv1/v2c community (`snmp-server community`).
type Community struct {
	Name  string
	Write bool // RW; RO otherwise
	// Sources limits the managers that may use the community; empty
	// allows any. A request from elsewhere is treated as a wrong community
	// (RFC 3584 section 5.2.1).
	Sources []netip.Prefix
	View    View
}

func (c *Community) allows(from netip.Addr) bool {
	if len(c.Sources) == 0 {
		return true
	}
	from = from.Unmap()
	for _, p := range c.Sources {
		if p.Contains(from) {
			return true
		}
	}
	return false
}

func (c *Community) access(version int32) *access {
	a := &access{read: &c.View, v1: version == version1}
	if c.Write {
		a.write = &c.View
	}
	return a
}

// findCommunity compares every configured name in constant time, so the
// answer time does not leak how much of a guess was right.
func findCommunity(list []Community, name []byte, from netip.Addr) *Community {
	var found *Community
	for i := range list {
		c := &list[i]
		if subtle.ConstantTimeCompare([]byte(c.Name), name) == 1 && c.allows(from) && found == nil {
			found = c
		}
	}
	return found
}
