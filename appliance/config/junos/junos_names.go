package junos

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
)

// systemNames is `system name-server ADDR`, `system domain-name NAME` and
// `system static-host-mapping NAME inet ADDR`: the name service a
// flow-server's host name is resolved with (config.Names, which the IOS
// dialect sets with ip name-server, ip domain name and ip host).
func (j *jcmd) systemNames(k string) {
	n := &j.cfg.Names
	switch k {
	case "name-server":
		if j.deleting() {
			n.Servers = nil
			return
		}
		a := j.c.Addr(false)
		j.c.End()
		if j.c.Err != nil {
			return
		}
		a = a.Unmap()
		i := slices.Index(n.Servers, a)
		switch {
		case j.del && i >= 0:
			n.Servers = slices.Delete(n.Servers, i, i+1)
		case !j.del && i < 0:
			if len(n.Servers) == config.MaxNameServers {
				j.c.Invalid(j.c.Last(), "at most 6 name servers")
				return
			}
			n.Servers = append(n.Servers, a)
		}
		j.touch("names.servers")
	case "domain-name":
		if j.del {
			j.c.Skip()
			n.Domain = ""
			return
		}
		d := j.c.Name("<domain-name>", config.CheckHostName)
		j.c.End()
		if j.c.Err == nil {
			n.Domain = strings.ToLower(strings.TrimSuffix(d, "."))
			j.touch("names.domain")
		}
	case "static-host-mapping":
		if j.deleting() {
			n.Hosts = nil
			return
		}
		name := j.c.Name("<hostname>", config.CheckHostName)
		if j.c.Err != nil {
			return
		}
		i := slices.IndexFunc(n.Hosts, func(h config.HostEntry) bool { return strings.EqualFold(h.Name, name) })
		if j.deleting() {
			if i >= 0 {
				n.Hosts = slices.Delete(n.Hosts, i, i+1)
			}
			return
		}
		j.c.Keyword("inet", "inet6")
		var addrs []netip.Addr
		for first := true; first || j.c.More(); first = false {
			a := j.c.Addr(false)
			if j.c.Err != nil {
				return
			}
			addrs = append(addrs, a.Unmap())
		}
		if i < 0 {
			if j.del {
				return
			}
			n.Hosts = append(n.Hosts, config.HostEntry{Name: name})
			i = len(n.Hosts) - 1
		}
		h := &n.Hosts[i]
		for _, a := range addrs {
			k := slices.Index(h.Addrs, a)
			switch {
			case j.del && k >= 0:
				h.Addrs = slices.Delete(h.Addrs, k, k+1)
			case !j.del && k < 0:
				if len(h.Addrs) == config.MaxHostAddrs {
					j.c.Invalid(j.c.Last(), "at most 8 addresses a host")
					return
				}
				h.Addrs = append(h.Addrs, a)
			}
		}
		if len(h.Addrs) == 0 {
			n.Hosts = slices.Delete(n.Hosts, i, i+1)
		}
		j.touch("names.hosts[" + name + "]")
	}
}

// namesStatements says the name service as JunOS shows it, under system.
func namesStatements(c config.Config, add func(leaf string, path ...string)) {
	n := c.Names
	if n.Domain != "" {
		add("domain-name "+n.Domain, "system")
	}
	for _, s := range n.Servers {
		add(s.String(), "system", "name-server")
	}
	for _, h := range n.Hosts {
		for _, a := range h.Addrs {
			fam := "inet"
			if !a.Is4() {
				fam = "inet6"
			}
			add(fam+" "+a.String(), "system", "static-host-mapping "+h.Name)
		}
	}
}
