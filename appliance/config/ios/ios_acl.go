package ios

import (
	"errors"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
)

// The protocols an extended entry names; any other is a number 1-255.
var aclProtocols = map[string]uint8{"ip": 0, "icmp": 1, "tcp": 6, "udp": 17}

// aclPorts are the port names IOS accepts and shows for TCP and UDP; any
// other port is a number.
var aclPorts = map[uint8]map[string]uint16{
	6:  {"bgp": 179, "domain": 53, "ftp": 21, "telnet": 23, "www": 80},
	17: {"domain": 53, "ntp": 123, "snmp": 161, "snmptrap": 162, "syslog": 514, "tftp": 69},
}

// accessList reads `access-list N permit|deny ...` and `no access-list N`.
func (x *cmd) accessList() {
	n := int(x.c.Uint(1, 2699))
	valid, extended := config.ACLKind(n)
	if x.c.Err == nil && !valid {
		x.c.Invalid(x.c.Last(), "standard lists are 1-99 and 1300-1999, extended 100-199 and 2000-2699")
	}
	x.touch("access-lists[" + strconv.Itoa(n) + "]")
	i := slices.IndexFunc(x.cfg.AccessLists, func(l config.AccessList) bool { return l.Name == "" && l.Number == n })
	if x.neg {
		x.c.Skip()
		if x.c.Err == nil && i >= 0 {
			x.cfg.AccessLists = slices.Delete(x.cfg.AccessLists, i, i+1)
		}
		return
	}
	e, ok := x.aceLine(extended, false)
	if !ok {
		return
	}
	if i < 0 {
		x.cfg.AccessLists = append(x.cfg.AccessLists, config.AccessList{Number: n, Extended: extended})
		i = len(x.cfg.AccessLists) - 1
	}
	x.cfg.AccessLists[i].Add(e)
}

// ipAccessList reads `ip access-list standard|extended NAME`, which opens
// the list's mode. A name that is a number edits that numbered list, as
// on IOS.
func (x *cmd) ipAccessList() {
	extended := x.c.Keyword("extended", "standard") == "extended"
	name := x.c.Name("WORD", config.CheckName32)
	x.c.End()
	if x.c.Err != nil {
		return
	}
	l := config.AccessList{Name: name, Extended: extended}
	if n, err := strconv.Atoi(name); err == nil {
		valid, ext := config.ACLKind(n)
		if !valid || ext != extended {
			x.c.Invalid(x.c.Last(), "a number names a numbered list of the same kind")
			return
		}
		l = config.AccessList{Number: n, Extended: extended}
	}
	x.touch("access-lists[" + l.Ref() + "]")
	i := slices.IndexFunc(x.cfg.AccessLists, func(o config.AccessList) bool { return o.Ref() == l.Ref() })
	if x.neg {
		if i >= 0 {
			x.cfg.AccessLists = slices.Delete(x.cfg.AccessLists, i, i+1)
		}
		return
	}
	if i >= 0 && x.cfg.AccessLists[i].Extended != extended {
		x.c.Refuse("%s is an access list of the other kind", name)
		return
	}
	if i < 0 {
		x.cfg.AccessLists = append(x.cfg.AccessLists, l)
	}
	kind := modeACLStandard
	if extended {
		kind = modeACLExtended
	}
	x.open(kind, l.Ref())
}

// aclMode reads the lines of a named list's mode: `[SEQ] permit|deny
// ...`, `no SEQ`, `no permit|deny ...`.
func (x *cmd) aclMode(extended bool) {
	if !x.aclModeStart() {
		return
	}
	seq := 0
	if x.c.More() {
		if _, err := strconv.Atoi(x.c.Words[x.c.Pos].Text); err == nil {
			seq = int(x.c.Uint(1, 2147483647))
		}
	}
	x.editEntry("access list", seq, func() (config.ACE, bool) { return x.aceLine(extended, x.neg) })
}

// aclModeStart reads a list mode line's leading `no`, or `exit`, which
// leaves the mode: false then.
func (x *cmd) aclModeStart() bool {
	switch x.c.TryKeyword("no", "exit") {
	case "exit":
		x.c.End()
		x.exited = true
		return false
	case "no":
		x.neg = true
	}
	return true
}

