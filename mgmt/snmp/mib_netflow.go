package snmp

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/flowtap/flowtap/appliance/platform"
)

var oidNetflow = mustOID("1.3.6.1.4.1.9.9.387.1") // ciscoNetflowMIBObjects

// cacheMain is NfCacheTypes main(0); the aggregation caches have their
// scheme's NfCacheTypes value.
const cacheMain = 0

// Ranges of the writable top-flows objects: the IOS CLI's (vendor-behaviour
// 2.4: RECALL), so an SNMP Set accepts what the CLI line accepts.
const (
	maxTopN           = 200
	maxTopFlowsTimeMs = 3600000
)

// CacheLimits are the writable ranges of the main cache's objects, each
// {lo, hi} in the object's unit. The daemon passes the running persona's
// (Config.CacheLimits), so that a Set accepts what the CLI line accepts.
type CacheLimits struct {
	Entries         [2]uint32
	ActiveMinutes   [2]uint32
	InactiveSeconds [2]uint32
}

// netflowMIB is CISCO-NETFLOW-MIB over a NetflowProvider.
type netflowMIB struct {
	p      NetflowProvider
	set    Setter
	limits func() CacheLimits
	uptime func(time.Time) uint32
	now    func() time.Time
	rate   exportRate // cnfESExportRate
}

// exportRate is cnfESExportRate, the main cache's export in bytes per
// second, read as ipfixTransportSessionRate is (rateSample.read): the
// bytes its destinations sent (those removed since included) between
// two readings at least a second apart, over the time between them, so
// a manager polling every 30 s reads the last 30 s; the first reading
// answers 0.
type exportRate struct {
	mu   sync.Mutex
	last rateSample
}

func (r *exportRate) read(now time.Time, total uint64) uint32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last.read(now, total)
}

// RegisterNetflowMIB adds CISCO-NETFLOW-MIB's cache, export, export
// statistics, protocol statistics, template export and top-flows groups.
// A nil Setter leaves every object read-only.
// PersonaCacheLimits is a persona's cache ranges in the objects' units:
// cnfCIActiveTimeOut is in minutes whatever unit the persona keeps.
func PersonaCacheLimits(p *platform.Persona) CacheLimits {
	r := func(l platform.Limit) [2]uint32 { return [2]uint32{uint32(l.Min), uint32(l.Max)} }
	return CacheLimits{Entries: r(p.Table.Entries), ActiveMinutes: r(p.Aging.Active.In(time.Minute)),
		InactiveSeconds: r(p.Aging.Inactive.In(time.Second))}
}

// cacheLimits is the configured source of the cache objects' ranges, or
// the IOS router's.
func (cfg Config) cacheLimits() func() CacheLimits {
	if cfg.CacheLimits != nil {
		return cfg.CacheLimits
	}
	ios, _ := platform.Lookup("ios")
	l := PersonaCacheLimits(&ios)
	return func() CacheLimits { return l }
}

// limits gives the cache objects' writable ranges at the time of a Set.
func RegisterNetflowMIB(r *Registry, p NetflowProvider, set Setter, limits func() CacheLimits, uptime func(time.Time) uint32, now func() time.Time) error {
	m := &netflowMIB{p: p, set: set, limits: limits, uptime: uptime, now: now}
	scalars := append(m.exportScalars(), m.protocolScalars()...)
	scalars = append(scalars, m.topFlowsScalars()...)
	scalars = append(scalars, m.cacheScalars()...)
	scalars = append(scalars, m.templateScalars()...)
	scalars = append(scalars, m.matchScalars()...)
	tables := []Table{m.interfaceTable(), m.cacheTable(), m.bridgedTable(), m.exportInfoTable(), m.collectorTable(),
		m.protocolTable(), m.templateTable(), m.templateExportTable(), m.topFlowsTable()}
	if err := registerAll(r, scalars, tables); err != nil {
		return fmt.Errorf("CISCO-NETFLOW-MIB: %w", err)
	}
	return nil
}

// durationWrite takes an Unsigned32 count of unit in lo..hi. The undo
// restores the exact old duration, not its rounding to unit.
func durationWrite(object string, unit time.Duration, lo, hi uint32, get func() (time.Duration, error), set func(time.Duration) error) *Write {
	w := unsignedWrite(object, lo, hi, nil, nil)
	w.Commit = func(_ OID, v Value) (func() error, error) {
		old, err := get()
		if err != nil {
			return nil, writeError(object, err)
		}
		if err := set(time.Duration(v.Uint) * unit); err != nil {
			return nil, writeError(object, err)
		}
		return func() error { return writeError(object, set(old)) }, nil
	}
	return w
}

