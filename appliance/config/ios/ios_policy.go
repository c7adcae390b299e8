package ios

import (
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
)

// Cisco's NetFlow Input Filters (MQC): `class-map` selects traffic with
// `match access-group`, a `policy-map` class gives it a `netflow-sampler`,
// and `service-policy input` applies the policy to an interface.

func checkMQCName(s string) error { return config.CheckName(s, 40) }

// classMap reads `class-map [match-all|match-any] NAME` and `no class-map
// NAME`.
func (x *cmd) classMap() {
	kind := x.c.TryKeyword("match-all", "match-any")
	name := x.c.Name("WORD", checkMQCName)
	x.c.End()
	if x.c.Err != nil {
		return
	}
	path := "class-maps[" + name + "]"
	x.touch(path)
	if name == config.ClassDefault {
		x.c.Refuse("class-default is predefined")
		return
	}
	i := slices.IndexFunc(x.cfg.ClassMaps, func(m config.ClassMap) bool { return m.Name == name })
	if x.neg {
		for _, p := range x.cfg.PolicyMaps {
			if slices.ContainsFunc(p.Classes, func(c config.PolicyClass) bool { return c.Class == name }) {
				x.c.Refuse("Class-map %s is being used", name)
				return
			}
		}
		if i >= 0 {
			x.cfg.ClassMaps = slices.Delete(x.cfg.ClassMaps, i, i+1)
		}
		return
	}
	if i < 0 {
		x.cfg.ClassMaps = append(x.cfg.ClassMaps, config.ClassMap{Name: name})
		i = len(x.cfg.ClassMaps) - 1
	}
	if kind != "" {
		x.cfg.ClassMaps[i].MatchAny = kind == "match-any"
	}
	x.open(modeClassMap, name)
}

// classMapMode reads `match access-group N | name NAME` and its `no` form.
func (x *cmd) classMapMode() {
	if _, ok := x.subMode("match"); !ok {
		return
	}
	i := slices.IndexFunc(x.cfg.ClassMaps, func(m config.ClassMap) bool { return m.Name == x.mode.key })
	if i < 0 {
		x.gone("class-map")
		return
	}
	m := &x.cfg.ClassMaps[i]
	x.c.Keyword("access-group")
	var ref string
	if x.c.TryKeyword("name") != "" {
		ref = x.c.Name("WORD", config.CheckName32)
	} else {
		ref = x.aclRef()
	}
	x.c.End()
	if x.c.Err != nil {
		return
	}
	x.touch("class-maps[" + m.Name + "].access-groups")
	j := slices.Index(m.AccessGroups, ref)
	switch {
	case x.neg && j >= 0:
		m.AccessGroups = slices.Delete(m.AccessGroups, j, j+1)
	case !x.neg && j < 0:
		m.AccessGroups = append(m.AccessGroups, ref)
	}
}

// policyMap reads `policy-map NAME` and `no policy-map NAME`.
func (x *cmd) policyMap() {
	name := x.c.Name("WORD", checkMQCName)
	x.c.End()
	if x.c.Err != nil {
		return
	}
	x.touch("policy-maps[" + name + "]")
	i := slices.IndexFunc(x.cfg.PolicyMaps, func(m config.PolicyMap) bool { return m.Name == name })
	if x.neg {
		if slices.ContainsFunc(x.cfg.Interfaces, func(it config.Interface) bool { return it.ServicePolicy == name }) {
			x.c.Refuse("Policy map %s is being used", name)
			return
		}
		if i >= 0 {
			x.cfg.PolicyMaps = slices.Delete(x.cfg.PolicyMaps, i, i+1)
		}
		return
	}
	if i < 0 {
		x.cfg.PolicyMaps = append(x.cfg.PolicyMaps, config.PolicyMap{Name: name})
	}
	x.open(modePolicyMap, name)
}

// policyMapMode reads `class NAME` (which opens the class's mode) and
// `no class NAME`.
func (x *cmd) policyMapMode() {
	if _, ok := x.subMode("class"); !ok {
		return
	}
	x.policyClass(x.mode.key)
}

