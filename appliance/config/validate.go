package config

import (
	"fmt"
	"slices"
	"time"

	"github.com/flowtap/flowtap/appliance/platform"
)

// Normalize checks c and returns it in canonical form: values equal to
// their default become zero, values the platform rounds are rounded,
// interfaces and access lists are sorted, addresses unmapped. Every parser
// returns normalized configurations; code that builds or edits one (the
// SNMP agent) should normalize before comparing or applying it. The error
// is an Errors of *FieldError.
func Normalize(c Config) (Config, error) {
	n, errs := NormalizeFields(c)
	if len(errs) > 0 {
		out := make(Errors, len(errs))
		for i, e := range errs {
			out[i] = e
		}
		return Config{}, out
	}
	return n, nil
}

// Validate reports what Normalize would refuse.
func (c Config) Validate() error {
	_, err := Normalize(c)
	return err
}

// validator collects every refusal, so that a parser can tell which ones
// a line introduced.
type validator struct {
	errs []*FieldError
}

func (v *validator) fail(path string, err error) {
	v.errs = append(v.errs, &FieldError{Path: path, Err: err})
}

func (v *validator) failf(path, format string, args ...any) {
	v.fail(path, fmt.Errorf(format, args...))
}

// NormalizeFields is Normalize that returns every refusal with the path
// of the field refused, for the grammars to blame on a line.
func NormalizeFields(c Config) (Config, []*FieldError) {
	c = c.Clone()
	v := &validator{}
	v.hostname(&c)
	if p, ok := v.platform(&c); ok {
		v.cache(&p, &c)
		v.sampling(&p, &c)
		v.samplers(&p, &c)
		v.export(&p, &c)
		v.fnf(&p, &c)
	}
	v.interfaces(&c)
	v.taps(&c)
	v.subinterfaces(&c)
	v.aggregations(&c)
	v.topTalkers(&c)
	v.prefixAS(&c)
	v.snmp(&c)
	v.users(&c)
	v.ssh(&c)
	v.accessLists(&c)
	v.policies(&c)
	v.firewall(&c)
	v.mgmtLists(&c)
	return c, v.errs
}

// Persona returns the configuration's platform persona.
func (c Config) Persona() (platform.Persona, error) {
	return platform.Lookup(c.PlatformName())
}

// PlatformName is the persona's name, the default filled in.
func (c Config) PlatformName() string {
	if c.Platform == "" {
		return DefaultPlatform
	}
	return c.Platform
}

// HostnameOrDefault is the hostname, the default filled in.
func (c Config) HostnameOrDefault() string {
	if c.Hostname == "" {
		return DefaultHostname
	}
	return c.Hostname
}

func (v *validator) hostname(c *Config) {
	if c.Hostname == DefaultHostname {
		c.Hostname = ""
	}
	if c.Hostname != "" {
		if err := CheckHostname(c.Hostname); err != nil {
			v.bad("hostname", err)
		}
	}
}

func (v *validator) platform(c *Config) (platform.Persona, bool) {
	if c.Platform == DefaultPlatform {
		c.Platform = ""
	}
	p, err := c.Persona()
	if err != nil {
		v.bad("platform", err)
		return p, false
	}
	return p, true
}

// IsCatalyst reports whether the persona is a PFC, configured with mls.
func IsCatalyst(p *platform.Persona) bool { return p.MaskCommand != "" }

// Layer2Reason says why the persona has no `ip flow export
// layer2-switched`, or "" when it has one: NetFlow for bridged traffic
// came with the PFC3B.
func Layer2Reason(p *platform.Persona) string {
	switch {
	case !IsCatalyst(p):
		return "the " + p.Name + " persona routes: it has no layer 2-switched flows (a Catalyst 6500 PFC3B or later has)"
	case p.Name == "pfc2" || p.Name == "pfc3a":
		return "the " + p.Name + " persona has no NetFlow for layer 2-switched traffic (a PFC3B or later has)"
	}
	return ""
}

// IPv6MaskReason says why the persona has no `mls flow ipv6`, or "" when
// it has one (the PFC3 and PFC4 meter IPv6 in hardware; a PFC2 does not).
func IPv6MaskReason(p *platform.Persona) string {
	switch {
	case !IsCatalyst(p):
		return "the " + p.Name + " persona has no mls commands"
	case p.Name == "pfc2":
		return "the pfc2 persona has no IPv6 NetFlow in hardware: IPv6 flows use the IPv4 flow mask"
	}
	return ""
}

