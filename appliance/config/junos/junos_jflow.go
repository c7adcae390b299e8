package junos

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/platform"
)

// Inline J-Flow as an MX says it: templates under `services
// flow-monitoring`, a named sampling instance whose flow-servers name a
// template, and `chassis fpc N sampling-instance NAME`. The names stay in
// config.JFlow; Commit folds what they mean into the model the engine
// reads (foldTemplates).

var (
	templateOptions = []string{"flow-active-timeout", "flow-inactive-timeout", "ipv4-template", "ipv6-template", "option-refresh-rate", "template-refresh-rate"}
	templateVersion = map[string]platform.ExportVersion{"version9": platform.V9, "version-ipfix": platform.IPFIX}
)

// versionWord is the flow-monitoring hierarchy of an export version.
func versionWord(v platform.ExportVersion) string {
	if v == platform.IPFIX {
		return "version-ipfix"
	}
	return "version9"
}

// services is `services flow-monitoring (version9 | version-ipfix)
// template NAME [statement]`.
func (j *jcmd) services() {
	jf := &j.cfg.JFlow
	if j.deleting() {
		jf.Templates = nil
		return
	}
	j.c.Keyword("flow-monitoring")
	if j.deleting() {
		jf.Templates = nil
		return
	}
	vw := j.c.Keyword("version-ipfix", "version9")
	if j.deleting() {
		jf.Templates = slices.DeleteFunc(jf.Templates, func(t config.FlowTemplate) bool { return versionWord(t.Version) == vw })
		return
	}
	j.c.Keyword("template")
	name := j.c.Name("<template-name>", config.CheckName32)
	if j.c.Err != nil {
		return
	}
	i := slices.IndexFunc(jf.Templates, func(t config.FlowTemplate) bool { return t.Name == name })
	if i >= 0 && jf.Templates[i].Version != templateVersion[vw] {
		j.c.Refuse("template %s is a %s template already", name, versionWord(jf.Templates[i].Version))
		return
	}
	if j.deleting() {
		if i >= 0 {
			jf.Templates = slices.Delete(jf.Templates, i, i+1)
		}
		return
	}
	if i < 0 {
		if j.del {
			j.c.Skip()
			return
		}
		jf.Templates = append(jf.Templates, config.FlowTemplate{Name: name, Version: templateVersion[vw]})
		i = len(jf.Templates) - 1
	}
	path := "jflow.templates[" + name + "]"
	j.touch(path)
	if !j.c.More() {
		j.c.Offer(templateOptions...)
		return
	}
	t := &jf.Templates[i]
	k := j.c.Keyword(templateOptions...)
	var d time.Duration
	var rate refreshRate
	switch k {
	case "template-refresh-rate", "option-refresh-rate":
		rate = j.refreshRate()
	case "flow-active-timeout", "flow-inactive-timeout":
		if !j.del {
			d = time.Duration(j.c.Uint(10, 600)) * time.Second
		}
	}
	j.c.End()
	if j.c.Err != nil {
		return
	}
	switch k {
	case "flow-active-timeout":
		t.Active = d
	case "flow-inactive-timeout":
		t.Inactive = d
	case "template-refresh-rate":
		rate.apply(&t.TemplatePackets, &t.TemplateRefresh)
	case "option-refresh-rate":
		rate.apply(&t.OptionPackets, &t.OptionRefresh)
	case "ipv4-template", "ipv6-template":
		if j.del {
			t.Family = ""
		} else {
			t.Family = k
		}
	}
	j.touch(path + "." + k)
}

// refreshRate is what one template-refresh-rate or option-refresh-rate
// line says: Junos resends after `packets` export packets or `seconds`
// seconds, whichever comes first, and a line may give either or both
// (`template-refresh-rate { packets 1000; seconds 10; }` loads as two).
type refreshRate struct {
	packets, seconds bool // the line names it
	del              bool
	n                int
	d                time.Duration
}

