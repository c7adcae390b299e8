package snmp

import (
	"crypto/hmac"
	"crypto/sha256"
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

// communityDigest is a name's HMAC-SHA-256 under the agent's random key:
// the fixed-size value findCommunity compares instead of the name itself.
type communityDigest [sha256.Size]byte

func digestCommunity(key []byte, name []byte) communityDigest {
	m := hmac.New(sha256.New, key)
	m.Write(name)
	var d communityDigest
	m.Sum(d[:0])
	return d
}

// communityTable is the configured communities with their digests,
// taken under one key that is drawn when the agent starts and never
// leaves it.
type communityTable struct {
	key     []byte
	list    []Community
	digests []communityDigest
}

func newCommunityTable(key []byte, list []Community) communityTable {
	t := communityTable{key: key, list: make([]Community, len(list)), digests: make([]communityDigest, len(list))}
	copy(t.list, list)
	for i := range t.list {
		t.digests[i] = digestCommunity(key, []byte(t.list[i].Name))
	}
	return t
}

// find is the community a request's name matches. It compares the
// guess's digest with every configured name's, all 32 octets each time,
// so neither how long the guess is nor how much of it is right changes
// what the comparisons cost (comparing the names themselves returns
// early when their lengths differ, which tells a guesser the length).
// The access list is applied to the community the name matched only.
func (t *communityTable) find(name []byte, from, to netip.AddrPort) *Community {
	guess := digestCommunity(t.key, name)
	var found *Community
	for i := range t.list {
		if subtle.ConstantTimeCompare(t.digests[i][:], guess[:]) == 1 && found == nil {
			found = &t.list[i]
		}
	}
	if found != nil && found.Allow != nil && !found.Allow(from, to) {
		return nil
	}
	return found
}