// editEntry applies an access-list mode line, of either family, to the
// mode's list (what names its kind, should it be gone): `no SEQ` deletes
// that entry, `no permit|deny ...` the same rule; otherwise read's entry
// is added at seq (0: after the last), unless seq is taken.
func (x *cmd) editEntry(what string, seq int, read func() (config.ACE, bool)) {
	if x.c.Err != nil {
		return
	}
	i := slices.IndexFunc(x.cfg.AccessLists, func(l config.AccessList) bool { return l.Ref() == x.mode.key })
	if i < 0 {
		x.gone(what)
		return
	}
	l := &x.cfg.AccessLists[i]
	x.touch("access-lists[" + l.Ref() + "]")
	if x.neg && seq != 0 && !x.c.More() {
		l.Entries = slices.DeleteFunc(l.Entries, func(e config.ACE) bool { return e.Seq == seq })
		return
	}
	e, ok := read()
	if !ok {
		return
	}
	e.Seq = seq
	if x.neg {
		l.Entries = slices.DeleteFunc(l.Entries, func(o config.ACE) bool { return config.SameRule(o, e) })
		return
	}
	if seq != 0 && l.SeqTaken(e) {
		x.c.Refuse("Duplicate sequence number")
		return
	}
	l.Add(e)
}

// aceRemark reads a list's `remark TEXT` after the keyword.
func (x *cmd) aceRemark() (config.ACE, bool) {
	r := x.c.Rest("LINE")
	if x.c.Err == nil {
		if err := config.CheckText(r, 100); err != nil {
			x.c.Refuse("%v", err)
		}
	}
	return config.ACE{Remark: r}, x.c.Err == nil
}

// aceLine reads `permit|deny` and the entry after it; ok is false when
// the line failed.
func (x *cmd) aceLine(extended, neg bool) (config.ACE, bool) {
	act := x.c.Keyword("deny", "permit", "remark")
	if act == "remark" {
		return x.aceRemark()
	}
	e := config.ACE{Permit: act == "permit"}
	if !extended {
		e.Addr, e.Wildcard = x.aclAddr(true)
	} else {
		e.Protocol = x.aclProtocol()
		e.Addr, e.Wildcard = x.aclAddr(false)
		e.SrcPort = x.aclPort(e.Protocol)
		e.DstAddr, e.DstWild = x.aclAddr(false)
		e.DstPort = x.aclPort(e.Protocol)
	}
	if x.c.More() && x.c.Err == nil && (strings.EqualFold(x.c.Words[x.c.Pos].Text, "log") || strings.EqualFold(x.c.Words[x.c.Pos].Text, "log-input")) {
		// Taking the entry without its `log` would drop what the
		// operator asked for without a word.
		x.c.Invalid(x.c.Pos, "per-entry logging is not offered; flowtap logs each SSH connection its vty access-class refuses")
	}
	x.c.End()
	if x.c.Err != nil {
		return config.ACE{}, false
	}
	return e.Masked(), true
}

func (x *cmd) aclProtocol() uint8 {
	if k := x.c.TryKeyword("icmp", "ip", "tcp", "udp"); k != "" {
		return aclProtocols[k]
	}
	if x.c.Err != nil {
		return 0
	}
	return uint8(x.c.Uint(1, 255))
}

// aclAddr reads `any`, `host A` or `A W`; a standard list also takes a
// bare A, meaning that host.
func (x *cmd) aclAddr(standard bool) (addr, wild netip.Addr) {
	switch x.c.TryKeyword("any", "host") {
	case "any":
		return config.AnyAddr, config.AnyWildcard
	case "host":
		return x.c.Addr(true), config.AnyAddr
	}
	if x.c.Err != nil {
		return netip.Addr{}, netip.Addr{}
	}
	a := x.c.Addr(true)
	if standard && !x.c.More() {
		return a, config.AnyAddr
	}
	return a, x.c.Addr(true)
}

