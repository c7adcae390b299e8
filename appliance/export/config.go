package export

import (
	"errors"
	"fmt"
	"github.com/flowtap/flowtap/appliance/appclass"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
	"net/netip"
	"time"
)

// SamplingMode values are the v9 FLOW_SAMPLER_MODE / SAMPLING_ALGORITHM
// codes, which the v5 header's 2-bit sampling mode reuses.
type SamplingMode uint8

const (
	SamplingNone          SamplingMode = 0
	SamplingDeterministic SamplingMode = 1
	SamplingRandom        SamplingMode = 2
)

// Sampler is a `flow-sampler-map`: mode random one-out-of Interval.
type Sampler struct {
	ID       uint8
	Mode     SamplingMode
	Interval uint32 // 1..65535 on IOS
}

// Enabled reports whether the flows were sampled at all.
func (s Sampler) Enabled() bool { return s.Mode != SamplingNone && s.Interval > 0 }

// MaxSamplers is how many samplers one exporter announces: their options
// rows (10 bytes each in v9) must fit a packet of the smallest size
// beside the templates.
const MaxSamplers = 16

// announced is every enabled sampler, Sampler first, each id once, then
// the overload samplers while overload sampling is on.
func (c *EncoderConfig) announced() []Sampler {
	var out []Sampler
	seen := map[uint8]bool{}
	for _, s := range append([]Sampler{c.Sampler}, c.Samplers...) {
		if s.Enabled() && !seen[s.ID] {
			seen[s.ID] = true
			out = append(out, s)
		}
	}
	if c.overloadRate > 1 {
		for _, o := range c.Overload {
			if !seen[o.ID] {
				seen[o.ID] = true
				out = append(out, o.under(c.overloadRate))
			}
		}
	}
	return out
}

// sampled says whether records carry a sampler id: some sampler is
// announced, or overload sampling may be.
func (c *EncoderConfig) sampled() bool {
	return len(c.announced()) > 0 || len(c.Overload) > 0
}

// OverloadSampler is the sampler a record metered under overload
// sampling names (ip flow-cache overload-protection): ID is its id in the
// records, Base the sampler its packets passed first (zero: none). Its
// announced rate is the overload rate times Base's.
type OverloadSampler struct {
	ID   uint8
	Base Sampler
}

// under is o announced at the overload rate n.
func (o OverloadSampler) under(n uint32) Sampler {
	s := Sampler{ID: o.ID, Mode: SamplingDeterministic, Interval: n}
	if o.Base.Enabled() {
		s.Mode = o.Base.Mode
		s.Interval = n * o.Base.Interval
	}
	return s
}

// v5Sampler is the sampler the v5 header names: Sampler, or while
// overload sampling is on, the overload sampler over it, when every
// record went through one sampler (no Samplers).
func (c *EncoderConfig) v5Sampler() Sampler {
	if c.overloadRate > 1 && len(c.Samplers) == 0 && len(c.Overload) > 0 {
		return OverloadSampler{Base: c.Sampler}.under(c.overloadRate)
	}
	return c.Sampler
}

// Capture selects the `ip flow-capture` fields added to v9/IPFIX templates.
type Capture uint16

const (
	CaptureTTL            Capture = 1 << iota // MIN_TTL 52, MAX_TTL 53
	CaptureMAC                                // IN_SRC_MAC 56, IN_DST_MAC 80
	CaptureVLAN                               // SRC_VLAN 58 and dot1qCustomerVlanId 245 (v9 and IPFIX); with Direction also 59 and 255, for egress records
	CaptureIPID                               // IPV4_IDENT 54 (IPFIX fragmentIdentification)
	CapturePacketLength                       // MIN_PKT_LNGTH 25, MAX_PKT_LNGTH 26
	CaptureICMP                               // ICMP_TYPE 32 / icmpTypeCodeIPv6 139 from the first packet
	CaptureFragmentOffset                     // FRAGMENT_OFFSET 88
	CaptureFlowLabel                          // IPV6_FLOW_LABEL 31 (IPFIX flowLabelIPv6), IPv6 templates only
	CaptureFragmentFlags                      // fragmentFlags 197: the OR of the packets' DF and MF
	CaptureExtHeaders                         // ipv6ExtensionHeaders 64, IPv6 templates only

	// CaptureAll is every field flowtap captures.
	CaptureAll = CaptureTTL | CaptureMAC | CaptureVLAN | CaptureIPID | CapturePacketLength | CaptureICMP | CaptureFragmentOffset | CaptureFlowLabel | CaptureFragmentFlags | CaptureExtHeaders
)

