package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/flowtap/flowtap/appliance/appclass"
)

// AppClasses is the application class list (`flowtap application-class`).
// Until it is edited the shipped default, Internet2's rule set, applies;
// once edited, Rules is the whole list in order.
type AppClasses struct {
	Custom bool
	Rules  []appclass.Rule
}

// AppClassSet is the rule set in force.
func (c Config) AppClassSet() appclass.Set {
	if !c.AppClasses.Custom {
		return appclass.Internet2()
	}
	return appclass.Set{Rules: append([]appclass.Rule(nil), c.AppClasses.Rules...)}
}

// ProtocolName is the word the configuration writes for an IP protocol.
func ProtocolName(p uint8) string {
	if n, ok := protoNames[p]; ok {
		return n
	}
	return strconv.Itoa(int(p))
}

var protoNames = map[uint8]string{1: "icmp", 6: "tcp", 17: "udp", 47: "gre", 50: "esp", 51: "ah", 58: "icmp6", 132: "sctp"}

// ParseProtocol reads a protocol name or number.
func ParseProtocol(s string) (uint8, error) {
	for n, name := range protoNames {
		if strings.EqualFold(s, name) {
			return n, nil
		}
	}
	n, err := strconv.ParseUint(s, 10, 8)
	if err != nil {
		return 0, fmt.Errorf("protocol %q: want a number 0-255 or icmp, tcp, udp, gre, esp, ah, icmp6, sctp", s)
	}
	return uint8(n), nil
}

// ParsePortRange reads N or N-M.
func ParsePortRange(s string) (appclass.PortRange, error) {
	lo, hi, rng := strings.Cut(s, "-")
	a, err := strconv.ParseUint(lo, 10, 16)
	if err != nil {
		return appclass.PortRange{}, fmt.Errorf("port %q: want N or N-M, 0-65535", s)
	}
	b := a
	if rng {
		if b, err = strconv.ParseUint(hi, 10, 16); err != nil || b < a {
			return appclass.PortRange{}, fmt.Errorf("port %q: want N or N-M with N <= M, 0-65535", s)
		}
	}
	return appclass.PortRange{Lo: uint16(a), Hi: uint16(b)}, nil
}