// refreshRate reads the words after template-refresh-rate or
// option-refresh-rate. A delete names what it takes away (`delete ...
// template-refresh-rate seconds`), or nothing for both.
func (j *jcmd) refreshRate() refreshRate {
	r := refreshRate{del: j.del}
	for first := true; first || j.c.More(); first = false {
		var w string
		if j.del {
			if w = j.c.OptKeyword("packets", "seconds"); w == "" {
				r.packets, r.seconds = true, true
				break
			}
		} else if first {
			w = j.c.Keyword("packets", "seconds")
		} else {
			w = j.c.Optional("packets", "seconds")
		}
		switch w {
		case "packets":
			r.packets = true
			if !j.del {
				// Junos: 1..480000 packets [SRC Junos flow-monitoring].
				r.n = int(j.c.Uint(1, 480000))
			}
		case "seconds":
			r.seconds = true
			if !j.del {
				// Junos: 10..600 seconds [SRC Junos flow-monitoring].
				r.d = time.Duration(j.c.Uint(10, 600)) * time.Second
			}
		}
		if j.del {
			// A delete may repeat the value it takes away.
			j.c.Skip()
			break
		}
		if j.c.Err != nil || w == "" {
			break
		}
	}
	return r
}

// apply sets (or clears, for a delete) what the line named.
func (r refreshRate) apply(packets *int, every *time.Duration) {
	if r.packets {
		*packets = r.n
	}
	if r.seconds {
		*every = r.d
	}
}

// chassis is `chassis fpc SLOT sampling-instance NAME`. The appliance
// has no line cards: the binding is kept, so that the configuration
// reads as the router's, and commit checks it names the instance; the
// ports that sample are those with `family inet sampling input`.
func (j *jcmd) chassis() {
	jf := &j.cfg.JFlow
	if j.deleting() {
		jf.FPCs = nil
		return
	}
	j.c.Keyword("fpc")
	slot := int(j.c.Uint(0, 19))
	if j.c.Err != nil {
		return
	}
	i := slices.IndexFunc(jf.FPCs, func(f config.FPCBinding) bool { return f.Slot == slot })
	if j.deleting() {
		if i >= 0 {
			jf.FPCs = slices.Delete(jf.FPCs, i, i+1)
		}
		return
	}
	j.c.Keyword("sampling-instance")
	if j.del {
		j.c.Skip()
		if i >= 0 {
			jf.FPCs = slices.Delete(jf.FPCs, i, i+1)
		}
		return
	}
	name := j.c.Name("<instance-name>", config.CheckName32)
	j.c.End()
	if j.c.Err != nil {
		return
	}
	if i < 0 {
		jf.FPCs = append(jf.FPCs, config.FPCBinding{Slot: slot})
		i = len(jf.FPCs) - 1
	}
	jf.FPCs[i].Instance = name
	j.touch(fmt.Sprintf("jflow.fpcs[%d]", slot))
}

// instance is `forwarding-options sampling instance NAME ...`: the
// sampling statements under a name. flowtap has one sampler, so one
// instance.
func (j *jcmd) instance() {
	jf := &j.cfg.JFlow
	name := j.c.Name("<instance-name>", config.CheckName32)
	if j.c.Err != nil {
		return
	}
	if jf.Instance != "" && jf.Instance != name && !j.del {
		j.c.Refuse("sampling instance %s is configured already: flowtap samples with one instance", jf.Instance)
		return
	}
	if j.deleting() {
		if jf.Instance == name {
			jf.Instance = ""
			j.clearInput()
			j.clearOutput()
		}
		return
	}
	if j.del && jf.Instance != name {
		j.c.Skip()
		return
	}
	jf.Instance = name
	j.touch("jflow.instance")
	if !j.c.More() {
		j.c.Offer("family", "input")
		return
	}
	j.sampling("family", "input")
}

