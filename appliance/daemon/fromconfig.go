package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/flowtap/flowtap/appliance/anon"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"

	"github.com/flowtap/flowtap/appliance/asmap"
	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/overload"
	"github.com/flowtap/flowtap/appliance/pipeline"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/appliance/subif"
	"github.com/flowtap/flowtap/appliance/tap"
	"github.com/flowtap/flowtap/datapath"
)

// SettingsFrom derives the runtime settings from the config model: the
// persona fills the defaults (config.Config.Setting), and every
// collector, port and cache follows from what the operator configured.
// It is the one place model values become engine values (aging and
// emergency policy, attach modes, capture fields, AS fill, top talkers;
// the mask, verdict, scheme and AS mode are platform's words, which the
// engines share). It does not check the persona's limits again
// (config.Normalize did, once); its errors are mostly what only the
// runtime can know (a prefix-as file that does not load, more samplers in
// use than the exports can name).
func SettingsFrom(c config.Config) (Settings, error) {
	// Flexible NetFlow's monitors are another spelling of the main cache
	// and its collectors: fold them in (config.Effective), keeping the
	// model as written to see which family each port's monitors meter.
	written := c
	c = c.Effective()
	p, set, err := c.Setting()
	if err != nil {
		return Settings{}, err
	}
	s := Settings{CacheEntries: set.CacheEntries, Mask: set.Mask, Aging: p.CacheAging(set), Emergency: emergency(p.Emergency), AppClasses: c.AppClassSet()}
	s.Sampling = sampling(set.Sampling)
	s.Mask6 = c.Cache.Mask6
	s.Capture = datapath.CaptureSettings{Fields: capture(c.Capture).Datapath(), LabelPositions: c.Cache.MPLSLabelPositions}
	if c.Cache.MPLSLabels() > 0 {
		s.Capture.Fields |= flow.CapMPLS
	}
	ids, err := samplerIDs(c)
	if err != nil {
		return Settings{}, err
	}
	// A PFC's `mls netflow sampling`: once an interface has it, the
	// global `mls sampling` samples only those interfaces, through a
	// sampler of its own, and the others are metered unsampled.
	mlsID := uint16(0)
	if mlsSamplingPerInterface(c) && s.Sampling.Mode != datapath.SampleNone {
		mlsID = uint16(len(ids) + 1)
		s.Samplers = map[uint16]datapath.SamplerConfig{mlsID: {Mode: s.Sampling.Mode, Interval: s.Sampling.Interval}}
		s.SamplerNames = map[uint16]string{mlsID: MLSSamplingName}
		s.Sampling = datapath.Sampling{}
	}
	for _, i := range c.Interfaces {
		if !i.Metered() || i.Shutdown {
			continue
		}
		port := Port{Name: i.Name, Mode: attachMode(i.XDPMode), Verdict: i.Verdict, Meter: i.Ingress || i.Sampler != ""}
		if i.InputFilter != "" {
			if port.InputFilter, err = inputFilter(c, i.InputFilter); err != nil {
				return Settings{}, fmt.Errorf("ip flow ingress input-filter on %s: %w", i.Name, err)
			}
		}
		if i.InputFilter6 != "" {
			if port.InputFilter6, err = inputFilter(c, i.InputFilter6); err != nil {
				return Settings{}, fmt.Errorf("ipv6 flow ingress input-filter on %s: %w", i.Name, err)
			}
			if !i.Ingress && i.InputFilter == "" && i.Sampler == "" {
				// Only IPv6 NetFlow is on: no IPv4 packet is metered.
				port.InputFilter = &InputFilter{List: config.AccessList{Name: "(ipv6 only)"}, Filter: datapath.Filter{Family: 4}}
			}
		}
		fnfFamilyOnly(written, i.Name, &port)
		if pm, ok := c.FindPolicyMap(i.ServicePolicy); ok {
			// Cisco's NetFlow Input Filters: the classes choose, each
			// through its own sampler, in both families.
			if port.InputFilter, err = policyFilter(c, pm, 4, ids); err == nil {
				port.InputFilter6, err = policyFilter(c, pm, 6, ids)
			}
			if err != nil {
				return Settings{}, fmt.Errorf("service-policy input %s on %s: %w", pm.Name, i.Name, err)
			}
			for _, pc := range pm.Classes {
				if pc.Sampler == "" {
					continue
				}
				if s.Samplers == nil {
					s.Samplers = map[uint16]datapath.SamplerConfig{}
				}
				s.Samplers[ids[pc.Sampler]] = mapSampler(c, pc.Sampler)
				if s.SamplerNames == nil {
					s.SamplerNames = map[uint16]string{}
				}
				s.SamplerNames[ids[pc.Sampler]] = pc.Sampler
			}
		}
		if f, ok := c.FindFirewallFilter("inet", i.FilterInput4); ok {
			port.InputFilter = firewallFilter(f)
		}
		if f, ok := c.FindFirewallFilter("inet6", i.FilterInput6); ok {
			port.InputFilter6 = firewallFilter(f)
		}
		port.Meter = port.Meter || port.InputFilter != nil || port.InputFilter6 != nil
		if smp := interfaceSampling(c, i); smp.Interval > 1 {
			port.Sampler = ids[i.Sampler]
			if s.Samplers == nil {
				s.Samplers = map[uint16]datapath.SamplerConfig{}
			}
			s.Samplers[port.Sampler] = datapath.SamplerConfig{Mode: smp.Mode, Interval: smp.Interval}
			if s.SamplerNames == nil {
				s.SamplerNames = map[uint16]string{}
			}
			s.SamplerNames[port.Sampler] = i.Sampler
		}
		if i.MLSSampling && mlsID != 0 {
			port.Sampler = mlsID
		}
		s.Ports = append(s.Ports, port)
	}
	s.Subifs, s.Ports = subinterfaces(c, s.Ports)
	s.Taps, s.Ports = taps(c, s.Ports)
	if c.NetflowOff {
		// `no mls netflow`: the ports stay attached (an inline port still
		// hands frames on) but nothing is metered.
		for i := range s.Ports {
			s.Ports[i].Meter = false
		}
	}
	if g := set.Sampling; g.Mode == platform.SamplingJuniper {
		// JunOS samples every port through the one instance, whose
		// run-length and max-packets-per-second need the datapath's
		// sampler state: a sampler of its own, id 1, on every port.
		mode := datapath.SampleDeterministic
		if g.Rate <= 1 {
			mode = datapath.SampleNone
		}
		s.Samplers = map[uint16]datapath.SamplerConfig{1: {Mode: mode, Interval: g.Rate, RunLength: g.RunLength, MaxPPS: g.MaxPacketsPerSecond}}
		s.SamplerNames = map[uint16]string{1: JunosSamplingInstance}
		for i := range s.Ports {
			s.Ports[i].Sampler = 1
		}
	}
	boot, err := datapath.BootTime()
	if err != nil {
		return Settings{}, err
	}
	// A PFC exports nothing until `mls nde sender`.
	if !strings.HasPrefix(p.Name, "pfc") || c.NDE {
		one, several := exportSamplers(s)
		s.Exports, s.SourceMissing = destinations(c, one, several, boot)
		var ovl []export.OverloadSampler
		if c.Cache.Overload.Enabled {
			ovl = overloadSamplers(s, one, several)
		}
		for i := range s.Exports {
			// Only a biflow destination waits for the inactive timeout:
			// set on the others, a timeout change would reopen their
			// exporters, whose sequence numbers start over on a new
			// socket (lost packets to a collector).
			if s.Exports[i].Encoder.Biflow {
				s.Exports[i].BiflowHold = s.Aging.Inactive
			}
			s.Exports[i].Encoder.Overload = ovl
		}
	}
	for _, a := range c.Aggregations {
		if !a.Enabled {
			continue
		}
		v := a.ExportVersionOrDefault()
		agg := Aggregation{Cache: export.AggregationConfig{Scheme: a.Scheme, Entries: a.Entries, ActiveTimeout: a.Active,
			InactiveTimeout: a.Inactive, SourceMinMask: uint8(a.SourceMask), DestinationMinMask: uint8(a.DestinationMask)}}
		src, _ := sourceAddr(c.Export.Source) // destinations reports its error
		for _, d := range a.Destinations {
			agg.Destinations = append(agg.Destinations, export.DestinationConfig{Collector: d,
				Encoder: export.EncoderConfig{Version: v, Scheme: a.Scheme, BootTime: boot, ZeroTCPFlags: zeroTCPFlags(c), RouterSC: routerSC(c, src),
					ObservationDomain: AggregationDomain(a.Scheme)}})
		}
		s.Aggregations = append(s.Aggregations, agg)
	}
	if t := c.TopTalkers; t.Configured && t.Top > 0 && t.SortBy != 0 {
		s.TopTalkers = topTalkers(c, t)
	}
	if o := c.Cache.Overload; o.Enabled {
		s.Overload = &overload.Config{Threshold: o.Threshold, MaxRate: o.MaxRate, Interval: o.Interval, Budget: o.Budget}
	}
	if c.PrefixAS.File != "" {
		tab, err := asmap.Load(c.PrefixAS.File)
		if err != nil {
			if reason, ok := osReason(err); ok {
				return Settings{}, fmt.Errorf("flowtap prefix-as-file %s: the file cannot be read (%s)", c.PrefixAS.File, reason)
			}
			return Settings{}, fmt.Errorf("flowtap prefix-as-file %s: %w", c.PrefixAS.File, err)
		}
		if c.Export.BGPNextHop && !tab.HasNextHops() {
			return Settings{}, fmt.Errorf("ip flow-export bgp-nexthop: flowtap prefix-as-file %s gives no next hop (a fourth column: PREFIX ORIGIN-AS PEER-AS NEXT-HOP), and flowtap has no BGP peering", c.PrefixAS.File)
		}
		am := asmap.ModeNone
		switch asFillMode(c) {
		case platform.ASOrigin:
			am = asmap.ModeOrigin
		case platform.ASPeer:
			am = asmap.ModePeer
		}
		s.Annotator = asmap.Filler{Table: tab, Mode: am}
	}
	return s, nil
}

