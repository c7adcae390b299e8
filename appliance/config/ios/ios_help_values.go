package ios

import (
	"slices"
	"strconv"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
)

// positionalHelp describes a word whose meaning depends on how many
// words of its kind came before it rather than on the word just before
// it: an access-list entry's addresses (source, then destination; the
// address, then its wildcard) and `clock summer-time recurring`'s two
// dates (start, then end). ctx is the context as describe gets it and
// raw the words as typed, one for each word of ctx after the prompt.
// It returns "" where it has nothing to say.
func positionalHelp(label string, ctx, raw []string) string {
	if len(ctx) == 0 {
		return ""
	}
	prompt, words := ctx[0], ctx[1:]
	if h := aceHelp(label, prompt, words, raw); h != "" {
		return h
	}
	if h := ndeFilterHelp(label, words); h != "" {
		return h
	}
	if !isValue(label) {
		return ""
	}
	if h := summerTimeHelp(label, words); h != "" {
		return h
	}
	return usmKeyHelp(label, words)
}

// The kinds of access list an entry can be in.
const (
	aceStandard = iota
	aceExtended
	aceIPv6
)

// What an access-list entry takes next.
const (
	aceNone     = iota
	aceProtocol // the protocol
	aceAddr     // an address, any or host
	aceHost     // the address after host
	aceWildcard // an address's wildcard bits
	acePort     // a port number after eq, range...
)

// aceHelp is IOS's help for what comes next in an access-list entry:
// what `deny tcp any eq ?` asks for is a port, what `permit ip 10.0.0.0
// ?` asks for the source wildcard, and `any` there is the destination.
func aceHelp(label, prompt string, w, raw []string) string {
	kind, slot, side := aceSlot(prompt, w, raw)
	Side := strings.ToUpper(side[:1]) + side[1:]
	switch {
	case slot == aceProtocol && kind == aceIPv6 && isValue(label):
		return "An IPv6 protocol number"
	case slot == aceProtocol && isValue(label):
		return "An IP protocol number"
	case slot == acePort && isValue(label):
		return "Port number"
	case slot == aceWildcard && kind == aceStandard:
		return "Wildcard bits"
	case slot == aceWildcard:
		return Side + " wildcard bits"
	case slot == aceHost && kind == aceStandard:
		return "Host address"
	case slot == aceHost && kind == aceIPv6:
		return "IPv6 " + side + " address x:x::y"
	case slot == aceHost:
		return Side + " address"
	case slot != aceAddr:
		return ""
	}
	switch {
	case label == "any" && kind == aceIPv6:
		return "An abbreviation for the IPv6 prefix ::/0"
	case label == "any":
		return "Any " + side + " host"
	case label == "host" && kind == aceStandard:
		return "A single host address"
	case label == "host":
		return "A single " + side + " host"
	case !isValue(label):
		return ""
	case kind == aceStandard:
		return "Address to match"
	case kind == aceIPv6:
		return "IPv6 " + side + " prefix x:x::y/<z>"
	}
	return Side + " address"
}

