package config

import (
	"fmt"
	"net/netip"
	"slices"
)

// ClassDefault is the class every policy map ends with: what no other
// class matched.
const ClassDefault = "class-default"

// ClassMap is a `class-map [match-all|match-any] NAME` with its `match
// access-group N|name ACL` lines: the traffic one class of a NetFlow input
// filter policy selects (Cisco's NetFlow Input Filters, an MQC feature).
type ClassMap struct {
	Name string
	// MatchAny is match-any (any listed list permits); the default,
	// match-all, needs every list to permit.
	MatchAny bool
	// AccessGroups are the lists, as `match access-group` names them (a
	// number, or a name given with `name`), in configuration order.
	AccessGroups []string
}

// PolicyMap is a `policy-map NAME`: its classes in order, each with the
// flow-sampler-map it meters through (`netflow-sampler NAME`). A packet is
// metered through the sampler of the first class that matches it;
// class-default takes what no class matched.
type PolicyMap struct {
	Name    string
	Classes []PolicyClass
}

// PolicyClass is one `class NAME` of a policy map.
type PolicyClass struct {
	Class string // a class map's name, or ClassDefault
	// Sampler is `netflow-sampler NAME`; "" leaves the class's traffic
	// unmetered, as a class with no NetFlow action is on IOS.
	Sampler string
}

func (m ClassMap) Key() string  { return m.Name }
func (m PolicyMap) Key() string { return m.Name }

// FindClassMap returns the class map name.
func (c *Config) FindClassMap(name string) (ClassMap, bool) {
	i := slices.IndexFunc(c.ClassMaps, func(m ClassMap) bool { return m.Name == name })
	if i < 0 {
		return ClassMap{}, false
	}
	return c.ClassMaps[i], true
}

// FindPolicyMap returns the policy map name.
func (c *Config) FindPolicyMap(name string) (PolicyMap, bool) {
	i := slices.IndexFunc(c.PolicyMaps, func(m PolicyMap) bool { return m.Name == name })
	if i < 0 {
		return PolicyMap{}, false
	}
	return c.PolicyMaps[i], true
}

// OrderedClasses are the policy's classes as they are evaluated: the
// configured ones in order, class-default last (present even when not
// configured, without a sampler).
func (m PolicyMap) OrderedClasses() []PolicyClass {
	var out []PolicyClass
	def := PolicyClass{Class: ClassDefault}
	for _, pc := range m.Classes {
		if pc.Class == ClassDefault {
			def = pc
			continue
		}
		out = append(out, pc)
	}
	return append(out, def)
}

// ClassTerm is one term of a policy's filter for one address family: an
// access-list entry of a class (in class order, then list order, then
// entry order), or class-default's catch-all (List "").
type ClassTerm struct {
	List  string // the access list's reference; "" for the catch-all
	Entry ACE
	// Class is the class a packet this term matches falls in: the
	// entry's own class for a permit; for a deny (which on IOS sends the
	// packet on to the next class) the class that then takes it.
	Class string
	// Sampler is that class's netflow-sampler; Meter says whether the
	// packet is metered through it.
	Sampler string
	Meter   bool
	// Also are the later entries a denied packet matched on its way to
	// Class: they count it too, as on IOS.
	Also []EntryRef
	// From is the class the entry belongs to (Class may be a later one).
	From string
	// Match, when set, is what the term matches instead of Entry: the
	// part of a deny's traffic that a later entry takes (the deny and
	// that entry both count it), or a match-all class's intersection.
	Match *ACE
	// group is the list (a match-all class's lists together) the term
	// was laid out from: a deny hides its traffic from the group's later
	// terms only. deny: the term's packet is not in its own class.
	group string
	deny  bool
}

// MatchACE is what the term matches: Match, else its entry.
func (t ClassTerm) MatchACE() ACE {
	if t.Match != nil {
		return *t.Match
	}
	return t.Entry
}

// EntryRef names one access-list entry.
type EntryRef struct {
	List  string
	Entry ACE
}