// sampling is the datapath's global sampler: a PFC's `mls sampling` or
// JunOS sampling. PFC packet-based and Juniper sampling are 1-in-N
// deterministic; PFC time-based (flows created in a window) is
// approximated by 1-in-N random. The router samples per interface
// (`flow-sampler`, Settings.Samplers) instead.
func sampling(g platform.Sampling) datapath.Sampling {
	switch g.Mode {
	case platform.SamplingPacketBased, platform.SamplingJuniper:
		return datapath.Sampling{Mode: datapath.SampleDeterministic, Interval: g.Rate}
	case platform.SamplingTimeBased:
		return datapath.Sampling{Mode: datapath.SampleRandom, Interval: g.Rate}
	}
	return datapath.Sampling{}
}

// samplerIDs numbers the flow-sampler-maps that metered ports use, from
// 1 in configuration order: with one map in use its id is 1, as before
// ports could sample at different rates.
func samplerIDs(c config.Config) (map[string]uint16, error) {
	used := map[string]bool{}
	for _, i := range c.Interfaces {
		if !i.Metered() || i.Shutdown {
			continue
		}
		if interfaceSampling(c, i).Interval > 1 {
			used[i.Sampler] = true
		}
		// A policy's class samplers count even at one-out-of 1: each
		// class's packets carry its sampler's id.
		if pm, ok := c.FindPolicyMap(i.ServicePolicy); ok {
			for _, pc := range pm.Classes {
				if pc.Sampler != "" {
					used[pc.Sampler] = true
				}
			}
		}
	}
	ids := map[string]uint16{}
	for _, m := range c.Samplers {
		if !used[m.Name] {
			continue
		}
		if len(ids) == export.MaxSamplers {
			return nil, fmt.Errorf("flow-sampler-map %s: at most %d sampler maps can be in use at once", m.Name, export.MaxSamplers)
		}
		ids[m.Name] = uint16(len(ids) + 1)
	}
	return ids, nil
}

