package config

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
)

// AccessList is an IP access list, standard or extended, numbered
// (`access-list N ...`) or named (`ip access-list standard|extended
// NAME`). Entries are in sequence order; a packet no entry matches is
// denied. One implementation serves every user of lists: SNMP communities
// and users, `line vty` access-class.
type AccessList struct {
	Number   int    // 1-99, 1300-1999 standard; 100-199, 2000-2699 extended; 0 for a named list
	Name     string // a named list's name
	Extended bool
	// IPv6 is an `ipv6 access-list NAME` (named, extended): its entries
	// hold IPv6 prefixes as address and wildcard (host bits set), so one
	// ACE type serves both families. It filters IPv6 packets only.
	IPv6    bool
	Entries []ACE
}

// ACE is one entry. Addresses are matched with IOS wildcards (bits set
// are ignored): `any` is 0.0.0.0 255.255.255.255, `host A` is A 0.0.0.0.
// A standard entry has only the source; an extended one also has a
// protocol (0 is `ip`, every protocol), ports for TCP and UDP and the
// destination.
type ACE struct {
	Seq int // sequence number: 10, 20 ... unless given
	// Remark is `remark TEXT`: a comment in the list's order, which
	// matches nothing.
	Remark   string
	Permit   bool
	Protocol uint8
	Addr     netip.Addr // source
	Wildcard netip.Addr
	SrcPort  PortMatch
	DstAddr  netip.Addr
	DstWild  netip.Addr
	DstPort  PortMatch
}

// PortOp is an extended entry's port comparison.
type PortOp uint8

const (
	PortAny   PortOp = iota
	PortEq           // eq P
	PortNeq          // neq P
	PortLt           // lt P
	PortGt           // gt P
	PortRange        // range LO HI
)

// PortMatch is `eq|neq|lt|gt P` or `range LO HI`; the zero value matches
// every port.
type PortMatch struct {
	Op     PortOp
	Lo, Hi uint16
}

// Packet is what a list is applied to: a management connection or
// request as the appliance receives it.
type Packet struct {
	Src, Dst         netip.Addr
	Protocol         uint8 // 6 TCP, 17 UDP
	SrcPort, DstPort uint16
}

var (
	AnyAddr      = netip.IPv4Unspecified()
	AnyWildcard  = netip.AddrFrom4([4]byte{255, 255, 255, 255})
	AnyAddr6     = netip.IPv6Unspecified()
	AnyWildcard6 = netip.AddrFrom16([16]byte{255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255})
)

// Wildcard6 is the wildcard of an IPv6 prefix of length bits: the host
// bits set.
func Wildcard6(bits int) netip.Addr {
	var w [16]byte
	for i := range w {
		n := min(max(bits-8*i, 0), 8)
		w[i] = byte(0xff >> n)
	}
	return netip.AddrFrom16(w)
}

// Host reports whether the entry's source is one address.
func (e ACE) Host() bool { return e.Wildcard == AnyAddr || e.Wildcard == AnyAddr6 }

// wildMatch reports whether a is m under the wildcard w. Only IPv4 is
// matched: IOS `access-list` and `ip access-list` are IPv4 lists, so an
// IPv6 source matches no entry and is denied.
func wildMatch(a, m, w netip.Addr) bool {
	a = a.Unmap()
	if !a.Is4() || !m.Is4() || !w.Is4() {
		return false
	}
	x, ww, mm := a.As4(), w.As4(), m.As4()
	for i := range x {
		if x[i]&^ww[i] != mm[i]&^ww[i] {
			return false
		}
	}
	return true
}

// Matches reports whether p matches the entry; extended says how to read
// it (a standard entry looks at the source only).
func (e ACE) Matches(p Packet, extended bool) bool {
	if !wildMatch(p.Src, e.Addr, e.Wildcard) {
		return false
	}
	if !extended {
		return true
	}
	if e.Protocol != 0 && e.Protocol != p.Protocol {
		return false
	}
	// A packet whose destination is not known (a listener that could not
	// learn it) matches only entries for any destination.
	dst := wildMatch(p.Dst, e.DstAddr, e.DstWild) || !p.Dst.IsValid() && e.DstWild == AnyWildcard
	return dst && e.SrcPort.Matches(p.SrcPort) && e.DstPort.Matches(p.DstPort)
}