// inLimits makes w accept the range which picks from the limits in force
// when the Set comes: the persona can change while the agent runs.
func (m *netflowMIB) inLimits(object string, which func(CacheLimits) [2]uint32, w *Write) *Write {
	w.Test = func(_ OID, v Value) error {
		r := which(m.limits())
		if v.Uint < uint64(r[0]) || v.Uint > uint64(r[1]) {
			return Errorf(WrongValue, "%s: %d not in %d..%d", object, v.Uint, r[0], r[1])
		}
		return nil
	}
	return w
}

// --- cache group ---

func (m *netflowMIB) cacheTable() Table {
	var wEntries, wActive, wInactive *Write
	if s := m.set; s != nil {
		wEntries = m.inLimits("cnfCICacheEntries", func(l CacheLimits) [2]uint32 { return l.Entries },
			unsignedWrite("cnfCICacheEntries", 0, 0,
				func() (uint32, error) { c, err := m.p.CacheStats(); return c.Entries, err }, s.SetCacheEntries))
		wActive = m.inLimits("cnfCIActiveTimeOut", func(l CacheLimits) [2]uint32 { return l.ActiveMinutes },
			durationWrite("cnfCIActiveTimeOut", time.Minute, 0, 0,
				func() (time.Duration, error) { c, err := m.p.CacheStats(); return c.ActiveTimeout, err }, s.SetActiveTimeout))
		wInactive = m.inLimits("cnfCIInactiveTimeOut", func(l CacheLimits) [2]uint32 { return l.InactiveSeconds },
			durationWrite("cnfCIInactiveTimeOut", time.Second, 0, 0,
				func() (time.Duration, error) { c, err := m.p.CacheStats(); return c.InactiveTimeout, err }, s.SetInactiveTimeout))
	}
	return Table{
		Entry: oidNetflow.Append(1, 2, 1), Name: "cnfCICacheTable",
		Columns: []Column{
			{ID: 2, Name: "cnfCICacheEnable"},
			{ID: 3, Name: "cnfCICacheEntries", Write: mainCacheOnly("cnfCICacheEntries", wEntries)},
			{ID: 4, Name: "cnfCIActiveFlows"},
			{ID: 5, Name: "cnfCIInactiveFlows"},
			{ID: 6, Name: "cnfCIActiveTimeOut", Write: mainCacheOnly("cnfCIActiveTimeOut", wActive)},
			{ID: 7, Name: "cnfCIInactiveTimeOut", Write: mainCacheOnly("cnfCIInactiveTimeOut", wInactive)},
			{ID: 8, Name: "cnfCIMinSourceMask", Write: m.minMaskWrite("cnfCIMinSourceMask", true)},
			{ID: 9, Name: "cnfCIMinDestinationMask", Write: m.minMaskWrite("cnfCIMinDestinationMask", false)},
		},
		Rows: func() ([]Row, error) {
			c, err := m.p.CacheStats()
			if err != nil {
				return nil, err
			}
			// The main cache has no minimum masks: they belong to the
			// prefix aggregation schemes.
			rows := []Row{cacheRow(cacheMain, c.Enabled, c.Entries, c.Active, c.ActiveTimeout, c.InactiveTimeout, 0, 0)}
			for _, a := range c.Aggregations {
				rows = append(rows, cacheRow(a.Type, a.Enabled, a.Entries, a.Active, a.ActiveTimeout, a.InactiveTimeout, a.SourceMinMask, a.DestinationMinMask))
			}
			return rows, nil
		},
	}
}

func cacheRow(typ uint32, enabled bool, entries, active uint32, activeTO, inactiveTO time.Duration, srcMask, dstMask uint8) Row {
	free := uint32(0)
	if entries > active {
		free = entries - active
	}
	return Row{Index: OID{typ}, Values: []Value{
		TruthValue(enabled), Unsigned32(entries), Unsigned32(active), Unsigned32(free),
		Unsigned32(uint32(activeTO / time.Minute)), Unsigned32(uint32(inactiveTO / time.Second)),
		Unsigned32(uint32(srcMask)), Unsigned32(uint32(dstMask)),
	}}
}

