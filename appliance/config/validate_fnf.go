package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/platform"
)

// Key names a record in Diff.
func (r FlowRecord) Key() string { return r.Name }

// Key names an exporter in Diff.
func (e FlowExporter) Key() string { return e.Name }

// Key names a monitor in Diff.
func (m FlowMonitor) Key() string { return m.Name }

// fnf checks Flexible NetFlow: each monitor's record must fold onto one
// of the persona's flow masks, and the monitors bound to ports must agree
// with each other and with the traditional settings, as flowtap has one
// main cache (see FNF). A disagreement is blamed on the binding (or the
// monitor line) that brought it.
func (v *validator) fnf(p *platform.Persona, c *Config) {
	f := &c.FNF
	d := p.Defaults()
	for k := range f.Exporters {
		e := &f.Exporters[k]
		path := "fnf.exporters[" + e.Name + "]"
		e.Port = zeroIfEq(e.Port, FNFDefaultPort)
		e.Protocol = zeroIfEq(e.Protocol, platform.V9)
		e.TemplateTimeout = zeroIfEq(e.TemplateTimeout, FNFDefaultTemplateTimeout)
		if e.Destination.IsValid() {
			e.Destination = e.Destination.Unmap()
		}
		switch e.Protocol {
		case 0, platform.V5, platform.IPFIX:
		default:
			v.failf(path+".protocol", "export-protocol %s: flowtap's exporters speak netflow-v5, netflow-v9 and ipfix", e.Protocol)
		}
	}
	for k := range f.Monitors {
		m := &f.Monitors[k]
		path := "fnf.monitors[" + m.Name + "]"
		if m.Entries != 0 {
			if _, err := p.Validate(platform.Setting{CacheEntries: m.Entries}); err != nil {
				v.fail(path+".entries", err)
			}
		}
		// The monitor's timeouts are the main cache's: the persona's
		// range, said in the monitor's seconds.
		if m.Inactive != 0 {
			if _, err := p.Validate(platform.Setting{Inactive: m.Inactive}); err != nil {
				v.failf(path+".inactive", "cache timeout inactive %d: %s", int(m.Inactive/time.Second), timeoutRange(p, "inactive", p.Aging.Inactive))
			}
		}
		if m.Active != 0 {
			if _, err := p.Validate(platform.Setting{Active: m.Active}); err != nil {
				v.failf(path+".active", "cache timeout active %d: %s", int(m.Active/time.Second), timeoutRange(p, "active", p.Aging.Active))
			}
		}
		for _, name := range m.Exporters {
			e, ok := f.FindExporter(name)
			if !ok {
				v.failf(path+".exporter", "flow exporter %s is not configured", name)
				continue
			}
			if r, ok := f.FindRecord(m.Record); ok && e.Protocol == platform.V5 {
				if s, _ := r.Shape(); s.Family == 6 {
					v.failf(path+".exporter", "exporter %s exports netflow-v5, which has no IPv6 records; record %s is IPv6", name, r.Name)
				}
			}
		}
		if m.Record == "" {
			continue
		}
		r, ok := f.FindRecord(m.Record)
		if !ok {
			v.failf(path+".record", "flow record %s is not configured", m.Record)
			continue
		}
		s, why := r.Shape()
		if why != "" {
			v.failf(path+".record", "%s", why)
			continue
		}
		mask, ok := MaskOf(p, s.Key)
		if !ok {
			v.failf(path+".record", "record %s keys on %s; no flow mask of the %s persona keeps exactly that (its masks: %s)",
				r.Name, MaskFieldNames(s.Key), p.Name, maskList(p))
			continue
		}
		if s.Family == 6 && mask != d.Mask {
			if why := IPv6MaskReason(p); why != "" {
				v.failf(path+".record", "%s", why)
			}
		}
	}
	v.fnfBindings(p, c)
	for _, it := range c.Interfaces {
		if it.MonitorSampler == "" {
			continue
		}
		path := "interfaces[" + it.Name + "].monitor-sampler"
		j := slices.IndexFunc(c.Samplers, func(m SamplerMap) bool { return m.Name == it.MonitorSampler })
		switch {
		case j < 0:
			v.failf(path, "sampler %s is not configured", it.MonitorSampler)
		case c.Samplers[j].Rate == 0:
			v.failf(path, "sampler %s has no mode yet (mode deterministic|random 1 out-of N)", it.MonitorSampler)
		case it.Sampler != "" && it.Sampler != it.MonitorSampler:
			v.failf(path, "%s samples through flow-sampler %s; flowtap samples a port through one sampler", it.Name, it.Sampler)
		}
	}
}