// Datapath is what the datapath must record per flow for c: the fields
// that are not in the flow table's entry.
func (c Capture) Datapath() flow.CaptureFields {
	var f flow.CaptureFields
	for _, m := range []struct {
		c Capture
		f flow.CaptureFields
	}{{CaptureIPID, flow.CapIPID}, {CapturePacketLength, flow.CapPacketLength}, {CaptureICMP, flow.CapICMP}, {CaptureFragmentOffset, flow.CapFragOffset}, {CaptureFlowLabel, flow.CapFlowLabel}, {CaptureFragmentFlags, flow.CapFragFlags}, {CaptureExtHeaders, flow.CapExt6}} {
		if c&m.c != 0 {
			f |= m.f
		}
	}
	return f
}

// InterfaceName is one row of the `ip flow-export interface-names` option
// table. A row of IfIndex 0 (a port that is not there now) is left out.
type InterfaceName struct {
	IfIndex uint32
	Name    string
	// Port says the name is a kernel device's, whose ifIndex the row
	// follows when the device is deleted and added again (the daemon
	// reconfigures the encoder), rather than a tap's link or a
	// subinterface numbered by the configuration.
	Port bool
}

// Defaults that IOS uses (vendor-behaviour 2.3, 6).
const (
	DefaultTemplateRefreshPackets = platform.DefaultTemplateRefreshPackets
	DefaultTemplateTimeout        = platform.DefaultTemplateTimeout
	DefaultMaxPacketSize          = 1400 // fits a 1500 B MTU under IPv6+UDP headers
	minMaxPacketSize              = 512
	maxMaxPacketSize              = 65507 // largest IPv4 UDP payload
)

// EncoderConfig describes one exporter's packets.
type EncoderConfig struct {
	Version Version
	// Scheme is the aggregation cache the encoder serves; platform.SchemeNone for the
	// main cache. v8 needs a scheme with a v8 record; v5 and v7 need none.
	Scheme platform.Scheme

	// BootTime is the exporter's boot: sysUptime and First/Last are
	// milliseconds since it. Only the time since it is read, as each
	// packet opens (with the system clock, by the monotonic clock, which
	// no one sets); a record's times are placed against that instant by
	// the wall clock (see sysUp).
	BootTime time.Time
	Clock    Clock // nil means the system clock
	// up is the open packet's anchor (set by the encoder on its copy).
	up sysUp

	EngineType uint8
	EngineID   uint8
	// ObservationDomain is the v9 source_id and the IPFIX Observation
	// Domain ID.
	ObservationDomain uint32

	AS platform.ASMode
	// Sampler is the one sampler of every record (and of the v5 header);
	// Samplers are further samplers when ports or filter terms sample at
	// different rates. v9/IPFIX announce each in a sampler options row, and
	// each record carries its own id (flow.Record.SamplerID, or Sampler's
	// when that is 0).
	Sampler  Sampler
	Samplers []Sampler
	// Overload are the overload samplers records may name, one per
	// sampler in use (ip flow-cache overload-protection); announced, and
	// in the v5 header, only while the rate set by SetOverloadRate is
	// above 1.
	Overload     []OverloadSampler
	overloadRate uint32
	// pathPayload is the largest UDP payload the path to the collector
	// carries unfragmented (its MTU less the IP and UDP headers), 0 when
	// unknown: packets are made no larger (Exporter sets it).
	pathPayload int

	// V7FlowMask is written to the v7 record `flags` byte: the flow mask in
	// use. Its encoding is the platform's business, so it is taken raw.
	// Nothing sets it: no source gives the encoding Cisco used
	// (docs/vendor-behaviour.md), so flowtap exports 0 there.
	V7FlowMask uint8
	// ZeroTCPFlags writes 0 in the v5 and v7 tcp_flags byte, as a PFC
	// does for hardware-switched flows; the router's NetFlow exports the
	// flags it OR'd. v9 and IPFIX are not affected.
	ZeroTCPFlags bool
	// ZeroNextHopOutput writes 0 in the v5 and v7 next hop and output
	// ifIndex, as a PFC does unless `mls nde interface` asks for these
	// additional fields. v8, v9 and IPFIX are not affected.
	ZeroNextHopOutput bool
	// RouterSC is the router being shortcut, written to v7 records and to
	// the Catalyst v8 schemes.
	RouterSC netip.Addr

	// Template refresh, v9 and IPFIX: templates are resent when either limit
	// is reached. Zero means the IOS defaults (20 packets, 30 minutes).
	TemplateRefreshPackets int
	TemplateTimeout        time.Duration
	// The same for options templates and their data (sampler, interface
	// names); zero means the values used for templates.
	OptionsRefreshPackets int
	OptionsTimeout        time.Duration

	// ExporterStats sends the exporter-statistics options table (v9 and
	// IPFIX): the socket's ends and the destination's counters, resent
	// with the other options. An Exporter fills the row (exporterStats);
	// an encoder without one sends none.
	ExporterStats bool
	exporterStats func() ExporterStatsRow

	// InterfaceNames, when set, is exported as an options table (v9 and
	// IPFIX only).
	InterfaceNames []InterfaceName
	Capture        Capture
	// MPLSLabels is how many label positions `ip flow-cache mpls
	// label-positions` names: that many of IEs 70-72 in main-cache
	// templates, from flow.Captured.Labels.
	MPLSLabels int

	// BGPNextHop adds the destination's BGP next hop (IE 18, IPv6 63) to
	// v9 and IPFIX main-cache templates: `ip flow-export version 9
	// bgp-nexthop`.
	BGPNextHop bool
	// Direction adds flowDirection (IE 61) to v9 and IPFIX main-cache
	// templates: set when taps give the records a direction.
	Direction bool
	// Biflow makes an IPFIX main-cache encoder write RFC 5103 biflows:
	// flowDirection, biflowDirection and the reverse counters. The
	// records it gets must already be paired (package biflow); Exporter
	// pairs them when its destination asks for biflows.
	Biflow bool

	// MaxPacketSize bounds v9 and IPFIX packets; zero means 1400. v5, v7 and
	// v8 packets are bounded by their record limits instead.
	MaxPacketSize int

	// AppClasses, when set, labels each IPFIX main-cache record with its
	// application class as applicationId (IE 95) and names the classes
	// in an options table (RFC 6759). v9 and the aggregates carry none.
	AppClasses *appclass.Set
}

