package config

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

func (v *validator) checkACLRef(path, ref string) {
	if ref == "" {
		return
	}
	if n, err := strconv.Atoi(ref); err == nil {
		if valid, _ := ACLKind(n); !valid {
			v.failf(path, "access list %d: lists are 1-199 and 1300-2699", n)
		}
		return
	}
	if err := CheckName32(ref); err != nil {
		v.bad(path, err)
	}
}

// accessLists puts the lists in order (numbered by number, then named by
// name), checks them and puts each list's entries in sequence order.
func (v *validator) accessLists(c *Config) {
	slices.SortStableFunc(c.AccessLists, func(a, b AccessList) int {
		switch {
		case (a.Name == "") != (b.Name == ""):
			if a.Name == "" {
				return -1
			}
			return 1
		case a.Name == "":
			return a.Number - b.Number
		}
		return strings.Compare(a.Name, b.Name)
	})
	for i := range c.AccessLists {
		l := &c.AccessLists[i]
		path := "access-lists[" + l.Ref() + "]"
		if l.IPv6 && (l.Name == "" || !l.Extended) {
			v.failf(path, "an IPv6 access list is a named extended list")
		}
		if l.Name == "" {
			valid, ext := ACLKind(l.Number)
			switch {
			case !valid:
				v.failf(path, "access list %d: lists are 1-199 and 1300-2699", l.Number)
			case ext != l.Extended:
				v.failf(path, "access list %d is not of its number's kind", l.Number)
			}
		} else if err := CheckName32(l.Name); err != nil {
			v.bad(path, err)
		} else if _, err := strconv.Atoi(l.Name); err == nil {
			v.failf(path, "a named list's name is not a number")
		}
		if i > 0 && c.AccessLists[i-1].Ref() == l.Ref() {
			v.failf(path, "configured twice")
		}
		if len(l.Entries) == 0 && l.Name == "" {
			v.failf(path, "no entries")
		}
		var kept []ACE
		for j, e := range l.Entries {
			if e.Remark != "" {
				if err := CheckText(e.Remark, 100); err != nil {
					v.bad(path+".entries", err)
				}
				e = ACE{Seq: e.Seq, Remark: e.Remark}
				if e.Seq <= 0 {
					e.Seq = 10 * (j + 1)
				}
				kept = append(kept, e)
				continue
			}
			if l.IPv6 {
				if !e.Addr.Is6() || !e.Wildcard.Is6() || !e.DstAddr.Is6() || !e.DstWild.Is6() {
					v.badf(path+".entries", "entry %d: an IPv6 list takes IPv6 prefixes", j+1)
					continue
				}
				_, okS := WildcardPrefix(e.Addr, e.Wildcard)
				_, okD := WildcardPrefix(e.DstAddr, e.DstWild)
				if !okS || !okD {
					v.badf(path+".entries", "entry %d: an IPv6 list takes prefixes", j+1)
				}
			} else {
				e.Addr, e.Wildcard, e.DstAddr, e.DstWild = e.Addr.Unmap(), e.Wildcard.Unmap(), e.DstAddr.Unmap(), e.DstWild.Unmap()
				if !l.Extended {
					e.Protocol, e.SrcPort, e.DstPort, e.DstAddr, e.DstWild = 0, PortMatch{}, PortMatch{}, netip.Addr{}, netip.Addr{}
				}
				if !e.Addr.Is4() || !e.Wildcard.Is4() || l.Extended && (!e.DstAddr.Is4() || !e.DstWild.Is4()) {
					v.badf(path+".entries", "entry %d: access lists take IPv4 addresses and wildcards", j+1)
					continue
				}
			}
			if e.Protocol != 6 && e.Protocol != 17 && (e.SrcPort != PortMatch{} || e.DstPort != PortMatch{}) {
				v.badf(path+".entries", "entry %d: only tcp and udp entries have ports", j+1)
			}
			if e.Seq <= 0 {
				e.Seq = 10 * (j + 1)
			}
			// IOS ignores an entry the list already has.
			if !slices.ContainsFunc(kept, func(o ACE) bool { return SameRule(o, e) }) {
				kept = append(kept, e.Masked())
			}
		}
		// A remark may share its number with the rule after it.
		remarkFirst := func(a ACE) int {
			if a.Remark != "" {
				return 0
			}
			return 1
		}
		slices.SortStableFunc(kept, func(a, b ACE) int {
			if a.Seq != b.Seq {
				return a.Seq - b.Seq
			}
			return remarkFirst(a) - remarkFirst(b)
		})
		for j := 1; j < len(kept); j++ {
			if kept[j].Seq == kept[j-1].Seq && remarkFirst(kept[j]) == remarkFirst(kept[j-1]) {
				v.failf(path+".entries", "sequence number %d used twice", kept[j].Seq)
			}
		}
		l.Entries = kept
	}
}