// aclPort reads an optional port comparison; only TCP and UDP have ports.
func (x *cmd) aclPort(proto uint8) config.PortMatch {
	if proto != 6 && proto != 17 {
		return config.PortMatch{}
	}
	k := x.c.TryKeyword("eq", "gt", "lt", "neq", "range")
	if k == "" || x.c.Err != nil {
		return config.PortMatch{}
	}
	m := config.PortMatch{Op: map[string]config.PortOp{"eq": config.PortEq, "gt": config.PortGt, "lt": config.PortLt, "neq": config.PortNeq, "range": config.PortRange}[k]}
	m.Lo = x.aclPortNumber(proto)
	if m.Op == config.PortRange {
		m.Hi = x.aclPortNumber(proto)
		if x.c.Err == nil && m.Hi < m.Lo {
			x.c.Invalid(x.c.Last(), "the range ends below its start")
		}
	}
	return m
}

func (x *cmd) aclPortNumber(proto uint8) uint16 {
	if x.c.More() {
		if p, ok := aclPorts[proto][x.c.Words[x.c.Pos].Text]; ok {
			x.c.Pos++
			return p
		}
	}
	return uint16(x.c.Uint(0, 65535))
}

// aclRef reads where a list is applied: a list number (1-2699) or a
// name. The list need not exist yet, as on IOS.
func (x *cmd) aclRef() string {
	return x.c.Name("<1-2699> or WORD", func(s string) error {
		if n, err := strconv.Atoi(s); err == nil {
			if valid, _ := config.ACLKind(n); !valid {
				return errors.New("access lists are 1-199 and 1300-2699")
			}
			return nil
		}
		return config.CheckName32(s)
	})
}

// renderAccessList writes a numbered list as `access-list` lines, as IOS
// does, unless its sequence numbers are not the 10, 20 ... those lines
// give on reading; a named list (and such a numbered one) as an `ip
// access-list` block with its sequence numbers.
func renderAccessList(r *iosWriter, l config.AccessList) {
	if l.IPv6 {
		renderAccessList6(r, l)
		return
	}
	plain := l.Name == ""
	for i, e := range l.Entries {
		plain = plain && e.Seq == 10*(i+1)
	}
	if plain {
		for _, e := range l.Entries {
			r.line("access-list %d %s", l.Number, aceText(e, l.Extended))
		}
		return
	}
	kind := "standard"
	if l.Extended {
		kind = "extended"
	}
	r.line("ip access-list %s %s", kind, l.Ref())
	for _, e := range l.Entries {
		r.line(" %d %s", e.Seq, aceText(e, l.Extended))
	}
}

// aceText is an entry as IOS shows it, from the action on.
func aceText(e config.ACE, extended bool) string {
	if e.Remark != "" {
		return "remark " + e.Remark
	}
	act := "deny"
	if e.Permit {
		act = "permit"
	}
	if !extended {
		if e.Host() {
			return act + " " + e.Addr.String()
		}
		return act + " " + addrText(e.Addr, e.Wildcard)
	}
	proto := strconv.Itoa(int(e.Protocol))
	for k, v := range aclProtocols {
		if v == e.Protocol {
			proto = k
		}
	}
	s := act + " " + proto + " " + addrText(e.Addr, e.Wildcard) + portText(e.SrcPort, e.Protocol)
	return s + " " + addrText(e.DstAddr, e.DstWild) + portText(e.DstPort, e.Protocol)
}

func addrText(a, w netip.Addr) string {
	switch w {
	case config.AnyWildcard:
		return "any"
	case config.AnyAddr:
		return "host " + a.String()
	}
	return a.String() + " " + w.String()
}

func portText(m config.PortMatch, proto uint8) string {
	name := func(p uint16) string {
		for k, v := range aclPorts[proto] {
			if v == p {
				return k
			}
		}
		return strconv.Itoa(int(p))
	}
	switch m.Op {
	case config.PortEq:
		return " eq " + name(m.Lo)
	case config.PortNeq:
		return " neq " + name(m.Lo)
	case config.PortLt:
		return " lt " + name(m.Lo)
	case config.PortGt:
		return " gt " + name(m.Lo)
	case config.PortRange:
		return " range " + name(m.Lo) + " " + name(m.Hi)
	}
	return ""
}