// timeoutRange says which of a monitor's timeouts the persona's main
// cache takes, in seconds.
func timeoutRange(p *platform.Persona, which string, l platform.Limit) string {
	if !l.Configurable() {
		return fmt.Sprintf("the %s persona's main cache has no %s timeout", p.Name, which)
	}
	s := fmt.Sprintf("flowtap's main cache ages %s flows after %d-%d seconds on the %s persona (%s)", which,
		int(l.Duration(l.Min)/time.Second), int(l.Duration(l.Max)/time.Second), p.Name, l.Command)
	switch {
	case l.Unit == time.Minute:
		s += ", in whole minutes"
	case l.Unit > time.Second:
		s += fmt.Sprintf(", in steps of %d seconds", int(l.Unit/time.Second))
	}
	return s
}

func maskList(p *platform.Persona) string {
	var out []string
	for _, m := range p.Masks {
		out = append(out, m.String()+" ("+MaskFieldNames(m.Fields())+")")
	}
	return strings.Join(out, "; ")
}

// cacheAsk is what a bound monitor asks of the main cache, defaults
// filled in, to compare with the other monitors'.
type cacheAsk struct {
	monitor          string
	active, inactive time.Duration
	entries          int
	mask             platform.Mask
	family           int
	dests            []string
	source           string
	template         time.Duration
	options          time.Duration
}

func (v *validator) fnfBindings(p *platform.Persona, c *Config) {
	f := c.FNF
	var asks []cacheAsk
	for _, b := range c.MonitorBindings() {
		path := b.Path()
		m, ok := f.FindMonitor(b.Monitor)
		if !ok {
			v.failf(path, "flow monitor %s is not configured", b.Monitor)
			continue
		}
		if m.Record == "" {
			v.failf(path, "flow monitor %s has no record; a monitor is applied once its record is configured", m.Name)
			continue
		}
		r, ok := f.FindRecord(m.Record)
		if !ok {
			continue // refused at the monitor
		}
		s, why := r.Shape()
		mask, ok := MaskOf(p, s.Key)
		if why != "" || !ok {
			continue // refused at the monitor
		}
		if s.Family != 0 && s.Family != b.Family {
			fam := map[int]string{4: "IPv4", 6: "IPv6"}
			v.failf(path, "flow monitor %s's record %s is %s; %s flow monitor takes an %s record", m.Name, r.Name, fam[s.Family],
				map[int]string{4: "ip", 6: "ipv6"}[b.Family], fam[b.Family])
			continue
		}
		a := cacheAsk{monitor: m.Name, active: m.Active, inactive: m.Inactive, entries: m.Entries, mask: mask, family: b.Family}
		for _, name := range m.Exporters {
			if e, ok := f.FindExporter(name); ok && e.Destination.IsValid() {
				a.dests = append(a.dests, e.ExportDestination().Addr.String()+" "+e.ProtocolOrDefault().Label())
				if e.Source != "" {
					if a.source != "" && a.source != e.Source {
						v.failf(path, "flow monitor %s's exporters send from %s and %s; flowtap's collectors share one source interface", m.Name, a.source, e.Source)
					}
					a.source = e.Source
				}
				if a.template != 0 && a.template != e.TemplateTimeoutOrDefault() {
					v.failf(path, "flow monitor %s's exporters resend templates every %d and %d seconds; flowtap's collectors share one template timeout", m.Name, int(a.template/time.Second), int(e.TemplateTimeoutOrDefault()/time.Second))
				}
				a.template = e.TemplateTimeoutOrDefault()
				if o := e.OptionsTimeout(); o != 0 {
					if a.options != 0 && a.options != o {
						v.failf(path, "flow monitor %s's exporters resend options every %d and %d seconds; flowtap resends options on one timeout", m.Name, int(a.options/time.Second), int(o/time.Second))
					}
					a.options = o
				}
			}
		}
		slices.Sort(a.dests)
		if why := v.disagree(p, c, a, asks); why != "" {
			v.failf(path, "%s", why)
			continue
		}
		if !slices.ContainsFunc(asks, func(o cacheAsk) bool { return o.monitor == a.monitor }) {
			asks = append(asks, a)
		}
	}
	if len(asks) > 0 {
		n := len(c.Effective().Export.Destinations)
		if n > MaxDestinations {
			v.failf(c.MonitorBindings()[0].Path(), "the flow exporters and ip flow-export destinations come to %d collectors; flowtap exports to at most %d", n, MaxDestinations)
		}
	}
}

