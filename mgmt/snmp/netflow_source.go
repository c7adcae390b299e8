package snmp

import (
	"errors"
	"github.com/flowtap/flowtap/appliance/platform"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flowcache"
)

// FlowtapSource is a NetflowProvider over the running flow cache and the
// main cache's exporters, for the daemon to pass as Config.Netflow.
type FlowtapSource struct {
	// Taps, when set, supplies flowtapFibreTable (mib_flowtap_taps.go).
	Taps func() []Fibre
	// Engine is asked for at each read: the daemon builds a new one when
	// the cache is resized. It may return nil while none runs.
	Engine func() *flowcache.Engine
	// Exporters returns the main cache's current destinations; the daemon
	// replaces them on configuration changes.
	Exporters func() []*export.Exporter
	// Retired, when set, sums what the exporters closed since the start
	// sent (ExportStats.Retired).
	Retired func() export.Stats
	// ExportersRetired, when set, stands for Exporters and Retired read
	// together, so that a destination removed between the two reads is
	// not counted in both (a Counter64 sum that then went back) or in
	// neither.
	ExportersRetired func() ([]*export.Exporter, export.Stats)
	// CacheExport, when set, is what became of the main cache's flows
	// since the start, each once (ExportStats.FlowsExported).
	CacheExport func() export.CacheExportStats
	// UncleanStopLost, when set, is what a killed daemon had taken and
	// not sent to destinations this one no longer has
	// (ExportStats.UncleanStopLost).
	UncleanStopLost func() UncleanStopLoss
	// UncleanStopHeld, when set, is what killed daemons lost that
	// aggregation caches and biflow destinations held
	// (ExportStats.UncleanStopHeldAggregation, ...Biflow).
	UncleanStopHeld func() (aggregation, biflow UncleanStopLoss)
	// Version is the main cache's `ip flow-export version` (5, 9 or 10),
	// 0 when none is configured.
	Version func() uint32
	// MaxCollectors is cnfEIMaxCollectors; IOS allows two destinations per
	// cache (vendor-behaviour 2.3, RECALL).
	MaxCollectors uint32
	// SampledPackets, when set, supplies cnfESSampledPacket: the packets
	// the samplers in use selected.
	SampledPackets func() uint64
	// PacketSizes, when set, supplies cnfPSPacketSizeDistribution.
	PacketSizes func() [26]uint16
	// Occupancy, when set, is the flow table's use now (the CLI's
	// `N active`), rather than as of the ager's last pass.
	Occupancy func() (used, capacity int, err error)
	// Interfaces, when set, supplies cnfCIInterfaceTable.
	Interfaces func() []InterfaceFlow
	// Aggregations, when set, supplies the aggregation caches' rows.
	Aggregations func() []AggregationCacheStats
	// Datapath, when set, supplies flowtapDatapath (mib_flowtap.go).
	Datapath func() (DatapathStats, error)
	// IPFIXState, when set, supplies IPFIX-MIB's tables; without it only
	// the main cache's transport sessions are served.
	IPFIXState func() (IPFIXState, error)
}

// IPFIX makes FlowtapSource an IPFIXProvider.
func (s *FlowtapSource) IPFIX() (IPFIXState, error) {
	if s.IPFIXState == nil {
		e, err := s.ExportStats()
		return sessionsFromExport(e), err
	}
	return s.IPFIXState()
}

// DatapathStats makes FlowtapSource a DatapathProvider.
func (s *FlowtapSource) DatapathStats() (DatapathStats, error) {
	if s.Datapath == nil {
		return DatapathStats{}, errors.New("no datapath")
	}
	return s.Datapath()
}

func (s *FlowtapSource) CacheStats() (CacheStats, error) {
	eng := s.engine()
	if eng == nil {
		return CacheStats{}, errors.New("no flow cache")
	}
	st := eng.Stats()
	ag := eng.Aging()
	c := CacheStats{
		Enabled: true, Entries: Clamp32(uint64(max(st.Capacity, 0))), Active: Clamp32(uint64(max(st.Active, 0))),
		ActiveTimeout: ag.Active, InactiveTimeout: ag.Inactive,
		Protocols: st.Protocols4(), Since: st.Since,
	}
	if s.PacketSizes != nil {
		c.PacketSizes = s.PacketSizes()
	}
	if s.SampledPackets != nil {
		c.SampledPackets = s.SampledPackets()
	}
	if s.Occupancy != nil {
		if used, capacity, err := s.Occupancy(); err == nil {
			c.Active, c.Entries = Clamp32(uint64(max(used, 0))), Clamp32(uint64(max(capacity, 0)))
		}
	}
	if s.Interfaces != nil {
		c.Interfaces = s.Interfaces()
	}
	if s.Aggregations != nil {
		c.Aggregations = s.Aggregations()
	}
	return c, nil
}