func (c EncoderConfig) withDefaults() EncoderConfig {
	c.Clock = clockOrSystem(c.Clock)
	if c.TemplateRefreshPackets == 0 {
		c.TemplateRefreshPackets = DefaultTemplateRefreshPackets
	}
	if c.TemplateTimeout == 0 {
		c.TemplateTimeout = DefaultTemplateTimeout
	}
	if c.OptionsRefreshPackets == 0 {
		c.OptionsRefreshPackets = c.TemplateRefreshPackets
	}
	if c.OptionsTimeout == 0 {
		c.OptionsTimeout = c.TemplateTimeout
	}
	if c.MaxPacketSize == 0 {
		c.MaxPacketSize = DefaultMaxPacketSize
	}
	return c
}

// Validate reports the first setting the encoder cannot honour.
func (c EncoderConfig) Validate() error {
	switch c.Version {
	case V5, V7:
		if c.Scheme != platform.SchemeNone {
			return fmt.Errorf("version %s carries main-cache flows only, not aggregation scheme %s", c.Version, c.Scheme)
		}
	case V8:
		if !c.Scheme.HasV8() {
			return fmt.Errorf("version 8 has no record for aggregation scheme %s: use version 9", c.Scheme)
		}
	case V9, IPFIX:
		if c.Scheme != platform.SchemeNone && !c.Scheme.Valid() {
			return fmt.Errorf("unknown aggregation scheme %d", c.Scheme)
		}
	default:
		return fmt.Errorf("export version %d: want 5, 7, 8, 9 or ipfix", c.Version)
	}
	if c.Biflow && (c.Version != IPFIX || c.Scheme != platform.SchemeNone) {
		return errors.New("biflows need IPFIX and the main cache")
	}
	if c.BootTime.IsZero() {
		return errors.New("boot time not set: sysUptime would be meaningless")
	}
	if c.TemplateRefreshPackets < 0 || c.OptionsRefreshPackets < 0 {
		return errors.New("template refresh-rate must be positive")
	}
	if c.TemplateTimeout < 0 || c.OptionsTimeout < 0 {
		return errors.New("template timeout-rate must be positive")
	}
	if c.MaxPacketSize != 0 && (c.MaxPacketSize < minMaxPacketSize || c.MaxPacketSize > maxMaxPacketSize) {
		return fmt.Errorf("max packet size %d: want %d..%d", c.MaxPacketSize, minMaxPacketSize, maxMaxPacketSize)
	}
	if n := len(c.announced()); n > MaxSamplers {
		return fmt.Errorf("%d samplers: at most %d, so their options rows fit the smallest packet", n, MaxSamplers)
	}
	for _, s := range c.announced() {
		if s.Mode != SamplingDeterministic && s.Mode != SamplingRandom {
			return fmt.Errorf("sampler %d: sampling mode %d: want 1 (deterministic) or 2 (random)", s.ID, s.Mode)
		}
	}
	if c.RouterSC.IsValid() && !c.RouterSC.Unmap().Is4() {
		return fmt.Errorf("router_sc %s: v7 and v8 carry IPv4 only", c.RouterSC)
	}
	return nil
}
