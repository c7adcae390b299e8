package config

import (
	"cmp"
	"net/netip"
	"time"

	"github.com/flowtap/flowtap/appliance/platform"
)

// Export is the main cache's `ip flow-export` settings.
type Export struct {
	// Version is the main cache's export version; 0 is the persona's
	// default. `ip flow-export version`, or `mls nde sender version` on a
	// PFC.
	Version    platform.ExportVersion
	AS         platform.ASMode // origin-as | peer-as; JunOS autonomous-system-type
	BGPNextHop bool            // bgp-nexthop (v9 and IPFIX)
	Source     string          // ip flow-export source IFNAME
	// TemplateRefresh is `template refresh-rate` in packets, 0 is the
	// persona's default (Config.Resend).
	TemplateRefresh int
	// TemplateTimeout is `template timeout-rate` (minutes on the CLI), 0
	// is the persona's default.
	TemplateTimeout time.Duration
	// OptionsTimeout is how often options templates and records are
	// resent (JunOS option-refresh-rate seconds); 0 is the persona's
	// default, which on IOS follows TemplateTimeout.
	OptionsTimeout time.Duration
	// OptionsRefresh is `template options refresh-rate` in packets: how
	// many export packets may go between two resends of the options
	// templates and records; 0 as OptionsTimeout.
	OptionsRefresh int
	InterfaceNames bool // ip flow-export interface-names
	// ExporterStats is `ip flow-export template options export-stats`:
	// every main-cache collector gets the exporter-statistics options
	// table (v9, IPFIX), as Destination.ExporterStats gives one.
	ExporterStats bool
	// ServicesIf and ServicesSource are JunOS `sampling output interface
	// sp-X/Y/Z source-address A` (IOS extension `flowtap
	// services-interface NAME source-address A`): the services PIC a
	// Juniper router exports from. Here it names no port; its address is
	// every collector's source unless the collector names its own.
	ServicesIf     string
	ServicesSource netip.Addr
	// Layer2VLANs is `ip flow export layer2-switched vlan LIST` (PFC3B,
	// PFC3BXL, PFC4): once set, a tagged flow is exported only if its
	// outer VLAN is listed; untagged flows always are. Empty: every flow.
	Layer2VLANs platform.VLANSet
	// Destinations are the collectors, in configuration order, at most
	// MaxDestinations.
	Destinations []Destination
}

// Resend is when the main cache's v9 and IPFIX exporters resend their
// templates and options: what the configuration says, the persona's
// defaults for the rest (IOS's when the persona is unknown). Options
// the configuration leaves unset follow the templates on IOS; Junos has
// option-refresh-rate defaults of its own.
func (c Config) Resend() platform.Resend {
	def := platform.Persona{}
	if p, err := c.Persona(); err == nil {
		def = p
	}
	d, e := def.ResendDefaults(), c.Export
	r := platform.Resend{TemplatePackets: cmp.Or(e.TemplateRefresh, d.TemplatePackets), TemplateEvery: cmp.Or(e.TemplateTimeout, d.TemplateEvery)}
	r.OptionPackets = cmp.Or(e.OptionsRefresh, d.OptionPackets, r.TemplatePackets)
	r.OptionEvery = cmp.Or(e.OptionsTimeout, d.OptionEvery, r.TemplateEvery)
	return r
}