// exportSamplers are the samplers the exporters announce. The v5 header
// has room for one: it carries the sampler when every metered packet went
// through the same one (the global sampler, or one map on every port).
// Otherwise each sampler is announced by id (v9/IPFIX) and the records
// name theirs; unsampled ports' records carry id 0.
func exportSamplers(s Settings) (one export.Sampler, several []export.Sampler) {
	if len(s.Samplers) == 0 {
		return pipeline.ExportSampler(s.Sampling, 1), nil
	}
	ids := make([]uint16, 0, len(s.Samplers))
	for id := range s.Samplers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		c := s.Samplers[id]
		several = append(several, pipeline.ExportSampler(datapath.Sampling{Mode: c.Mode, Interval: c.Interval}, uint8(id)))
	}
	everyPort := true
	for _, p := range s.Ports {
		everyPort = everyPort && p.Sampler == ids[0]
	}
	if len(ids) == 1 && everyPort {
		return several[0], nil
	}
	return export.Sampler{}, several
}

// overloadSamplers are the overload samplers records may name: one over
// each sampler the datapath may pass packets through, with the id the
// datapath gives it (datapath.OverloadSamplerBase + the sampler's id; 0
// is the global sampler, or none).
func overloadSamplers(s Settings, one export.Sampler, several []export.Sampler) []export.OverloadSampler {
	base := uint8(datapath.OverloadSamplerBase)
	if len(several) == 0 {
		// Every record went through one sampler: the global one (id 0 in
		// the datapath) or one map on every port (its own id).
		id := base
		if len(s.Samplers) > 0 {
			id += one.ID
		}
		return []export.OverloadSampler{{ID: id, Base: one}}
	}
	out := []export.OverloadSampler{{ID: base}} // ports without a sampler
	for _, b := range several {
		out = append(out, export.OverloadSampler{ID: base + b.ID, Base: b})
	}
	return out
}

