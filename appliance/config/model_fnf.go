package config

import (
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/platform"
)

// FNF is IOS-XE's Flexible NetFlow as an operator pastes it: `flow
// record`, `flow exporter` and `flow monitor` blocks, bound to ports with
// `ip flow monitor NAME input|output` (Interface.Monitor*). flowtap has
// one main cache and one set of collectors, so FNF is a second spelling
// of them: the monitors bound to a port become the main cache's settings
// and their exporters its collectors (Effective folds them in), and
// Normalize refuses what that cannot carry (a record whose key no flow
// mask keeps, two bound monitors that ask for different caches). The
// blocks are kept as written, so that the running-config shows them back.
type FNF struct {
	Records   []FlowRecord   // in configuration order
	Exporters []FlowExporter // in configuration order
	Monitors  []FlowMonitor  // in configuration order
}

// FlowRecord is `flow record NAME`: its key (match) and non-key (collect)
// fields, each the canonical phrase of FNFMatches or FNFCollects, in the
// order typed.
type FlowRecord struct {
	Name        string
	Description string
	Match       []string
	Collect     []string
}

// FlowExporter is `flow exporter NAME`.
type FlowExporter struct {
	Name        string
	Description string
	// Destination is the collector; invalid while none is configured (the
	// exporter then sends nothing, as on IOS).
	Destination netip.Addr
	// Port is `transport udp N`; 0 is FNFDefaultPort.
	Port uint16
	// Source is `source IFNAME`: the main export's source interface.
	Source string
	// Protocol is `export-protocol netflow-v5|netflow-v9|ipfix`; 0 is v9,
	// FNF's default.
	Protocol platform.ExportVersion
	// TemplateTimeout is `template data timeout SECONDS`; 0 is
	// FNFDefaultTemplateTimeout.
	TemplateTimeout time.Duration
	// InterfaceTable and SamplerTable are `option interface-table` and
	// `option sampler-table`; their timeouts (`[timeout S]`) are kept to
	// be shown back, and flowtap resends options with the templates.
	// TTL is `ttl N`: the export packets' TTL; 0 the kernel's default.
	TTL                   int
	InterfaceTable        bool
	InterfaceTableTimeout time.Duration
	SamplerTable          bool
	SamplerTableTimeout   time.Duration
	// ExporterStats is `option exporter-stats [timeout S]`: the
	// exporter-statistics options table to this exporter's collector.
	ExporterStats        bool
	ExporterStatsTimeout time.Duration
}

// FlowMonitor is `flow monitor NAME`.
type FlowMonitor struct {
	Name        string
	Description string
	// Record is a FlowRecord's name or one of FNFPredefined ("netflow
	// ipv4 original-input"); "" while none is configured.
	Record    string
	Exporters []string // `exporter NAME` lines, in order
	Active    time.Duration
	Inactive  time.Duration
	Entries   int
}

// Defaults of FNF that differ from traditional NetFlow's. [RECALL] from
// IOS-XE 16/17's `show flow exporter`: a new exporter sends to UDP port
// 9995, v9, with a data template timeout of 600 seconds.
const (
	FNFDefaultPort            = 9995
	FNFDefaultTemplateTimeout = 600 * time.Second
)

// FNFField is one phrase a record's `match` or `collect` line may name:
// how flowtap carries it, or why it cannot.
type FNFField struct {
	Phrase string
	// Key is the mask field a match keeps (platform.Field); Ports are
	// two phrases, FNFSrcPort and FNFDstPort, that only together make
	// platform.FieldPorts.
	Key    platform.Field
	Port   int // 1 source-port, 2 destination-port
	Family int // 4 or 6: the record's family; 0 either
	// Capture and BGPNextHop are what a collect adds to the templates;
	// neither (and no Why) is a field flowtap's templates always carry.
	Capture    Capture
	BGPNextHop bool
	// Why, when set, is the refusal: flowtap cannot carry the field.
	Why string
}

const noL2Key = "no flowtap flow mask keys on layer 2 fields; its keys are addresses, protocol, ports, ToS and the input interface"

// dscpKey is why a DSCP key is refused; tos is the record's ToS key.
func dscpKey(tos string) string {
	return "no flowtap flow mask keys on DSCP alone: the cache keys on the whole ToS byte (match " + tos + "), so flows that differ only in ECN stay apart"
}