// Matches applies the comparison to a port.
func (m PortMatch) Matches(port uint16) bool {
	switch m.Op {
	case PortEq:
		return port == m.Lo
	case PortNeq:
		return port != m.Lo
	case PortLt:
		return port < m.Lo
	case PortGt:
		return port > m.Lo
	case PortRange:
		return port >= m.Lo && port <= m.Hi
	}
	return true
}

// Decide applies the list: the first matching entry decides, and a packet
// no entry matches is denied. i is the deciding entry's index, -1 for the
// implicit deny.
func (l AccessList) Decide(p Packet) (permit bool, i int) {
	for i, e := range l.Entries {
		if e.Remark == "" && e.Matches(p, l.Extended) {
			return e.Permit, i
		}
	}
	return false, -1
}

// Permits is Decide without the entry.
func (l AccessList) Permits(p Packet) bool {
	ok, _ := l.Decide(p)
	return ok
}

// Ref is how the list is named where it is applied: its number or name.
func (l AccessList) Ref() string {
	if l.Name != "" {
		return l.Name
	}
	return strconv.Itoa(l.Number)
}

// FindAccessList returns the list a reference (a number or a name) names.
func (c *Config) FindAccessList(ref string) (AccessList, bool) {
	i := slices.IndexFunc(c.AccessLists, func(l AccessList) bool { return l.Ref() == ref })
	if i < 0 {
		return AccessList{}, false
	}
	return c.AccessLists[i], true
}

// ManagementDecide applies the list ref to p for the management plane:
// no list (""), or one that is referenced but not configured, permits
// everything, as IOS treats an access-class or community list that names
// no list. l and i are the list and its deciding entry (i -1 for none,
// or the implicit deny).
func (c *Config) ManagementDecide(ref string, p Packet) (permit bool, l AccessList, i int) {
	if ref == "" {
		return true, AccessList{}, -1
	}
	l, ok := c.FindAccessList(ref)
	if !ok {
		return true, l, -1
	}
	permit, i = l.Decide(p)
	return permit, l, i
}

// ManagementPermits is ManagementDecide's answer.
func (c *Config) ManagementPermits(ref string, p Packet) bool {
	ok, _, _ := c.ManagementDecide(ref, p)
	return ok
}

// Masked clears the address bits the wildcards ignore, as IOS does when
// it stores `access-list 10 permit 10.1.2.3 0.0.0.255` as 10.1.2.0.
func (e ACE) Masked() ACE {
	e.Addr = maskWild(e.Addr, e.Wildcard)
	e.DstAddr = maskWild(e.DstAddr, e.DstWild)
	return e
}

func maskWild(a, w netip.Addr) netip.Addr {
	switch {
	case a.Is4() && w.Is4():
		x, ww := a.As4(), w.As4()
		for i := range x {
			x[i] &^= ww[i]
		}
		return netip.AddrFrom4(x)
	case a.Is6() && w.Is6():
		x, ww := a.As16(), w.As16()
		for i := range x {
			x[i] &^= ww[i]
		}
		return netip.AddrFrom16(x)
	}
	return a
}

// SameRule compares entries without their sequence numbers: IOS ignores
// an entry a list already has.
func SameRule(a, b ACE) bool { a.Seq, b.Seq = 0, 0; return a == b }

// aclKind tells numbered lists' kinds apart.
func ACLKind(n int) (valid, extended bool) {
	switch {
	case n >= 1 && n <= 99, n >= 1300 && n <= 1999:
		return true, false
	case n >= 100 && n <= 199, n >= 2000 && n <= 2699:
		return true, true
	}
	return false, false
}