// inlineJflow is `sampling output inline-jflow source-address A`: the
// address the line card exports from.
func (j *jcmd) inlineJflow() {
	e, jf := &j.cfg.Export, &j.cfg.JFlow
	if j.deleting() {
		jf.Inline, e.ServicesSource = false, netip.Addr{}
		return
	}
	j.c.Keyword("source-address")
	if j.del {
		j.c.End()
		e.ServicesSource = netip.Addr{}
		return
	}
	a := j.c.Addr(false)
	j.c.End()
	if j.c.Err != nil {
		return
	}
	jf.Inline, e.ServicesSource = true, a.Unmap()
	j.touch("export.services-source")
}

// flowServerTemplate reads `version9|version-ipfix template NAME` after a
// flow-server.
func (j *jcmd) flowServerTemplate(d *config.Destination, vw string) {
	j.c.Keyword("template")
	if j.del {
		j.c.Skip()
		j.dropServerTemplate(d)
		return
	}
	name := j.c.Name("<template-name>", config.CheckName32)
	if j.c.Err != nil {
		return
	}
	// Junos's dual-stack form names the same collector under family
	// inet with an ipv4 template and under family inet6 with an ipv6
	// one: each family keeps its own. One exporter serves the server,
	// so both must be of one format.
	tpl, other, otherFamily := &d.Template, d.Template6, "inet6"
	if j.family == "inet6" {
		tpl, other, otherFamily = &d.Template6, d.Template, "inet"
	}
	if other != "" && d.Version != templateVersion[vw] {
		j.c.Refuse("flow-server %s exports %s with template %s under family %s: flowtap sends one format to a flow-server, so this family's template must be a %s one too",
			d.Addr.Addr(), versionWord(d.Version), other, otherFamily, versionWord(d.Version))
		return
	}
	*tpl, d.Version = name, templateVersion[vw]
}

// dropServerTemplate deletes the template the line's family names for
// d; the version goes with the last template (a `version N` without
// one stays).
func (j *jcmd) dropServerTemplate(d *config.Destination) {
	tpl := &d.Template
	if j.family == "inet6" {
		tpl = &d.Template6
	}
	if *tpl == "" {
		return
	}
	*tpl = ""
	if d.Template == "" && d.Template6 == "" {
		d.Version = 0
	}
}

// dropServer is `delete ... flow-server A [port P]` for server i: under
// a family that is one family of it (Junos's dual-stack form), the
// server leaves that family and keeps the other; else it goes, with the
// aggregation caches it served.
func (j *jcmd) dropServer(i int) {
	e := &j.cfg.Export
	d := &e.Destinations[i]
	if j.family != "" {
		if f := d.Families.Without(j.familyBit()); f != 0 {
			d.Families = f
			j.dropServerTemplate(d)
			return
		}
	}
	at := d.Addr
	e.Destinations = slices.Delete(e.Destinations, i, i+1)
	j.dropAggregationServers(func(d netip.AddrPort) bool { return d == at })
}

// serverTemplates are the templates d names, inet's first.
func serverTemplates(d config.Destination) []string {
	var ts []string
	for _, t := range []string{d.Template, d.Template6} {
		if t != "" && !slices.Contains(ts, t) {
			ts = append(ts, t)
		}
	}
	return ts
}

