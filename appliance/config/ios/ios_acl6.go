package ios

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"

	"github.com/flowtap/flowtap/appliance/config"
)

// IPv6 access lists: `ipv6 access-list NAME` and its entries
// `[sequence N] permit|deny PROTOCOL SRC [PORTS] DST [PORTS]`, where an
// address is `any`, `host X:X::X` or `X:X::X/LEN`. They filter IPv6
// packets in class maps and with `ipv6 flow ingress input-filter NAME`.

// aclProtocols6 are the protocol names an IPv6 entry takes; any other is
// a number 0-255.
var aclProtocols6 = map[string]uint8{"ipv6": 0, "icmp": 58, "tcp": 6, "udp": 17}

// ipv6Global reads the global `ipv6 access-list NAME`.
func (x *cmd) ipv6Global() {
	x.c.Keyword("access-list")
	name := x.c.Name("WORD", config.CheckName32)
	x.c.End()
	if x.c.Err != nil {
		return
	}
	if _, err := strconv.Atoi(name); err == nil {
		x.c.Invalid(x.c.Last(), "an IPv6 access list has a name, not a number")
		return
	}
	x.touch("access-lists[" + name + "]")
	i := slices.IndexFunc(x.cfg.AccessLists, func(l config.AccessList) bool { return l.Ref() == name })
	if x.neg {
		if i >= 0 && x.cfg.AccessLists[i].IPv6 {
			x.cfg.AccessLists = slices.Delete(x.cfg.AccessLists, i, i+1)
		}
		return
	}
	if i >= 0 && !x.cfg.AccessLists[i].IPv6 {
		x.c.Refuse("%s is an IPv4 access list", name)
		return
	}
	if i < 0 {
		x.cfg.AccessLists = append(x.cfg.AccessLists, config.AccessList{Name: name, Extended: true, IPv6: true})
	}
	x.open(modeACLv6, name)
}

// acl6Mode reads an IPv6 list's lines: `[sequence N] permit|deny ...`,
// `remark TEXT`, `no sequence N`, `no permit|deny ...`.
func (x *cmd) acl6Mode() {
	if !x.aclModeStart() {
		return
	}
	seq := 0
	if x.c.TryKeyword("sequence") != "" {
		seq = int(x.c.Uint(1, 4294967295))
	}
	x.editEntry("IPv6 access list", seq, x.ace6Line)
}

func (x *cmd) ace6Line() (config.ACE, bool) {
	act := x.c.Keyword("deny", "permit", "remark")
	if act == "remark" {
		return x.aceRemark()
	}
	e := config.ACE{Permit: act == "permit"}
	if k := x.c.TryKeyword("icmp", "ipv6", "tcp", "udp"); k != "" {
		e.Protocol = aclProtocols6[k]
	} else if x.c.Err == nil {
		e.Protocol = uint8(x.c.Uint(0, 255))
	}
	e.Addr, e.Wildcard = x.acl6Addr()
	e.SrcPort = x.aclPort(e.Protocol)
	e.DstAddr, e.DstWild = x.acl6Addr()
	e.DstPort = x.aclPort(e.Protocol)
	x.c.End()
	if x.c.Err != nil {
		return config.ACE{}, false
	}
	return e.Masked(), true
}

// acl6Addr reads `any`, `host X:X::X` or `X:X::X/<0-128>`.
func (x *cmd) acl6Addr() (addr, wild netip.Addr) {
	switch x.c.TryKeyword("any", "host") {
	case "any":
		return config.AnyAddr6, config.AnyWildcard6
	case "host":
		// IOS offers an IPv6 address here, not either family.
		h := x.c.Name("X:X:X:X::X", func(s string) error {
			if a, err := netip.ParseAddr(s); err != nil || !a.Is6() || a.Is4In6() || a.Zone() != "" {
				return errors.New("an IPv6 address")
			}
			return nil
		})
		if x.c.Err != nil {
			return netip.Addr{}, netip.Addr{}
		}
		return netip.MustParseAddr(h), config.AnyAddr6
	}
	if x.c.Err != nil {
		return netip.Addr{}, netip.Addr{}
	}
	p := x.c.Name("X:X:X:X::X/<0-128>", func(s string) error {
		p, err := netip.ParsePrefix(s)
		if err != nil || !p.Addr().Is6() || p.Addr().Is4In6() {
			return fmt.Errorf("an IPv6 prefix, as 2001:db8::/32")
		}
		return nil
	})
	if x.c.Err != nil {
		return netip.Addr{}, netip.Addr{}
	}
	pf := netip.MustParsePrefix(p)
	return pf.Masked().Addr(), config.Wildcard6(pf.Bits())
}

// renderAccessList6 writes an IPv6 list as IOS does: `sequence N` only
// where the numbers are not the 10, 20 ... entries get in order.
func renderAccessList6(r *iosWriter, l config.AccessList) {
	r.line("ipv6 access-list %s", l.Name)
	for i, e := range l.Entries {
		if e.Seq == 10*(i+1) {
			r.line(" %s", ace6Text(e))
		} else {
			r.line(" sequence %d %s", e.Seq, ace6Text(e))
		}
	}
}

// ace6Text is an IPv6 entry from the action on.
func ace6Text(e config.ACE) string {
	if e.Remark != "" {
		return "remark " + e.Remark
	}
	act := "deny"
	if e.Permit {
		act = "permit"
	}
	proto := strconv.Itoa(int(e.Protocol))
	for k, v := range aclProtocols6 {
		if v == e.Protocol {
			proto = k
		}
	}
	return act + " " + proto + " " + addr6Text(e.Addr, e.Wildcard) + portText(e.SrcPort, e.Protocol) +
		" " + addr6Text(e.DstAddr, e.DstWild) + portText(e.DstPort, e.Protocol)
}

func addr6Text(a, w netip.Addr) string {
	switch w {
	case config.AnyWildcard6:
		return "any"
	case config.AnyAddr6:
		return "host " + a.String()
	}
	p, _ := config.WildcardPrefix(a, w)
	return p.String()
}