// cache checks each main-cache field on its own against the persona, so
// that a refusal names the field; Validate fills the others with
// defaults, which the persona always accepts.
func (v *validator) cache(p *platform.Persona, c *Config) {
	d := p.Defaults()
	k := &c.Cache
	if k.Entries != 0 {
		if s, err := p.Validate(platform.Setting{CacheEntries: k.Entries}); err != nil {
			v.fail("cache.entries", err)
		} else {
			k.Entries = zeroIfEq(s.CacheEntries, d.CacheEntries)
		}
	}
	if k.Mask != 0 {
		if s, err := p.Validate(platform.Setting{Mask: k.Mask}); err != nil {
			v.fail("cache.mask", err)
		} else {
			k.Mask = zeroIfEq(s.Mask, d.Mask)
		}
	}
	if k.Mask6 != 0 {
		if why := IPv6MaskReason(p); why != "" {
			v.failf("cache.mask6", "%s", why)
		} else if _, err := p.Validate(platform.Setting{Mask: k.Mask6}); err != nil {
			v.fail("cache.mask6", err)
		}
	}
	if k.Inactive != 0 {
		if s, err := p.Validate(platform.Setting{Inactive: k.Inactive}); err != nil {
			v.fail("cache.inactive", err)
		} else {
			k.Inactive = zeroIfEq(s.Inactive, d.Inactive)
		}
	}
	if k.Active != 0 {
		if s, err := p.Validate(platform.Setting{Active: k.Active}); err != nil {
			v.fail("cache.active", err)
		} else {
			k.Active = zeroIfEq(s.Active, d.Active)
		}
	}
	switch {
	case k.FastTime != 0:
		s, err := p.Validate(platform.Setting{FastTime: k.FastTime, FastThreshold: k.FastThreshold})
		if err != nil {
			v.fail("cache.fast-time", err)
			break
		}
		k.FastTime = s.FastTime
		k.FastThreshold = zeroIfEq(s.FastThreshold, uint64(p.Aging.FastThreshold.Default))
	case k.FastThreshold != 0:
		v.failf("cache.fast-threshold", "a fast aging threshold needs a fast aging time")
	}
	if c.Export.Version != 0 {
		if s, err := p.Validate(platform.Setting{Export: c.Export.Version}); err != nil {
			v.fail("export.version", err)
		} else {
			c.Export.Version = zeroIfEq(s.Export, d.Export)
		}
	}
	if c.NDE && !IsCatalyst(p) {
		v.failf("nde", "mls nde sender is a Catalyst command; the %s persona exports without it", p.Name)
	}
	if c.NDETCPFlags && !IsCatalyst(p) {
		v.failf("nde-tcp-flags", "mls nde tcp-flags is a Catalyst command; the %s persona exports the TCP flags it sees", p.Name)
	}
	if c.NDEInterface && !IsCatalyst(p) {
		v.failf("nde-interface", "mls nde interface is a Catalyst command; the %s persona exports the output interface it sees", p.Name)
	}
	if c.NetflowOff && !IsCatalyst(p) {
		v.failf("netflow-off", "no mls netflow is a Catalyst command; the %s persona meters with ip flow ingress", p.Name)
	}
	if c.NDEFilters.Set() && !IsCatalyst(p) {
		v.failf("nde-filter", "mls nde flow is a Catalyst command; the %s persona exports every flow", p.Name)
	}
	if c.MLSNetflowInterface && !IsCatalyst(p) {
		v.failf("mls-netflow-interface", "mls netflow interface is a Catalyst command; the %s persona meters the interfaces with ip flow ingress", p.Name)
	}
	for _, it := range c.Interfaces {
		if it.MLSSampling && !IsCatalyst(p) {
			v.failf("interfaces["+it.Name+"].mls-sampling", "mls netflow sampling is a Catalyst command; the %s persona samples with flow-sampler", p.Name)
		}
	}
}

// defaultMaxPPS is the JunOS max-packets-per-second default (SRC,
// vendor-behaviour.md 4.1), which the model stores as 0.
const defaultMaxPPS = 1000

func (v *validator) sampling(p *platform.Persona, c *Config) {
	s := &c.Sampling
	switch s.Mode {
	case platform.SamplingOff:
		if *s != (platform.Sampling{}) {
			v.failf("sampling", "sampling parameters without a sampling mode")
		}
		return
	case platform.SamplingRandom:
		v.failf("sampling", "random sampling is configured per interface, with flow-sampler-map")
		return
	}
	req := *s
	if req.Mode == platform.SamplingJuniper && req.MaxPacketsPerSecond == 0 {
		req.MaxPacketsPerSecond = defaultMaxPPS
	}
	if req.Mode != platform.SamplingJuniper && (req.RunLength != 0 || req.MaxPacketsPerSecond != 0) {
		v.failf("sampling", "run-length and max-packets-per-second are JunOS sampling input settings")
		return
	}
	if req.Mode != platform.SamplingPacketBased && req.Interval != 0 {
		v.failf("sampling", "only packet-based sampling takes an interval")
		return
	}
	got, err := p.Validate(platform.Setting{Mask: c.Cache.Mask, Sampling: req})
	if err != nil {
		v.fail("sampling", err)
		return
	}
	*s = got.Sampling
	if s.Mode == platform.SamplingJuniper && s.MaxPacketsPerSecond == defaultMaxPPS {
		s.MaxPacketsPerSecond = 0
	}
}

