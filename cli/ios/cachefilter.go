package ios

import (
	"errors"
	"math/bits"
	"net"
	"net/netip"
	"strings"

	"github.com/flowtap/flowtap/cli/show"
)

// IOS filters the flow cache screens by address and interface:
// `show ip cache [PREFIX MASK] [INTERFACE] [verbose] flow`. The filter
// words come after `cache` and before `verbose` / `flow`.

// ipv4Check accepts a dotted-quad IPv4 address.
func ipv4Check(w string) error {
	if a, err := netip.ParseAddr(w); err != nil || !a.Is4() {
		return errors.New("not an IPv4 address")
	}
	return nil
}

// maskBits is the length of a contiguous dotted-quad mask; ok is false
// for anything else (255.0.255.0).
func maskBits(w string) (int, bool) {
	a, err := netip.ParseAddr(w)
	if err != nil || !a.Is4() {
		return 0, false
	}
	b := a.As4()
	m := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := bits.LeadingZeros32(^m)
	if m<<n != 0 {
		return 0, false
	}
	return n, true
}

func maskCheck(w string) error {
	if _, ok := maskBits(w); !ok {
		return errors.New("not a contiguous mask")
	}
	return nil
}

// ifNameCheck accepts a word that can name an interface: one with a unit
// number (IOS's names, most of Linux's, a subinterface not created yet),
// or the name of one of the box's interfaces, as a veth or a renamed port
// (tap-a, uplink) has none. Anything else, as a mistyped keyword (`show
// ip cache flwo`), gets its caret rather than being taken for an
// interface.
func ifNameCheck(w string) error {
	if strings.ContainsAny(w, "0123456789") {
		return nil
	}
	if _, err := net.InterfaceByName(w); err != nil {
		return errors.New("not an interface name")
	}
	return nil
}

// cacheFilterNodes are the filter words under `show ip cache`, each
// followed by what may come after it; flow and verbose are the nodes
// that end the command.
func cacheFilterNodes(flowNode, verboseNode func() *Node) []*Node {
	ifArg := func() *Node {
		return arg("WORD", "Interface name: only flows in or out of it", ifNameCheck, flowNode(), verboseNode())
	}
	mask := arg("A.B.C.D", "Mask: only flows from or to the prefix", maskCheck, ifArg(), flowNode(), verboseNode())
	return []*Node{arg("A.B.C.D", "Prefix of the flows to show", ipv4Check, mask), ifArg()}
}

// filteredCache is the cache snapshot for `show ip cache [PREFIX MASK]
// [INTERFACE] [verbose] flow`; args are the words typed, "show" first.
// An interface the box does not have gets the caret under it.
func filteredCache(s *Session, args []string) (show.CacheView, error) {
	v := s.b.CacheView()
	var f show.CacheFilter
	i := 3 // show ip cache
	if i+1 < len(args) && ipv4Check(args[i]) == nil {
		n, _ := maskBits(args[i+1])
		f.Prefix = netip.PrefixFrom(netip.MustParseAddr(args[i]), n).Masked()
		i += 2
	}
	if i < len(args) && args[i] != "verbose" && args[i] != "flow" {
		if !knownInterface(s, v, args[i]) {
			return v, &matchError{Kind: errInvalid, Word: i}
		}
		f.Interface = args[i]
	}
	return v.Filter(f), nil
}

// knownInterface tells whether name is a link, a configured flow
// interface (subinterfaces included) or names one of the cache's flows.
func knownInterface(s *Session, v show.CacheView, name string) bool {
	ifs, _ := s.b.Interfaces()
	for _, i := range ifs {
		if i.Name == name {
			return true
		}
	}
	for _, i := range s.b.FlowInterfaces() {
		if i.Name == name {
			return true
		}
	}
	for _, r := range v.Flows {
		if v.IfName != nil && (v.IfName(r.InputIf) == name || v.IfName(r.OutputIf) == name) {
			return true
		}
	}
	return false
}