// disagree says why a cannot share the main cache with the monitors
// already bound and the traditional settings, or "".
func (v *validator) disagree(p *platform.Persona, c *Config, a cacheAsk, asks []cacheAsk) string {
	d := p.Defaults()
	or := func(x, def time.Duration) time.Duration {
		if x == 0 {
			return def
		}
		return x
	}
	secs := func(x time.Duration) string { return fmt.Sprintf("%d seconds", int(x/time.Second)) }
	const one = "flowtap has one main cache"
	for _, o := range asks {
		if o.monitor == a.monitor {
			return ""
		}
		switch {
		case or(o.active, or(c.Cache.Active, d.Active)) != or(a.active, or(c.Cache.Active, d.Active)):
			return fmt.Sprintf("flow monitor %s ages active flows after %s and flow monitor %s after %s; %s",
				a.monitor, secs(or(a.active, or(c.Cache.Active, d.Active))), o.monitor, secs(or(o.active, or(c.Cache.Active, d.Active))), one)
		case or(o.inactive, or(c.Cache.Inactive, d.Inactive)) != or(a.inactive, or(c.Cache.Inactive, d.Inactive)):
			return fmt.Sprintf("flow monitor %s ages inactive flows after %s and flow monitor %s after %s; %s",
				a.monitor, secs(or(a.inactive, or(c.Cache.Inactive, d.Inactive))), o.monitor, secs(or(o.inactive, or(c.Cache.Inactive, d.Inactive))), one)
		case o.entries != 0 && a.entries != 0 && o.entries != a.entries:
			return fmt.Sprintf("flow monitor %s has %d cache entries and flow monitor %s %d; %s", a.monitor, a.entries, o.monitor, o.entries, one)
		case o.family == a.family && o.mask != a.mask:
			return fmt.Sprintf("flow monitor %s's record keys on %s and flow monitor %s's on %s; %s",
				a.monitor, MaskFieldNames(a.mask.Fields()), o.monitor, MaskFieldNames(o.mask.Fields()), one)
		case !slices.Equal(o.dests, a.dests):
			return fmt.Sprintf("flow monitor %s exports to %s and flow monitor %s to %s; flowtap's collectors get every flow of its one cache",
				a.monitor, orNone(a.dests), o.monitor, orNone(o.dests))
		case o.source != a.source && o.source != "" && a.source != "":
			return fmt.Sprintf("flow monitor %s's exporters send from %s and flow monitor %s's from %s; flowtap's collectors share one source interface", a.monitor, a.source, o.monitor, o.source)
		case o.options != a.options && o.options != 0 && a.options != 0:
			return fmt.Sprintf("flow monitor %s's exporters resend options every %s and flow monitor %s's every %s; flowtap resends options on one timeout", a.monitor, secs(a.options), o.monitor, secs(o.options))
		case o.template != a.template && o.template != 0 && a.template != 0:
			return fmt.Sprintf("flow monitor %s's exporters resend templates every %s and flow monitor %s's every %s; flowtap's collectors share one template timeout", a.monitor, secs(a.template), o.monitor, secs(o.template))
		}
	}
	// The traditional commands set the same cache.
	trad := func(what string, set, ask time.Duration) string {
		if set != 0 && ask != 0 && set != ask {
			return fmt.Sprintf("ip flow-cache timeout %s is %s and flow monitor %s asks %s; %s", what, secs(set), a.monitor, secs(ask), one)
		}
		return ""
	}
	if why := trad("active", c.Cache.Active, a.active); why != "" {
		return why
	}
	if why := trad("inactive", c.Cache.Inactive, a.inactive); why != "" {
		return why
	}
	if c.Cache.Entries != 0 && a.entries != 0 && c.Cache.Entries != a.entries {
		return fmt.Sprintf("ip flow-cache entries is %d and flow monitor %s asks %d; %s", c.Cache.Entries, a.monitor, a.entries, one)
	}
	if a.source != "" && c.Export.Source != "" && a.source != c.Export.Source {
		return fmt.Sprintf("ip flow-export source is %s and flow monitor %s's exporters send from %s; flowtap's collectors share one source interface", c.Export.Source, a.monitor, a.source)
	}
	if a.template != 0 && c.Export.TemplateTimeout != 0 && a.template != c.Export.TemplateTimeout {
		return fmt.Sprintf("ip flow-export template timeout-rate is %s and flow monitor %s's exporters resend templates every %s; flowtap's collectors share one template timeout",
			secs(c.Export.TemplateTimeout), a.monitor, secs(a.template))
	}
	if a.options != 0 && c.Export.OptionsTimeout != 0 && a.options != c.Export.OptionsTimeout {
		return fmt.Sprintf("ip flow-export template options timeout-rate is %s and flow monitor %s's exporters resend options every %s; flowtap resends options on one timeout",
			secs(c.Export.OptionsTimeout), a.monitor, secs(a.options))
	}
	for _, dest := range a.dests {
		for _, td := range c.Export.Destinations {
			ver := td.Version
			if ver == 0 {
				ver = c.Export.Version
			}
			if ver == 0 {
				ver = d.Export
			}
			if strings.HasPrefix(dest, td.Addr.String()+" ") && !strings.HasSuffix(dest, " "+ver.Label()) {
				return fmt.Sprintf("ip flow-export destination %s %d exports %s and flow monitor %s's exporter sends %s there",
					td.Addr.Addr(), td.Addr.Port(), ver.Label(), a.monitor, strings.TrimPrefix(dest, td.Addr.String()+" "))
			}
		}
	}
	return ""
}

func orNone(ds []string) string {
	if len(ds) == 0 {
		return "no collector"
	}
	return strings.Join(ds, ", ")
}
