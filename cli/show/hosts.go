package show

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"
)

// HostsView is IOS's `show hosts`: the name service and its host table.
type HostsView struct {
	// Domain is the default domain, "" not set; DomainLearned says it
	// came from the management link's DHCP lease (no `ip domain name`).
	Domain        string
	DomainLearned bool
	// Lookup is `ip domain lookup` (the default): names go to the
	// servers; off, only the host table answers.
	Lookup bool
	// Servers are the name servers a lookup asks; ServersLearned says
	// they are the DHCP lease's (no `ip name-server`).
	Servers        []netip.Addr
	ServersLearned bool
	// Hosts are the `ip host` entries (Perm) in configuration order, then
	// the names resolved through DNS (temp), oldest first.
	Hosts []HostEntry
}

// HostEntry is one row of the host table.
type HostEntry struct {
	Name string
	Perm bool          // `ip host`; otherwise learned from a name server
	Age  time.Duration // since a temp entry was learned
	// Expired: a temp entry whose answer's TTL has run out (EX); the next
	// line naming it asks the servers again.
	Expired bool
	Addrs   []netip.Addr
}

// Hosts writes `show hosts` as IOS lays it out: the resolver's settings,
// the flag legend, and one row a name.
func Hosts(w io.Writer, v HostsView) {
	if v.Domain == "" {
		fmt.Fprintln(w, "Default domain is not set")
	} else {
		fmt.Fprintf(w, "Default domain is %s%s\n", v.Domain, learned(v.DomainLearned))
	}
	if v.Lookup {
		fmt.Fprintln(w, "Name/address lookup uses domain service")
	} else {
		fmt.Fprintln(w, "Name/address lookup uses static mappings")
	}
	if len(v.Servers) == 0 {
		// IOS would name 255.255.255.255 (it broadcasts); flowtap asks nobody.
		fmt.Fprintln(w, "Name servers are not set")
	} else {
		s := make([]string, len(v.Servers))
		for i, a := range v.Servers {
			s[i] = a.String()
		}
		fmt.Fprintf(w, "Name servers are %s%s\n", strings.Join(s, ", "), learned(v.ServersLearned))
	}
	fmt.Fprint(w, "\nCodes: UN - unknown, EX - expired, OK - OK, ?? - revalidate\n"+
		"       temp - temporary, perm - permanent\n"+
		"       NA - Not Applicable None - Not defined\n\n")
	fmt.Fprintln(w, "Host                      Port  Flags      Age Type   Address(es)")
	for _, h := range v.Hosts {
		flags, age := "(temp, OK)", int(h.Age/time.Hour)
		switch {
		case h.Perm:
			flags, age = "(perm, OK)", 0
		case h.Expired:
			flags = "(temp, EX)"
		}
		typ := "IP"
		if len(h.Addrs) > 0 && !h.Addrs[0].Is4() {
			typ = "IPv6"
		}
		s := make([]string, len(h.Addrs))
		for i, a := range h.Addrs {
			s[i] = a.String()
		}
		fmt.Fprintf(w, "%-25s %-5s %-10s %2d   %-6s%s\n", h.Name, "None", flags, age, typ, strings.Join(s, " "))
	}
}

// learned marks what the DHCP lease gave rather than the configuration.
func learned(dhcp bool) string {
	if dhcp {
		return " (DHCP)"
	}
	return ""
}
