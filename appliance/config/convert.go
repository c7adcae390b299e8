package config

import (
	"fmt"
	"slices"

	"github.com/flowtap/flowtap/appliance/platform"
)

// The model's own answers, defaults filled in, that the daemon's
// derivation (daemon.SettingsFrom) and the renderings share. Turning them
// into engine types is the daemon's job, in that one place.

// Setting is the main cache's persona setting with every default filled
// in: what platform.Persona.CacheAging and the datapath run. It does not
// check again what Normalize checked (every parser and Manager.Edit
// normalize), so the one error is an unknown persona.
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
	return p, p.Resolve(req), nil
}

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

// DestinationAS is the AS mode a collector's records carry: its own, or
// the export-wide one.
func (c Config) DestinationAS(d Destination) platform.ASMode {
	if d.AS != platform.ASNone {
		return d.AS
	}
	return c.Export.AS
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