// FNFMatches are the `match` phrases flowtap knows. Names [RECALL]
// (IOS-XE 16/17 `flow record` help).
var FNFMatches = []FNFField{
	{Phrase: "ipv4 source address", Key: platform.FieldSrcAddr, Family: 4},
	{Phrase: "ipv4 destination address", Key: platform.FieldDstAddr, Family: 4},
	{Phrase: "ipv4 protocol", Key: platform.FieldProto, Family: 4},
	{Phrase: "ipv4 tos", Key: platform.FieldToS, Family: 4},
	{Phrase: "ipv6 source address", Key: platform.FieldSrcAddr, Family: 6},
	{Phrase: "ipv6 destination address", Key: platform.FieldDstAddr, Family: 6},
	{Phrase: "ipv6 protocol", Key: platform.FieldProto, Family: 6},
	{Phrase: "ipv6 traffic-class", Key: platform.FieldToS, Family: 6},
	// DSCP is ToS's top 6 bits: flowtap's only router key is the whole
	// byte, so a DSCP key would split flows IOS-XE merges (those that
	// differ only in ECN). Refused, pointing at the ToS key.
	{Phrase: "ipv4 dscp", Family: 4, Why: dscpKey("ipv4 tos")},
	{Phrase: "ipv6 dscp", Family: 6, Why: dscpKey("ipv6 traffic-class")},
	{Phrase: "transport source-port", Port: 1},
	{Phrase: "transport destination-port", Port: 2},
	{Phrase: "interface input", Key: platform.FieldInputIf},
	{Phrase: "interface output", Why: "flowtap's cache keys on the input interface; no flow mask keeps the output interface (collect interface output exports it)"},
	{Phrase: "flow direction", Why: "flowtap's cache has no direction key; a monitor bound input or output says the direction"},
	{Phrase: "ipv4 ttl", Why: "no flowtap flow mask keys on the TTL (collect ipv4 ttl minimum|maximum exports it)"},
	{Phrase: "ipv6 flow-label", Why: "no flowtap flow mask keys on the IPv6 flow label"},
	{Phrase: "transport tcp flags", Why: "no flowtap flow mask keys on TCP flags (collect transport tcp flags exports them)"},
	{Phrase: "datalink mac source address input", Why: noL2Key},
	{Phrase: "datalink mac destination address input", Why: noL2Key},
	{Phrase: "datalink dot1q vlan input", Why: noL2Key},
	{Phrase: "datalink ethertype", Why: noL2Key},
	{Phrase: "application name", Why: "no flowtap flow mask keys on the application (ip flow applications classifies flows after metering)"},
}

