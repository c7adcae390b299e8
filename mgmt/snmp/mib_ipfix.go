package snmp

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

var (
	oidIPFIXMain  = mustOID("1.3.6.1.2.1.193.1.1") // ipfixMainObjects
	oidIPFIXStats = mustOID("1.3.6.1.2.1.193.1.2") // ipfixStatistics
	// ipfixSelectorFunctions (IPFIX-SELECTOR-MIB); PSAMP-MIB's functions
	// are registered under it.
	oidSelectorFunctions = mustOID("1.3.6.1.2.1.194.1.1")
)

const (
	ipProtoUDP          = 17
	deviceModeExporting = 1
	sessionInactive     = 1
	sessionActive       = 2
	memberPrimary       = 1
	memberParallel      = 3
)

// Selector functions: the root of a function's subtree, or, for one that
// takes parameters, the first column of its parameter set's row
// (ipfixSelectionProcessSelectorFunction's rule).
var (
	funcSelectAll   = oidSelectorFunctions.Append(1)
	funcCountBased  = oidSelectorFunctions.Append(2)
	funcRandOutOfN  = oidSelectorFunctions.Append(4)
	funcFiltMatch   = oidSelectorFunctions.Append(6)
	countBasedEntry = funcCountBased.Append(2, 1)
	randOutOfNEntry = funcRandOutOfN.Append(2, 1)
)

// ipfixMIB serves IPFIX-MIB (RFC 6615) and the selector functions of
// IPFIX-SELECTOR-MIB and PSAMP-MIB (RFC 6727) over one reading per
// request.
type ipfixMIB struct {
	p      NetflowProvider
	uptime func(time.Time) uint32
	now    func() time.Time

	mu       sync.Mutex
	sessions map[string]uint32 // session key -> ipfixTransportSessionIndex
	next     uint32
	rates    map[uint32]rateSample
	// last is the latest reading and when it was taken: the eleven
	// tables of one walk, and a flood of requests, share one reading per
	// stateTTL rather than reading the datapath and exporters per table.
	last   IPFIXState
	lastAt time.Time
}

// stateTTL is how long one reading of the provider serves.
const stateTTL = 100 * time.Millisecond

// rateSample is bytes sent by a time, for a bytes-per-second object
// (ipfixTransportSessionRate, cnfESExportRate).
type rateSample struct {
	at    time.Time
	bytes uint64
	rate  uint32
}

// read answers the rate since the sample, and moves the sample to now:
// bytes per second since a reading at least a second ago; within a
// second of it, the rate that reading answered (a walk, a burst of polls,
// does not measure over milliseconds). The first reading, or one after
// the count or the clock went back, starts the sample over and answers 0.
func (p *rateSample) read(now time.Time, bytes uint64) uint32 {
	switch {
	case p.at.IsZero() || bytes < p.bytes || now.Before(p.at):
		*p = rateSample{at: now, bytes: bytes}
		return 0
	case now.Sub(p.at) < time.Second:
		return p.rate
	}
	r := Clamp32(uint64(float64(bytes-p.bytes) / now.Sub(p.at).Seconds()))
	*p = rateSample{at: now, bytes: bytes, rate: r}
	return r
}

// RegisterIPFIXMIB adds IPFIX-MIB's tables for the v9 and IPFIX
// destinations (v5, v7 and v8 ones are not IPFIX transport sessions), and
// the selector functions' availability and parameters.
func RegisterIPFIXMIB(r *Registry, p NetflowProvider, uptime func(time.Time) uint32, now func() time.Time) error {
	m := &ipfixMIB{p: p, uptime: uptime, now: now, sessions: map[string]uint32{}, rates: map[uint32]rateSample{}}
	if err := registerAll(r, m.selectorScalars(), append(m.mainTables(), m.statsTables()...)); err != nil {
		return fmt.Errorf("IPFIX-MIB: %w", err)
	}
	if err := registerAll(r, nil, m.paramTables()); err != nil {
		return fmt.Errorf("PSAMP-MIB: %w", err)
	}
	return nil
}