// policyClass is `class NAME` in policy map policy: from the policy-map
// mode, or from a class's mode (IOS takes the next class there too).
func (x *cmd) policyClass(policy string) {
	i := slices.IndexFunc(x.cfg.PolicyMaps, func(m config.PolicyMap) bool { return m.Name == policy })
	if i < 0 {
		x.gone("policy-map")
		return
	}
	p := &x.cfg.PolicyMaps[i]
	name := x.c.Name("WORD", checkMQCName)
	x.c.End()
	if x.c.Err != nil {
		return
	}
	x.touch("policy-maps[" + p.Name + "].classes")
	j := slices.IndexFunc(p.Classes, func(c config.PolicyClass) bool { return c.Class == name })
	if x.neg {
		if j >= 0 {
			p.Classes = slices.Delete(p.Classes, j, j+1)
		}
		return
	}
	if j < 0 {
		if name != config.ClassDefault {
			if _, ok := x.cfg.FindClassMap(name); !ok {
				x.c.Refuse("class-map %s is not configured", name)
				return
			}
		}
		p.Classes = append(p.Classes, config.PolicyClass{Class: name})
	}
	x.open(modePolicyClass, p.Name+"\n"+name)
}

// policyClassMode reads `netflow-sampler NAME` and its `no` form; `class`
// goes on to the policy's next class, as on IOS.
func (x *cmd) policyClassMode() {
	k, ok := x.subMode("class", "netflow-sampler")
	if !ok {
		return
	}
	policy, class, _ := strings.Cut(x.mode.key, "\n")
	if k == "class" {
		x.policyClass(policy)
		return
	}
	i := slices.IndexFunc(x.cfg.PolicyMaps, func(m config.PolicyMap) bool { return m.Name == policy })
	j := -1
	if i >= 0 {
		j = slices.IndexFunc(x.cfg.PolicyMaps[i].Classes, func(c config.PolicyClass) bool { return c.Class == class })
	}
	if j < 0 {
		x.c.Refuse("class %s of policy-map %s is no longer configured", class, policy)
		return
	}
	pc := &x.cfg.PolicyMaps[i].Classes[j]
	if x.neg {
		x.c.Skip()
		pc.Sampler = ""
		return
	}
	name := x.c.Name("WORD", config.CheckName32)
	x.c.End()
	if x.c.Err != nil {
		return
	}
	x.touch("policy-maps[" + policy + "].classes")
	pc.Sampler = name
}

// servicePolicy is the interface's `service-policy input NAME`; output
// policies are refused, as NetFlow input filters are input only.
func (x *cmd) servicePolicy(it *config.Interface) {
	if x.c.Keyword("input", "output") == "output" {
		x.c.Invalid(x.c.Last(), "NetFlow input filters apply to input only")
		return
	}
	if x.neg {
		x.c.Skip()
		it.ServicePolicy = ""
		return
	}
	name := x.c.Name("WORD", checkMQCName)
	x.c.End()
	if x.c.Err != nil {
		return
	}
	x.touch("interfaces[" + it.Name + "].service-policy")
	it.ServicePolicy = name
}

// renderPolicies writes the class maps and policy maps as IOS shows them.
func renderPolicies(r *iosWriter, c config.Config) {
	for _, m := range c.ClassMaps {
		kind := "match-all"
		if m.MatchAny {
			kind = "match-any"
		}
		r.line("class-map %s %s", kind, m.Name)
		for _, ref := range m.AccessGroups {
			if aclNumbered(ref) {
				r.line(" match access-group %s", ref)
			} else {
				r.line(" match access-group name %s", ref)
			}
		}
		r.section()
	}
	for _, p := range c.PolicyMaps {
		r.line("policy-map %s", p.Name)
		for _, pc := range p.Classes {
			r.line(" class %s", pc.Class)
			if pc.Sampler != "" {
				r.line("  netflow-sampler %s", pc.Sampler)
			}
		}
		r.section()
	}
}

func aclNumbered(ref string) bool {
	for _, ch := range ref {
		if ch < '0' || ch > '9' {
			return false
		}
	}
	return ref != ""
}
