package config

import (
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/platform"
)

// Defaults the model stores as the zero value.
const (
	DefaultHostname = "flowtap"
	DefaultPlatform = "ios"
)

// Config is the whole appliance configuration: what `show running-config`
// prints and every management interface edits.
//
// It is a plain value. A zero field means the default (of the persona,
// where the persona decides it), so Config{} is a fresh IOS-persona box;
// Normalize turns values equal to their default into zero, which keeps
// "typed the default" and "left it alone" equal, as IOS does by omitting
// both from the running config. Copy with Clone before mutating a Config
// that someone else holds: the slices are shared by plain assignment.
type Config struct {
	Hostname string // "" is DefaultHostname
	Platform string // persona name (platform.Names); "" is DefaultPlatform

	// Cache is the main flow cache, spelled per persona: `ip flow-cache`
	// on the router and cflowd, `mls flow` / `mls aging` on a Catalyst,
	// flow-*-timeout under JunOS sampling output.
	Cache Cache
	// Sampling is the global packet sampling: `mls sampling` on a PFC,
	// `forwarding-options sampling input` on cflowd. The router samples
	// per interface with Samplers instead.
	Sampling platform.Sampling
	// NDE is `mls nde sender`: a PFC exports nothing without it.
	NDE bool
	// NDETCPFlags is `mls nde tcp-flags`, a flowtap extension: a PFC's
	// NDE carries tcp_flags 0 for hardware-switched flows, so the PFC
	// personas export 0 there unless it asks for the flags the meter saw.
	NDETCPFlags bool
	// NDEInterface is `mls nde interface`: a PFC fills the v5 and v7
	// records' next hop and output ifIndex only with it (Cisco's "additional
	// NDE fields", off by default); without it they export as 0.
	NDEInterface bool
	// NDEFilters are `mls nde flow include|exclude ...`: which flows the
	// PFC's NDE exports; a flow left out is counted as not exported.
	NDEFilters platform.NDEFilters
	// NetflowOff is `no mls netflow`: the PFC's NetFlow table is not
	// populated, so no port meters (`mls netflow`, the default, undoes it).
	NetflowOff bool
	// MLSNetflowInterface is `mls netflow interface`: the PFC creates
	// NetFlow entries only for the interfaces NetFlow is enabled on
	// (`ip flow ingress`), which is how flowtap meters in any case.
	MLSNetflowInterface bool

	Samplers     []SamplerMap // flow-sampler-map, in configuration order
	Interfaces   []Interface  // sorted by name, naturally (eth2 before eth10)
	Export       Export
	Aggregations []Aggregation // ip flow-aggregation cache, in configuration order
	TopTalkers   TopTalkers
	Capture      Capture
	PrefixAS     PrefixAS
	Taps         []Tap // flowtap tap, in configuration order
	// FNF is Flexible NetFlow's records, exporters and monitors: another
	// spelling of the main cache and its collectors (see FNF, Effective).
	FNF FNF

	SNMP         SNMP
	EnableSecret Secret
	// EnablePassword is `enable password`: reversible, as IOS keeps it,
	// and checked by `enable` only while no EnableSecret is set.
	EnablePassword LinePassword
	Users          []User
	SSH            SSH
	Metrics        Metrics
	AccessLists    []AccessList // sorted by number
	// Firewall are JunOS firewall filters, in configuration order.
	Firewall []FirewallFilter
	// JFlow is JunOS inline J-Flow's names (flow-monitoring templates,
	// sampling instance, FPC bindings); see JFlow.
	JFlow JFlow
	// JunOS is what a JunOS configuration keeps beside the statements
	// it applies: inactive statements, annotations and groups; see
	// JunOSText.
	JunOS JunOSText
	// ClassMaps and PolicyMaps are IOS NetFlow input filters (MQC), in
	// configuration order; an interface applies one with `service-policy
	// input NAME`.
	ClassMaps  []ClassMap
	PolicyMaps []PolicyMap
	VTY        VTY
	// ExecLevels are `privilege exec level N COMMAND`, in configuration
	// order.
	ExecLevels []ExecLevel
	// ModeLevels are `privilege configure|interface level N COMMAND`:
	// configuration commands lowered from 15, in configuration order.
	ModeLevels []ModeLevel
	Console    Console    // line con 0
	LoginBlock LoginBlock // login block-for
	// LoginFailureLog is `login on-failure log [every N]`,
	// LoginSuccessLog `login on-success log [every N]`.
	LoginFailureLog LoginLog
	LoginSuccessLog LoginLog
	Logging         Logging
	// Clock is `clock timezone` and `clock summer-time`.
	Clock Clock
	// DebugTimestamps is `service timestamps debug ...`, LogTimestamps
	// `service timestamps log ...`.
	DebugTimestamps LogTimestamps
	LogTimestamps   LogTimestamps
	// PasswordEncryption is `service password-encryption`: line
	// passwords typed from then on are shown as type 7, and turning it
	// on encrypts those already set (turning it off decrypts none).
	PasswordEncryption bool
	// Archive is `archive` / ` log config`: the configuration logger.
	Archive ArchiveLog
	NTP     NTP
	// Names is the name service for lines that name a host: `ip host`,
	// `ip name-server`, `ip domain name`, `ip domain lookup`.
	Names Names
	// AppClasses sorts flows into applications (`show ip flow
	// applications`, IPFIX applicationId).
	AppClasses AppClasses
	// Banners are `banner motd|login|exec|incoming`.
	Banners Banners
}