// state reads the provider and gives each session its stable index.
func (m *ipfixMIB) state() (IPFIXState, []uint32, error) {
	now := m.now()
	m.mu.Lock()
	if !m.lastAt.IsZero() && now.Sub(m.lastAt) >= 0 && now.Sub(m.lastAt) < stateTTL {
		st := m.last
		m.mu.Unlock()
		return st, m.indexes(st), nil
	}
	m.mu.Unlock()
	var st IPFIXState
	if ip, ok := m.p.(IPFIXProvider); ok {
		var err error
		if st, err = ip.IPFIX(); err != nil {
			return st, nil, err
		}
	} else {
		e, err := m.p.ExportStats()
		if err != nil {
			return st, nil, err
		}
		st = sessionsFromExport(e)
	}
	m.mu.Lock()
	m.last, m.lastAt = st, now
	m.forget(st)
	m.mu.Unlock()
	return st, m.indexes(st), nil
}

// forget drops the indexes (and rate samples) of sessions a fresh reading
// no longer has: their destination was removed from the configuration,
// and the table would otherwise keep one entry per destination ever
// configured. next only grows, so a removed session's index is not given
// to another (RFC 6615 keeps an index to one session while the agent
// runs); a destination configured again is a new session with a new
// index. Called with mu held.
func (m *ipfixMIB) forget(st IPFIXState) {
	live := make(map[string]bool, len(st.Sessions))
	for _, s := range st.Sessions {
		live[s.Key] = true
	}
	kept := make(map[uint32]bool, len(st.Sessions))
	for k, n := range m.sessions {
		if !live[k] {
			delete(m.sessions, k)
			continue
		}
		kept[n] = true
	}
	for n := range m.rates {
		if !kept[n] {
			delete(m.rates, n)
		}
	}
}

// indexes gives each session its stable ipfixTransportSessionIndex.
func (m *ipfixMIB) indexes(st IPFIXState) []uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	idx := make([]uint32, len(st.Sessions))
	for i, s := range st.Sessions {
		n, ok := m.sessions[s.Key]
		if !ok {
			m.next++
			n = m.next
			m.sessions[s.Key] = n
		}
		idx[i] = n
	}
	return idx
}

// sessionsFromExport is the main cache's v9 and IPFIX destinations as
// CISCO-NETFLOW-MIB's provider sees them.
func sessionsFromExport(e ExportStats) IPFIXState {
	var st IPFIXState
	for _, c := range e.Collectors {
		if c.Version != 9 && c.Version != 10 {
			continue
		}
		st.Sessions = append(st.Sessions, IPFIXSession{
			Key: fmt.Sprintf("1 %s %d", c.Collector, c.Version), Cache: 1, Protocol: ipProtoUDP,
			Collector: c.Collector, Source: c.Source, Version: c.Version,
			TemplateTimeout: e.TemplateTimeout, OptionsTemplateTimeout: e.OptionsTemplateTimeout,
			TemplateRefreshPackets: e.TemplateRefreshPackets, OptionsTemplateRefresh: e.OptionsTemplateRefresh,
			Active: !c.Unreachable, Packets: c.Packets, Bytes: c.Bytes, Records: c.Records,
			Discarded: c.Errors + c.Dropped, Since: c.Since,
		})
	}
	return st
}

func columns(prefix string, first uint32, names ...string) []Column {
	cols := make([]Column, len(names))
	for i, n := range names {
		cols[i] = Column{ID: first + uint32(i), Name: prefix + n}
	}
	return cols
}

func (m *ipfixMIB) table(entry OID, name string, cols []Column, rows func(IPFIXState, []uint32) []Row) Table {
	return Table{Entry: entry, Name: name, Columns: cols, Rows: func() ([]Row, error) {
		st, idx, err := m.state()
		if err != nil {
			return nil, err
		}
		return rows(st, idx), nil
	}}
}