// Add puts an entry in a list: at its sequence number, or 10 after the
// last one. A repeated rule changes nothing.
func (l *AccessList) Add(e ACE) {
	if slices.ContainsFunc(l.Entries, func(o ACE) bool { return SameRule(o, e) }) {
		return
	}
	if e.Seq == 0 {
		e.Seq = 10
		if n := len(l.Entries); n > 0 {
			e.Seq = l.Entries[n-1].Seq + 10
		}
	}
	// A remark may share its number with the rule it comments (IOS-XE
	// shows ` 10 remark ...` above ` 10 permit ...`): the remark first.
	i, _ := slices.BinarySearchFunc(l.Entries, e.Seq, func(o ACE, s int) int { return o.Seq - s })
	for j := i; j < len(l.Entries) && l.Entries[j].Seq == e.Seq; j++ {
		if (l.Entries[j].Remark != "") == (e.Remark != "") {
			l.Entries[j] = e
			return
		}
		if e.Remark == "" {
			i = j + 1
		}
	}
	l.Entries = slices.Insert(l.Entries, i, e)
}

// SeqTaken reports whether e's sequence number is taken in l by an entry
// of its kind: a remark and a rule may share one.
func (l *AccessList) SeqTaken(e ACE) bool {
	return slices.ContainsFunc(l.Entries, func(o ACE) bool { return o.Seq == e.Seq && (o.Remark != "") == (e.Remark != "") })
}

// MaxInputFilterEntries is how many entries a list used as a NetFlow
// input filter may have: the datapath gives each a bit of a 64-bit word.
const MaxInputFilterEntries = 64

// WildcardPrefix is the prefix an address and IOS wildcard stand for;
// false when the wildcard's set bits are not contiguous low bits (such a
// list is fine for management, but the datapath matches prefixes).
func WildcardPrefix(addr, wild netip.Addr) (netip.Prefix, bool) {
	if addr.Is4() != wild.Is4() || !addr.IsValid() || !wild.IsValid() {
		return netip.Prefix{}, false
	}
	w := wild.AsSlice()
	// The set bits must be a run at the low end: 0..01..1.
	bits, ones := 0, false
	for _, b := range w {
		for i := 7; i >= 0; i-- {
			set := b&(1<<i) != 0
			switch {
			case set:
				ones = true
			case ones:
				return netip.Prefix{}, false
			default:
				bits++
			}
		}
	}
	return netip.PrefixFrom(addr, bits).Masked(), true
}

// InputFilterUsable says why a list cannot be a NetFlow input filter:
// too many entries, or a wildcard that is not a prefix.
func InputFilterUsable(l AccessList) error {
	n := 0
	for _, e := range l.Entries {
		if e.Remark != "" {
			continue
		}
		n++
		if _, _, err := l.EntryPrefixes(e); err != nil {
			return err
		}
	}
	if n > MaxInputFilterEntries {
		return fmt.Errorf("access list %s has %d entries: an input filter takes at most %d", l.Ref(), n, MaxInputFilterEntries)
	}
	return nil
}

// EntryPrefixes is what entry e of l matches as an input filter does:
// its source prefix and, in an extended list, its destination prefix;
// an error when a wildcard is not a prefix.
func (l AccessList) EntryPrefixes(e ACE) (src, dst netip.Prefix, err error) {
	src, ok := WildcardPrefix(e.Addr, e.Wildcard)
	if !ok {
		return src, dst, fmt.Errorf("access list %s entry %d: source wildcard %s is not a prefix; an input filter matches prefixes", l.Ref(), e.Seq, e.Wildcard)
	}
	if l.Extended {
		if dst, ok = WildcardPrefix(e.DstAddr, e.DstWild); !ok {
			return src, dst, fmt.Errorf("access list %s entry %d: destination wildcard %s is not a prefix; an input filter matches prefixes", l.Ref(), e.Seq, e.DstWild)
		}
	}
	return src, dst, nil
}

// Family is the address family the list filters: 4, or 6 for an `ipv6
// access-list`.
func (l AccessList) Family() int {
	if l.IPv6 {
		return 6
	}
	return 4
}

// SrcPrefix is the entry's source as a prefix (invalid when its wildcard
// is not one; InputFilterUsable refuses such a list for the datapath).
func (e ACE) SrcPrefix() netip.Prefix {
	p, _ := WildcardPrefix(e.Addr, e.Wildcard)
	return p
}

// DstPrefix is the extended entry's destination as a prefix; invalid
// (any) for a standard entry.
func (e ACE) DstPrefix() netip.Prefix {
	if !e.DstAddr.IsValid() {
		return netip.Prefix{}
	}
	p, _ := WildcardPrefix(e.DstAddr, e.DstWild)
	return p
}
