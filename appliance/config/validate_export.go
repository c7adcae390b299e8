package config

import (
	"net/netip"
	"slices"
	"time"

	"github.com/flowtap/flowtap/appliance/platform"
)

// Limits of the export commands. IOS allows two collectors per cache
// (RECALL, vendor-behaviour.md 2.3); the main cache takes more here
// because the per-destination version makes several useful (ours).
const (
	MaxDestinations    = 8
	MaxAggDestinations = 2
)

func (v *validator) export(p *platform.Persona, c *Config) {
	e := &c.Export
	if e.AS > platform.ASPeer {
		v.failf("export.as", "unknown AS mode %d", e.AS)
	}
	version := e.Version
	if version == 0 {
		version = p.DefaultExport
	}
	if e.BGPNextHop && version != platform.V9 && version != platform.IPFIX {
		v.failf("export.bgp-next-hop", "bgp-nexthop needs export version 9 or ipfix, not %v", version)
	} else if e.BGPNextHop && c.PrefixAS.File == "" {
		v.failf("export.bgp-next-hop", "flowtap has no BGP peering: bgp-nexthop needs the next hops in a fourth column of flowtap prefix-as-file (PREFIX ORIGIN-AS PEER-AS NEXT-HOP)")
	}
	if len(e.Layer2VLANs) > 0 {
		if why := Layer2Reason(p); why != "" {
			v.failf("export.layer2-vlans", "%s", why)
		} else if !e.Layer2VLANs.Valid() {
			v.failf("export.layer2-vlans", "VLAN list %v is not in 1-4094 or not in order", e.Layer2VLANs)
		}
	}
	if e.Source != "" {
		if err := CheckIfName(e.Source); err != nil {
			v.bad("export.source", err)
		}
	}
	// A value the persona takes anyway is its default: held as 0, so
	// that it is not rendered, and follows the persona if it changes.
	def := p.ResendDefaults()
	e.TemplateRefresh = zeroIfEq(e.TemplateRefresh, def.TemplatePackets)
	// IOS takes 1..600 packets and whole minutes up to 3600; a JunOS
	// flow-monitoring template up to 480000 packets and seconds from 10
	// (template-refresh-rate, option-refresh-rate), which commit folds
	// in here: the model holds either.
	v.checkRange("export.template-refresh", int64(e.TemplateRefresh), 1, maxRefreshPackets, "template refresh-rate")
	e.TemplateTimeout = zeroIfEq(e.TemplateTimeout, def.TemplateEvery)
	if def.OptionPackets != 0 {
		e.OptionsRefresh = zeroIfEq(e.OptionsRefresh, def.OptionPackets)
	}
	if def.OptionEvery != 0 {
		e.OptionsTimeout = zeroIfEq(e.OptionsTimeout, def.OptionEvery)
	}
	v.checkDuration("export.template-timeout", e.TemplateTimeout, time.Second, 1, 3600*60, "template timeout-rate")
	v.checkDuration("export.options-timeout", e.OptionsTimeout, time.Second, 1, 3600*60, "template options timeout-rate")
	v.checkRange("export.options-refresh", int64(e.OptionsRefresh), 1, maxRefreshPackets, "template options refresh-rate")
	if len(e.Destinations) > MaxDestinations {
		v.failf("export.destinations", "%d destinations: at most %d", len(e.Destinations), MaxDestinations)
	}
	seen, seenBare := map[netip.AddrPort]bool{}, map[netip.AddrPort]bool{}
	for i := range e.Destinations {
		d := &e.Destinations[i]
		d.Addr = unmapAddrPort(d.Addr)
		d.SourceAddress = d.SourceAddress.Unmap()
		path := "export.destinations[" + d.Addr.String() + "]"
		if err := checkCollector(d.Addr); err != nil {
			v.bad(path, err)
		}
		// CISCO-NETFLOW-MIB's collector table (and flowtap's loss table)
		// index a destination by address and port: two links' fe80::2
		// on one port would be one row.
		bare := netip.AddrPortFrom(d.Addr.Addr().WithZone(""), d.Addr.Port())
		if seen[d.Addr] {
			v.failf(path, "configured twice")
		} else if seenBare[bare] {
			v.failf(path, "destination %v port %d is already configured on another link (one destination per address and port, whatever the link)", bare.Addr(), bare.Port())
		}
		seenBare[bare] = true
		if d.AS > platform.ASPeer {
			v.failf(path+".as", "unknown AS mode %d", d.AS)
		}
		seen[d.Addr] = true
		if d.Version != 0 {
			if _, err := p.Validate(platform.Setting{Export: d.Version}); err != nil {
				v.fail(path+".version", err)
			}
		}
		if d.Biflow {
			if version := c.DestinationVersion(*d); version != platform.IPFIX {
				v.failf(path+".biflow", "biflows are IPFIX (RFC 5103), not version %v", version)
			}
		}
		if d.SourceAddress.IsValid() {
			if err := checkHostAddr(d.SourceAddress); err != nil {
				v.bad(path+".source-address", err)
			} else if d.SourceAddress.Is4() != d.Addr.Addr().Is4() {
				v.failf(path+".source-address", "source %v and collector %v are of different families", d.SourceAddress, d.Addr.Addr())
			}
		}
	}
}