func (m *ipfixMIB) mainTables() []Table {
	session := m.table(oidIPFIXMain.Append(1, 1), "ipfixTransportSessionTable",
		columns("ipfixTransportSession", 2, "Protocol", "SourceAddressType", "SourceAddress", "DestinationAddressType",
			"DestinationAddress", "SourcePort", "DestinationPort", "SctpAssocId", "DeviceMode",
			"TemplateRefreshTimeout", "OptionsTemplateRefreshTimeout", "TemplateRefreshPacket",
			"OptionsTemplateRefreshPacket", "IpfixVersion", "Status"),
		func(st IPFIXState, idx []uint32) []Row {
			var rows []Row
			for i, s := range st.Sessions {
				srcType, src := inetAddress(s.Source.Addr())
				dstType, dst := inetAddress(s.Collector.Addr())
				status := sessionActive
				if !s.Active {
					status = sessionInactive
				}
				rows = append(rows, Row{Index: OID{idx[i]}, Values: []Value{
					Unsigned32(uint32(s.Protocol)), Integer(srcType), OctetString(src), Integer(dstType), OctetString(dst),
					Unsigned32(uint32(s.Source.Port())), Unsigned32(uint32(s.Collector.Port())), Unsigned32(0),
					Integer(deviceModeExporting),
					Unsigned32(uint32(s.TemplateTimeout / time.Second)), Unsigned32(uint32(s.OptionsTemplateTimeout / time.Second)),
					Unsigned32(s.TemplateRefreshPackets), Unsigned32(s.OptionsTemplateRefresh),
					Unsigned32(s.Version), Integer(int32(status)),
				}})
			}
			return rows
		})
	template := m.table(oidIPFIXMain.Append(2, 1), "ipfixTemplateTable",
		columns("ipfixTemplate", 3, "SetId", "AccessTime"),
		func(st IPFIXState, idx []uint32) []Row {
			var rows []Row
			for i, s := range st.Sessions {
				for _, t := range s.Templ {
					// A template not sent yet reads as the DateAndTime
					// of nothing: 0-1-1, 00:00:00.0.
					at := []byte{0, 0, 1, 1, 0, 0, 0, 0}
					if !t.LastSent.IsZero() {
						at = dateAndTime(t.LastSent)
					}
					rows = append(rows, Row{Index: OID{idx[i], s.Domain, uint32(t.ID)}, Values: []Value{
						Unsigned32(uint32(t.SetID)), OctetString(at)}})
				}
			}
			return rows
		})
	definition := m.table(oidIPFIXMain.Append(3, 1), "ipfixTemplateDefinitionTable",
		columns("ipfixTemplateDefinition", 2, "IeId", "IeLength", "EnterpriseNumber", "Flags"),
		func(st IPFIXState, idx []uint32) []Row {
			var rows []Row
			for i, s := range st.Sessions {
				for _, t := range s.Templ {
					for j, f := range t.Fields {
						var flags byte
						if f.Scope {
							flags |= 0x80 // scope(0)
						}
						if f.Flow {
							flags |= 0x40 // flowKey(1)
						}
						rows = append(rows, Row{Index: OID{idx[i], s.Domain, uint32(t.ID), uint32(j + 1)}, Values: []Value{
							Unsigned32(uint32(f.IE)), Unsigned32(uint32(f.Length)), Unsigned32(f.Enterprise), OctetString([]byte{flags})}})
					}
				}
			}
			return rows
		})
	export := m.table(oidIPFIXMain.Append(4, 1), "ipfixExportTable", columns("ipfixExport", 2, "MemberType"),
		func(st IPFIXState, idx []uint32) []Row {
			// One group per cache: each of its destinations gets every
			// record (parallel); a cache with one destination has it
			// as primary, as the MIB asks of an exporter without groups.
			per := map[uint32]int{}
			for _, s := range st.Sessions {
				per[s.Cache]++
			}
			var rows []Row
			for i, s := range st.Sessions {
				mt := memberParallel
				if per[s.Cache] == 1 {
					mt = memberPrimary
				}
				rows = append(rows, Row{Index: OID{s.Cache, s.Cache, idx[i]}, Values: []Value{Integer(int32(mt))}})
			}
			return rows
		})
	metering := m.table(oidIPFIXMain.Append(5, 1), "ipfixMeteringProcessTable",
		columns("ipfixMeteringProcess", 2, "ObservationPointGroupRef", "CacheActiveTimeout", "CacheIdleTimeout"),
		func(st IPFIXState, _ []uint32) []Row {
			var rows []Row
			for _, c := range st.Caches {
				rows = append(rows, Row{Index: OID{c.CacheID}, Values: []Value{
					Unsigned32(c.ObservationGroup), Unsigned32(uint32(c.Active / time.Second)), Unsigned32(uint32(c.Idle / time.Second))}})
			}
			return rows
		})
	points := m.table(oidIPFIXMain.Append(6, 1), "ipfixObservationPointTable",
		columns("ipfixObservationPoint", 3, "ObservationDomainId", "PhysicalEntity", "PhysicalInterface", "PhysicalEntityDirection"),
		func(st IPFIXState, _ []uint32) []Row {
			var rows []Row
			for _, o := range st.ObservationPoints {
				// No ENTITY-MIB here: PhysicalEntity is 0.
				rows = append(rows, Row{Index: OID{o.Group, o.Index}, Values: []Value{
					Unsigned32(o.Domain), Integer(0), Integer(int32(o.IfIndex)), Integer(int32(o.Direction))}})
			}
			return rows
		})
	selection := m.table(oidIPFIXMain.Append(7, 1), "ipfixSelectionProcessTable",
		[]Column{{ID: 3, Name: "ipfixSelectionProcessSelectorFunction"}},
		func(st IPFIXState, _ []uint32) []Row {
			var rows []Row
			for _, s := range st.Selections {
				rows = append(rows, Row{Index: OID{s.Cache, s.Index, 1}, Values: []Value{ObjectID(selectorFunction(s))}})
			}
			return rows
		})
	return []Table{session, template, definition, export, metering, points, selection}
}