// FNFCollects are the `collect` phrases flowtap knows. Names [RECALL].
// The main template carries counters, timestamps, TCP flags, both
// interfaces, masks, AS numbers and the next hop for every flow, so a
// record that collects fewer still exports them: flowtap's template is
// the traditional one, widened by the capture fields a record asks for.
var FNFCollects = []FNFField{
	{Phrase: "counter bytes"}, {Phrase: "counter bytes long"},
	{Phrase: "counter packets"}, {Phrase: "counter packets long"},
	{Phrase: "timestamp sys-uptime first"}, {Phrase: "timestamp sys-uptime last"},
	{Phrase: "transport tcp flags"},
	{Phrase: "interface input"}, {Phrase: "interface output"},
	{Phrase: "ipv4 source mask", Family: 4}, {Phrase: "ipv4 destination mask", Family: 4},
	{Phrase: "ipv6 source mask", Family: 6}, {Phrase: "ipv6 destination mask", Family: 6},
	{Phrase: "routing source as"}, {Phrase: "routing destination as"},
	{Phrase: "routing next-hop address ipv4", Family: 4},
	{Phrase: "routing next-hop address ipv6", Family: 6},
	{Phrase: "routing next-hop address ipv4 bgp", Family: 4, BGPNextHop: true},
	{Phrase: "routing next-hop address ipv6 bgp", Family: 6, BGPNextHop: true},
	{Phrase: "flow sampler"},
	// A DSCP collect is the exported ToS's top 6 bits (IE 5, the v5
	// record's tos): every flow keys the whole byte, so it has one DSCP,
	// and no field is added for it.
	{Phrase: "ipv4 dscp", Family: 4}, {Phrase: "ipv6 dscp", Family: 6},
	{Phrase: "ipv4 ttl minimum", Family: 4, Capture: CaptureTTL},
	{Phrase: "ipv4 ttl maximum", Family: 4, Capture: CaptureTTL},
	{Phrase: "ipv6 hop-limit minimum", Family: 6, Capture: CaptureTTL},
	{Phrase: "ipv6 hop-limit maximum", Family: 6, Capture: CaptureTTL},
	{Phrase: "ipv4 total-length minimum", Family: 4, Capture: CapturePacketLength},
	{Phrase: "ipv4 total-length maximum", Family: 4, Capture: CapturePacketLength},
	{Phrase: "ipv4 fragmentation offset", Family: 4, Capture: CaptureFragmentOffset},
	{Phrase: "ipv4 fragmentation flags", Family: 4, Capture: CaptureFragmentFlags},
	{Phrase: "ipv4 id", Family: 4, Capture: CaptureIPID},
	{Phrase: "ipv6 flow-label", Family: 6, Capture: CaptureFlowLabel},
	{Phrase: "ipv6 extension map", Family: 6, Capture: CaptureExtHeaders},
	{Phrase: "transport icmp ipv4 type", Family: 4, Capture: CaptureICMP},
	{Phrase: "transport icmp ipv4 code", Family: 4, Capture: CaptureICMP},
	{Phrase: "transport icmp ipv6 type", Family: 6, Capture: CaptureICMP},
	{Phrase: "transport icmp ipv6 code", Family: 6, Capture: CaptureICMP},
	{Phrase: "datalink mac source address input", Capture: CaptureMAC},
	{Phrase: "datalink mac destination address input", Capture: CaptureMAC},
	{Phrase: "datalink dot1q vlan input", Capture: CaptureVLAN},
	{Phrase: "counter flows", Why: "flowtap's main cache exports one record per flow; it has no flow count field"},
	{Phrase: "timestamp absolute first", Why: "flowtap's v9 records carry sys-uptime timestamps and its IPFIX records absolute ones, whatever the record says: collect timestamp sys-uptime first|last"},
	{Phrase: "timestamp absolute last", Why: "flowtap's v9 records carry sys-uptime timestamps and its IPFIX records absolute ones, whatever the record says: collect timestamp sys-uptime first|last"},
	{Phrase: "application name", Why: "flowtap exports the application as IPFIX applicationId when ip flow applications classifies flows, not per record"},
}

// FNFPredefined are the records IOS defines, as `record netflow ...`
// names them, with their fields and the description show flow record
// gives them. [RECALL] IOS-XE's predefined records: original-input is
// traditional NetFlow's key and fields; netflow-original is the IPv4 one
// with origin AS numbers.
var FNFPredefined = []FlowRecord{
	{Name: "netflow ipv4 original-input", Description: "Traditional IPv4 input NetFlow", Match: tradMatch("ipv4", "tos"), Collect: tradCollect("ipv4")},
	{Name: "netflow ipv6 original-input", Description: "Traditional IPv6 input NetFlow", Match: tradMatch("ipv6", "traffic-class"), Collect: tradCollect("ipv6")},
	{Name: "netflow-original", Description: "Traditional IPv4 input NetFlow with origin ASs", Match: tradMatch("ipv4", "tos"), Collect: tradCollect("ipv4")},
}

func tradMatch(fam, tos string) []string {
	return []string{fam + " " + tos, fam + " protocol", fam + " source address", fam + " destination address",
		"transport source-port", "transport destination-port", "interface input"}
}

func tradCollect(fam string) []string {
	return []string{"routing source as", "routing destination as", "routing next-hop address " + fam,
		fam + " source mask", fam + " destination mask", "transport tcp flags", "interface output",
		"counter bytes", "counter packets", "timestamp sys-uptime first", "timestamp sys-uptime last"}
}

// FindFNFField is the phrase's entry in table.
func FindFNFField(table []FNFField, phrase string) (FNFField, bool) {
	i := slices.IndexFunc(table, func(f FNFField) bool { return f.Phrase == phrase })
	if i < 0 {
		return FNFField{}, false
	}
	return table[i], true
}

