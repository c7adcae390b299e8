package mgmtplane

import (
	"cmp"
	"fmt"
	"net"

	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/datapath"
	"github.com/flowtap/flowtap/mgmt/snmp"
)

// IPFIX-MIB's view of the appliance (RFC 6615's model): the main cache
// and each aggregation cache are metering processes; their v9 and IPFIX
// destinations transport sessions; the metered ports one observation
// point group; the datapath's samplers and input filters the selection
// processes feeding the main cache.

// ipfixCacheID is a cache's ipfixMeteringProcessCacheId: its
// CISCO-NETFLOW-MIB NfCacheTypes value plus one (main 1, as 2, ...), so
// that the two MIBs' rows correspond.
func ipfixCacheID(s platform.Scheme) uint32 { return uint32(s) + 1 }

const (
	mainCacheID      = 1
	observationGroup = 1
	// Selection process indexes: the global sampler 1, a sampler id n
	// 1+n, the overload sampler 500, an input filter in datapath slot n
	// filterBase+n.
	overloadProcess   = 500
	filterProcessBase = 1000
)

// SelectionIndex is the ipfixSelectionProcessIndex of datapath sampler id.
func SelectionIndex(samplerID uint16) uint32 { return 1 + uint32(samplerID) }

func snmpIPFIX(m *daemon.Manager) func() (snmp.IPFIXState, error) {
	return func() (snmp.IPFIXState, error) {
		d := m.Daemon()
		var st snmp.IPFIXState
		var domain uint32
		for _, s := range d.ExportSessions() {
			v := uint32(s.Config.Encoder.Version)
			if s.Scheme == platform.SchemeNone && domain == 0 {
				domain = s.Config.Encoder.ObservationDomain
			}
			if v != 9 && v != 10 {
				continue
			}
			st.Sessions = append(st.Sessions, ipfixSession(s, d.Settings().Mask.Fields()))
		}
		eng := d.Engine()
		if eng == nil {
			return st, fmt.Errorf("no flow cache")
		}
		es, ag := eng.Stats(), eng.Aging()
		used, capacity, err := d.Datapath().Usage()
		if err != nil {
			used, capacity = es.Active, es.Capacity
		}
		mc := snmp.MeteringProcess{CacheID: mainCacheID, ObservationGroup: observationGroup, Active: ag.Active, Idle: ag.Inactive,
			ActiveFlows: snmp.Clamp32(uint64(max(used, 0))), Free: snmp.Clamp32(uint64(max(capacity-used, 0))),
			DataRecords: es.ExpiredTotal(), Since: es.Since}
		samplers, err := d.Samplers()
		if err != nil {
			return st, err
		}
		for _, s := range samplers {
			sp := snmp.SelectionProcess{Cache: mainCacheID, Index: SelectionIndex(s.ID), Name: s.Name, Interval: s.Interval,
				Observed: s.Seen, Dropped: s.Seen - min(s.Seen, s.Taken), Since: s.Since, Kind: snmp.SelectAll}
			if s.Interval > 1 {
				sp.Kind = snmp.SelectCountBased
				if s.Mode == datapath.SampleRandom {
					sp.Kind = snmp.SelectRandOutOfN
				}
			}
			st.Selections = append(st.Selections, sp)
		}
		if o, err := d.OverloadSampler(); err == nil {
			// After every other selector: it thins what they passed.
			kind := snmp.SelectAll // while it is off
			if o.Interval > 1 {
				kind = snmp.SelectCountBased
			}
			st.Selections = append(st.Selections, snmp.SelectionProcess{Cache: mainCacheID, Index: overloadProcess, Name: o.Name,
				Kind: kind, Interval: o.Interval, Observed: o.Seen, Dropped: o.Seen - min(o.Seen, o.Taken), Since: o.Since})
		}
		for _, f := range d.Filters() {
			st.Selections = append(st.Selections, snmp.SelectionProcess{Cache: mainCacheID, Index: filterProcessBase + uint32(f.Slot),
				Name: f.Ref + " on " + f.Port, Kind: snmp.SelectFilterMatch, Observed: f.Offered, Dropped: f.Denied, Since: f.Since})
		}
		for _, sp := range st.Selections {
			mc.SelectionProcesses = append(mc.SelectionProcesses, sp.Index)
		}
		st.Caches = append(st.Caches, mc)
		for _, a := range d.AggregationCaches() {
			// An aggregation cache is fed by the main cache's records:
			// it observes what the main cache does.
			st.Caches = append(st.Caches, snmp.MeteringProcess{CacheID: ipfixCacheID(a.Config.Scheme), ObservationGroup: observationGroup,
				Active:      cmp.Or(a.Config.ActiveTimeout, export.DefaultActiveTimeout),
				Idle:        cmp.Or(a.Config.InactiveTimeout, export.DefaultInactiveTimeout),
				ActiveFlows: snmp.Clamp32(uint64(max(a.Stats.Entries, 0))), Free: snmp.Clamp32(uint64(max(a.Stats.Capacity-a.Stats.Entries, 0))),
				DataRecords: a.SinceClear.Exported, Since: a.Since})
		}
		st.ObservationPoints = observationPoints(d.Settings(), domain)
		return st, nil
	}
}