// PolicyTerms lays policy p out as first-match terms for family 4 or 6.
// A deny entry becomes a term that does what the class that takes the
// packet next does: where a later term holds all of its traffic it does
// what that term does; the parts later terms hold in part become terms of
// their own before it (several when their ports are several ranges). A
// match-all class of several lists is their intersection: each permitted
// entry of the first list crossed with the next list's entries in order,
// so the first term a packet matches is the pair of entries each list's
// own walk stops at (see matchAllTerms). Lists of the other family match
// nothing in this one: a match-all class that names one takes no packet
// of this family, yet its terms up to that list remain, as denies, for
// the entries IOS's walk meets on the way count the packet.
// class-default's catch-all is the last term when it meters.
// A policy laid out in more than MaxInputFilterEntries terms (the
// datapath's term budget) is refused.
func (c *Config) PolicyTerms(p PolicyMap, family int) ([]ClassTerm, error) {
	var out []ClassTerm
	for _, pc := range p.OrderedClasses() {
		if pc.Class == ClassDefault {
			if pc.Sampler != "" {
				out = append(out, ClassTerm{Class: pc.Class, Sampler: pc.Sampler, Meter: true})
			}
			continue
		}
		cm, ok := c.FindClassMap(pc.Class)
		if !ok {
			return nil, fmt.Errorf("policy-map %s: class-map %s is not configured", p.Name, pc.Class)
		}
		var lists []AccessList
		cut := false // a match-all class's walk ends at a list of the other family
		for _, ref := range cm.AccessGroups {
			l, ok := c.FindAccessList(ref)
			if !ok {
				return nil, fmt.Errorf("class-map %s: access list %s is not configured", cm.Name, ref)
			}
			if err := InputFilterUsable(l); err != nil {
				return nil, fmt.Errorf("class-map %s: %w", cm.Name, err)
			}
			if l.Family() != family {
				cut = cut || !cm.MatchAny
				continue
			}
			if !cut {
				lists = append(lists, l)
			}
		}
		term := func(l AccessList, e ACE, group string, permit bool, match *ACE, also []EntryRef) ClassTerm {
			return ClassTerm{Class: pc.Class, From: pc.Class, Sampler: pc.Sampler, Meter: permit && pc.Sampler != "",
				List: l.Ref(), Entry: e, Match: match, Also: also, group: group, deny: !permit}
		}
		if !cm.MatchAny && len(cm.AccessGroups) > 1 {
			if len(lists) == 0 {
				continue // the first list is of the other family: it permits nothing
			}
			group := ""
			for _, l := range lists {
				group += "&" + l.Ref()
			}
			if cut {
				// A list of the other family matches none of this
				// family's packets: it is an empty list, whose implicit
				// deny closes the walk. The class takes nothing, but
				// the entries the walk met before it count the packet.
				lists = append(lists, AccessList{Extended: true})
			}
			out = matchAllTerms(out, lists, nil, nil, func(refs []EntryRef, permit bool, x ACE) ClassTerm {
				l, _ := c.FindAccessList(refs[0].List)
				return term(l, refs[0].Entry, group, permit, &x, slices.Clone(refs[1:]))
			})
			if len(out) > MaxInputFilterEntries {
				return nil, fmt.Errorf("policy-map %s: the match-all class %s is the intersection of %d access lists, more than the %d filter terms a NetFlow input filter holds; use fewer or shorter lists", p.Name, cm.Name, len(lists), MaxInputFilterEntries)
			}
			continue
		}
		for _, l := range lists {
			for _, e := range l.Entries {
				if e.Remark == "" {
					out = append(out, term(l, e, l.Ref(), e.Permit, nil, nil))
				}
			}
		}
	}
	// From the last term back, so a deny can take over what the terms
	// after it (denies among them, already settled) do: where a later
	// term holds all of the deny's traffic, the deny does what it does;
	// where a later term holds part of it, that part becomes a term of
	// its own before the deny, doing what the later term does.
	def, _ := findPolicyClass(p, ClassDefault)
	for i := len(out) - 1; i >= 0; i-- {
		t := out[i]
		if t.List == "" || !t.deny {
			continue
		}
		own := t.Also
		t.Class, t.Sampler, t.Meter = ClassDefault, def.Sampler, false
		var parts []ClassTerm
		for _, u := range out[i+1:] {
			// The list's own later entries (a match-all class's: its
			// later pairs) never see what its deny matched; anything
			// after the list does.
			if u.List != "" && u.group == t.group && u.From == t.From || !termsOverlap(t, u) {
				continue
			}
			also := u.Also
			if u.List != "" {
				also = append([]EntryRef{{u.List, u.Entry}}, u.Also...)
			}
			also = slices.Concat(own, also)
			if termContains(u, t) {
				t.Class, t.Sampler, t.Meter, t.Also = u.Class, u.Sampler, u.Meter, also
				break
			}
			for _, x := range intersectACEs(t.MatchACE(), u.MatchACE()) {
				parts = append(parts, ClassTerm{List: t.List, Entry: t.Entry, From: t.From, Match: &x, group: t.group,
					Class: u.Class, Sampler: u.Sampler, Meter: u.Meter, Also: also})
			}
			if len(out)+len(parts) > MaxInputFilterEntries {
				break // refused below; no need to split further
			}
		}
		out[i] = t
		out = slices.Insert(out, i, parts...)
		if len(out) > MaxInputFilterEntries {
			return nil, fmt.Errorf("policy-map %s: access list %s entry %d denies traffic that later classes take in part; split into the parts each takes, the policy needs more than the %d filter terms a NetFlow input filter holds", p.Name, t.List, t.Entry.Seq, MaxInputFilterEntries)
		}
	}
	if len(out) > MaxInputFilterEntries {
		return nil, fmt.Errorf("policy-map %s has %d access-list entries: a NetFlow input filter takes at most %d", p.Name, len(out), MaxInputFilterEntries)
	}
	return out, nil
}