func (v *validator) samplers(p *platform.Persona, c *Config) {
	seen := map[string]bool{}
	for i := range c.Samplers {
		m := &c.Samplers[i]
		path := "samplers[" + m.Name + "]"
		if err := CheckName(m.Name, 32); err != nil {
			v.bad(path, err)
		}
		if seen[m.Name] {
			v.failf(path, "configured twice")
		}
		seen[m.Name] = true
		if m.Rate == 0 {
			continue
		}
		req := platform.Sampling{Mode: platform.SamplingRandom, Rate: m.Rate}
		if _, err := p.Validate(platform.Setting{Sampling: req}); err != nil {
			v.fail(path+".rate", err)
		}
	}
}

func (v *validator) interfaces(c *Config) {
	slices.SortStableFunc(c.Interfaces, func(a, b Interface) int { return naturalCompare(a.Name, b.Name) })
	for i := range c.Interfaces {
		it := &c.Interfaces[i]
		path := "interfaces[" + it.Name + "]"
		if err := CheckIfName(it.Name); err != nil {
			v.bad(path, err)
		}
		if i > 0 && c.Interfaces[i-1].Name == it.Name {
			v.failf(path, "configured twice")
		}
		if err := CheckText(it.Description, 240); err != nil {
			v.bad(path+".description", err)
		}
		if it.Sampler != "" {
			j := slices.IndexFunc(c.Samplers, func(m SamplerMap) bool { return m.Name == it.Sampler })
			switch {
			case j < 0:
				v.failf(path+".sampler", "flow-sampler-map %s is not configured", it.Sampler)
			case c.Samplers[j].Rate == 0:
				v.failf(path+".sampler", "flow-sampler-map %s has no mode", it.Sampler)
			}
		}
		if it.InputFilter != "" {
			v.checkACLRef(path+".input-filter", it.InputFilter)
			if l, ok := c.FindAccessList(it.InputFilter); !ok {
				v.failf(path+".input-filter", "access list %s is not configured", it.InputFilter)
			} else if l.IPv6 {
				v.failf(path+".input-filter", "%s is an IPv6 access list: use ipv6 flow ingress input-filter", it.InputFilter)
			} else if err := InputFilterUsable(l); err != nil {
				v.fail(path+".input-filter", err)
			}
		}
		if it.InputFilter6 != "" {
			if l, ok := c.FindAccessList(it.InputFilter6); !ok {
				v.failf(path+".input-filter6", "IPv6 access list %s is not configured", it.InputFilter6)
			} else if !l.IPv6 {
				v.failf(path+".input-filter6", "%s is an IPv4 access list: use ip flow ingress input-filter", it.InputFilter6)
			} else if err := InputFilterUsable(l); err != nil {
				v.fail(path+".input-filter6", err)
			}
		}
		if it.Verdict != platform.Passive && it.Verdict != platform.Inline {
			v.failf(path+".verdict", "unknown verdict %d", it.Verdict)
		}
		if it.XDPMode < XDPBest || it.XDPMode > XDPGeneric {
			v.failf(path+".xdp-mode", "unknown attach mode %d", it.XDPMode)
		}
	}
}

// ValueError is a refused value (out of range, malformed), as opposed to
// a refused combination: a parser puts the caret under the value.
type ValueError struct{ error }

func (v *validator) bad(path string, err error) { v.fail(path, ValueError{err}) }

func (v *validator) badf(path, format string, args ...any) { v.bad(path, fmt.Errorf(format, args...)) }

func zeroIfEq[T comparable](v, def T) T {
	var zero T
	if v == def {
		return zero
	}
	return v
}

// checkRange refuses a value outside lo..hi (0 is always the default).
func (v *validator) checkRange(path string, n, lo, hi int64, what string) {
	if n != 0 && (n < lo || n > hi) {
		v.badf(path, "%s %d is outside %d..%d", what, n, lo, hi)
	}
}

// checkDuration refuses a duration that is not whole units or is outside
// lo..hi units.
func (v *validator) checkDuration(path string, d, unit time.Duration, lo, hi int64, what string) {
	if d == 0 {
		return
	}
	if d%unit != 0 {
		v.badf(path, "%s %v is not a whole number of %v", what, d, unit)
		return
	}
	v.checkRange(path, int64(d/unit), lo, hi, what)
}

// MaxMinutes bounds typed durations so that they cannot overflow.
const MaxMinutes = 10_000_000