// MinMaskSetter is a Setter that also takes an aggregation cache's
// `mask source|destination minimum` (cnfCIMinSourceMask and
// cnfCIMinDestinationMask); bits 0 is `no mask ... minimum`.
type MinMaskSetter interface {
	SetAggregationMinMask(scheme platform.Scheme, source bool, bits uint8) error
}

// minMaskWrite makes a minimum-mask column writable on the rows of the
// prefix aggregation caches whose scheme has that prefix, in the range
// the personas' `mask ... minimum` takes (platform.Aggregation), 0
// removing the line. The main cache has no minimum masks (notWritable);
// a cache whose scheme has no such prefix keeps 0, its "not applicable"
// (inconsistentValue for any other value).
func (m *netflowMIB) minMaskWrite(object string, source bool) *Write {
	ms, ok := m.set.(MinMaskSetter)
	if !ok {
		return nil
	}
	lim := platform.Aggregation().MinMask
	row := func(index OID) (AggregationCacheStats, error) {
		if len(index) != 1 || index[0] == cacheMain {
			return AggregationCacheStats{}, Errorf(NotWritable, "%s: the main cache has no minimum mask; it belongs to an aggregation cache", object)
		}
		c, err := m.p.CacheStats()
		if err != nil {
			return AggregationCacheStats{}, err
		}
		for _, a := range c.Aggregations {
			if a.Type == index[0] {
				return a, nil
			}
		}
		return AggregationCacheStats{}, Errorf(NoCreation, "%s: no aggregation cache of type %d is configured", object, index[0])
	}
	current := func(a AggregationCacheStats) uint8 {
		if source {
			return a.SourceMinMask
		}
		return a.DestinationMinMask
	}
	applies := func(s platform.Scheme) bool {
		if source {
			return s.UsesSourcePrefix()
		}
		return s.UsesDestinationPrefix()
	}
	return &Write{
		Kind: KindGauge32,
		Test: func(index OID, v Value) error {
			a, err := row(index)
			if err != nil {
				return err
			}
			if v.Uint != 0 && (v.Uint < uint64(lim.Min) || v.Uint > uint64(lim.Max)) {
				return Errorf(WrongValue, "%s: %d not in %d..%d (0: no minimum)", object, v.Uint, lim.Min, lim.Max)
			}
			if v.Uint != 0 && !applies(platform.Scheme(a.Type)) {
				return Errorf(InconsistentValue, "%s: the %s aggregation cache has no such prefix", object, platform.Scheme(a.Type))
			}
			return nil
		},
		Commit: func(index OID, v Value) (func() error, error) {
			a, err := row(index)
			if err != nil {
				return nil, writeError(object, err)
			}
			old, s := current(a), platform.Scheme(a.Type)
			if uint64(old) == v.Uint {
				return nil, nil
			}
			if err := ms.SetAggregationMinMask(s, source, uint8(v.Uint)); err != nil {
				return nil, writeError(object, err)
			}
			return func() error { return writeError(object, ms.SetAggregationMinMask(s, source, old)) }, nil
		},
	}
}

// mainCacheOnly makes a cnfCICacheTable column writable on the main
// cache's row alone: the Setter's lines are the main cache's, and an
// aggregation cache's are set under `ip flow-aggregation cache`.
func mainCacheOnly(object string, w *Write) *Write {
	if w == nil {
		return nil
	}
	test := w.Test
	w.Test = func(index OID, v Value) error {
		if len(index) != 1 || index[0] != cacheMain {
			return Errorf(NotWritable, "%s: only the main cache's row is writable", object)
		}
		return test(index, v)
	}
	return w
}

// --- export group ---