// matchAllTerms appends to out the terms of a match-all class over lists
// (IOS: a packet is in the class when every list permits it), within
// region x (nil: everything) and with refs the entries already matched.
// For each entry of the first list in order: a deny is a deny term (the
// class is missed whatever the other lists say); a permit is crossed with
// the next lists' entries in order, then closed by a deny term for what
// none of them matched (their implicit deny). In first-match order the
// term a packet meets first is then the one whose entries are each
// list's own first match. It stops once out holds more than
// MaxInputFilterEntries terms, so a large product costs no more than that.
func matchAllTerms(out []ClassTerm, lists []AccessList, x *ACE, refs []EntryRef, mk func(refs []EntryRef, permit bool, x ACE) ClassTerm) []ClassTerm {
	l := lists[0]
	for _, e := range l.Entries {
		if e.Remark != "" {
			continue
		}
		pieces := []ACE{e}
		if x != nil {
			pieces = intersectACEs(e, *x)
		}
		r := append(slices.Clone(refs), EntryRef{l.Ref(), e})
		for _, pc := range pieces {
			if len(out) > MaxInputFilterEntries {
				return out
			}
			if !e.Permit || len(lists) == 1 {
				out = append(out, mk(r, e.Permit, pc))
				continue
			}
			out = matchAllTerms(out, lists[1:], &pc, r, mk)
			out = append(out, mk(r, false, pc))
		}
	}
	return out
}
func findPolicyClass(p PolicyMap, class string) (PolicyClass, bool) {
	for _, pc := range p.Classes {
		if pc.Class == class {
			return pc, true
		}
	}
	return PolicyClass{Class: class}, false
}

// termContains reports whether every packet t matches, u matches.
func termContains(u, t ClassTerm) bool {
	if u.List == "" {
		return true
	}
	if t.List == "" {
		return false
	}
	x, y := u.MatchACE(), t.MatchACE()
	if x.Protocol != 0 && x.Protocol != y.Protocol {
		return false
	}
	return prefixContains(x.SrcPrefix(), y.SrcPrefix()) && prefixContains(x.DstPrefix(), y.DstPrefix()) &&
		portsContain(x.SrcPort, y.SrcPort) && portsContain(x.DstPort, y.DstPort)
}