// aceSlot reads an entry so far: the kind of list, what it takes next
// and whether that belongs to the source or the destination.
func aceSlot(prompt string, w, raw []string) (kind, slot int, side string) {
	side = "source"
	i := 0
	switch prompt {
	case "config-std-nacl":
		kind = aceStandard
	case "config-ext-nacl":
		kind = aceExtended
	case "config-ipv6-acl":
		kind = aceIPv6
	case "config":
		// access-list N permit|deny ...: the number says which kind.
		if len(w) < 2 || w[0] != "access-list" || len(raw) < 2 {
			return 0, aceNone, side
		}
		n, err := strconv.Atoi(raw[1])
		valid, ext := config.ACLKind(n)
		if err != nil || !valid {
			return 0, aceNone, side
		}
		kind, i = aceStandard, 2
		if ext {
			kind = aceExtended
		}
	default:
		return 0, aceNone, side
	}
	// A sequence number: `sequence N` in an IPv6 list, a bare number in
	// a named IPv4 one.
	switch {
	case i < len(w) && w[i] == "sequence":
		i += 2
	case i < len(w) && strings.HasPrefix(w[i], "<"):
		i++
	}
	if i >= len(w) || w[i] != "permit" && w[i] != "deny" {
		return kind, aceNone, side
	}
	i++
	ports := false
	if kind != aceStandard {
		if i == len(w) {
			return kind, aceProtocol, side
		}
		p := strings.ToLower(raw[min(i, len(raw)-1)])
		ports = p == "tcp" || p == "udp" || p == "6" || p == "17"
		i++
	}
	for _, side = range []string{"source", "destination"} {
		if i == len(w) {
			return kind, aceAddr, side
		}
		switch w[i] {
		case "any":
			i++
		case "host":
			i++
			if i == len(w) {
				return kind, aceHost, side
			}
			i++
		default:
			i++
			if kind != aceIPv6 {
				// The address, then its wildcard bits (optional in a
				// standard list).
				if i == len(w) {
					return kind, aceWildcard, side
				}
				i++
			}
		}
		if kind == aceStandard {
			return kind, aceNone, side
		}
		if ports && i < len(w) {
			switch w[i] {
			case "eq", "gt", "lt", "neq", "range":
				n := 1
				if w[i] == "range" {
					n = 2
				}
				i++
				for range n {
					if i == len(w) {
						return kind, acePort, side
					}
					i++
				}
			}
		}
	}
	return kind, aceNone, side
}

// summerTimeHelp tells `clock summer-time NAME recurring`'s start from
// its end: the same words come twice.
func summerTimeHelp(form string, w []string) string {
	if len(w) < 4 || w[0] != "clock" || w[1] != "summer-time" || w[3] != "recurring" {
		return ""
	}
	times := 0
	for _, x := range w[4:] {
		if x == "hh:mm" {
			times++
		}
	}
	which := []string{"start", "end"}[min(times, 1)]
	switch form {
	case "<1-4>":
		return "Week number to " + which
	case "hh:mm":
		return "Time to " + which + " (hh:mm)"
	}
	return ""
}

// usmKeyHelp describes `snmp-server user ... encrypted`'s keys: after
// priv the privacy key, before it the authentication key.
func usmKeyHelp(form string, w []string) string {
	if form != "KEY" || len(w) < 2 || w[0] != "snmp-server" || w[1] != "user" {
		return ""
	}
	if slices.Contains(w, "priv") {
		return "privacy key for user, localized, in hex"
	}
	return "authentication key for user, localized, in hex"
}

// ndeFilterHelp describes what `mls nde flow include|exclude` takes next:
// its fields come in any order, so the word before does not say which
// value is asked for; the last field keyword does.
func ndeFilterHelp(label string, w []string) string {
	if len(w) < 4 || w[0] != "mls" || w[1] != "nde" || w[2] != "flow" || (w[3] != "include" && w[3] != "exclude") {
		return ""
	}
	switch label {
	case "dest-port":
		return "Match the destination port"
	case "destination":
		return "Match the destination address and mask"
	case "protocol":
		return "Match the protocol"
	case "source":
		return "Match the source address and mask"
	case "src-port":
		return "Match the source port"
	case "tcp":
		return "Transmission Control Protocol"
	case "udp":
		return "User Datagram Protocol"
	}
	if !isValue(label) {
		return ""
	}
	// The field keyword the value belongs to, and how many values follow it.
	n := 0
	for i := len(w) - 1; i > 3; i-- {
		switch w[i] {
		case "dest-port", "src-port":
			return "Port number"
		case "destination", "source":
			side := "Destination"
			if w[i] == "source" {
				side = "Source"
			}
			if n == 0 {
				return side + " address"
			}
			return side + " mask"
		}
		n++
	}
	return ""
}
