package platform

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Persona is one emulated platform.
type Persona struct {
	Name        string // as `--persona` and the config take it
	Description string
	Dialect     Dialect

	Table Table

	Masks       []Mask
	DefaultMask Mask
	MaskCommand string // "" when the mask is fixed

	Export        []ExportVersion // main-cache export versions
	DefaultExport ExportVersion
	ExportCommand string

	Sampling []SamplingSpec
	Aging    AgingSpec

	// Emergency is the nearly-full behaviour the flow cache engine applies.
	Emergency Emergency

	// Resend is how often v9 and IPFIX templates and options are resent
	// when the configuration does not say; zero is IOS's (see
	// ResendDefaults).
	Resend Resend
}

// Resend is when a v9 or IPFIX exporter sends its templates, and its
// options templates and records, again: after so many export packets or
// so long, whichever comes first. A zero option field follows the
// template's.
type Resend struct {
	TemplatePackets int
	TemplateEvery   time.Duration
	OptionPackets   int
	OptionEvery     time.Duration
}

// ResendDefaults is the persona's Resend, IOS's when it names none: 20
// packets or 30 minutes, options as templates.
func (p *Persona) ResendDefaults() Resend {
	if p.Resend == (Resend{}) {
		return Resend{TemplatePackets: DefaultTemplateRefreshPackets, TemplateEvery: DefaultTemplateTimeout}
	}
	return p.Resend
}

// Table is the flow table's geometry.
type Table struct {
	Entries Limit // configurable size, or a fixed one (no Command, Min = Max = Default)
	// Recommended is how many entries fit with normal hash spread; beyond
	// it, creations start to fail. 0: all of them.
	Recommended int
	ICAM        int  // overflow CAM entries for hash aliases (Sup720); 0: none
	Shared      bool // ingress and egress flows share the table (PFC4)
	Egress      int  // entries of a separate egress table (PFC4XL); 0: none
}

// AgingSpec is the persona's aging commands.
type AgingSpec struct {
	Inactive      Limit // IOS inactive, `mls aging normal`, flow-inactive-timeout
	Active        Limit // IOS active, `mls aging long`, flow-active-timeout; not configurable: none
	FastTime      Limit // `mls aging fast time`; not configurable: no fast aging
	FastThreshold Limit // `mls aging fast threshold`
	// MaskDivisor divides the inactive timeout per flow mask (PFC2);
	// absent masks use it as it is.
	MaskDivisor map[Mask]int64
}

// Setting is a requested configuration of the cache. A zero field means
// the persona's default; FastTime 0 is fast aging off.
type Setting struct {
	CacheEntries  int
	Mask          Mask
	Export        ExportVersion
	Inactive      time.Duration
	Active        time.Duration
	FastTime      time.Duration
	FastThreshold uint64 // 0 with FastTime set: the default threshold
	Sampling      Sampling
}

// Names lists the personas, router first.
func Names() []string {
	return []string{"ios", "pfc2", "pfc3a", "pfc3b", "pfc3bxl", "pfc4", "pfc4xl", "cflowd"}
}

// Lookup returns a fresh copy of the named persona.
func Lookup(name string) (Persona, error) {
	switch name {
	case "ios":
		return ios(), nil
	case "pfc2":
		return pfc2(), nil
	case "pfc3a", "pfc3b", "pfc3bxl":
		return pfc3(name), nil
	case "pfc4", "pfc4xl":
		return pfc4(name == "pfc4xl"), nil
	case "cflowd":
		return cflowd(), nil
	}
	return Persona{}, fmt.Errorf("platform: unknown persona %q: want one of %s", name, strings.Join(Names(), ", "))
}

// Defaults is the setting a fresh box of this kind runs with.
func (p *Persona) Defaults() Setting {
	return Setting{
		CacheEntries: int(p.Table.Entries.Default),
		Mask:         p.DefaultMask,
		Export:       p.DefaultExport,
		Inactive:     p.Aging.Inactive.DefaultDuration(),
		Active:       p.Aging.Active.DefaultDuration(),
	}
}

// Supports reports whether the persona offers a sampling mode.
func (p *Persona) Supports(m SamplingMode) bool {
	return m == SamplingOff || p.samplingSpec(m) != nil
}

func (p *Persona) samplingSpec(m SamplingMode) *SamplingSpec {
	for i := range p.Sampling {
		if p.Sampling[i].Mode == m {
			return &p.Sampling[i]
		}
	}
	return nil
}

// CacheAging turns a validated setting into the engine's timeouts,
// applying what the persona does to them (PFC2 divides the aging time by
// the flow mask).
func (p *Persona) CacheAging(s Setting) Aging {
	s = p.Resolve(s)
	a := Aging{Inactive: s.Inactive, Active: s.Active}
	if div := p.Aging.MaskDivisor[s.Mask]; div > 1 {
		a.Inactive /= time.Duration(div)
	}
	if s.FastTime > 0 {
		a.FastTime, a.FastThreshold = s.FastTime, s.FastThreshold
	}
	return a
}

// Resolve fills a setting's zero fields with the persona's defaults: the
// setting the platform runs. It checks nothing. Validate is the one check,
// made when the configuration is read (config.Normalize, which stores
// the values as Validate returns them); the runtime's derivation resolves
// what it accepted.
func (p *Persona) Resolve(s Setting) Setting {
	d := p.Defaults()
	if s.CacheEntries == 0 {
		s.CacheEntries = d.CacheEntries
	}
	if s.Mask == 0 {
		s.Mask = d.Mask
	}
	if s.Export == 0 {
		s.Export = d.Export
	}
	if s.Inactive == 0 {
		s.Inactive = d.Inactive
	}
	if s.Active == 0 {
		s.Active = d.Active
	}
	if s.FastTime > 0 && s.FastThreshold == 0 {
		s.FastThreshold = uint64(p.Aging.FastThreshold.Default)
	}
	return s
}

func (p *Persona) supportsMask(m Mask) bool { return slices.Contains(p.Masks, m) }

func (p *Persona) supportsExport(v ExportVersion) bool { return slices.Contains(p.Export, v) }
