package ios

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
)

// ipDomain is `ip domain lookup|name` and the older one-word forms
// `ip domain-lookup` and `ip domain-name`, which IOS still takes.
func (x *cmd) ipDomain(k string) {
	if k == "domain" {
		k = "domain-" + x.c.Keyword("lookup", "name")
	}
	n := &x.cfg.Names
	switch k {
	case "domain-lookup":
		x.c.End()
		n.NoLookup = x.neg
		x.touch("names.no-lookup")
	case "domain-name":
		if x.neg {
			x.c.Skip()
			n.Domain = ""
			return
		}
		d := x.c.Name("WORD", config.CheckHostName)
		x.c.End()
		if x.c.Err == nil {
			n.Domain = strings.ToLower(strings.TrimSuffix(d, "."))
			x.touch("names.domain")
		}
	}
}

// ipHost is `ip host NAME ADDR [ADDR...]` (up to eight addresses; the
// line replaces the name's entry) and `no ip host NAME [ADDR...]`, which
// removes it.
func (x *cmd) ipHost() {
	name := x.c.Name("WORD", config.CheckHostName)
	n := &x.cfg.Names
	i := slices.IndexFunc(n.Hosts, func(h config.HostEntry) bool { return strings.EqualFold(h.Name, name) })
	if x.neg {
		x.c.Skip()
		if x.c.Err == nil && i >= 0 {
			n.Hosts = slices.Delete(n.Hosts, i, i+1)
		}
		return
	}
	h := config.HostEntry{Name: name}
	for first := true; first || x.c.More(); first = false {
		a := x.c.Addr(false)
		if x.c.Err != nil {
			return
		}
		if len(h.Addrs) == config.MaxHostAddrs {
			x.c.Invalid(x.c.Last(), "at most 8 addresses a host")
			return
		}
		if !slices.Contains(h.Addrs, a.Unmap()) {
			h.Addrs = append(h.Addrs, a.Unmap())
		}
	}
	x.touch("names.hosts[" + name + "]")
	if i >= 0 {
		n.Hosts[i] = h
	} else {
		n.Hosts = append(n.Hosts, h)
	}
}

// ipNameServer is `ip name-server ADDR [ADDR...]`: each address is added
// (up to six in all); `no ip name-server [ADDR...]` removes those given,
// or all of them.
func (x *cmd) ipNameServer() {
	n := &x.cfg.Names
	if x.neg && !x.c.More() {
		n.Servers = nil
		x.touch("names.servers")
		return
	}
	var addrs []netip.Addr
	for first := true; first || x.c.More(); first = false {
		a := x.c.Addr(false)
		if x.c.Err != nil {
			return
		}
		addrs = append(addrs, a.Unmap())
	}
	x.touch("names.servers")
	for _, a := range addrs {
		i := slices.Index(n.Servers, a)
		switch {
		case x.neg && i >= 0:
			n.Servers = slices.Delete(n.Servers, i, i+1)
		case !x.neg && i < 0:
			if len(n.Servers) == config.MaxNameServers {
				x.c.Invalid(x.c.Last(), "at most 6 name servers")
				return
			}
			n.Servers = append(n.Servers, a)
		}
	}
}

// renderNames writes the name service as IOS's running-config does.
func renderNames(r *iosWriter, n config.Names) {
	if n.NoLookup {
		r.line("no ip domain lookup")
	}
	if n.Domain != "" {
		r.line("ip domain name %s", n.Domain)
	}
	for _, h := range n.Hosts {
		addrs := make([]string, len(h.Addrs))
		for i, a := range h.Addrs {
			addrs[i] = a.String()
		}
		r.line("ip host %s %s", h.Name, strings.Join(addrs, " "))
	}
	for _, s := range n.Servers {
		r.line("ip name-server %s", s)
	}
}
