package show

import (
	"fmt"
	"io"
	"strings"
)

// Cisco's NetFlow Input Filters are MQC policies: `show class-map`,
// `show policy-map [NAME]` and `show policy-map interface`. Layouts from
// IOS's MQC screens [RECALL: docs/vendor-behaviour.md 2.7].

// ClassMap is one class map for `show class-map`.
type ClassMap struct {
	Name     string
	ID       int // 0 for class-default, then configuration order
	MatchAny bool
	// Matches are the match lines' words: "access-group  101",
	// "access-group  name WEB", "any".
	Matches []string
}

func matchKind(any bool) string {
	if any {
		return "match-any"
	}
	return "match-all"
}

// ClassMaps is IOS's `show class-map`.
func ClassMaps(w io.Writer, cs []ClassMap) {
	for _, c := range cs {
		fmt.Fprintf(w, " Class Map %s %s (id %d)\n", matchKind(c.MatchAny), c.Name, c.ID)
		for _, m := range c.Matches {
			fmt.Fprintf(w, "   Match %s\n", m)
		}
		fmt.Fprintln(w)
	}
}

// PolicyClass is one class of a policy map as the screens show it.
type PolicyClass struct {
	Name     string
	MatchAny bool
	Matches  []string // "access-group 101", "access-group name WEB", "any"
	Sampler  string   // netflow-sampler; "" none
	Packets  uint64   // what the class matched, before sampling
	Bytes    uint64
	RateBPS  uint64 // the 5-minute offered rate
}

// PolicyMap is one policy map: its classes in evaluation order,
// class-default last.
type PolicyMap struct {
	Name    string
	Classes []PolicyClass
}

// PolicyMaps is IOS's `show policy-map [NAME]`.
func PolicyMaps(w io.Writer, ps []PolicyMap) {
	for _, p := range ps {
		fmt.Fprintf(w, "  Policy Map %s\n", p.Name)
		for _, c := range p.Classes {
			fmt.Fprintf(w, "    Class %s\n", c.Name)
			if c.Sampler != "" {
				fmt.Fprintf(w, "      netflow-sampler %s\n", c.Sampler)
			}
		}
		fmt.Fprintln(w)
	}
}

// InterfacePolicy is one interface's input policy with its counters.
type InterfacePolicy struct {
	Interface string
	Policy    PolicyMap
}

// PolicyMapInterfaces is IOS's `show policy-map interface [NAME]`: per
// class, the packets and bytes it matched, what it matches and its
// NetFlow sampler.
func PolicyMapInterfaces(w io.Writer, ps []InterfacePolicy) {
	for _, ip := range ps {
		fmt.Fprintf(w, " %s \n\n", ip.Interface)
		fmt.Fprintf(w, "  Service-policy input: %s\n", ip.Policy.Name)
		for _, c := range ip.Policy.Classes {
			fmt.Fprintf(w, "\n    Class-map: %s (%s)\n", c.Name, matchKind(c.MatchAny))
			fmt.Fprintf(w, "      %d packets, %d bytes\n", c.Packets, c.Bytes)
			// NetFlow sampling drops nothing: the drop rate is 0.
			fmt.Fprintf(w, "      5 minute offered rate %d bps, drop rate 0 bps\n", c.RateBPS)
			for _, m := range c.Matches {
				fmt.Fprintf(w, "      Match: %s\n", m)
			}
			if c.Sampler != "" {
				fmt.Fprintf(w, "      netflow-sampler: %s\n", c.Sampler)
			}
		}
		fmt.Fprintln(w)
	}
}

// The `| json` forms of the three screens, NX-OS's TABLE_x/ROW_x: each
// drawn from the same views as the text, so both carry the same numbers.

type matchRow struct {
	Match string // "access-group 101", "access-group name WEB", "any"
}

func matchTable(ms []string) map[string]any {
	rows := []matchRow{}
	for _, m := range ms {
		// The text screens pad some matches for IOS's columns; the
		// JSON carries the words.
		rows = append(rows, matchRow{strings.Join(strings.Fields(m), " ")})
	}
	return map[string]any{"ROW_match": rows}
}

// ClassMapsJSON is `show class-map | json`.
func ClassMapsJSON(cs []ClassMap) any {
	type row struct {
		Name      string
		ID        int
		MatchMode string         // match-all or match-any
		Matches   map[string]any `json:"TABLE_match"`
	}
	rows := []row{}
	for _, c := range cs {
		rows = append(rows, row{c.Name, c.ID, matchKind(c.MatchAny), matchTable(c.Matches)})
	}
	return map[string]any{"TABLE_cmap": map[string]any{"ROW_cmap": rows}}
}

// PolicyMapsJSON is `show policy-map [NAME] | json`.
func PolicyMapsJSON(ps []PolicyMap) any {
	type class struct {
		Name           string
		NetflowSampler string // "" none
	}
	type row struct {
		Name    string
		Classes map[string]any `json:"TABLE_class"`
	}
	rows := []row{}
	for _, p := range ps {
		cs := []class{}
		for _, c := range p.Classes {
			cs = append(cs, class{c.Name, c.Sampler})
		}
		rows = append(rows, row{p.Name, map[string]any{"ROW_class": cs}})
	}
	return map[string]any{"TABLE_pmap": map[string]any{"ROW_pmap": rows}}
}

// PolicyMapInterfacesJSON is `show policy-map interface [NAME] | json`:
// per interface its input policy, per class the packets and bytes it
// matched, its offered and drop rates, matches and sampler.
func PolicyMapInterfacesJSON(ps []InterfacePolicy) any {
	type class struct {
		Name           string
		MatchMode      string
		Packets        uint64
		Bytes          uint64
		OfferedRateBPS uint64         `json:"OfferedRateBps"`
		DropRateBPS    uint64         `json:"DropRateBps"` // NetFlow sampling drops nothing
		Matches        map[string]any `json:"TABLE_match"`
		NetflowSampler string
	}
	type row struct {
		Interface          string
		ServicePolicyInput string
		Classes            map[string]any `json:"TABLE_class"`
	}
	rows := []row{}
	for _, ip := range ps {
		cs := []class{}
		for _, c := range ip.Policy.Classes {
			cs = append(cs, class{Name: c.Name, MatchMode: matchKind(c.MatchAny), Packets: c.Packets, Bytes: c.Bytes,
				OfferedRateBPS: c.RateBPS, Matches: matchTable(c.Matches), NetflowSampler: c.Sampler})
		}
		rows = append(rows, row{ip.Interface, ip.Policy.Name, map[string]any{"ROW_class": cs}})
	}
	return map[string]any{"TABLE_interface": map[string]any{"ROW_interface": rows}}
}