// intersectACEs is what both a and b match, as entries (the action
// a's): none when they do not overlap, several when the ports they share
// are several ranges (one entry per source and destination range).
func intersectACEs(a, b ACE) []ACE {
	x := a
	switch {
	case x.Protocol == 0:
		x.Protocol = b.Protocol
	case b.Protocol != 0 && b.Protocol != x.Protocol:
		return nil
	}
	var ok bool
	if x.Addr, x.Wildcard, ok = intersectPrefix(a.Addr, a.Wildcard, b.Addr, b.Wildcard); !ok {
		return nil
	}
	if x.DstAddr, x.DstWild, ok = intersectPrefix(a.DstAddr, a.DstWild, b.DstAddr, b.DstWild); !ok {
		return nil
	}
	var out []ACE
	for _, sp := range intersectPorts(a.SrcPort, b.SrcPort) {
		for _, dp := range intersectPorts(a.DstPort, b.DstPort) {
			y := x
			y.SrcPort, y.DstPort = sp, dp
			out = append(out, y)
		}
	}
	return out
}

// intersectPrefix is the longer of two overlapping prefixes, as address
// and wildcard; an invalid address (a standard entry's destination) is
// any.
func intersectPrefix(a, aw, b, bw netip.Addr) (netip.Addr, netip.Addr, bool) {
	if !a.IsValid() {
		return b, bw, true
	}
	if !b.IsValid() {
		return a, aw, true
	}
	pa, okA := WildcardPrefix(a, aw)
	pb, okB := WildcardPrefix(b, bw)
	if !okA || !okB || !pa.Overlaps(pb) {
		return netip.Addr{}, netip.Addr{}, false
	}
	if pb.Bits() > pa.Bits() {
		return b, bw, true
	}
	return a, aw, true
}

// intersectPorts is the ports both a and b hold for, one comparison per
// range (none: no port does).
func intersectPorts(a, b PortMatch) []PortMatch {
	var out []PortMatch
	for _, ra := range a.Ranges() {
		for _, rb := range b.Ranges() {
			lo, hi := max(ra[0], rb[0]), min(ra[1], rb[1])
			switch {
			case lo > hi:
			case lo == 0 && hi == 65535:
				out = append(out, PortMatch{})
			case lo == hi:
				out = append(out, PortMatch{Op: PortEq, Lo: lo})
			default:
				out = append(out, PortMatch{Op: PortRange, Lo: lo, Hi: hi})
			}
		}
	}
	return out
}

