package config

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/flowtap/flowtap/appliance/appclass"
)

// FirewallFilter is a JunOS `firewall family inet|inet6 filter NAME`,
// applied to a port with `interfaces X unit 0 family inet filter input
// NAME`: its terms, first match, choose what is sampled. A packet no
// term matches is discarded, so not sampled.
type FirewallFilter struct {
	Family string // "inet" or "inet6"
	Name   string
	Terms  []FilterTerm
}

// FilterTerm is one `term NAME`: every `from` condition given must hold
// (each list matches any of its items); `then sample` meters the packet
// through the sampling instance; accept or discard alone does not.
type FilterTerm struct {
	Name                 string
	SourceAddresses      []netip.Prefix
	DestinationAddresses []netip.Prefix
	Protocols            []uint8
	SourcePorts          []appclass.PortRange
	DestinationPorts     []appclass.PortRange
	TCPInitial           bool // SYN without ACK
	TCPEstablished       bool // ACK or RST
	Sample               bool
	Accept               bool
	Discard              bool
	Count                string // the counter's name in show firewall
}

func (f FirewallFilter) Key() string { return f.Family + " " + f.Name }
func (t FilterTerm) Key() string     { return t.Name }

// MaxFilterTerms is how many terms a firewall filter may have: the
// datapath gives each a bit of a 64-bit word.
const MaxFilterTerms = MaxInputFilterEntries

// FindFirewallFilter returns the filter of family ("inet", "inet6") name.
func (c *Config) FindFirewallFilter(family, name string) (FirewallFilter, bool) {
	for _, f := range c.Firewall {
		if f.Family == family && f.Name == name {
			return f, true
		}
	}
	return FirewallFilter{}, false
}

// junosPorts are the port names JunOS accepts in a term, beside numbers.
var junosPorts = map[string]uint16{"ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53,
	"http": 80, "ntp": 123, "snmp": 161, "bgp": 179, "https": 443, "syslog": 514}

// ParseFilterPort reads a JunOS term port: a number, N-M, or a name.
func ParseFilterPort(s string) (appclass.PortRange, error) {
	if p, ok := junosPorts[s]; ok {
		return appclass.PortRange{Lo: p, Hi: p}, nil
	}
	r, err := ParsePortRange(s)
	if err != nil {
		return r, fmt.Errorf("%w, or a name such as ssh or bgp", err)
	}
	return r, nil
}

// FilterPortName is how a term's port is written back.
func FilterPortName(r appclass.PortRange) string {
	if r.Lo == r.Hi {
		for n, p := range junosPorts {
			if p == r.Lo {
				return n
			}
		}
		return strconv.Itoa(int(r.Lo))
	}
	return r.String()
}

func (v *validator) firewall(c *Config) {
	seen := map[string]bool{}
	for _, f := range c.Firewall {
		path := "firewall[" + f.Key() + "]"
		if err := CheckName32(f.Name); err != nil {
			v.bad(path, err)
		}
		if f.Family != "inet" && f.Family != "inet6" {
			v.failf(path, "family %q: want inet or inet6", f.Family)
		}
		if seen[f.Key()] {
			v.failf(path, "configured twice")
		}
		seen[f.Key()] = true
		if len(f.Terms) > MaxFilterTerms {
			v.failf(path, "%d terms: at most %d", len(f.Terms), MaxFilterTerms)
		}
		for _, t := range f.Terms {
			for _, p := range append(append([]netip.Prefix(nil), t.SourceAddresses...), t.DestinationAddresses...) {
				if p.Addr().Is4() != (f.Family == "inet") {
					v.failf(path+".term["+t.Name+"]", "address %s in a family %s filter", p, f.Family)
				}
			}
		}
	}
	for _, it := range c.Interfaces {
		for _, x := range []struct{ family, name string }{{"inet", it.FilterInput4}, {"inet6", it.FilterInput6}} {
			if x.name == "" {
				continue
			}
			if _, ok := c.FindFirewallFilter(x.family, x.name); !ok {
				v.failf("interfaces["+it.Name+"].filter", "firewall family %s filter %s is not configured", x.family, x.name)
			}
		}
	}
}
