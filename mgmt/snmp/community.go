package snmp

import (
	"crypto/subtle"
	"net/netip"
)

// Community is an SNMPv1/v2c community (`snmp-server community`).
type Community struct {
	Name  string
	Write bool // RW; RO otherwise
	// Allow applies the community's access list to a request from a
	// manager to the agent's address; nil allows any. A request it
	// refuses is treated as a wrong community (RFC 3584 section 5.2.1):
	// no answer.
	Allow Access
	View  View
}

// Access decides whether a request from a manager (from) to one of the
// agent's addresses (to) may use a community or a user. to is the
// address the request was sent to, which for a wildcard listener is
// learned per datagram.
type Access func(from, to netip.AddrPort) bool

func (c *Community) access(version int32) *access {
	a := &access{read: &c.View, v1: version == version1}
	if c.Write {
		a.write = &c.View
	}
	return a
}

// findCommunity compares every configured name in constant time, so the
// answer time does not leak how much of a guess was right. The access
// list is applied to the community the name matched only.
func findCommunity(list []Community, name []byte, from, to netip.AddrPort) *Community {
	var found *Community
	for i := range list {
		c := &list[i]
		if subtle.ConstantTimeCompare([]byte(c.Name), name) == 1 && found == nil {
			found = c
		}
	}
	if found != nil && found.Allow != nil && !found.Allow(from, to) {
		return nil
	}
	return found
}
