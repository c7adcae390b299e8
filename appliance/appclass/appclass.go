// Package appclass sorts flows into application classes by ordered,
// first-match protocol and port rules, as Internet2's weekly NetFlow
// report did, and tallies octets, packets and flows per class.
//
// Rules come from the configuration; Internet2 is the shipped default.
// Each class is exported in IPFIX as applicationId (IE 95) with RFC 6759
// classification engine 6 (user-defined) and the rule's position as the
// selector; ApplicationID and the names in the options table say which.
package appclass

import (
	"fmt"
	"strconv"
	"strings"
)

// PortRange is an inclusive range of transport ports.
type PortRange struct{ Lo, Hi uint16 }

func (p PortRange) String() string {
	if p.Lo == p.Hi {
		return strconv.Itoa(int(p.Lo))
	}
	return fmt.Sprintf("%d-%d", p.Lo, p.Hi)
}

// Rule is one class: flows of Proto whose source or destination port is
// in Ports (any port when Ports is empty).
type Rule struct {
	Name  string
	Proto uint8
	Ports []PortRange
}

func (r Rule) matches(proto uint8, sport, dport uint16) bool {
	if proto != r.Proto {
		return false
	}
	if len(r.Ports) == 0 {
		return true
	}
	for _, p := range r.Ports {
		if (sport >= p.Lo && sport <= p.Hi) || (dport >= p.Lo && dport <= p.Hi) {
			return true
		}
	}
	return false
}

// Set is an ordered rule list; the first rule that matches names the
// flow's class.
type Set struct{ Rules []Rule }

// NotClassified is the class index of a flow no rule matches.
const NotClassified = -1

// NotClassifiedName is its line in the show output.
const NotClassifiedName = "not classified"

// Classify returns the index of the first matching rule, or
// NotClassified. Ports of portless protocols are ignored by rules that
// name no ports, so ICMP's type/code in DstPort does no harm.
func (s *Set) Classify(proto uint8, sport, dport uint16) int {
	for i := range s.Rules {
		if s.Rules[i].matches(proto, sport, dport) {
			return i
		}
	}
	return NotClassified
}

// Name is the class's name, NotClassifiedName for NotClassified.
func (s *Set) Name(class int) string {
	if class < 0 || class >= len(s.Rules) {
		return NotClassifiedName
	}
	return s.Rules[class].Name
}

// EngineUserDefined is RFC 6759's classification engine ID 6: the
// selector is the exporter's own.
const EngineUserDefined = 6

// ApplicationID is the IPFIX applicationId (IE 95) of a class: engine 6
// in the first octet, then the rule's 1-based position (0: not
// classified, which RFC 6759 calls "unknown").
func ApplicationID(class int) uint32 {
	if class < 0 {
		return EngineUserDefined << 24
	}
	return EngineUserDefined<<24 | uint32(class+1)
}

// Validate refuses an empty or repeated name and an inverted range.
func (s *Set) Validate() error {
	seen := map[string]bool{}
	for _, r := range s.Rules {
		if r.Name == "" || strings.ContainsAny(r.Name, " \t") {
			return fmt.Errorf("application class %q: a name is one word", r.Name)
		}
		if seen[r.Name] {
			return fmt.Errorf("application class %s is defined twice", r.Name)
		}
		seen[r.Name] = true
		for _, p := range r.Ports {
			if p.Lo > p.Hi {
				return fmt.Errorf("application class %s: port range %d-%d is inverted", r.Name, p.Lo, p.Hi)
			}
		}
	}
	return nil
}

// Protocol numbers the default rules use.
const (
	protoICMP = 1
	protoTCP  = 6
	protoUDP  = 17
	protoGRE  = 47
	protoESP  = 50
)

// Internet2 is the rule set of Internet2's weekly NetFlow reports, in the
// report's order: four protocols, then TCP applications by either port.
func Internet2() Set {
	tcp := func(name string, ports ...PortRange) Rule { return Rule{Name: name, Proto: protoTCP, Ports: ports} }
	p := func(n uint16) PortRange { return PortRange{n, n} }
	return Set{Rules: []Rule{
		{Name: "udp", Proto: protoUDP},
		{Name: "esp", Proto: protoESP},
		{Name: "icmp", Proto: protoICMP},
		{Name: "gre", Proto: protoGRE},
		tcp("http", p(80), p(8000), p(8080)),
		tcp("https", p(443)),
		tcp("ssh", p(22)),
		tcp("smtp", p(25)),
		tcp("unidata", p(388)),
		tcp("ftp", p(20)),
		tcp("nntp", p(119)),
		tcp("flash_macromedia", p(1935)),
		tcp("rsync", p(873)),
		tcp("rtsp", p(554)),
		tcp("squid", p(3128)),
		tcp("imaps", p(993)),
		tcp("xbox", p(3074)),
		tcp("nuttcp", p(5101)),
		tcp("port_20000-20030", PortRange{20000, 20030}),
		tcp("port_40000-40030", PortRange{40000, 40030}),
	}}
}