// selectorFunction points at the function, or at its parameter set: the
// parameter tables are indexed by the selection process index.
func selectorFunction(s SelectionProcess) OID {
	switch s.Kind {
	case SelectCountBased:
		return countBasedEntry.Append(2, s.Index)
	case SelectRandOutOfN:
		return randOutOfNEntry.Append(2, s.Index)
	case SelectFilterMatch:
		return funcFiltMatch
	}
	return funcSelectAll
}

func (m *ipfixMIB) statsTables() []Table {
	sessions := m.table(oidIPFIXStats.Append(1, 1), "ipfixTransportSessionStatsTable",
		columns("ipfixTransportSession", 1, "Rate", "Packets", "Bytes", "Messages", "DiscardedMessages", "Records",
			"Templates", "OptionsTemplates", "DiscontinuityTime"),
		func(st IPFIXState, idx []uint32) []Row {
			var rows []Row
			for i, s := range st.Sessions {
				// Over UDP every message is one packet.
				rows = append(rows, Row{Index: OID{idx[i]}, Values: []Value{
					Gauge32(m.rate(idx[i], s.Bytes)), Counter64(s.Packets), Counter64(s.Bytes), Counter64(s.Packets),
					Counter64(s.Discarded), Counter64(s.Records), Counter64(s.Templates), Counter64(s.OptionsTemplates),
					TimeTicks(m.uptime(s.Since)),
				}})
			}
			return rows
		})
	templates := m.table(oidIPFIXStats.Append(2, 1), "ipfixTemplateStatsTable",
		columns("ipfixTemplate", 1, "DataRecords", "DiscontinuityTime"),
		func(st IPFIXState, idx []uint32) []Row {
			var rows []Row
			for i, s := range st.Sessions {
				for _, t := range s.Templ {
					rows = append(rows, Row{Index: OID{idx[i], s.Domain, uint32(t.ID)}, Values: []Value{
						Counter64(t.Records), TimeTicks(m.uptime(t.Since))}})
				}
			}
			return rows
		})
	metering := m.table(oidIPFIXStats.Append(3, 1), "ipfixMeteringProcessStatsTable",
		columns("ipfixMeteringProcessCache", 1, "ActiveFlows", "UnusedCacheEntries", "DataRecords", "DiscontinuityTime"),
		func(st IPFIXState, _ []uint32) []Row {
			var rows []Row
			for _, c := range st.Caches {
				rows = append(rows, Row{Index: OID{c.CacheID}, Values: []Value{
					Gauge32(c.ActiveFlows), Gauge32(c.Free), Counter64(c.DataRecords), TimeTicks(m.uptime(c.Since))}})
			}
			return rows
		})
	selection := m.table(oidIPFIXStats.Append(4, 1), "ipfixSelectionProcessStatsTable",
		columns("ipfixSelectionProcessStats", 1, "PacketsObserved", "PacketsDropped", "DiscontinuityTime"),
		func(st IPFIXState, _ []uint32) []Row {
			var rows []Row
			for _, s := range st.Selections {
				rows = append(rows, Row{Index: OID{s.Cache, s.Index, 1}, Values: []Value{
					Counter64(s.Observed), Counter64(s.Dropped), TimeTicks(m.uptime(s.Since))}})
			}
			return rows
		})
	return []Table{sessions, templates, metering, selection}
}