// FindRecord is the record a monitor names: one of the configuration's or
// a predefined one.
func (f FNF) FindRecord(name string) (FlowRecord, bool) {
	for _, rs := range [][]FlowRecord{f.Records, FNFPredefined} {
		if i := slices.IndexFunc(rs, func(r FlowRecord) bool { return r.Name == name }); i >= 0 {
			return rs[i], true
		}
	}
	return FlowRecord{}, false
}

// FindExporter is the exporter called name.
func (f FNF) FindExporter(name string) (FlowExporter, bool) {
	i := slices.IndexFunc(f.Exporters, func(e FlowExporter) bool { return e.Name == name })
	if i < 0 {
		return FlowExporter{}, false
	}
	return f.Exporters[i], true
}

// FindMonitor is the monitor called name.
func (f FNF) FindMonitor(name string) (FlowMonitor, bool) {
	i := slices.IndexFunc(f.Monitors, func(m FlowMonitor) bool { return m.Name == name })
	if i < 0 {
		return FlowMonitor{}, false
	}
	return f.Monitors[i], true
}

// MonitorsUsing are the monitors that name the record or the exporter.
func (f FNF) MonitorsUsing(record, exporter string) []string {
	var out []string
	for _, m := range f.Monitors {
		if (record != "" && m.Record == record) || (exporter != "" && slices.Contains(m.Exporters, exporter)) {
			out = append(out, m.Name)
		}
	}
	return out
}

// RecordShape is what a record's fields come to: its family, the mask
// fields its matches keep, and what its collects add to the templates.
type RecordShape struct {
	Family     int // 4, 6, or 0 when no match names a family
	Key        platform.Field
	Capture    Capture
	BGPNextHop bool
}

// Shape reads r's fields. The error says what no flowtap mask or
// template can carry (the grammars refuse such lines as they are typed,
// so a parsed record has none).
func (r FlowRecord) Shape() (RecordShape, string) {
	var s RecordShape
	ports := 0
	family := func(f int, phrase string) string {
		if f == 0 {
			return ""
		}
		if s.Family != 0 && s.Family != f {
			return "record " + r.Name + " mixes IPv4 and IPv6 fields (" + phrase + "); a record is of one family"
		}
		s.Family = f
		return ""
	}
	for _, m := range r.Match {
		f, ok := FindFNFField(FNFMatches, m)
		if !ok || f.Why != "" {
			return s, "match " + m + ": " + f.Why
		}
		if why := family(f.Family, m); why != "" {
			return s, why
		}
		s.Key |= f.Key
		ports |= f.Port
	}
	if ports == 3 {
		s.Key |= platform.FieldPorts
	} else if ports != 0 {
		return s, "record " + r.Name + " matches one transport port; flowtap's flow masks key on both ports or neither"
	}
	for _, c := range r.Collect {
		f, ok := FindFNFField(FNFCollects, c)
		if !ok || f.Why != "" {
			return s, "collect " + c + ": " + f.Why
		}
		if why := family(f.Family, c); why != "" {
			return s, why
		}
		s.Capture |= f.Capture
		s.BGPNextHop = s.BGPNextHop || f.BGPNextHop
	}
	return s, ""
}

// MixedFamily says why r's fields are not of one family, or "": a
// record is IPv4 or IPv6, and the grammars refuse the line that mixes.
func (r FlowRecord) MixedFamily() string {
	fam := 0
	for _, part := range []struct {
		phrases []string
		table   []FNFField
	}{{r.Match, FNFMatches}, {r.Collect, FNFCollects}} {
		for _, ph := range part.phrases {
			f, _ := FindFNFField(part.table, ph)
			if f.Family == 0 {
				continue
			}
			if fam != 0 && fam != f.Family {
				return "record " + r.Name + " mixes IPv4 and IPv6 fields (" + ph + "); a record is of one family"
			}
			fam = f.Family
		}
	}
	return ""
}

// MaskOf is the persona's flow mask that keeps exactly key, or false.
func MaskOf(p *platform.Persona, key platform.Field) (platform.Mask, bool) {
	for _, m := range p.Masks {
		if m.Fields() == key {
			return m, true
		}
	}
	return 0, false
}