func (m *netflowMIB) exportInfoTable() Table {
	var wVersion *Write
	if s := m.set; s != nil {
		wVersion = unsignedWrite("cnfEIExportVersion", 5, 10,
			func() (uint32, error) { e, err := m.p.ExportStats(); return e.Version, err }, s.SetExportVersion)
		test := wVersion.Test
		wVersion.Test = func(index OID, v Value) error {
			if err := test(index, v); err != nil {
				return err
			}
			// `ip flow-export version 5|9|ipfix` for the main cache.
			if v.Uint != 5 && v.Uint != 9 && v.Uint != 10 {
				return Errorf(WrongValue, "cnfEIExportVersion: %d, want 5, 9 or 10 (IPFIX)", v.Uint)
			}
			return nil
		}
	}
	return Table{
		Entry: oidNetflow.Append(2, 1, 1), Name: "cnfEIExportInfoTable",
		Columns: []Column{
			{ID: 1, Name: "cnfEIExportVersion", Write: mainCacheOnly("cnfEIExportVersion", wVersion)},
			{ID: 2, Name: "cnfEIPeerAS"}, {ID: 3, Name: "cnfEIOriginAS"}, {ID: 4, Name: "cnfEIBgpNextHop"},
		},
		Rows: func() ([]Row, error) {
			e, err := m.p.ExportStats()
			if err != nil {
				return nil, err
			}
			rows := []Row{{Index: OID{cacheMain}, Values: []Value{
				Unsigned32(e.Version), TruthValue(e.PeerAS), TruthValue(e.OriginAS), TruthValue(e.BGPNextHop),
			}}}
			// An aggregation cache that exports has its own row: its
			// records carry no AS or next-hop choice of their own.
			aggs, err := m.exportingAggregations()
			if err != nil {
				return nil, err
			}
			for _, a := range aggs {
				rows = append(rows, Row{Index: OID{a.Type}, Values: []Value{
					Unsigned32(a.ExportVersion), TruthValue(false), TruthValue(false), TruthValue(false),
				}})
			}
			return rows, nil
		},
	}
}

// exportingAggregations are the aggregation caches with an export
// destination.
func (m *netflowMIB) exportingAggregations() ([]AggregationCacheStats, error) {
	c, err := m.p.CacheStats()
	if err != nil {
		return nil, err
	}
	var out []AggregationCacheStats
	for _, a := range c.Aggregations {
		if len(a.Collectors) > 0 {
			out = append(out, a)
		}
	}
	return out, nil
}

// RowStatus values (SNMPv2-TC).
const (
	rowActive        = 1
	rowNotInService  = 2
	rowNotReady      = 3
	rowCreateAndGo   = 4
	rowCreateAndWait = 5
	rowDestroy       = 6
)

// collectorIndex is cacheType, addressType, address, port.
func collectorIndex(cache uint32, c netip.AddrPort) OID {
	return append(append(OID{cache}, inetIndex(c.Addr())...), uint32(c.Port()))
}