func (s *FlowtapSource) ExportStats() (ExportStats, error) {
	e := ExportStats{MaxCollectors: s.MaxCollectors}
	if s.Version != nil {
		e.Version = s.Version()
	}
	if s.UncleanStopLost != nil {
		e.UncleanStopLost = s.UncleanStopLost()
	}
	if s.CacheExport != nil {
		c := s.CacheExport()
		e.FlowsExported, e.FlowsFailed, e.CacheCounted = c.Exported, c.NoBuffer, true
	}
	if s.UncleanStopHeld != nil {
		e.UncleanStopHeldAggregation, e.UncleanStopHeldBiflow = s.UncleanStopHeld()
	}
	var exps []*export.Exporter
	var r export.Stats
	switch {
	case s.ExportersRetired != nil:
		exps, r = s.ExportersRetired()
	default:
		if s.Exporters != nil {
			exps = s.Exporters()
		}
		if s.Retired != nil {
			r = s.Retired()
		}
	}
	e.Retired = CollectorStats{Packets: r.Packets, Records: r.Records, Bytes: r.Bytes, Errors: r.Errors, Dropped: r.Dropped, DroppedRecords: r.DroppedRecords,
		LostRecords: r.LostRecords, LostPackets: r.LostPackets}
	if eng := s.engine(); eng != nil {
		// IOS's template ager polls with the cache's ager; flowtap
		// reports the cache ager's passes.
		e.TemplatePolls = Clamp32(eng.Stats().AgerPolls)
	}
	// The device's templates, each once: destinations sending the same
	// template (the same version, ID and fields) share it, as IOS's
	// template manager defines a cache's templates once for all its
	// destinations; a destination of another version adds its own.
	dataKeys, optKeys := map[string]bool{}, map[string]bool{}
	for i, x := range exps {
		cfg, st := x.Config(), x.Stats()
		enc := cfg.Encoder
		if i == 0 {
			// The destinations of one cache share its encoder settings.
			e.PeerAS, e.OriginAS = enc.AS == platform.ASPeer, enc.AS == platform.ASOrigin
			e.TemplateTimeout, e.TemplateRefreshPackets = orDefault(enc.TemplateTimeout, export.DefaultTemplateTimeout), uint32(orDefault(enc.TemplateRefreshPackets, 20))
			e.OptionsTemplateTimeout = orDefault(enc.OptionsTimeout, e.TemplateTimeout)
			e.OptionsTemplateRefresh = uint32(orDefault(enc.OptionsRefreshPackets, int(e.TemplateRefreshPackets)))
		}
		data, opts := x.TemplateKeys()
		for _, k := range data {
			dataKeys[k] = true
		}
		for _, k := range opts {
			optKeys[k] = true
		}
		e.Collectors = append(e.Collectors, CollectorStats{
			Collector: cfg.Collector, Source: cfg.Source, Version: uint32(enc.Version),
			Packets: st.Packets, Records: st.Records, Bytes: st.Bytes, Errors: st.Errors, Dropped: st.Dropped, DroppedRecords: st.DroppedRecords,
			LostRecords: st.LostRecords, LostPackets: st.LostPackets, Unreachable: st.Unreachable, LostBy: st.LostBy(),
			NotSelected: st.Layer2NotSelected + st.NDEFiltered + st.FamilyNotSelected, NotSelectedPackets: st.Layer2NotSelectedPackets + st.NDEFilteredPackets + st.FamilyNotSelectedPackets,
			Resent: st.Resent, ResentPackets: st.ResentPackets, Doubt: st.Doubt, DoubtPackets: st.DoubtPackets,
		})
	}
	e.Templates, e.OptionsTemplates = uint32(len(dataKeys)), uint32(len(optKeys))
	return e, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func (s *FlowtapSource) TopFlows() (TopFlows, error) {
	eng := s.engine()
	if eng == nil {
		return TopFlows{}, errors.New("no flow cache")
	}
	cfg := eng.TopTalkersConfig()
	t := TopFlows{TopN: uint32(max(cfg.Top, 0)), SortBy: SortBy(cfg.SortBy), CacheTimeout: orDefault(cfg.CacheTimeout, flowcache.DefaultTopTalkersTimeout), Match: cfg.Match}
	tt, err := eng.TopTalkers()
	switch {
	case errors.Is(err, flowcache.ErrTopTalkersDisabled):
		return t, nil // an empty report, as IOS has none until top and sort-by are set
	case err != nil:
		return t, err
	}
	t.Generated, t.Matched, t.Processed, t.Flows = tt.Generated, tt.Matched, tt.Processed, tt.Flows
	if t.Generated.IsZero() {
		t.Generated = time.Now()
	}
	return t, nil
}

func (s *FlowtapSource) engine() *flowcache.Engine {
	if s.Engine == nil {
		return nil
	}
	return s.Engine()
}

// Fibres makes FlowtapSource a TapProvider: a probe without taps has an
// empty table.
func (s *FlowtapSource) Fibres() ([]Fibre, error) {
	if s.Taps == nil {
		return nil, nil
	}
	return s.Taps(), nil
}