// fnfFamilyOnly meters only the family a port's flow monitors name when
// nothing else meters it: `ip flow monitor M input` alone meters IPv4
// and `ipv6 flow monitor M input` alone IPv6, as on IOS-XE, through an
// empty filter (every packet of the other family is left unmetered).
func fnfFamilyOnly(written config.Config, name string, port *Port) {
	j := slices.IndexFunc(written.Interfaces, func(it config.Interface) bool { return it.Name == name })
	if j < 0 {
		return
	}
	it := written.Interfaces[j]
	if it.Ingress || it.Sampler != "" || it.InputFilter != "" || it.InputFilter6 != "" || it.ServicePolicy != "" ||
		it.FilterInput4 != "" || it.FilterInput6 != "" {
		return
	}
	switch v4, v6 := it.MonitorIn != "", it.MonitorIn6 != ""; {
	case v4 && !v6:
		port.InputFilter6 = &InputFilter{List: config.AccessList{Name: "(ipv4 only)"}, Filter: datapath.Filter{Family: 6}}
	case v6 && !v4:
		port.InputFilter = &InputFilter{List: config.AccessList{Name: "(ipv6 only)"}, Filter: datapath.Filter{Family: 4}}
	}
}

// asFillMode is which AS the prefix table fills records with: `flowtap
// as-mode`, else the export's origin-as | peer-as.
func asFillMode(c config.Config) platform.ASMode {
	if c.PrefixAS.Mode != platform.ASNone {
		return c.PrefixAS.Mode
	}
	if c.Export.AS != platform.ASNone {
		return c.Export.AS
	}
	// Only per-collector modes: the records carry one pair of AS fields,
	// filled for the first collector that asks.
	for _, d := range c.Export.Destinations {
		if d.AS != platform.ASNone {
			return d.AS
		}
	}
	return platform.ASNone
}