// foldTemplates maps the flow-monitoring templates the flow-servers use
// onto the model: the version each server exports, the cache's active
// and inactive timeouts, and how often templates and options are resent.
// flowtap has one flow cache and one exporter setting for these, so two
// templates used at once must agree on each one they set.
//
// from maps each model path it set to the template statement that set
// it, so that a refusal of the value (the persona's range) names the
// template's line.
func foldTemplates(c *config.Config) (errs []*config.FieldError, from map[string]string) {
	from = map[string]string{}
	jf := &c.JFlow
	var used []config.FlowTemplate
	for i := range c.Export.Destinations {
		d := &c.Export.Destinations[i]
		path := "export.destinations[" + d.Addr.String() + "]"
		for _, name := range serverTemplates(*d) {
			k := slices.IndexFunc(jf.Templates, func(t config.FlowTemplate) bool { return t.Name == name })
			if k < 0 {
				errs = append(errs, &config.FieldError{Path: path, Err: fmt.Errorf("flow-server %s: template %s is not defined under services flow-monitoring", d.Addr.Addr(), name)})
				continue
			}
			t := jf.Templates[k]
			if t.Version != d.Version {
				errs = append(errs, &config.FieldError{Path: path, Err: fmt.Errorf("flow-server %s: template %s is a %s template, not %s", d.Addr.Addr(), t.Name, versionWord(t.Version), versionWord(d.Version))})
				continue
			}
			if !slices.ContainsFunc(used, func(u config.FlowTemplate) bool { return u.Name == t.Name }) {
				used = append(used, t)
			}
		}
	}
	secs := func(d *time.Duration) func(int64) { return func(v int64) { *d = time.Duration(v) * time.Second } }
	count := func(n *int) func(int64) { return func(v int64) { *n = int(v) } }
	for _, f := range []struct {
		stmt string // the statement, for the blamed line
		what string // the value, as the refusal names it
		path string
		get  func(config.FlowTemplate) int64
		set  func(int64)
	}{
		{"flow-active-timeout", "flow-active-timeout", "cache.active", func(t config.FlowTemplate) int64 { return int64(t.Active / time.Second) }, secs(&c.Cache.Active)},
		{"flow-inactive-timeout", "flow-inactive-timeout", "cache.inactive", func(t config.FlowTemplate) int64 { return int64(t.Inactive / time.Second) }, secs(&c.Cache.Inactive)},
		{"template-refresh-rate", "template-refresh-rate seconds", "export.template-timeout", func(t config.FlowTemplate) int64 { return int64(t.TemplateRefresh / time.Second) }, secs(&c.Export.TemplateTimeout)},
		{"template-refresh-rate", "template-refresh-rate packets", "export.template-refresh", func(t config.FlowTemplate) int64 { return int64(t.TemplatePackets) }, count(&c.Export.TemplateRefresh)},
		{"option-refresh-rate", "option-refresh-rate seconds", "export.options-timeout", func(t config.FlowTemplate) int64 { return int64(t.OptionRefresh / time.Second) }, secs(&c.Export.OptionsTimeout)},
		{"option-refresh-rate", "option-refresh-rate packets", "export.options-refresh", func(t config.FlowTemplate) int64 { return int64(t.OptionPackets) }, count(&c.Export.OptionsRefresh)},
	} {
		var first config.FlowTemplate
		if len(used) > 0 {
			// The templates govern: what none of them sets is the
			// default, not a value an earlier commit folded in.
			f.set(0)
		}
		for _, t := range used {
			v := f.get(t)
			if v == 0 {
				continue
			}
			if first.Name != "" && f.get(first) != v {
				errs = append(errs, &config.FieldError{Path: "jflow.templates[" + t.Name + "]." + f.stmt,
					Err: fmt.Errorf("templates %s and %s are used at once with %s %d and %d: flowtap has one flow cache and exporter, so they must agree",
						first.Name, t.Name, f.what, f.get(first), v)})
				break
			}
			if first.Name == "" {
				first = t
				f.set(v)
				from[f.path] = "jflow.templates[" + t.Name + "]." + f.stmt
			}
		}
	}
	for _, b := range jf.FPCs {
		if b.Instance != jf.Instance {
			errs = append(errs, &config.FieldError{Path: fmt.Sprintf("jflow.fpcs[%d]", b.Slot),
				Err: fmt.Errorf("fpc %d: sampling instance %s is not configured under forwarding-options sampling", b.Slot, b.Instance)})
		}
	}
	return errs, from
}

// templateSets reports whether a template a flow-server uses sets the
// statement get reads, so that the rendering leaves the folded value to
// the template.
func templateSets(c config.Config, get func(config.FlowTemplate) time.Duration) bool {
	for _, d := range c.Export.Destinations {
		for _, t := range c.JFlow.Templates {
			if slices.Contains(serverTemplates(d), t.Name) && get(t) != 0 {
				return true
			}
		}
	}
	return false
}