// maskKeeps says whether a main-cache flow key IE is among the fields the
// flow mask keeps (a PFC's `mls flow ip destination` keys on the
// destination alone; the others read as zero).
func maskKeeps(ie uint16, f platform.Field) bool {
	switch ie {
	case 8, 27: // sourceIPv4Address, sourceIPv6Address
		return f&platform.FieldSrcAddr != 0
	case 12, 28: // destination addresses
		return f&platform.FieldDstAddr != 0
	case 4: // protocolIdentifier
		return f&platform.FieldProto != 0
	case 7, 11, 32, 139: // ports, ICMP type and code
		return f&platform.FieldPorts != 0
	case 5: // ipClassOfService
		return f&platform.FieldToS != 0
	case 10: // ingressInterface
		return f&platform.FieldInputIf != 0
	}
	return true
}

func ipfixSession(s daemon.ExportSession, mask platform.Field) snmp.IPFIXSession {
	enc := s.Config.Encoder
	tt := cmp.Or(enc.TemplateTimeout, export.DefaultTemplateTimeout)
	rp := cmp.Or(enc.TemplateRefreshPackets, export.DefaultTemplateRefreshPackets)
	out := snmp.IPFIXSession{
		Key:   fmt.Sprintf("%d %s %d", ipfixCacheID(s.Scheme), s.Config.Collector, enc.Version),
		Cache: ipfixCacheID(s.Scheme), Protocol: 17, Collector: s.Config.Collector, Source: s.Config.Source,
		Version: uint32(enc.Version), Domain: enc.ObservationDomain,
		TemplateTimeout: tt, OptionsTemplateTimeout: cmp.Or(enc.OptionsTimeout, tt),
		TemplateRefreshPackets: uint32(rp), OptionsTemplateRefresh: uint32(cmp.Or(enc.OptionsRefreshPackets, rp)),
		Active:  !s.Stats.Unreachable,
		Packets: s.Stats.Packets, Bytes: s.Stats.Bytes, Records: s.Stats.Records, Discarded: s.Stats.Errors + s.Stats.Dropped,
		Templates: s.Templates.Templates, OptionsTemplates: s.Templates.OptionsTemplates, Since: s.Since,
	}
	for _, t := range s.Info {
		// ipfixTemplateSetId knows IPFIX's set ids, 2 and 3 (1..65535):
		// v9's template (0) and options template (1) sets read as those.
		setID := t.SetID
		if setID < 2 {
			setID += 2
		}
		it := snmp.IPFIXTemplate{ID: t.ID, SetID: setID, LastSent: t.LastSent, Records: t.Records, Since: t.Since}
		for _, f := range t.Fields {
			key := f.Key
			if s.Scheme == platform.SchemeNone && f.Enterprise == 0 {
				key = key && maskKeeps(f.IE, mask)
			}
			it.Fields = append(it.Fields, snmp.IPFIXField{IE: f.IE, Length: f.Length, Enterprise: f.Enterprise, Scope: f.Scope, Flow: key})
		}
		out.Templ = append(out.Templ, it)
	}
	return out
}

// observationPoints are the metered ports. A tap's fibres are observed as
// its link's input (fibre A) and output (fibre B), as its records say.
func observationPoints(s daemon.Settings, domain uint32) []snmp.ObservationPoint {
	fibre := map[string]snmp.ObservationPoint{}
	for _, l := range s.Taps {
		fibre[l.FibreA.Name] = snmp.ObservationPoint{IfIndex: l.IfIndex, Direction: snmp.DirIngress}
		fibre[l.FibreB.Name] = snmp.ObservationPoint{IfIndex: l.IfIndex, Direction: snmp.DirEgress}
	}
	var out []snmp.ObservationPoint
	for _, p := range s.Ports {
		if !p.Meter {
			continue
		}
		o, ok := fibre[p.Name]
		if !ok {
			// XDP meters what arrives on the port.
			o = snmp.ObservationPoint{Direction: snmp.DirIngress}
			if l, err := net.InterfaceByName(p.Name); err == nil {
				o.IfIndex = uint32(l.Index)
			}
		}
		o.Group, o.Index, o.Domain = observationGroup, uint32(len(out)+1), domain
		out = append(out, o)
	}
	return out
}