// capture is the encoders' `ip flow-capture` fields for the model's.
func capture(c config.Capture) export.Capture {
	var out export.Capture
	for _, f := range [...]struct {
		model config.Capture
		enc   export.Capture
	}{{config.CaptureTTL, export.CaptureTTL}, {config.CaptureMAC, export.CaptureMAC}, {config.CaptureVLAN, export.CaptureVLAN},
		{config.CaptureIPID, export.CaptureIPID}, {config.CapturePacketLength, export.CapturePacketLength},
		{config.CaptureICMP, export.CaptureICMP}, {config.CaptureFragmentOffset, export.CaptureFragmentOffset},
		{config.CaptureFlowLabel, export.CaptureFlowLabel}, {config.CaptureFragmentFlags, export.CaptureFragmentFlags},
		{config.CaptureExtHeaders, export.CaptureExtHeaders}} {
		if c&f.model != 0 {
			out |= f.enc
		}
	}
	return out
}

// emergency is the engine's nearly-full policy for the persona's.
func emergency(e platform.Emergency) flowcache.Emergency {
	out := flowcache.Emergency{Percent: e.Percent, Every: e.Every}
	switch e.Mode {
	case platform.EmergencyFewFree:
		out.Mode = flowcache.EmergencyFewFree
	case platform.EmergencyAggressive:
		out.Mode = flowcache.EmergencyAggressive
	}
	return out
}

// topTalkers is the engine's top-talkers configuration.
func topTalkers(c config.Config, t config.TopTalkers) flowcache.TopTalkersConfig {
	m := t.Match
	tosMask, tosValue := m.ToS.MaskValue()
	return flowcache.TopTalkersConfig{Top: t.Top, SortBy: t.SortBy, CacheTimeout: t.CacheTimeout,
		Match: flowcache.Match{ProtocolSet: m.ProtocolSet, Protocol: m.Protocol, Src: m.Src, Dst: m.Dst,
			SrcPort: flowcache.PortMatch(m.SrcPort), DstPort: flowcache.PortMatch(m.DstPort),
			Bytes: flowcache.CountMatch(m.Bytes), Packets: flowcache.CountMatch(m.Packets),
			ToS:     flowcache.ToSMatch{Mask: tosMask, Value: tosValue},
			InputIf: MatchIfIndex(c, m.InputIf), OutputIf: MatchIfIndex(c, m.OutputIf), NextHop: m.NextHop,
			SrcAS: m.SrcAS, DstAS: m.DstAS}}
}

// NoSuchIfIndex is what `match input-interface|output-interface IF`
// compares with while IF does not exist: no record carries it, so the
// criterion matches nothing (0 would match everything).
const NoSuchIfIndex = ^uint32(0)

// MatchIfIndex is the ifIndex records carry for interface name: the
// kernel's, or a subinterface's without a kernel device (as the
// subinterface annotator numbers it); NoSuchIfIndex when neither.
func MatchIfIndex(c config.Config, name string) uint32 {
	if name == "" {
		return 0
	}
	if ifc, err := net.InterfaceByName(name); err == nil {
		return uint32(ifc.Index)
	}
	if i := c.SubifIfIndex(name); i != 0 {
		return i
	}
	return NoSuchIfIndex
}

// MLSSamplingName names the PFC's global sampler when `mls netflow
// sampling` limits it to some interfaces.
const MLSSamplingName = "mls sampling"

// mlsSamplingPerInterface reports whether a PFC interface has `mls netflow
// sampling`, which limits the global `mls sampling` to such interfaces.
func mlsSamplingPerInterface(c config.Config) bool {
	return slices.ContainsFunc(c.Interfaces, func(i config.Interface) bool { return i.MLSSampling && i.Metered() && !i.Shutdown })
}

// interfaceSampling is the datapath sampling of a port: its flow-sampler
// (one in N, random or deterministic as its map says), or none.
func interfaceSampling(c config.Config, it config.Interface) datapath.Sampling {
	if it.Sampler == "" {
		return datapath.Sampling{}
	}
	i := slices.IndexFunc(c.Samplers, func(m config.SamplerMap) bool { return m.Name == it.Sampler })
	if i < 0 || c.Samplers[i].Rate == 0 {
		return datapath.Sampling{}
	}
	mode := datapath.SampleRandom
	if c.Samplers[i].Deterministic {
		mode = datapath.SampleDeterministic
	}
	return datapath.Sampling{Mode: mode, Interval: c.Samplers[i].Rate}
}