func parseCollectorIndex(o OID) (netip.AddrPort, bool) {
	if len(o) < 1 || o[0] != cacheMain {
		return netip.AddrPort{}, false
	}
	a, rest, ok := parseInetIndex(o[1:])
	if !ok || len(rest) != 1 || rest[0] == 0 || rest[0] > 65535 {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(a, uint16(rest[0])), true
}

func (m *netflowMIB) collectors() ([]CollectorStats, uint32, error) {
	e, err := m.p.ExportStats()
	return e.Collectors, e.MaxCollectors, err
}

func hasCollector(list []CollectorStats, c netip.AddrPort) bool {
	return slices.ContainsFunc(list, func(s CollectorStats) bool { return s.Collector == c })
}

// statusWrite is cnfEICollectorStatus: createAndGo adds an `ip flow-export
// destination`, destroy removes it. createAndWait and notInService are
// refused: a destination is one configuration line, never half a row.
func (m *netflowMIB) statusWrite() *Write {
	return &Write{
		Kind: KindInteger,
		Test: func(index OID, v Value) error {
			if len(index) > 0 && index[0] != cacheMain {
				return Errorf(NotWritable, "cnfEICollectorStatus: only the main cache's collectors are writable; an aggregation cache's are its export destination lines")
			}
			c, ok := parseCollectorIndex(index)
			if !ok {
				return Errorf(NoCreation, "cnfEICollectorStatus: index %s is not main-cache, IPv4/IPv6 address, port", index)
			}
			list, max, err := m.collectors()
			if err != nil {
				return Errorf(GenErr, "cnfEICollectorStatus: %v", err)
			}
			exists := hasCollector(list, c)
			switch v.Int {
			case rowActive:
				if !exists {
					return Errorf(InconsistentValue, "cnfEICollectorStatus: %s does not exist", c)
				}
			case rowCreateAndGo:
				if exists {
					return Errorf(InconsistentValue, "cnfEICollectorStatus: %s exists already", c)
				}
				if max > 0 && uint32(len(list)) >= max {
					return Errorf(ResourceUnavailable, "cnfEICollectorStatus: %d collectors configured, the maximum", len(list))
				}
			case rowDestroy:
			case rowNotInService, rowCreateAndWait, rowNotReady:
				return Errorf(WrongValue, "cnfEICollectorStatus: %d not supported; use createAndGo(4) or destroy(6)", v.Int)
			default:
				return Errorf(WrongValue, "cnfEICollectorStatus: %d is not a RowStatus", v.Int)
			}
			return nil
		},
		Commit: func(index OID, v Value) (func() error, error) {
			c, _ := parseCollectorIndex(index)
			list, _, err := m.collectors()
			if err != nil {
				return nil, writeError("cnfEICollectorStatus", err)
			}
			exists := hasCollector(list, c)
			switch {
			case v.Int == rowCreateAndGo:
				if err := m.set.AddCollector(c); err != nil {
					return nil, writeError("cnfEICollectorStatus", err)
				}
				return func() error { return writeError("cnfEICollectorStatus", m.set.RemoveCollector(c)) }, nil
			case v.Int == rowDestroy && exists:
				if err := m.set.RemoveCollector(c); err != nil {
					return nil, writeError("cnfEICollectorStatus", err)
				}
				return func() error { return writeError("cnfEICollectorStatus", m.set.AddCollector(c)) }, nil
			}
			return nil, nil
		},
	}
}

func (m *netflowMIB) collectorTable() Table {
	col := Column{ID: 4, Name: "cnfEICollectorStatus"}
	if m.set != nil {
		col.Write, col.Creates = m.statusWrite(), true
	}
	return Table{
		Entry: oidNetflow.Append(2, 3, 1), Name: "cnfEICollectorTable", Columns: []Column{col},
		Rows: func() ([]Row, error) {
			list, _, err := m.collectors()
			if err != nil {
				return nil, err
			}
			rows := make([]Row, 0, len(list))
			for _, c := range list {
				rows = append(rows, Row{Index: collectorIndex(cacheMain, c.Collector), Values: []Value{Integer(rowActive)}})
			}
			aggs, err := m.exportingAggregations()
			if err != nil {
				return nil, err
			}
			for _, a := range aggs {
				for _, c := range a.Collectors {
					rows = append(rows, Row{Index: collectorIndex(a.Type, c), Values: []Value{Integer(rowActive)}})
				}
			}
			return rows, nil
		},
	}
}

func (m *netflowMIB) exportScalars() []Scalar {
	sum := func(f func(*CollectorStats) uint64) func() (Value, error) {
		return func() (Value, error) {
			e, err := m.p.ExportStats()
			if err != nil {
				return Value{}, err
			}
			n := f(&e.Retired)
			for i := range e.Collectors {
				n += f(&e.Collectors[i])
			}
			return Counter32(Wrap32(n)), nil
		}
	}
	es := oidNetflow.Append(4)
	return []Scalar{
		{OID: oidNetflow.Append(2, 2), Name: "cnfEIMaxCollectors", Get: func() (Value, error) {
			e, err := m.p.ExportStats()
			return Unsigned32(e.MaxCollectors), err
		}},
		{OID: es.Append(1), Name: "cnfESSampledPacket", Get: func() (Value, error) {
			c, err := m.p.CacheStats()
			return Counter32(Wrap32(c.SampledPackets)), err
		}},
		{OID: es.Append(2), Name: "cnfESExportRate", Get: func() (Value, error) {
			e, err := m.p.ExportStats()
			if err != nil {
				return Value{}, err
			}
			total := e.Retired.Bytes
			for i := range e.Collectors {
				total += e.Collectors[i].Bytes
			}
			return Counter32(m.rate.read(m.now(), total)), nil
		}},
		{OID: es.Append(3), Name: "cnfESRecordsExported", Get: func() (Value, error) {
			e, err := m.p.ExportStats()
			if err != nil || !e.CacheCounted {
				return sum(func(c *CollectorStats) uint64 { return c.Records })()
			}
			return Counter32(Wrap32(e.FlowsExported)), nil
		}},
		{OID: es.Append(4), Name: "cnfESPktsExported", Get: sum(func(c *CollectorStats) uint64 { return c.Packets })},
		// "a flow record could not be exported because of a pak
		// allocation failure": the CLI's flows failed due to lack of
		// export packet, the cache's (each flow once).
		{OID: es.Append(5), Name: "cnfESPktsFailed", Get: func() (Value, error) {
			e, err := m.p.ExportStats()
			if err != nil || !e.CacheCounted {
				return sum(func(c *CollectorStats) uint64 { return c.DroppedRecords })()
			}
			return Counter32(Wrap32(e.FlowsFailed)), nil
		}},
		// "export packets which were dropped at the time of ipwrite
		// operation ... no FIB, adjacency failure, MTU failed, enqueue
		// failed": every destination's, as the CLI's dropped lines.
		{OID: es.Append(6), Name: "cnfESPktsDropped", Get: sum(func(c *CollectorStats) uint64 { return c.Errors + c.Dropped })},
	}
}

// --- protocol statistics ---

// protocolAll is NfProtocolTypes all(22): the Total row.
const protocolAll = 22

func (m *netflowMIB) protocolScalars() []Scalar {
	ps := oidNetflow.Append(5)
	return []Scalar{
		{OID: ps.Append(1), Name: "cnfPSPacketSizeDistribution", Get: func() (Value, error) {
			c, err := m.p.CacheStats()
			if err != nil {
				return Value{}, err
			}
			b := make([]byte, 0, 52)
			for _, v := range c.PacketSizes {
				b = binary.BigEndian.AppendUint16(b, v)
			}
			return OctetString(b), nil
		}},
		{OID: ps.Append(2), Name: "cnfPSLastClearElapsedTime", Get: func() (Value, error) {
			c, err := m.p.CacheStats()
			if err != nil {
				return Value{}, err
			}
			ms := uint64(0)
			if d := m.now().Sub(c.Since); !c.Since.IsZero() && d > 0 {
				ms = uint64(d / time.Millisecond)
			}
			return Gauge32(Clamp32(ms)), nil
		}},
	}
}

func (m *netflowMIB) protocolTable() Table {
	return Table{
		Entry: oidNetflow.Append(5, 3, 1), Name: "cnfPSProtocolStatTable",
		Columns: []Column{
			{ID: 2, Name: "cnfPSExpiredFlows"}, {ID: 3, Name: "cnfPSPackets"}, {ID: 4, Name: "cnfPSBytes"},
			{ID: 5, Name: "cnfPSActive"}, {ID: 6, Name: "cnfPSInactive"},
		},
		Rows: func() ([]Row, error) {
			c, err := m.p.CacheStats()
			if err != nil {
				return nil, err
			}
			rows := make([]Row, 0, protocolAll)
			var total [5]uint64
			for i := 1; i < len(c.Protocols); i++ {
				p := c.Protocols[i]
				v := [5]uint64{p.Flows, p.Packets, p.Bytes, p.ActiveMillis, p.IdleMillis}
				for k := range total {
					total[k] += v[k]
				}
				rows = append(rows, protocolRow(uint32(i), v))
			}
			return append(rows, protocolRow(protocolAll, total)), nil
		},
	}
}

func protocolRow(proto uint32, v [5]uint64) Row {
	return Row{Index: OID{proto}, Values: []Value{
		Counter64(v[0]), Counter64(v[1]), Counter64(v[2]), Counter64(v[3]), Counter64(v[4]),
	}}
}

// --- template export ---

// wholeMinutes is a resend interval in the MIB's minutes, rounded up: a
// Junos template resent every 10 seconds is resent within the minute,
// where 0 would read as never.
func wholeMinutes(d time.Duration) uint32 {
	return uint32((d + time.Minute - 1) / time.Minute)
}

func (m *netflowMIB) templateExportTable() Table {
	return Table{
		Entry: oidNetflow.Append(6, 3, 1), Name: "cnfTemplateExportInfoTable",
		Columns: []Column{
			{ID: 1, Name: "cnfTemplateExportVer9Enable"}, {ID: 2, Name: "cnfTemplateExportVer9TplTimeout"},
			{ID: 3, Name: "cnfTemplateExportVer9OptTimeout"}, {ID: 4, Name: "cnfTemplateExportVer9TplRefreshRate"},
			{ID: 5, Name: "cnfTemplateExportVer9OptRefreshRate"},
		},
		Rows: func() ([]Row, error) {
			e, err := m.p.ExportStats()
			if err != nil {
				return nil, err
			}
			// True while any destination exports v9, whatever the
			// cache's default version says.
			v9 := e.Version == 9
			for _, c := range e.Collectors {
				v9 = v9 || c.Version == 9
			}
			return []Row{{Index: OID{cacheMain}, Values: []Value{
				TruthValue(v9),
				Unsigned32(wholeMinutes(e.TemplateTimeout)), Unsigned32(wholeMinutes(e.OptionsTemplateTimeout)),
				Unsigned32(e.TemplateRefreshPackets), Unsigned32(e.OptionsTemplateRefresh),
			}}}, nil
		},
	}
}
