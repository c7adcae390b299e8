package grammar

import (
	"context"
	"errors"
	"net/netip"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/mgmt/dnsclient"
)

// helpAddr stands for a host name while a line is only tried for `?`
// help: help must not wait on the name servers at each keystroke.
var helpAddr = netip.MustParseAddr("192.0.2.1")

// Host reads a collector's address as IOS takes it: an IP address (an
// IPv6 link-local one may name its link, fe80::1%eth0) or a host name,
// resolved now, once: the host table (`ip host`) first, then, unless
// `no ip domain lookup`, the name servers. The line keeps the address.
// offline (a line tried for help) asks no server.
// r resolves what the host table does not (nil: the name servers
// alone, nothing cached, no DHCP lease).
func (c *Cursor) Host(v4 bool, names config.Names, offline bool, r config.Resolver) netip.Addr {
	desc := "Hostname or A.B.C.D"
	switch {
	case c.dialect == platform.DialectJunOS:
		desc = "<hostname>" // JunOS's word for a name or an address
	case !v4:
		desc = "Hostname or A.B.C.D or X:X:X:X::X"
	}
	if !c.Need(desc) {
		return netip.Addr{}
	}
	w := c.Words[c.Pos].Text
	if a, err := netip.ParseAddr(w); err == nil {
		if v4 && !a.Is4() || a.Zone() != "" && !a.IsLinkLocalUnicast() && !a.IsLinkLocalMulticast() {
			c.fail(config.ErrInvalid, c.Pos, "", c.expecting(desc), nil)
			return netip.Addr{}
		}
		if z := a.Zone(); z != "" {
			if err := config.CheckIfName(z); err != nil {
				c.fail(config.ErrInvalid, c.Pos, err.Error(), c.expecting(desc), err)
				return netip.Addr{}
			}
		}
		c.Pos++
		return a
	}
	if err := config.CheckHostName(w); err != nil {
		c.fail(config.ErrInvalid, c.Pos, "", c.expecting(desc), nil)
		return netip.Addr{}
	}
	a, ok := names.Host(w)
	switch {
	case ok:
	case offline:
		a = helpAddr
	case names.NoLookup:
		e := &config.UnknownHostError{Name: w}
		c.fail(config.ErrInvalid, c.Pos, e.Error(), c.expecting(desc), e)
		return netip.Addr{}
	default:
		if r == nil {
			r = new(dnsclient.Cache)
		}
		var asked []netip.Addr
		var err error
		a, asked, err = r.Resolve(context.Background(), w, names.Servers, names.Domain)
		if errors.Is(err, dnsclient.ErrNoServer) {
			err = nil // IOS would broadcast; flowtap says only that the name is unknown
		}
		if !a.IsValid() {
			e := &config.UnknownHostError{Name: w, Servers: asked, Err: err}
			c.fail(config.ErrInvalid, c.Pos, e.Error(), c.expecting(desc), e)
			return netip.Addr{}
		}
	}
	if v4 && !a.Is4() {
		c.fail(config.ErrInvalid, c.Pos, "host "+w+" has no IPv4 address", c.expecting(desc), nil)
		return netip.Addr{}
	}
	c.Pos++
	return a.Unmap()
}
