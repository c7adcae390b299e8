package platform

import (
	"fmt"
	"strings"
)

// Scheme is an aggregation scheme: the `ip flow-aggregation cache`
// keyword and, on a PFC, the Catalyst MLS export schemes. Values are the
// v8 header's `aggregation` byte, which the CISCO-NETFLOW-MIB
// NfCacheTypes TC numbers the same way; schemes with no v8 record
// continue that numbering. The grammars, the validator and the encoders
// all use this one type.
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

var schemeKeywords = [...]string{
	SchemeAS:                   "as",
	SchemeProtocolPort:         "protocol-port",
	SchemeSourcePrefix:         "source-prefix",
	SchemeDestinationPrefix:    "destination-prefix",
	SchemePrefix:               "prefix",
	SchemeDestinationOnly:      "destination-only",
	SchemeSourceDestination:    "source-destination",
	SchemeFullFlow:             "full-flow",
	SchemeASToS:                "as-tos",
	SchemeProtocolPortToS:      "protocol-port-tos",
	SchemeSourcePrefixToS:      "source-prefix-tos",
	SchemeDestinationPrefixToS: "destination-prefix-tos",
	SchemePrefixToS:            "prefix-tos",
	SchemePrefixPort:           "prefix-port",
	SchemeBGPNextHopToS:        "bgp-nexthop-tos",
}

// Schemes lists every aggregation scheme.
func Schemes() []Scheme {
	out := make([]Scheme, 0, len(schemeKeywords))
	for s, k := range schemeKeywords {
		if k != "" {
			out = append(out, Scheme(s))
		}
	}
	return out
}

// ParseScheme accepts the IOS `ip flow-aggregation cache` keywords and the
// Catalyst names.
func ParseScheme(s string) (Scheme, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	for i, kw := range schemeKeywords {
		if kw != "" && kw == k {
			return Scheme(i), nil
		}
	}
	var all []string
	for _, kw := range schemeKeywords {
		if kw != "" {
			all = append(all, kw)
		}
	}
	return SchemeNone, fmt.Errorf("aggregation scheme %q: want one of %s", s, strings.Join(all, ", "))
}

// Valid reports whether s is an aggregation scheme (not the main cache).
func (s Scheme) Valid() bool { return int(s) < len(schemeKeywords) && schemeKeywords[s] != "" }

func (s Scheme) String() string {
	if s == SchemeNone {
		return "main"
	}
	if s.Valid() {
		return schemeKeywords[s]
	}
	return fmt.Sprintf("scheme(%d)", uint8(s))
}

// HasV8 reports whether NetFlow v8 has a record for the scheme: all but
// bgp-nexthop-tos, which "needs v9" (RECALL, vendor-behaviour.md 2.5).
func (s Scheme) HasV8() bool { return s.Valid() && s != SchemeBGPNextHopToS }

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
