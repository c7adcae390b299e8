package export

import (
	"fmt"
	"strings"
)

// Scheme is an aggregation scheme. Values are the v8 header `aggregation`
// byte, which the CISCO-NETFLOW-MIB NfCacheTypes TC numbers the same way;
// schemes with no v8 record continue that numbering.
type Scheme uint8

const (
	SchemeNone                 Scheme = 0 // main cache, no aggregation
	SchemeAS                   Scheme = 1
	SchemeProtocolPort         Scheme = 2
	SchemeSourcePrefix         Scheme = 3
	SchemeDestinationPrefix    Scheme = 4
	SchemePrefix               Scheme = 5
	SchemeDestinationOnly      Scheme = 6 // Catalyst MLS
	SchemeSourceDestination    Scheme = 7 // Catalyst MLS
	SchemeFullFlow             Scheme = 8 // Catalyst MLS
	SchemeASToS                Scheme = 9
	SchemeProtocolPortToS      Scheme = 10
	SchemeSourcePrefixToS      Scheme = 11
	SchemeDestinationPrefixToS Scheme = 12
	SchemePrefixToS            Scheme = 13
	SchemePrefixPort           Scheme = 14
	SchemeBGPNextHopToS        Scheme = 15 // v9 only
)

type schemeInfo struct {
	keyword string
	v8Len   int // v8 record bytes; 0 when v8 cannot carry the scheme
	v8Max   int // flow-tools FT_PDU_V8_n_MAXFLOWS
}

var schemes = [...]schemeInfo{
	SchemeAS:                   {"as", 28, 51},
	SchemeProtocolPort:         {"protocol-port", 28, 51},
	SchemeSourcePrefix:         {"source-prefix", 32, 44},
	SchemeDestinationPrefix:    {"destination-prefix", 32, 44},
	SchemePrefix:               {"prefix", 40, 35},
	SchemeDestinationOnly:      {"destination-only", 32, 44},
	SchemeSourceDestination:    {"source-destination", 40, 35},
	SchemeFullFlow:             {"full-flow", 44, 32},
	SchemeASToS:                {"as-tos", 32, 44},
	SchemeProtocolPortToS:      {"protocol-port-tos", 32, 44},
	SchemeSourcePrefixToS:      {"source-prefix-tos", 32, 44},
	SchemeDestinationPrefixToS: {"destination-prefix-tos", 32, 44},
	SchemePrefixToS:            {"prefix-tos", 40, 35},
	SchemePrefixPort:           {"prefix-port", 40, 35},
	SchemeBGPNextHopToS:        {"bgp-nexthop-tos", 0, 0},
}

// Schemes lists every aggregation scheme this package implements.
func Schemes() []Scheme {
	out := make([]Scheme, 0, len(schemes))
	for s := range schemes {
		if schemes[s].keyword != "" {
			out = append(out, Scheme(s))
		}
	}
	return out
}

// ParseScheme accepts the IOS `ip flow-aggregation cache` keywords and the
// Catalyst names.
func ParseScheme(s string) (Scheme, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	for i, info := range schemes {
		if info.keyword != "" && info.keyword == k {
			return Scheme(i), nil
		}
	}
	return SchemeNone, fmt.Errorf("aggregation scheme %q: want one of %s", s, strings.Join(schemeKeywords(), ", "))
}

func schemeKeywords() []string {
	var out []string
	for _, info := range schemes {
		if info.keyword != "" {
			out = append(out, info.keyword)
		}
	}
	return out
}

func (s Scheme) valid() bool { return int(s) < len(schemes) && schemes[s].keyword != "" }

func (s Scheme) String() string {
	if s == SchemeNone {
		return "main"
	}
	if s.valid() {
		return schemes[s].keyword
	}
	return fmt.Sprintf("scheme(%d)", uint8(s))
}

// HasV8 reports whether NetFlow v8 has a record for the scheme.
func (s Scheme) HasV8() bool { return s.valid() && schemes[s].v8Len > 0 }

// Catalyst reports whether the scheme is one of the Catalyst MLS ones, whose
// v8 records carry no flow count.
func (s Scheme) Catalyst() bool {
	return s == SchemeDestinationOnly || s == SchemeSourceDestination || s == SchemeFullFlow
}

// UsesSourcePrefix and UsesDestinationPrefix say which `mask ... minimum`
// settings apply to the scheme.
func (s Scheme) UsesSourcePrefix() bool {
	switch s {
	case SchemeSourcePrefix, SchemePrefix, SchemeSourcePrefixToS, SchemePrefixToS, SchemePrefixPort:
		return true
	}
	return false
}

func (s Scheme) UsesDestinationPrefix() bool {
	switch s {
	case SchemeDestinationPrefix, SchemePrefix, SchemeDestinationPrefixToS, SchemePrefixToS, SchemePrefixPort:
		return true
	}
	return false
}