func (v *validator) aggregations(c *Config) {
	seen := map[platform.Scheme]bool{}
	lim := platform.Aggregation()
	for i := range c.Aggregations {
		a := &c.Aggregations[i]
		path := "aggregations[" + a.Scheme.String() + "]"
		if !AggScheme(a.Scheme) {
			v.failf(path, "not an ip flow-aggregation cache scheme")
			continue
		}
		if seen[a.Scheme] {
			v.failf(path, "configured twice")
		}
		seen[a.Scheme] = true
		a.Entries = zeroIfEq(a.Entries, int(lim.Entries.Default))
		v.checkRange(path+".entries", int64(a.Entries), lim.Entries.Min, lim.Entries.Max, lim.Entries.Command)
		a.Active = zeroIfEq(a.Active, lim.Active.DefaultDuration())
		v.checkDuration(path+".active", a.Active, lim.Active.Unit, lim.Active.Min, lim.Active.Max, lim.Active.Command)
		a.Inactive = zeroIfEq(a.Inactive, lim.Inactive.DefaultDuration())
		v.checkDuration(path+".inactive", a.Inactive, lim.Inactive.Unit, lim.Inactive.Min, lim.Inactive.Max, lim.Inactive.Command)
		a.Version = zeroIfEq(a.Version, aggDefaultVersion(a.Scheme))
		switch a.Version {
		case 0, platform.V9:
		case platform.V8:
			v.failf(path+".version", "version 8 has no record for %s: use version 9", a.Scheme)
		default:
			v.failf(path+".version", "export version %v: want 8 or 9", a.Version)
		}
		if len(a.Destinations) > MaxAggDestinations {
			v.failf(path+".destinations", "%d destinations: at most %d", len(a.Destinations), MaxAggDestinations)
		}
		for j, d := range a.Destinations {
			a.Destinations[j] = unmapAddrPort(d)
			if err := checkCollector(a.Destinations[j]); err != nil {
				v.bad(path+".destinations", err)
			}
			if slices.Index(a.Destinations, a.Destinations[j]) < j {
				v.failf(path+".destinations", "%v configured twice", d)
			}
		}
		v.checkRange(path+".source-mask", int64(a.SourceMask), lim.MinMask.Min, lim.MinMask.Max, "mask source minimum")
		v.checkRange(path+".destination-mask", int64(a.DestinationMask), lim.MinMask.Min, lim.MinMask.Max, "mask destination minimum")
		if a.SourceMask != 0 && !a.Scheme.UsesSourcePrefix() {
			v.failf(path+".source-mask", "scheme %s has no source prefix", a.Scheme)
		}
		if a.DestinationMask != 0 && !a.Scheme.UsesDestinationPrefix() {
			v.failf(path+".destination-mask", "scheme %s has no destination prefix", a.Scheme)
		}
	}
}

// AggScheme reports whether s is an `ip flow-aggregation cache` keyword;
// the Catalyst MLS schemes are not configured that way.
func AggScheme(s platform.Scheme) bool {
	return s != platform.SchemeNone && !s.Catalyst() && slices.Contains(platform.Schemes(), s)
}