// MaskFieldNames words a key for an operator: "source and destination
// address, protocol, ports, ToS, input interface".
func MaskFieldNames(key platform.Field) string {
	var out []string
	for _, f := range []struct {
		f    platform.Field
		name string
	}{{platform.FieldSrcAddr, "source address"}, {platform.FieldDstAddr, "destination address"},
		{platform.FieldProto, "protocol"}, {platform.FieldPorts, "ports"}, {platform.FieldToS, "ToS"},
		{platform.FieldInputIf, "input interface"}} {
		if key&f.f != 0 {
			out = append(out, f.name)
		}
	}
	if len(out) == 0 {
		return "nothing"
	}
	return strings.Join(out, ", ")
}

// MonitorBinding is one `ip|ipv6 flow monitor NAME input|output` of a port.
type MonitorBinding struct {
	Interface string
	Family    int // 4 or 6
	Output    bool
	Monitor   string
}

// Line is the binding's interface line, as typed (without a sampler).
func (b MonitorBinding) Line() string {
	fam, dir := "ip", "input"
	if b.Family == 6 {
		fam = "ipv6"
	}
	if b.Output {
		dir = "output"
	}
	return fam + " flow monitor " + b.Monitor + " " + dir
}

// Path is the binding's model path, the one its interface line sets.
func (b MonitorBinding) Path() string {
	fam, dir := "ipv4", "input"
	if b.Family == 6 {
		fam = "ipv6"
	}
	if b.Output {
		dir = "output"
	}
	return "interfaces[" + b.Interface + "].monitor-" + fam + "-" + dir
}

// Bindings are i's flow monitors.
func (i Interface) Bindings() []MonitorBinding {
	var out []MonitorBinding
	for _, b := range []MonitorBinding{{i.Name, 4, false, i.MonitorIn}, {i.Name, 4, true, i.MonitorOut},
		{i.Name, 6, false, i.MonitorIn6}, {i.Name, 6, true, i.MonitorOut6}} {
		if b.Monitor != "" {
			out = append(out, b)
		}
	}
	return out
}

// MonitorLines are the port's `ip|ipv6 flow monitor NAME [sampler S]
// input|output` lines, as the configuration shows them (the sampler on
// the input ones).
func (i Interface) MonitorLines() []string {
	var out []string
	for _, b := range i.Bindings() {
		l := b.Line()
		if !b.Output && i.MonitorSampler != "" {
			l = strings.Replace(l, " "+b.Monitor+" input", " "+b.Monitor+" sampler "+i.MonitorSampler+" input", 1)
		}
		out = append(out, l)
	}
	return out
}

// MonitorBindings are every port's flow monitors, in interface order.
func (c Config) MonitorBindings() []MonitorBinding {
	var out []MonitorBinding
	for _, i := range c.Interfaces {
		out = append(out, i.Bindings()...)
	}
	return out
}

// Effective is c with its bound FNF monitors folded into the main cache,
// the collectors and the ports' metering: what the daemon runs and the
// show commands of traditional NetFlow read. Normalize has refused what
// does not fold (monitors that disagree), so the first bound monitor
// speaks for all. A configuration without FNF comes back as it is.
func (c Config) Effective() Config {
	bs := c.MonitorBindings()
	if len(bs) == 0 {
		return c
	}
	c = c.Clone()
	p, err := c.Persona()
	for k := range c.Interfaces {
		it := &c.Interfaces[k]
		if it.MonitorIn != "" || it.MonitorIn6 != "" {
			it.Ingress = true
		}
		if it.MonitorOut != "" || it.MonitorOut6 != "" {
			it.Egress = true
		}
		if it.Sampler == "" {
			it.Sampler = it.MonitorSampler
		}
	}
	var seen []string
	for _, b := range bs {
		if slices.Contains(seen, b.Monitor) {
			continue
		}
		seen = append(seen, b.Monitor)
		m, ok := c.FNF.FindMonitor(b.Monitor)
		if !ok {
			continue
		}
		if m.Active != 0 {
			c.Cache.Active = m.Active
		}
		if m.Inactive != 0 {
			c.Cache.Inactive = m.Inactive
		}
		if m.Entries != 0 {
			c.Cache.Entries = m.Entries
		}
		if r, ok := c.FNF.FindRecord(m.Record); ok {
			if s, why := r.Shape(); why == "" {
				c.Capture |= s.Capture
				c.Export.BGPNextHop = c.Export.BGPNextHop || s.BGPNextHop
				if err == nil {
					if mask, ok := MaskOf(&p, s.Key); ok && mask != p.DefaultMask {
						if s.Family == 6 {
							c.Cache.Mask6 = mask
						} else {
							c.Cache.Mask = mask
						}
					}
				}
			}
		}
		for _, name := range m.Exporters {
			e, ok := c.FNF.FindExporter(name)
			if !ok || !e.Destination.IsValid() {
				continue
			}
			d := e.ExportDestination()
			if !slices.ContainsFunc(c.Export.Destinations, func(o Destination) bool { return o.Addr == d.Addr }) {
				c.Export.Destinations = append(c.Export.Destinations, d)
			}
			if c.Export.Source == "" {
				c.Export.Source = e.Source
			}
			if c.Export.TemplateTimeout == 0 {
				c.Export.TemplateTimeout = e.TemplateTimeoutOrDefault()
			}
			c.Export.InterfaceNames = c.Export.InterfaceNames || e.InterfaceTable
			if c.Export.OptionsTimeout == 0 {
				c.Export.OptionsTimeout = e.OptionsTimeout()
			}
		}
	}
	return c
}