// rate is ipfixTransportSessionRate: bytes per second over the time since
// the previous reading at least a second ago (rateSample.read).
func (m *ipfixMIB) rate(idx uint32, bytes uint64) uint32 {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.rates[idx]
	r := s.read(now, bytes)
	m.rates[idx] = s
	return r
}

// selectorScalars say which selector functions there are: select-all,
// count-based and random n-out-of-N sampling and property-match
// filtering; not time-based, uniform-probability or hash selection.
func (m *ipfixMIB) selectorScalars() []Scalar {
	avail := func(fn OID, name string, yes bool) Scalar {
		return Scalar{OID: fn.Append(1), Name: name, Get: constant(TruthValue(yes))}
	}
	return []Scalar{
		avail(funcSelectAll, "ipfixFuncSelectAllAvail", true),
		avail(funcCountBased, "psampSampCountBasedAvail", true),
		avail(oidSelectorFunctions.Append(3), "psampSampTimeBasedAvail", false),
		avail(funcRandOutOfN, "psampSampRandOutOfNAvail", true),
		avail(oidSelectorFunctions.Append(5), "psampSampUniProbAvail", false),
		avail(funcFiltMatch, "psampFiltPropMatchAvail", true),
		avail(oidSelectorFunctions.Append(7), "psampFiltHashAvail", false),
	}
}

// paramTables are the samplers' parameter sets, indexed by selection
// process: count-based takes 1 packet (Interval) then skips N-1 (Space);
// random takes 1 (Size) of every N (Population).
func (m *ipfixMIB) paramTables() []Table {
	params := func(entry OID, name, a, b string, kind SelectorKind) Table {
		return m.table(entry, name, []Column{{ID: 2, Name: a}, {ID: 3, Name: b}}, func(st IPFIXState, _ []uint32) []Row {
			var rows []Row
			seen := map[uint32]bool{}
			for _, s := range st.Selections {
				if s.Kind != kind || seen[s.Index] {
					continue
				}
				seen[s.Index] = true
				second := s.Interval
				if kind == SelectCountBased {
					second = max(s.Interval, 1) - 1
				}
				rows = append(rows, Row{Index: OID{s.Index}, Values: []Value{Unsigned32(1), Unsigned32(second)}})
			}
			slices.SortFunc(rows, func(a, b Row) int { return a.Index.Compare(b.Index) })
			return rows
		})
	}
	return []Table{
		params(countBasedEntry, "psampSampCountBasedParamSetTable", "psampSampCountBasedInterval", "psampSampCountBasedSpace", SelectCountBased),
		params(randOutOfNEntry, "psampSampRandOutOfNParamSetTable", "psampSampRandOutOfNSize", "psampSampRandOutOfNPopulation", SelectRandOutOfN),
	}
}
