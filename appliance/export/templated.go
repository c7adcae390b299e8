package export

import (
	"fmt"
	"github.com/flowtap/flowtap/appliance/appclass"
	"github.com/flowtap/flowtap/appliance/platform"
	"net/netip"
	"slices"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

const (
	v9HeaderLen    = 20
	ipfixHeaderLen = 16
	setHeaderLen   = 4
)

// templated builds v9 and IPFIX packets: header, then template sets when a
// refresh is due, options data, and data sets, one per template in a row.
type templated struct {
	cfg    EncoderConfig
	out    PacketWriter
	hdrLen int
	buf    []byte

	main4, main6, agg *template
	sampler, ifNames  *optionsTemplate
	appNames          *optionsTemplate // RFC 6759 applicationId -> applicationName
	expStats          *optionsTemplate // exporter statistics (exporterstats.go)
	expStatsV6        bool             // its addresses are IPv6
	expStatsDue       bool             // its row is still to send since the refresh
	appCursor         int              // next class name row due
	names             [][]byte         // interface names, converted once

	// The open packet. n == 0 means none.
	n           int
	records     int    // every record, the v9 header count
	dataRecs    int    // flow records
	dataPkts    uint64 // their packet counters summed
	dataFlows   uint64 // the flows and bytes they carry (PacketInfo)
	dataBytes   uint64
	lastSeq     uint64 // the highest spool sequence of their records
	optDataRecs int
	templates   bool
	setStart    int // offset of the open set's header, -1 when none
	setID       uint16
	openedAt    time.Time
	lastEnd     time.Time // the latest flow end in the packet (v9 header)

	seq          uint32 // v9: packets sent; IPFIX: data records sent
	pktsSinceTpl int
	pktsSinceOpt int
	lastTpl      time.Time
	lastOpt      time.Time
	// Options data still to send after a refresh: the sampler row, then
	// interface names from ifCursor on, spread over packets if need be.
	samplerDue bool
	ifCursor   int

	// What went out per set id (templateinfo.go); setRecs is e.records
	// when the open set started.
	counts               []setCount
	setRecs              int
	tplSentAt, optSentAt time.Time
}

func newTemplated(cfg EncoderConfig, out PacketWriter) *templated {
	size := cfg.MaxPacketSize
	if cfg.pathPayload >= minMaxPacketSize && cfg.pathPayload < size {
		// A path with a smaller MTU: packets that fit it, not fragments.
		size = cfg.pathPayload
	}
	// A port that is not there has no ifIndex to name.
	cfg.InterfaceNames = slices.DeleteFunc(slices.Clone(cfg.InterfaceNames), func(n InterfaceName) bool { return n.IfIndex == 0 })
	e := &templated{cfg: cfg, out: out, buf: make([]byte, size), setStart: -1}
	e.hdrLen = v9HeaderLen
	if cfg.Version == IPFIX {
		e.hdrLen = ipfixHeaderLen
	}
	if cfg.Scheme == platform.SchemeNone {
		e.main4 = newTemplate(templateIDMain4, mainFields(&e.cfg, false))
		e.main6 = newTemplate(templateIDMain6, mainFields(&e.cfg, true))
	} else {
		e.agg = newTemplate(templateIDAggFirst+uint16(cfg.Scheme), aggFields(&e.cfg))
	}
	if cfg.sampled() {
		e.sampler = samplerOptions(cfg.Version)
	}
	if len(cfg.InterfaceNames) > 0 {
		e.ifNames = ifNameOptions(cfg.Version)
		e.names = make([][]byte, len(cfg.InterfaceNames))
		for i, in := range cfg.InterfaceNames {
			e.names[i] = []byte(fitName(in.Name, ifNameFixedLen))
		}
	}
	e.ifCursor = len(cfg.InterfaceNames)
	e.initAppNames()
	if cfg.ExporterStats && cfg.exporterStats != nil {
		c := cfg.exporterStats().Collector.Addr()
		e.expStatsV6 = c.IsValid() && !c.Unmap().Is4()
		e.expStats = exporterStatsOptions(cfg.Version, e.expStatsV6)
	}
	return e
}

// SetOverloadRate changes the overload sampling rate the options
// announce (0: off); the next packet carries the options again. The open
// packet goes out first, as the old rate announced it: a collector takes
// a sampler's rate from the options data before a record (nfacctd renormalises
// by it), so a record exported under the new rate must not share a
// packet that opened under the old one, whose options name the overload
// sampler at the old rate or not at all.
func (e *templated) SetOverloadRate(n uint32) error {
	if e.cfg.overloadRate == n {
		return nil
	}
	if err := e.Flush(); err != nil {
		return err
	}
	e.cfg.overloadRate = n
	e.lastOpt = time.Time{}
	return nil
}

func (e *templated) Version() Version        { return e.cfg.Version }
func (e *templated) Pending() int            { return e.dataRecs }
func (e *templated) OpenedAt() time.Time     { return e.openedAt }
func (e *templated) LastTemplate() time.Time { return e.lastTpl }

func (e *templated) Add(rec *flow.Record) error {
	if e.agg != nil {
		return ErrWrongCache
	}
	t := e.main4
	if rec.IsIPv6() {
		t = e.main6
	}
	return e.add(t, rec, 1)
}

func (e *templated) AddAggregate(a *Aggregate) error {
	if e.agg == nil || a.schemeMismatch(e.cfg.Scheme) {
		return ErrWrongCache
	}
	if a.IsIPv6() {
		return ErrNotExportable // aggregation templates carry IPv4 prefixes
	}
	return e.add(e.agg, &a.Record, a.Flows)
}

func (e *templated) Flush() error {
	if e.n == 0 || e.records == 0 {
		return nil
	}
	return e.emit()
}

func (e *templated) add(t *template, r *flow.Record, flows uint64) error {
	var firstErr error
	if e.n == 0 {
		e.open()
	}
	for !e.fits(t) {
		if err := e.emit(); err != nil && firstErr == nil {
			firstErr = err
		}
		e.open()
	}
	if e.setStart < 0 || e.setID != t.id {
		e.closeSet()
		e.startSet(t.id)
	}
	e.encode(e.buf[e.n:e.n+t.recLen], t, r, flows)
	e.n += t.recLen
	e.records++
	e.dataRecs++
	e.dataPkts += r.Packets + r.Reverse.Packets
	e.dataFlows += flows
	if r.Biflow != flow.BiflowNone && r.Reverse.Packets|r.Reverse.Bytes != 0 {
		e.dataFlows++ // a paired biflow: its partner direction too
	}
	e.dataBytes += r.Bytes + r.Reverse.Bytes
	e.lastSeq = max(e.lastSeq, r.SpoolSeq)
	if r.End.After(e.lastEnd) {
		e.lastEnd = r.End
	}
	if r.Reverse.End.After(e.lastEnd) {
		e.lastEnd = r.Reverse.End
	}
	return firstErr
}

// fits reports whether one more record of t fits, counting a new set header
// and the padding the set may need when it is closed.
func (e *templated) fits(t *template) bool {
	need := t.recLen + e.padReserve()
	if e.setStart < 0 || e.setID != t.id {
		need += setHeaderLen
	}
	return e.n+need <= len(e.buf)
}

func (e *templated) padReserve() int {
	if e.cfg.Version == V9 {
		return 3
	}
	return 0
}

// RefreshTemplates makes the next packet opened carry the templates and
// options again, whatever the refresh counters say: a collector that was
// unreachable may have restarted and forgotten them, and would discard
// the data records it gets before the next refresh.
func (e *templated) RefreshTemplates() { e.lastTpl, e.lastOpt = time.Time{}, time.Time{} }

// open starts a packet: header space, then the templates and options that
// are due. A fresh packet always has room for a data record (MaxPacketSize
// is at least 512), so the caller's loop ends.
func (e *templated) open() {
	now := e.cfg.Clock.Now()
	e.n = e.hdrLen
	e.records, e.dataRecs, e.optDataRecs, e.dataPkts, e.dataFlows, e.dataBytes, e.lastSeq = 0, 0, 0, 0, 0, 0, 0
	e.templates = false
	e.setStart = -1
	e.openedAt = now
	e.cfg.anchor(now)
	e.lastEnd = time.Time{}

	if e.lastTpl.IsZero() || e.pktsSinceTpl >= e.cfg.TemplateRefreshPackets || now.Sub(e.lastTpl) >= e.cfg.TemplateTimeout {
		e.writeTemplates()
		e.lastTpl = now
		e.pktsSinceTpl = 0
	}
	if e.sampler != nil || e.ifNames != nil || e.appNames != nil || e.expStats != nil {
		if e.lastOpt.IsZero() || e.pktsSinceOpt >= e.cfg.OptionsRefreshPackets || now.Sub(e.lastOpt) >= e.cfg.OptionsTimeout {
			e.writeOptionsTemplates()
			e.lastOpt = now
			e.pktsSinceOpt = 0
			e.samplerDue = e.sampler != nil
			e.expStatsDue = e.expStats != nil
			e.ifCursor = 0
			e.appCursor = 0
		}
		e.writeOptionsData()
	}
}

func (e *templated) templateSetID() uint16 {
	if e.cfg.Version == IPFIX {
		return 2
	}
	return 0
}

func (e *templated) optionsSetID() uint16 {
	if e.cfg.Version == IPFIX {
		return 3
	}
	return 1
}

func (e *templated) writeTemplates() {
	e.startSet(e.templateSetID())
	for _, t := range [...]*template{e.main4, e.main6, e.agg} {
		if t == nil {
			continue
		}
		b := e.buf[e.n:]
		be.PutUint16(b[0:], t.id)
		be.PutUint16(b[2:], uint16(len(t.fields)))
		putFieldSpecs(b[4:], t.fields)
		e.n += t.wireLen()
		e.records++
	}
	e.closeSet()
	e.templates = true
}

// writeOptionsTemplates gives each options template a set of its own:
// nfdump's nfcapd reads only the first options template of a set, so the
// interface and application tables after the sampler's would be lost.
func (e *templated) writeOptionsTemplates() {
	for _, t := range [...]*optionsTemplate{e.sampler, e.ifNames, e.appNames, e.expStats} {
		if t == nil {
			continue
		}
		e.startSet(e.optionsSetID())
		b := e.buf[e.n:]
		be.PutUint16(b[0:], t.id)
		if e.cfg.Version == IPFIX {
			// IPFIX counts fields; v9 gives scope and option lengths in bytes.
			be.PutUint16(b[2:], uint16(len(t.scope)+len(t.options)))
			be.PutUint16(b[4:], uint16(len(t.scope)))
		} else {
			be.PutUint16(b[2:], uint16(4*len(t.scope)))
			be.PutUint16(b[4:], uint16(4*len(t.options)))
		}
		n := putFieldSpecs(b[6:], t.scope)
		putFieldSpecs(b[6+n:], t.options)
		e.n += t.wireLen()
		e.records++
		e.closeSet()
	}
	e.templates = true
}

// putFieldSpecs writes the field specifiers and returns their length.
func putFieldSpecs(b []byte, fields []field) int {
	n := 0
	for _, f := range fields {
		id := f.id
		if f.pen != 0 {
			id |= 0x8000 // enterprise bit (RFC 7011 section 3.2)
		}
		be.PutUint16(b[n:], id)
		be.PutUint16(b[n+2:], f.length)
		if f.pen != 0 {
			be.PutUint32(b[n+4:], f.pen)
		}
		n += f.specLen()
	}
	return n
}

func (e *templated) startSet(id uint16) {
	e.setStart = e.n
	e.setID = id
	e.setRecs = e.records
	e.n += setHeaderLen
}

// closeRows ends an options set after rows of its rows fitted: it
// closes the set, or drops its empty header when none did (the rows go
// in the next packet).
func (e *templated) closeRows(rows int) {
	if rows == 0 {
		e.n = e.setStart
		e.setStart = -1
		return
	}
	e.closeSet()
}

// closeSet writes the open set's header; v9 sets are padded to 4 bytes
// (RFC 3954), IPFIX sets are left unpadded, which RFC 7011 allows.
func (e *templated) closeSet() {
	if e.setStart < 0 {
		return
	}
	if e.cfg.Version == V9 {
		for e.n%4 != 0 {
			e.buf[e.n] = 0
			e.n++
		}
	}
	be.PutUint16(e.buf[e.setStart:], e.setID)
	be.PutUint16(e.buf[e.setStart+2:], uint16(e.n-e.setStart))
	e.setStart = -1
	e.countSet(e.setID, e.records-e.setRecs)
}

func (e *templated) emit() error {
	e.closeSet()
	now := e.cfg.Clock.Now()
	b := e.buf
	if e.cfg.Version == IPFIX {
		be.PutUint16(b[0:], 10)
		be.PutUint16(b[2:], uint16(e.n))
		be.PutUint32(b[4:], uint32(now.Unix()))
		be.PutUint32(b[8:], e.seq)
		be.PutUint32(b[12:], e.cfg.ObservationDomain)
		e.seq += uint32(e.dataRecs + e.optDataRecs)
	} else {
		// The v9 header has whole seconds only, and collectors date records
		// as unix_secs - (sysUptime - First): taking both at the same whole
		// second keeps millisecond times exact. That second is rounded up,
		// never down: a sysUptime before a record's Last is a flow ending
		// after its export, which collectors that subtract in 32 bits
		// (pmacct: unix_secs - (sysUptime - Last)/1000) date 49.7 days back.
		sec := v9HeaderTime(now, e.lastEnd)
		be.PutUint16(b[0:], 9)
		be.PutUint16(b[2:], uint16(e.records))
		be.PutUint32(b[4:], e.cfg.uptimeMillis(sec))
		be.PutUint32(b[8:], uint32(sec.Unix()))
		be.PutUint32(b[12:], e.seq)
		be.PutUint32(b[16:], e.cfg.ObservationDomain)
		e.seq++
	}
	e.pktsSinceTpl++
	e.pktsSinceOpt++
	n, info := e.n, PacketInfo{Records: e.dataRecs, Templates: e.templates, Packets: e.dataPkts, Flows: e.dataFlows, Bytes: e.dataBytes, LastSeq: e.lastSeq,
		DataTemplates: int(e.pendIn(e.templateSetID())), OptionsTemplates: int(e.pendIn(e.optionsSetID()))}
	e.n = 0
	e.openedAt = time.Time{}
	e.lastEnd = time.Time{}
	e.records, e.dataRecs, e.optDataRecs, e.dataPkts, e.dataFlows, e.dataBytes, e.lastSeq = 0, 0, 0, 0, 0, 0, 0
	if err := e.out.WritePacket(b[:n], info); err != nil {
		e.settle(false, now)
		return fmt.Errorf("write %s packet: %w", e.cfg.Version.Label(), err)
	}
	e.settle(true, now)
	return nil
}

// encode writes one data record of template t.
// v9HeaderTime is the whole second a v9 header gives as both sysUptime and
// unix_secs: the first one at or after the export and the packet's latest
// flow end, so that no record's Last is after the header's sysUptime.
func v9HeaderTime(now, lastEnd time.Time) time.Time {
	t := now
	if lastEnd.After(t) {
		t = lastEnd
	}
	sec := t.Truncate(time.Second)
	if sec.Before(t) {
		sec = sec.Add(time.Second)
	}
	return sec
}

func (e *templated) encode(b []byte, t *template, r *flow.Record, flows uint64) {
	cfg := &e.cfg
	off := 0
	for _, f := range t.fields {
		d := b[off : off+int(f.length)]
		off += int(f.length)
		switch f.e {
		case eSrcAddr:
			putAddr(d, r.SrcAddr)
		case eDstAddr:
			putAddr(d, r.DstAddr)
		case eNextHop, eBGPNextHop:
			putAddr(d, r.NextHop)
		case eInputIf:
			putUint(d, uint64(r.InputIf))
		case eOutputIf:
			putUint(d, uint64(r.OutputIf))
		case ePackets:
			putUint(d, r.Packets)
		case eBytes:
			putUint(d, r.Bytes)
		case eFlows:
			putUint(d, flows)
		case eFirstUptime:
			putUint(d, uint64(cfg.uptimeMillis(r.Start)))
		case eLastUptime:
			putUint(d, uint64(cfg.uptimeMillis(r.End)))
		case eFirstMillis:
			putUint(d, uint64(r.Start.UnixMilli()))
		case eLastMillis:
			putUint(d, uint64(r.End.UnixMilli()))
		case eSrcPort:
			putUint(d, uint64(r.SrcPort))
		case eDstPort:
			putUint(d, uint64(r.DstPort))
		case eTCPFlags:
			putUint(d, uint64(r.TCPFlags))
		case eProto:
			putUint(d, uint64(r.Proto))
		case eToS:
			putUint(d, uint64(r.ToS))
		case eSrcAS:
			src, _ := asPair(cfg, r)
			putUint(d, uint64(src))
		case eDstAS:
			_, dst := asPair(cfg, r)
			putUint(d, uint64(dst))
		case eSrcMask:
			putUint(d, uint64(r.SrcMask))
		case eDstMask:
			putUint(d, uint64(r.DstMask))
		case eSamplerID:
			id := cfg.Sampler.ID
			if r.SamplerID != 0 {
				id = uint8(r.SamplerID)
			}
			putUint(d, uint64(id))
		case eEndReason:
			putUint(d, uint64(r.EndReason))
		case eMinTTL:
			putUint(d, uint64(r.MinTTL))
		case eMaxTTL:
			putUint(d, uint64(r.MaxTTL))
		case eSrcMAC:
			copy(d, r.SrcMAC[:])
		case eDstMAC:
			copy(d, r.DstMAC[:])
		case eVLAN, eInnerVLAN, ePostVLAN, ePostInnerVLAN:
			// Only templates with the post pair (a direction) tell an
			// egress record's tags apart.
			post := f.e == ePostVLAN || f.e == ePostInnerVLAN
			egress := r.Direction == flow.DirEgress && (cfg.Direction || cfg.Biflow)
			var v uint16
			switch {
			case post != egress:
			case f.e == eVLAN || f.e == ePostVLAN:
				v = r.VLAN
			default:
				v = r.InnerVLAN
			}
			putUint(d, uint64(v))
		case eIPVersion:
			d[0] = 4 // aggregation caches take IPv4 only
		case eAppID:
			putUint(d, uint64(appclass.ApplicationID(cfg.AppClasses.Classify(r.Proto, r.SrcPort, r.DstPort))))
		case eICMPTypeCode:
			var tc uint16
			switch {
			case cfg.Capture&CaptureICMP != 0 && r.Captured.Fields&flow.CapICMP != 0:
				tc = r.Captured.ICMPTypeCode // the first packet's, whatever the mask
			case r.Proto == 1 || r.Proto == 58:
				tc = r.DstPort
			}
			putUint(d, uint64(tc))
		case eIPID:
			putUint(d, uint64(r.Captured.IPID))
		case eMinLength:
			putUint(d, uint64(r.Captured.MinLength))
		case eMaxLength:
			putUint(d, uint64(r.Captured.MaxLength))
		case eFragOffset:
			putUint(d, uint64(r.Captured.FragOffset))
		case eFlowLabel:
			putUint(d, uint64(r.Captured.FlowLabel))
		case eFragFlags:
			putUint(d, uint64(r.Captured.FragFlags))
		case eExt6:
			putUint(d, uint64(r.Captured.Ext6))
		case eLabel1, eLabel2, eLabel3:
			e := r.Captured.Labels[f.e-eLabel1]
			d[0], d[1], d[2] = byte(e>>24), byte(e>>16), byte(e>>8)
		case eRouteBGPNextHop:
			putAddr(d, r.BGPNextHop)
		case eDirection:
			v, _ := r.Direction.IE()
			putUint(d, uint64(v))
		case eBiflowDir:
			putUint(d, uint64(r.Biflow.IE()))
		case eRevPackets:
			putUint(d, r.Reverse.Packets)
		case eRevBytes:
			putUint(d, r.Reverse.Bytes)
		case eRevFirstMillis:
			putUint(d, unixMillis(r.Reverse.Start))
		case eRevLastMillis:
			putUint(d, unixMillis(r.Reverse.End))
		case eRevTCPFlags:
			putUint(d, uint64(r.Reverse.TCPFlags))
		case eRevMinTTL:
			putUint(d, uint64(r.Reverse.MinTTL))
		case eRevMaxTTL:
			putUint(d, uint64(r.Reverse.MaxTTL))
		default:
			clear(d)
		}
	}
}

// unixMillis is 0 for a direction that sent nothing.
func unixMillis(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.UnixMilli())
}

// putAddr writes an address in the template's width.
func putAddr(d []byte, a netip.Addr) {
	if len(d) == 16 {
		put16(d, a)
		return
	}
	put4(d, a)
}

func (e *templated) templateKeys() (data, options []string) {
	for _, t := range [...]*template{e.main4, e.main6, e.agg} {
		if t != nil {
			data = append(data, fmt.Sprintf("v%d %d %v", e.cfg.Version, t.id, t.fields))
		}
	}
	for _, t := range [...]*optionsTemplate{e.sampler, e.ifNames, e.appNames, e.expStats} {
		if t != nil {
			options = append(options, fmt.Sprintf("v%d %d %v %v", e.cfg.Version, t.id, t.scope, t.options))
		}
	}
	return data, options
}
