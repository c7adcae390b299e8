package config

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Names is the name service a configuration line that names a host
// (`ip flow-export destination HOST PORT`, a JunOS flow-server) is
// resolved with, once, when the line is entered: IOS's `ip host` table
// first, then, while `ip domain lookup` is on (the default), the `ip
// name-server`s (without any, those a DHCP lease gave: see Resolver),
// the `ip domain name` appended to a name without a dot. The line keeps
// the address it resolved to.
type Names struct {
	// Hosts are `ip host NAME ADDR...`, in configuration order.
	Hosts []HostEntry
	// Servers are `ip name-server`, asked in order; at most
	// MaxNameServers.
	Servers []netip.Addr
	// Domain is `ip domain name`.
	Domain string
	// NoLookup is `no ip domain lookup`: only the host table resolves.
	NoLookup bool
}

// HostEntry is one `ip host NAME ADDR...`; the first address is the one a
// name resolves to.
type HostEntry struct {
	Name  string
	Addrs []netip.Addr
}

// IOS's limits: six name servers, eight addresses a host [RECALL,
// docs/vendor-behaviour.md 2.9].
const (
	MaxNameServers = 6
	MaxHostAddrs   = 8
)

// Resolver looks up a host name the host table does not hold
// (mgmt/dnsclient.Cache): on servers, the configured ones unless the
// resolver knows better (a DHCP lease's when none is configured), domain
// appended to a name without a dot. It returns the servers it asked.
type Resolver interface {
	Resolve(ctx context.Context, name string, servers []netip.Addr, domain string) (netip.Addr, []netip.Addr, error)
}

// Host is the host table's first address for name (names match without
// regard to case, as DNS names do).
func (n Names) Host(name string) (netip.Addr, bool) {
	i := slices.IndexFunc(n.Hosts, func(h HostEntry) bool { return strings.EqualFold(h.Name, name) })
	if i < 0 || len(n.Hosts[i].Addrs) == 0 {
		return netip.Addr{}, false
	}
	return n.Hosts[i].Addrs[0], true
}

// CheckHostName accepts a host name as the resolver takes it: labels of
// letters, digits and hyphens, up to 63 characters, 253 in all, not all
// digits and dots (that is an address, or a mistyped one).
func CheckHostName(s string) error {
	if len(s) == 0 || len(s) > 253 {
		return fmt.Errorf("host name %q: 1 to 253 characters", s)
	}
	digits := true
	for _, l := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("host name %q: each label 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen", s)
		}
		for _, r := range l {
			switch {
			case r >= '0' && r <= '9':
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '-' || r == '_':
				digits = false
			default:
				return fmt.Errorf("host name %q: %q is not a letter, digit or hyphen", s, r)
			}
		}
	}
	if digits {
		return fmt.Errorf("%q is neither an address nor a host name", s)
	}
	return nil
}

// UnknownHostError is a host name the name service could not resolve.
// Its Translating line is what IOS prints while it looks the name up.
type UnknownHostError struct {
	Name string
	// Servers are the name servers asked (none: the host table only).
	Servers []netip.Addr
	Err     error
}

func (e *UnknownHostError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("unknown host %s: %v", e.Name, e.Err)
	}
	return "unknown host " + e.Name
}

func (e *UnknownHostError) Unwrap() error { return e.Err }

// Translating is IOS's line for the lookup: `Translating "NAME"`, and
// `...domain server (A) (B)` when servers were asked.
func (e *UnknownHostError) Translating() string {
	s := fmt.Sprintf("Translating %q", e.Name)
	if len(e.Servers) > 0 {
		s += "...domain server"
		for _, a := range e.Servers {
			s += " (" + a.String() + ")"
		}
	}
	return s
}