// mapSampler is flow-sampler-map name as a datapath sampler; one-out-of
// 1 takes every packet.
func mapSampler(c config.Config, name string) datapath.SamplerConfig {
	i := slices.IndexFunc(c.Samplers, func(m config.SamplerMap) bool { return m.Name == name })
	if i < 0 {
		return datapath.SamplerConfig{}
	}
	m := c.Samplers[i]
	mode := datapath.SampleRandom
	switch {
	case m.Rate <= 1:
		mode = datapath.SampleNone
	case m.Deterministic:
		mode = datapath.SampleDeterministic
	}
	return datapath.SamplerConfig{Mode: mode, Interval: m.Rate}
}

// attachMode is the datapath's attach mode for the model's xdp-mode.
func attachMode(m config.XDPMode) datapath.AttachMode {
	switch m {
	case config.XDPOffload:
		return datapath.ModeOffload
	case config.XDPNative:
		return datapath.ModeNative
	case config.XDPGeneric:
		return datapath.ModeGeneric
	}
	return datapath.ModeBest
}

// destinations builds the main cache's exporters. An `ip flow-export
// source` interface that is missing or has no address is not fatal: as
// on a router, export goes out by the routing table until it appears, and
// srcErr says why meanwhile. An IPv6 collector gets the interface's IPv6
// address, an IPv4 one its IPv4 address.
func destinations(c config.Config, smp export.Sampler, smps []export.Sampler, boot time.Time) (out []export.DestinationConfig, srcErr error) {
	src, srcErr := sourceAddr(c.Export.Source)
	src6 := sourceAddr6(c.Export.Source)
	if srcErr != nil && src6.IsValid() && !slices.ContainsFunc(c.Export.Destinations, func(d config.Destination) bool {
		return d.Addr.Addr().Unmap().Is4()
	}) {
		srcErr = nil // IPv6 collectors only: its IPv6 address serves
	}
	if srcErr != nil {
		srcErr = fmt.Errorf("%w; exporting by the routing table until it is usable", srcErr)
	}
	var names []export.InterfaceName
	if c.Export.InterfaceNames {
		for _, i := range c.Interfaces {
			ifc, err := net.InterfaceByName(i.Name)
			_, _, sub := i.Subinterface()
			switch {
			case err == nil:
				names = append(names, export.InterfaceName{IfIndex: uint32(ifc.Index), Name: i.Name, Port: true})
			case !sub:
				// A port not there now: named once it is, under the
				// ifindex it gets (Daemon.followNames).
				names = append(names, export.InterfaceName{Name: i.Name, Port: true})
			}
		}
		for _, it := range c.Interfaces {
			if _, _, ok := it.Subinterface(); ok {
				if _, err := net.InterfaceByName(it.Name); err != nil {
					names = append(names, export.InterfaceName{IfIndex: c.SubifIfIndex(it.Name), Name: it.Name})
				}
			}
		}
		// A tap's link is an interface too: collectors name its ifIndex.
		for i, t := range c.Taps {
			names = append(names, export.InterfaceName{IfIndex: c.TapIfIndex(i), Name: t.Name})
		}
	}
	// The persona's defaults, not the encoder's (IOS's): a Junos
	// template resends every 4800 packets or 60 seconds.
	rs := c.Resend()
	for _, d := range c.Export.Destinations {
		enc := export.EncoderConfig{Version: c.DestinationVersion(d), BootTime: boot, AS: c.DestinationAS(d),
			Sampler: smp, Samplers: smps, TemplateRefreshPackets: rs.TemplatePackets, OptionsRefreshPackets: rs.OptionPackets,
			TemplateTimeout: rs.TemplateEvery, OptionsTimeout: rs.OptionEvery, InterfaceNames: names, Capture: capture(c.Capture), MPLSLabels: c.Cache.MPLSLabels(),
			Direction: len(c.Taps) > 0, Biflow: d.Biflow, BGPNextHop: c.Export.BGPNextHop, ExporterStats: d.ExporterStats || c.Export.ExporterStats,
			ZeroTCPFlags: zeroTCPFlags(c), ZeroNextHopOutput: zeroNextHopOutput(c), RouterSC: routerSC(c, src)}
		if enc.Version == export.IPFIX {
			// IPFIX records name their application class (IE 95).
			set := c.AppClassSet()
			enc.AppClasses = &set
		}
		dc := export.DestinationConfig{Collector: d.Addr, Encoder: enc, Anon: anon.Scheme{Prefix4: d.Truncate}, Layer2VLANs: c.Export.Layer2VLANs, TTL: d.TTL,
			Family: d.Families.IPVersion()}
		if p, err := c.Persona(); err == nil && config.IsCatalyst(&p) {
			dc.NDEFilters = c.NDEFilters
		}
		if d.CryptoPAn != "" {
			// The key is 32 bytes by construction: NewCryptoPAn cannot fail.
			dc.Anon.PAn, _ = anon.NewCryptoPAn(anon.KeyFromConfig(d.CryptoPAn))
		}
		switch {
		case d.SourceAddress.IsValid():
			dc.Source = netip.AddrPortFrom(d.SourceAddress, 0)
		case c.Export.ServicesSource.IsValid() && c.Export.ServicesSource.Is4() == d.Addr.Addr().Is4():
			// JunOS: the services interface's address sources the export.
			dc.Source = netip.AddrPortFrom(c.Export.ServicesSource, 0)
		case src.IsValid() && d.Addr.Addr().Unmap().Is4():
			dc.Source = netip.AddrPortFrom(src, 0)
		case src6.IsValid() && !d.Addr.Addr().Unmap().Is4():
			dc.Source = netip.AddrPortFrom(src6, 0)
		}
		out = append(out, dc)
	}
	return out, srcErr
}