// Banners are the texts shown around a login, each verbatim as typed
// between its delimiters (a banner typed over several lines keeps the
// line break after its opening delimiter, as IOS does); "" is none.
// Login shows before authentication (SSH's banner message), MOTD and
// then Exec after it; Incoming is kept and shown in the configuration
// only: flowtap has no reverse-telnet lines.
type Banners struct {
	MOTD     string
	Login    string
	Exec     string
	Incoming string
}

// Cache is the main cache's settings; zero fields take the persona's
// defaults (platform.Persona.Defaults).
type Cache struct {
	Entries int           // ip flow-cache entries; fixed on the PFCs and cflowd
	Mask    platform.Mask // mls flow ip
	// Mask6 is `mls flow ipv6` (PFC3 and PFC4): the IPv6 flows' mask; 0
	// keys IPv6 flows with the IPv4 mask.
	Mask6    platform.Mask
	Inactive time.Duration // ip flow-cache timeout inactive, mls aging normal
	Active   time.Duration // ip flow-cache timeout active, mls aging long
	// FastTime is `mls aging fast time`; 0 is fast aging off.
	FastTime      time.Duration
	FastThreshold uint64 // mls aging fast threshold; 0 with FastTime set: the default
	// Overload is `ip flow-cache overload-protection`: sample adaptively
	// while the cache cannot take the new flows.
	Overload Overload
	// MPLSLabelPositions is `ip flow-cache mpls label-positions P1 [P2
	// [P3]]`: which label stack entries (1 is the top) the datapath keeps
	// per flow and v9/IPFIX export as IEs 70-72. Unused positions are 0,
	// after the used ones.
	MPLSLabelPositions [3]uint8
}

// Overload is `ip flow-cache overload-protection [threshold PCT]
// [max-rate N] [interval S] [budget NS]` (JunOS `forwarding-options
// sampling overload-protection`); zero fields are the defaults
// (appliance/overload).
type Overload struct {
	Enabled   bool
	Threshold int           // percent of the packets reaching the cache that it refused, 1-100
	MaxRate   uint32        // highest 1-in-N, 2-65535
	Interval  time.Duration // whole seconds, 1-60
	Budget    time.Duration // per-packet cost that counts as overload, 0: not watched
}

// MaxLabelPosition is IOS's deepest label position.
const MaxLabelPosition = 6

// MPLSLabels is how many label positions are configured.
func (k Cache) MPLSLabels() int {
	n := 0
	for n < len(k.MPLSLabelPositions) && k.MPLSLabelPositions[n] != 0 {
		n++
	}
	return n
}

// SamplerMap is a `flow-sampler-map` with its
// `mode deterministic|random one-out-of N`.
type SamplerMap struct {
	Name string
	Rate uint32 // 0: no mode configured yet; an interface may not use it
	// Deterministic takes exactly every Nth packet; else each packet with
	// probability 1/N, as IOS's random sampled NetFlow.
	Deterministic bool
	// FNF: the map is IOS-XE's `sampler NAME` (` mode random 1 out-of
	// N`), shown as Flexible NetFlow writes it; Description is its
	// ` description`.
	FNF         bool
	Description string
}