func prefixContains(outer, inner netip.Prefix) bool {
	if !outer.IsValid() || outer.Bits() == 0 {
		return true
	}
	return inner.IsValid() && outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

// portsContain: every port in inner satisfies outer.
func portsContain(outer, inner PortMatch) bool {
	for _, ri := range inner.Ranges() {
		in := false
		for _, ro := range outer.Ranges() {
			if ro[0] <= ri[0] && ri[1] <= ro[1] {
				in = true
				break
			}
		}
		if !in {
			return false
		}
	}
	return true
}

// termsOverlap reports whether some packet matches both terms; a
// catch-all (List "") matches everything.
func termsOverlap(a, b ClassTerm) bool {
	if a.List == "" || b.List == "" {
		return true
	}
	x, y := a.MatchACE(), b.MatchACE()
	if x.Protocol != 0 && y.Protocol != 0 && x.Protocol != y.Protocol {
		return false
	}
	return prefixesOverlap(x.SrcPrefix(), y.SrcPrefix()) && prefixesOverlap(x.DstPrefix(), y.DstPrefix()) &&
		portsOverlap(x.SrcPort, y.SrcPort) && portsOverlap(x.DstPort, y.DstPort)
}

func prefixesOverlap(a, b netip.Prefix) bool {
	if !a.IsValid() || !b.IsValid() {
		return true // any
	}
	return a.Overlaps(b)
}

// portsOverlap: some port satisfies both comparisons.
func portsOverlap(a, b PortMatch) bool {
	for _, ra := range a.Ranges() {
		for _, rb := range b.Ranges() {
			if ra[0] <= rb[1] && rb[0] <= ra[1] {
				return true
			}
		}
	}
	return false
}

// Ranges is the comparison as inclusive port ranges (none: no port).
func (m PortMatch) Ranges() [][2]uint16 {
	switch m.Op {
	case PortEq:
		return [][2]uint16{{m.Lo, m.Lo}}
	case PortNeq:
		var out [][2]uint16
		if m.Lo > 0 {
			out = append(out, [2]uint16{0, m.Lo - 1})
		}
		if m.Lo < 65535 {
			out = append(out, [2]uint16{m.Lo + 1, 65535})
		}
		return out
	case PortLt:
		if m.Lo == 0 {
			return nil
		}
		return [][2]uint16{{0, m.Lo - 1}}
	case PortGt:
		if m.Lo == 65535 {
			return nil
		}
		return [][2]uint16{{m.Lo + 1, 65535}}
	case PortRange:
		return [][2]uint16{{m.Lo, m.Hi}}
	}
	return [][2]uint16{{0, 65535}}
}

func (v *validator) policies(c *Config) {
	seen := map[string]bool{}
	for _, m := range c.ClassMaps {
		path := "class-maps[" + m.Name + "]"
		if err := CheckName(m.Name, 40); err != nil {
			v.bad(path, err)
		}
		if m.Name == ClassDefault {
			v.failf(path, "class-default is predefined")
		}
		if seen[m.Name] {
			v.failf(path, "configured twice")
		}
		seen[m.Name] = true
		for i, ref := range m.AccessGroups {
			v.checkACLRef(path+".access-groups", ref)
			// IOS keeps one `match access-group` line a list; the
			// terms lay a list out once a class.
			if slices.Contains(m.AccessGroups[:i], ref) {
				v.failf(path+".access-groups", "access list %s is matched twice", ref)
			}
		}
	}
	seen = map[string]bool{}
	for _, p := range c.PolicyMaps {
		path := "policy-maps[" + p.Name + "]"
		if err := CheckName(p.Name, 40); err != nil {
			v.bad(path, err)
		}
		if seen[p.Name] {
			v.failf(path, "configured twice")
		}
		seen[p.Name] = true
		classes := map[string]bool{}
		for _, pc := range p.Classes {
			if classes[pc.Class] {
				v.failf(path+".classes", "class %s configured twice", pc.Class)
			}
			classes[pc.Class] = true
			if pc.Class != ClassDefault {
				if _, ok := c.FindClassMap(pc.Class); !ok {
					v.failf(path+".classes", "class-map %s is not configured", pc.Class)
				}
			}
			if pc.Sampler != "" {
				j := slices.IndexFunc(c.Samplers, func(m SamplerMap) bool { return m.Name == pc.Sampler })
				switch {
				case j < 0:
					v.failf(path+".classes", "flow-sampler-map %s is not configured", pc.Sampler)
				case c.Samplers[j].Rate == 0:
					v.failf(path+".classes", "flow-sampler-map %s has no mode", pc.Sampler)
				}
			}
		}
	}
	for _, it := range c.Interfaces {
		if it.ServicePolicy == "" {
			continue
		}
		path := "interfaces[" + it.Name + "].service-policy"
		p, ok := c.FindPolicyMap(it.ServicePolicy)
		if !ok {
			v.failf(path, "policy map %s is not configured", it.ServicePolicy)
			continue
		}
		if c.PlatformName() != DefaultPlatform {
			v.failf(path, "NetFlow input filters (service-policy input) are a router feature: platform %s has none", c.PlatformName())
		}
		if it.Sampler != "" {
			v.failf(path, "random sampled NetFlow (flow-sampler) and NetFlow input filters (service-policy) cannot run on the same interface")
		}
		if it.InputFilter != "" || it.InputFilter6 != "" {
			v.failf(path, "ip flow ingress input-filter and service-policy input are two input filters: use one")
		}
		for _, fam := range []int{4, 6} {
			if _, err := c.PolicyTerms(p, fam); err != nil {
				v.fail(path, err)
				break
			}
		}
	}
}
