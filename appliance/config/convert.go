package config

import (
	"fmt"
	"slices"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/platform"
)

// The conversions below turn the model into what the engine packages
// take, so that the daemon does not reinterpret defaults itself.

// Setting is the main cache's persona setting with every default filled
// in and checked: what platform.Persona.CacheAging and the datapath run.
func (c Config) Setting() (platform.Persona, platform.Setting, error) {
	p, err := c.Persona()
	if err != nil {
		return p, platform.Setting{}, err
	}
	req := platform.Setting{
		CacheEntries:  c.Cache.Entries,
		Mask:          c.Cache.Mask,
		Export:        c.Export.Version,
		Inactive:      c.Cache.Inactive,
		Active:        c.Cache.Active,
		FastTime:      c.Cache.FastTime,
		FastThreshold: c.Cache.FastThreshold,
		Sampling:      c.Sampling,
	}
	if req.Sampling.Mode == platform.SamplingJuniper && req.Sampling.MaxPacketsPerSecond == 0 {
		req.Sampling.MaxPacketsPerSecond = defaultMaxPPS
	}
	s, err := p.Validate(req)
	return p, s, err
}

// ExportVersion converts a persona export version to the encoder's; the
// numbers are the same (IPFIX is 10 in both).
func ExportVersion(v platform.ExportVersion) export.Version { return export.Version(v) }

// DestinationVersion is the version a collector gets: its own, else the
// main export version, else the persona's default.
func (c Config) DestinationVersion(d Destination) platform.ExportVersion {
	switch {
	case d.Version != 0:
		return d.Version
	case c.Export.Version != 0:
		return c.Export.Version
	}
	p, err := c.Persona()
	if err != nil {
		return platform.V5
	}
	return p.DefaultExport
}

// TemplateRefreshPackets is `template refresh-rate` with the IOS default
// filled in.
func (e Export) TemplateRefreshPackets() int {
	if e.TemplateRefresh == 0 {
		return export.DefaultTemplateRefreshPackets
	}
	return e.TemplateRefresh
}

// TemplateTimeoutOrDefault is `template timeout-rate` with the IOS
// default filled in.
func (e Export) TemplateTimeoutOrDefault() time.Duration {
	if e.TemplateTimeout == 0 {
		return export.DefaultTemplateTimeout
	}
	return e.TemplateTimeout
}

// ASFillMode is which AS the prefix table fills records with: `flowtap
// as-mode`, else the export's origin-as | peer-as.
func (c Config) ASFillMode() export.ASMode {
	if c.PrefixAS.Mode != export.ASNone {
		return c.PrefixAS.Mode
	}
	if c.Export.AS != export.ASNone {
		return c.Export.AS
	}
	// Only per-collector modes: the records carry one pair of AS fields,
	// filled for the first collector that asks.
	for _, d := range c.Export.Destinations {
		if d.AS != export.ASNone {
			return d.AS
		}
	}
	return export.ASNone
}

// DestinationAS is the AS mode a collector's records carry: its own, or
// the export-wide one.
func (c Config) DestinationAS(d Destination) export.ASMode {
	if d.AS != export.ASNone {
		return d.AS
	}
	return c.Export.AS
}

// FlowcacheTopTalkers is the engine's top-talkers configuration.
func (t TopTalkers) FlowcacheTopTalkers() flowcache.TopTalkersConfig {
	return flowcache.TopTalkersConfig{Top: t.Top, SortBy: t.SortBy, CacheTimeout: t.CacheTimeout, Match: t.Match}
}

// Interface returns the named interface, if configured.
func (c Config) Interface(name string) (Interface, bool) {
	i := slices.IndexFunc(c.Interfaces, func(it Interface) bool { return it.Name == name })
	if i < 0 {
		return Interface{}, false
	}
	return c.Interfaces[i], true
}

// String hides the keys: a user shows up in diffs and logs.
func (u SNMPUser) String() string {
	return fmt.Sprintf("{Name:%s Group:%s Auth:%d Priv:%d}", u.Name, u.Group, u.Auth, u.Priv)
}

// ExportVersionOrDefault is the aggregation cache's export version: 8,
// or 9 for a scheme v8 has no record for (bgp-nexthop-tos).
func (a Aggregation) ExportVersionOrDefault() platform.ExportVersion {
	if a.Version != 0 {
		return a.Version
	}
	return aggDefaultVersion(a.Scheme)
}

// MaxPacketsPerSecondOrDefault is the JunOS sampling cap; the model stores
// the default, 1000, as 0.
func (c Config) MaxPacketsPerSecondOrDefault() uint32 {
	if c.Sampling.MaxPacketsPerSecond == 0 {
		return defaultMaxPPS
	}
	return c.Sampling.MaxPacketsPerSecond
}