// Interface is a port the appliance knows; it is metered when it has
// `ip flow ingress`, `ip flow egress` or a `flow-sampler`.
type Interface struct {
	Name        string // the Linux interface name
	Description string
	Shutdown    bool
	Ingress     bool   // ip flow ingress
	Egress      bool   // ip flow egress
	Sampler     string // flow-sampler NAME: a Samplers entry
	// InputFilter is `ip flow ingress input-filter ACL`: an access list
	// whose permit entries are metered and deny entries (and the
	// implicit deny) are not, evaluated in the datapath.
	InputFilter string
	// InputFilter6 is `ipv6 flow ingress input-filter NAME` (a flowtap
	// extension): an `ipv6 access-list` choosing which IPv6 packets are
	// metered, as InputFilter does for IPv4.
	InputFilter6 string
	// ServicePolicy is `service-policy input NAME`: a PolicyMap whose
	// classes choose what is metered and through which sampler (Cisco's
	// NetFlow Input Filters).
	ServicePolicy string
	// FilterInput4 and FilterInput6 are JunOS `unit 0 family inet|inet6
	// filter input NAME`: a Firewall filter whose `then sample` terms
	// choose what is metered.
	FilterInput4 string
	FilterInput6 string
	// Verdict is `flowtap verdict passive|inline`: a tap port drops what
	// it metered, an inline port hands it on.
	Verdict platform.Verdict
	// XDPMode is `flowtap xdp-mode best|native|generic|offload`.
	XDPMode XDPMode
	// Encapsulation is `encapsulation dot1Q N` on a subinterface
	// (PARENT.N): the VLAN whose frames on PARENT are this interface's.
	// 0 takes N from the name.
	Encapsulation uint16
	// NoLinkTrap is `no snmp trap link-status` (JunOS `no-traps`): no
	// linkUp or linkDown for this interface (IF-MIB's
	// ifLinkUpDownTrapEnable disabled). IOS sends them by default.
	NoLinkTrap bool
	// MonitorIn, MonitorOut, MonitorIn6 and MonitorOut6 are Flexible
	// NetFlow's `ip flow monitor NAME input|output` and `ipv6 flow
	// monitor NAME input|output`: an FNF.Monitors entry (see FNF).
	MonitorIn, MonitorOut, MonitorIn6, MonitorOut6 string
	// MonitorSampler is the `sampler S` of the input monitors (`ip flow
	// monitor M sampler S input`): a Samplers entry the port samples
	// through, as `flow-sampler S` (flowtap samples a port's packets of
	// both families through one sampler, ingress only).
	MonitorSampler string
	// MLSSampling is a PFC's `mls netflow sampling`: the global `mls
	// sampling` applies to this interface. Once one interface has it,
	// interfaces without it are metered unsampled.
	MLSSampling bool
}

// Metered reports whether the daemon attaches the meter to the port.
func (i Interface) Metered() bool {
	return i.Ingress || i.Egress || i.MonitorIn != "" || i.MonitorOut != "" || i.MonitorIn6 != "" || i.MonitorOut6 != "" || i.Sampler != "" || i.ServicePolicy != "" || i.InputFilter6 != "" || i.FilterInput4 != "" || i.FilterInput6 != ""
}

// Text is the banner kind names ("motd", "login", "exec", "incoming"),
// as typed; "" for an unknown kind.
func (b Banners) Text(kind string) string {
	switch kind {
	case "motd":
		return b.MOTD
	case "login":
		return b.Login
	case "exec":
		return b.Exec
	case "incoming":
		return b.Incoming
	}
	return ""
}

// ExpandBanner replaces IOS's banner tokens in text as a line shows it:
// $(hostname), $(domain), $(line) (the line's name, "vty 2") and
// $(line-desc) (its description; flowtap's lines have none, so it
// expands to nothing).
func (c Config) ExpandBanner(text, line string) string {
	if !strings.Contains(text, "$(") {
		return text
	}
	return strings.NewReplacer("$(hostname)", c.HostnameOrDefault(), "$(domain)", c.Names.Domain,
		"$(line)", line, "$(line-desc)", "").Replace(text)
}