// Destination is one `ip flow-export destination`, or a JunOS flow-server.
type Destination struct {
	Addr netip.AddrPort
	// Version overrides the main export version for this collector (a
	// flowtap extension to IOS; per flow-server on JunOS); 0 follows it.
	Version platform.ExportVersion
	// SourceAddress is the JunOS flow-server source-address (IOS
	// extension `source-address`); invalid: Export.Source or the kernel's
	// choice.
	SourceAddress netip.Addr
	// AS is this collector's AS mode (JunOS autonomous-system-type, per
	// flow-server; IOS extension `origin-as|peer-as` after the
	// destination); platform.ASNone follows Export.AS.
	AS platform.ASMode
	// Truncate is the IPv4 prefix length this collector gets addresses
	// at (IOS extension `truncate N`; Internet2 uses 21); 0 keeps them.
	Truncate int
	// CryptoPAn, when set, is the key this collector's addresses are
	// pseudonymised with, prefix-preserving (IOS extension `crypto-pan
	// KEY`): 64 hex digits, or a passphrase.
	CryptoPAn string
	// Biflow is ` biflow` after an IPFIX destination: RFC 5103 biflows,
	// both directions of a conversation in one record (a flowtap
	// extension; see package biflow).
	Biflow bool
	// Template is the JunOS flow-monitoring template this flow-server
	// exports with (`version9|version-ipfix template NAME`); "" none.
	Template string
	// Template6 is the template named for the same flow-server under
	// `family inet6` (Junos's dual-stack form: an ipv4 template under
	// family inet, an ipv6 one under inet6); "" none. Both are of
	// Version.
	Template6 string
	// Families are the address families whose records this collector
	// gets: a JunOS flow-server's, the `family inet|inet6` it is
	// configured under. 0 is every family (an IOS destination, a
	// flow-server under both families).
	Families Families
	// TTL is the export packets' IP TTL (hop limit): an FNF exporter's
	// `ttl N` (config.Effective); 0 is the kernel's default.
	TTL int
	// ExporterStats sends this collector the exporter-statistics options
	// table (v9, IPFIX): an FNF exporter's `option exporter-stats`.
	ExporterStats bool
}

// Aggregation is one `ip flow-aggregation cache SCHEME` block.
type Aggregation struct {
	Scheme   platform.Scheme
	Entries  int           // cache entries; 0 is platform.Aggregation's default
	Active   time.Duration // cache timeout active; 0 is the default
	Inactive time.Duration // cache timeout inactive; 0 is the default
	// Version is `export version 8|9`; 0 is 8.
	Version      platform.ExportVersion
	Destinations []netip.AddrPort // export destination, at most 2
	// SourceMask and DestinationMask are `mask source|destination minimum
	// N`; 0 is none (the routing table's mask alone).
	SourceMask      int
	DestinationMask int
	Enabled         bool
}

// TopTalkers is the `ip flow-top-talkers` block.
type TopTalkers struct {
	// Configured records that the block exists even while top or sort-by
	// is missing (IOS then hides it; flowtap shows it so that nothing the
	// operator typed is lost).
	Configured   bool
	Top          int
	SortBy       platform.SortBy // 0: not set
	CacheTimeout time.Duration   // 0 is platform.DefaultTopTalkersTimeout
	Match        TopTalkersMatch
}

// PrefixAS is the flowtap prefix-to-AS table: the appliance sees no BGP,
// so the operator supplies the routes (see appliance/asmap).
type PrefixAS struct {
	File string // flowtap prefix-as-file PATH
	// Mode is `flowtap as-mode origin|peer`: which AS of a route fills the
	// records. platform.ASNone follows the export's origin-as | peer-as.
	Mode platform.ASMode
}

// Families is a set of address families, 0 every one.
type Families uint8

// The families a JunOS flow-server can be configured under.
const (
	FamilyInet  Families = 1 << iota // family inet: IPv4
	FamilyInet6                      // family inet6: IPv6
)

// AllFamilies is both families: the same as 0, every family.
const AllFamilies = FamilyInet | FamilyInet6

// Has reports whether f takes family g; every set takes everything when
// it is 0.
func (f Families) Has(g Families) bool { return f == 0 || f&g == g }

// With is f and g; both families are 0, every family.
func (f Families) With(g Families) Families {
	if f == 0 || f|g == AllFamilies {
		return 0
	}
	return f | g
}

// Without is f less g (0 taken as both families): 0 left means none,
// which the caller deletes.
func (f Families) Without(g Families) Families {
	if f == 0 {
		f = AllFamilies
	}
	return f &^ g
}

// Overlaps reports whether f and g take a family in common.
func (f Families) Overlaps(g Families) bool { return f == 0 || g == 0 || f&g != 0 }

// IPVersion is the record family the set takes, 4 or 6; 0 every one.
func (f Families) IPVersion() int {
	switch f {
	case FamilyInet:
		return 4
	case FamilyInet6:
		return 6
	}
	return 0
}