// OptionsTimeout is how often e's options are resent: its options'
// `timeout S` (one for all, as flowtap resends options together), 0 when
// none says.
func (e FlowExporter) OptionsTimeout() time.Duration {
	if e.InterfaceTable && e.InterfaceTableTimeout != 0 {
		return e.InterfaceTableTimeout
	}
	if e.SamplerTable && e.SamplerTableTimeout != 0 {
		return e.SamplerTableTimeout
	}
	if e.ExporterStats {
		return e.ExporterStatsTimeout
	}
	return 0
}

// ExportDestination is the collector e stands for.
func (e FlowExporter) ExportDestination() Destination {
	return Destination{Addr: netip.AddrPortFrom(e.Destination, e.PortOrDefault()), Version: e.ProtocolOrDefault(), TTL: e.TTL, ExporterStats: e.ExporterStats}
}

// PortOrDefault is the exporter's UDP port, the default filled in.
func (e FlowExporter) PortOrDefault() uint16 {
	if e.Port == 0 {
		return FNFDefaultPort
	}
	return e.Port
}

// ProtocolOrDefault is the export version, the default (v9) filled in.
func (e FlowExporter) ProtocolOrDefault() platform.ExportVersion {
	if e.Protocol == 0 {
		return platform.V9
	}
	return e.Protocol
}

// TemplateTimeoutOrDefault is the data template timeout, the default
// filled in.
func (e FlowExporter) TemplateTimeoutOrDefault() time.Duration {
	if e.TemplateTimeout == 0 {
		return FNFDefaultTemplateTimeout
	}
	return e.TemplateTimeout
}

// FieldBytes is the size of r's fields as IOS-XE's `show flow record`
// totals them ("Total field space"): each field's IPFIX length [RECALL],
// counters 8 bytes when long.
func (r FlowRecord) FieldBytes() int {
	n := 0
	for _, ph := range append(slices.Clone(r.Match), r.Collect...) {
		w := strings.Fields(ph)
		last := w[len(w)-1]
		switch {
		case strings.HasPrefix(ph, "ipv6 ") && strings.HasSuffix(ph, " address"), strings.HasSuffix(ph, "address ipv6"), strings.HasSuffix(ph, "ipv6 bgp"):
			n += 16
		case strings.HasSuffix(ph, " address"), strings.HasSuffix(ph, "address ipv4"), strings.HasSuffix(ph, "ipv4 bgp"), strings.HasPrefix(ph, "interface "),
			strings.HasPrefix(ph, "timestamp "), strings.HasPrefix(ph, "routing ") && strings.HasSuffix(ph, " as"), ph == "ipv6 flow-label", ph == "ipv6 extension map":
			n += 4
		case last == "long":
			n += 8
		case strings.HasPrefix(ph, "counter "):
			n += 4
		case strings.Contains(ph, "port"), strings.Contains(ph, "total-length"), ph == "ipv4 id", strings.Contains(ph, "offset"),
			strings.Contains(ph, "vlan"), ph == "datalink ethertype", ph == "transport tcp flags":
			n += 2
		case strings.HasPrefix(ph, "datalink mac"):
			n += 6
		default:
			n++
		}
	}
	return n
}