// aggDefaultVersion is 8, or 9 for the schemes v8 cannot carry
// (bgp-nexthop-tos "needs v9", RECALL 2.5).
func aggDefaultVersion(s platform.Scheme) platform.ExportVersion {
	if s.HasV8() {
		return platform.V8
	}
	return platform.V9
}

func (v *validator) topTalkers(c *Config) {
	t := &c.TopTalkers
	m := &t.Match
	if !m.ProtocolSet {
		m.Protocol = 0
	}
	m.Src, m.Dst = m.Src.Masked(), m.Dst.Masked()
	for _, pm := range []*TopPorts{&m.SrcPort, &m.DstPort} {
		if !pm.Set || pm.Min == 0 && pm.Max == 65535 {
			*pm = TopPorts{}
		}
		if pm.Min > pm.Max {
			v.failf("top-talkers.match", "port min %d above max %d", pm.Min, pm.Max)
		}
	}
	for _, cm := range []TopCounts{m.Bytes, m.Packets} {
		if cm.Max != 0 && cm.Min > cm.Max || cm.Min > 0xffffffff || cm.Max > 0xffffffff {
			v.failf("top-talkers.match", "range %d..%d is not within 1..4294967295 or has min above max", cm.Min, cm.Max)
		}
	}
	m.NextHop = m.NextHop.Masked()
	if k, max := m.ToS.Kind, map[TopToSKind]uint8{TopToSNone: 0, TopToSByte: 255, TopToSDSCP: 63, TopToSPrecedence: 7}; k > TopToSPrecedence {
		v.failf("top-talkers.match", "unknown tos kind %d", k)
	} else if m.ToS.Value > max[k] {
		v.failf("top-talkers.match", "tos value %d above %d", m.ToS.Value, max[k])
	}
	for _, n := range []string{m.InputIf, m.OutputIf} {
		if n == "" {
			continue
		}
		if err := CheckIfName(n); err != nil {
			v.bad("top-talkers.match", err)
		}
	}
	for _, pf := range []netip.Prefix{m.Src, m.Dst, m.NextHop} {
		if pf.IsValid() && !pf.Addr().Is4() {
			v.failf("top-talkers.match", "address %v: top talkers match IPv4 only", pf)
		}
	}
	t.CacheTimeout = zeroIfEq(t.CacheTimeout, platform.DefaultTopTalkersTimeout)
	v.checkDuration("top-talkers.cache-timeout", t.CacheTimeout, time.Millisecond, 1, 3600000, "cache-timeout")
	v.checkRange("top-talkers.top", int64(t.Top), 1, platform.MaxTopTalkers, "top")
	if t.SortBy != 0 && t.SortBy != platform.SortByBytes && t.SortBy != platform.SortByPackets {
		v.failf("top-talkers.sort-by", "unknown sort-by %d", t.SortBy)
	}
	if *t != (TopTalkers{}) {
		t.Configured = true
	}
}

func (v *validator) prefixAS(c *Config) {
	if f := c.PrefixAS.File; f != "" {
		if err := CheckName(f, 4096); err != nil {
			v.bad("prefix-as.file", err)
		}
	}
	if c.PrefixAS.Mode > platform.ASPeer {
		v.failf("prefix-as.mode", "unknown AS mode %d", c.PrefixAS.Mode)
	}
	if c.Capture&^CaptureAll != 0 {
		v.failf("capture", "unknown ip flow-capture fields %#x", uint16(c.Capture))
	}
	pos := c.Cache.MPLSLabelPositions
	for i, p := range pos {
		switch {
		case p > MaxLabelPosition:
			v.failf("cache.mpls-label-positions", "label position %d is past %d", p, MaxLabelPosition)
		case p != 0 && i > 0 && pos[i-1] == 0:
			v.failf("cache.mpls-label-positions", "label positions %v have a gap", pos)
		}
		for _, q := range pos[:i] {
			if p != 0 && p == q {
				v.failf("cache.mpls-label-positions", "label position %d is named twice", p)
			}
		}
	}
}

func unmapAddrPort(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}

// maxRefreshPackets is the most export packets between two template
// resends: Junos's template-refresh-rate packets (IOS's is 600).
const maxRefreshPackets = 480000