// zeroTCPFlags reports whether v5 and v7 records carry tcp_flags 0: a
// PFC's NDE does for hardware-switched flows (vendor-behaviour 5), unless
// `mls nde tcp-flags` asks for the flags the meter OR'd.
func zeroTCPFlags(c config.Config) bool {
	p, err := c.Persona()
	return err == nil && config.IsCatalyst(&p) && !c.NDETCPFlags
}

// zeroNextHopOutput reports whether v5 and v7 records carry next hop and
// output ifIndex 0: a PFC fills them only with `mls nde interface`, and
// not under the source-only flow mask even then (vendor-behaviour 1.4).
func zeroNextHopOutput(c config.Config) bool {
	p, err := c.Persona()
	return err == nil && config.IsCatalyst(&p) && (!c.NDEInterface || c.Cache.Mask == platform.MaskSource)
}

// routerSC is the v7 and Catalyst v8 records' router_sc, "the IP address
// of the MLS router" whose flows the PFC switched: on a PFC persona the
// appliance's own export source address (`ip flow-export source`), which
// a v7 collector also sees as the packets' source; 0 without one, and on
// the router, whose v7 is not a PFC's. It used to be 0 always.
func routerSC(c config.Config, src netip.Addr) netip.Addr {
	p, err := c.Persona()
	if err != nil || !config.IsCatalyst(&p) || !src.Is4() {
		return netip.Addr{}
	}
	return src
}

// subinterfaces meters each subinterface on its parent port (one port
// entry per parent: the first configured one's settings, metering if any
// of them meters) and lists them for the annotator. A subinterface is a
// kernel VLAN device's ifIndex when one has its name, else
// config.SubifIfIndex.
func subinterfaces(c config.Config, ports []Port) ([]subif.Sub, []Port) {
	var subs []subif.Sub
	var out []Port
	for _, p := range ports {
		i := slices.IndexFunc(c.Interfaces, func(it config.Interface) bool { return it.Name == p.Name })
		parent, vlan, ok := c.Interfaces[i].Subinterface()
		if !ok {
			out = append(out, p)
			continue
		}
		s := subif.Sub{Name: p.Name, IfIndex: c.SubifIfIndex(p.Name), Parent: parent, VLAN: vlan}
		if ifc, err := net.InterfaceByName(p.Name); err == nil {
			s.IfIndex = uint32(ifc.Index)
		}
		if ifc, err := net.InterfaceByName(parent); err == nil {
			s.ParentIndex = uint32(ifc.Index)
		}
		subs = append(subs, s)
		p.Name = parent
		if k := slices.IndexFunc(out, func(q Port) bool { return q.Name == parent }); k >= 0 {
			out[k].Meter = out[k].Meter || p.Meter
			continue
		}
		if k := slices.IndexFunc(ports, func(q Port) bool { return q.Name == parent }); k >= 0 {
			continue // the parent's own entry comes (or came) in the loop
		}
		out = append(out, p)
	}
	return subs, out
}

