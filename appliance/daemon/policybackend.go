package daemon

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/cli/show"
)

// The IOS CLI's screens of Cisco's NetFlow Input Filters (MQC).

func classMatches(c config.Config, class string, ios bool) (any bool, matches []string) {
	if class == config.ClassDefault {
		return true, []string{"any "}
	}
	cm, _ := c.FindClassMap(class)
	sep := " "
	if ios {
		sep = "  " // show class-map's spacing
	}
	for _, ref := range cm.AccessGroups {
		if _, err := strconv.Atoi(ref); err == nil {
			matches = append(matches, "access-group"+sep+ref)
		} else {
			matches = append(matches, "access-group"+sep+"name "+ref)
		}
	}
	return cm.MatchAny, matches
}

// ClassMaps is `show class-map [NAME]`.
func (c *CLI) ClassMaps(name string) ([]show.ClassMap, error) {
	cfg := c.m.Config()
	var out []show.ClassMap
	if name == "" || name == config.ClassDefault {
		out = append(out, show.ClassMap{Name: config.ClassDefault, MatchAny: true, Matches: []string{"any "}})
	}
	for i, cm := range cfg.ClassMaps {
		if name != "" && cm.Name != name {
			continue
		}
		_, m := classMatches(cfg, cm.Name, true)
		out = append(out, show.ClassMap{Name: cm.Name, ID: i + 1, MatchAny: cm.MatchAny, Matches: m})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%% Class map %s not configured", name)
	}
	return out, nil
}

// policyView is policy p as the screens show it, counters from counts
// (nil: none).
func policyView(cfg config.Config, p config.PolicyMap, counts map[string]TermCount) show.PolicyMap {
	v := show.PolicyMap{Name: p.Name}
	for _, pc := range p.OrderedClasses() {
		any, m := classMatches(cfg, pc.Class, false)
		n := counts[pc.Class]
		v.Classes = append(v.Classes, show.PolicyClass{Name: pc.Class, MatchAny: any, Matches: m, Sampler: pc.Sampler,
			Packets: n.Packets, Bytes: n.Bytes})
	}
	return v
}

// PolicyMaps is `show policy-map [NAME]`.
func (c *CLI) PolicyMaps(name string) ([]show.PolicyMap, error) {
	cfg := c.m.Config()
	var out []show.PolicyMap
	for _, p := range cfg.PolicyMaps {
		if name == "" || p.Name == name {
			v := policyView(cfg, p, nil)
			// show policy-map lists the classes configured, not the
			// implicit class-default.
			if _, ok := findClass(p, config.ClassDefault); !ok {
				v.Classes = v.Classes[:len(v.Classes)-1]
			}
			out = append(out, v)
		}
	}
	if name != "" && len(out) == 0 {
		return nil, fmt.Errorf("%% Policy map %s not configured", name)
	}
	return out, nil
}

func findClass(p config.PolicyMap, class string) (config.PolicyClass, bool) {
	for _, pc := range p.Classes {
		if pc.Class == class {
			return pc, true
		}
	}
	return config.PolicyClass{}, false
}

// PolicyMapInterface is `show policy-map interface [NAME]`: each class's
// packets and bytes (matched, before its sampler), as the datapath
// counted them.
func (c *CLI) PolicyMapInterface(ifname string) []show.InterfacePolicy {
	cfg := c.m.Config()
	var out []show.InterfacePolicy
	for _, it := range cfg.Interfaces {
		if it.ServicePolicy == "" || ifname != "" && it.Name != ifname {
			continue
		}
		p, ok := cfg.FindPolicyMap(it.ServicePolicy)
		if !ok {
			continue
		}
		v := policyView(cfg, p, c.m.d.PolicyCounts(it.Name, p.Name))
		for i := range v.Classes {
			v.Classes[i].RateBPS = c.m.classRates.rate(classKey{it.Name, p.Name, v.Classes[i].Name})
		}
		out = append(out, show.InterfacePolicy{Interface: it.Name, Policy: v})
	}
	return out
}

// ClearCounters is `clear counters [INTERFACE]`: the policy classes'
// counters (the one set of interface counters flowtap keeps).
func (c *CLI) ClearCounters(ifname string) error {
	if ifname != "" {
		cfg := c.m.Config()
		if !slices.ContainsFunc(cfg.Interfaces, func(it config.Interface) bool { return it.Name == ifname }) {
			return fmt.Errorf("%% Interface %s is not configured", ifname)
		}
	}
	return c.m.d.ClearPolicyCounters(ifname)
}