// taps resolves the links' fibres and meters every fibre, whether or not
// its interface says `ip flow ingress`: a tap's fibres are there to be
// metered. A fibre that is shut down stays dark.
func taps(c config.Config, ports []Port) ([]tap.Link, []Port) {
	var links []tap.Link
	for i, t := range c.Taps {
		l := tap.Link{Name: t.Name, IfIndex: c.TapIfIndex(i), FibreA: tap.Port{Name: t.FibreA}, FibreB: tap.Port{Name: t.FibreB}}
		for _, f := range [...]*tap.Port{&l.FibreA, &l.FibreB} {
			if f.Name == "" {
				continue
			}
			if ifc, err := net.InterfaceByName(f.Name); err == nil {
				f.Index = uint32(ifc.Index)
			}
			j := slices.IndexFunc(c.Interfaces, func(it config.Interface) bool { return it.Name == f.Name })
			if j >= 0 && c.Interfaces[j].Shutdown {
				continue
			}
			k := slices.IndexFunc(ports, func(p Port) bool { return p.Name == f.Name })
			switch {
			case k >= 0:
				ports[k].Meter = true
			case j >= 0:
				it := c.Interfaces[j]
				ports = append(ports, Port{Name: f.Name, Mode: attachMode(it.XDPMode), Verdict: it.Verdict, Meter: true})
			default:
				ports = append(ports, Port{Name: f.Name, Meter: true})
			}
		}
		links = append(links, l)
	}
	return links, ports
}

// sourceAddr is the address of `ip flow-export source IFNAME`.
func sourceAddr(ifname string) (netip.Addr, error) {
	if ifname == "" {
		return netip.Addr{}, nil
	}
	ifc, err := net.InterfaceByName(ifname)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("ip flow-export source %s: the interface does not exist", ifname)
	}
	addrs, err := ifc.Addrs()
	if err != nil {
		return netip.Addr{}, fmt.Errorf("ip flow-export source %s: %w", ifname, err)
	}
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr().Is4() {
			return p.Addr(), nil
		}
	}
	return netip.Addr{}, fmt.Errorf("ip flow-export source %s: the interface has no IPv4 address", ifname)
}

// sourceAddr6 is the first global IPv6 address of `ip flow-export source
// IFNAME`, the source of export to IPv6 collectors; invalid when it has
// none (a link-local address reaches no collector off the link).
func sourceAddr6(ifname string) netip.Addr {
	if ifname == "" {
		return netip.Addr{}
	}
	ifc, err := net.InterfaceByName(ifname)
	if err != nil {
		return netip.Addr{}
	}
	addrs, err := ifc.Addrs()
	if err != nil {
		return netip.Addr{}
	}
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr().Is6() && !p.Addr().Is4In6() &&
			!p.Addr().IsLinkLocalUnicast() {
			return p.Addr()
		}
	}
	return netip.Addr{}
}

// osReason is the system's word for a failed file or socket operation
// ("no such file or directory", "permission denied"), without the Go
// call chain.
func osReason(err error) (string, bool) {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error(), true
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error(), true
	}
	return "", false
}

// AggregationDomain is the v9 source_id and IPFIX Observation Domain an
// aggregation cache exports under: its scheme's number, the main cache's
// being 0. Each cache numbers its packets (or records) in a sequence of
// its own, and collectors keep one sequence per exporter address and
// domain: under the main cache's domain, a collector that took both
// counted a sequence error at almost every packet, for as long as the
// box ran.
func AggregationDomain(s platform.Scheme) uint32 { return uint32(s) }
