package export

import (
	"errors"
	"fmt"
	"github.com/flowtap/flowtap/appliance/anon"
	"log/slog"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowtap/flowtap/appliance/biflow"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/appliance/spool"
)

// RecordExporter receives expired main-cache records. The pointer is only
// valid during the call. Exporter and Destinations implement it.
type RecordExporter interface {
	Export(rec *flow.Record)
}

// Transport defaults.
const (
	// DefaultFlushAge is IOS RECORD_OLD: a partial packet older than this is
	// sent.
	DefaultFlushAge   = 10 * time.Second
	DefaultFlushCheck = time.Second
	DefaultQueueLen   = 64
	// DefaultMaxRate is 4000 packets/s, 120,000 v9 flows/s: more than
	// the ager expires from the largest cache, little enough for a
	// collector with a default 208 KiB socket buffer to be descheduled
	// for 20 ms without losing a packet.
	DefaultMaxRate = 4000
	rateBurst      = 16   // packets sent back to back before pacing starts
	legacySlotSize = 1500 // v5, v7 and v8 packets are at most 1464 B
)

// DestinationConfig is one `ip flow-export destination`.
type DestinationConfig struct {
	Collector netip.AddrPort // IPv4 or IPv6, unicast or multicast
	// Source is the optional local address (`ip flow-export source`) and
	// port; zero values let the kernel choose.
	Source netip.AddrPort
	// TTL is the multicast TTL (hop limit) for a multicast collector, the
	// unicast TTL otherwise; 0 keeps the kernel default.
	TTL     int
	Encoder EncoderConfig

	QueueLen int // packets waiting to be sent; 0 means 64
	// MaxRate paces the sends, in packets per second (0 means
	// DefaultMaxRate, -1 unpaced), so a burst of expiries does not
	// overrun the collector's socket buffer, where a loss would go
	// unseen. Export waits meanwhile, as it does for a full queue.
	MaxRate    int
	FlushAge   time.Duration // 0 means 10 s
	FlushCheck time.Duration // how often the age is checked; 0 means 1 s

	// Layer2VLANs, when set, is `ip flow export layer2-switched vlan
	// LIST`: a tagged record is exported only if its outer VLAN is
	// listed, else counted in Stats.Layer2NotSelected; untagged records
	// always go. Main cache only.
	Layer2VLANs platform.VLANSet

	// NDEFilters are a PFC's `mls nde flow include|exclude`: a record
	// they leave out is not exported and is counted in Stats.NDEFiltered.
	// Main cache only.
	NDEFilters platform.NDEFilters

	// Family, when 4 or 6, is the one address family this collector
	// gets (a JunOS flow-server under one family): a record of the other
	// is not exported to it and is counted in Stats.FamilyNotSelected.
	Family int

	// Anon is what this collector gets instead of real addresses
	// (truncation, Crypto-PAn); the cache, the CLI and SNMP keep them.
	Anon anon.Scheme

	// BiflowHold is how long, with Encoder.Biflow, a direction waits
	// for the other one (the cache's inactive timeout); 0 means 15 s.
	BiflowHold time.Duration
}

// DefaultBiflowHold is IOS's default inactive timeout.
const DefaultBiflowHold = 15 * time.Second

// Exporter sends one cache's records to one collector. Packets go
// through a bounded queue to a sender goroutine. While the collector is
// reachable Export waits for room in the queue, so nothing is dropped;
// once sends fail or the collector answers with ICMP unreachable, Export
// stops waiting and every packet that does not reach it is counted as
// lost, with its flows and their packets, until a probe gets through.
type Exporter struct {
	cfg     DestinationConfig
	clock   Clock
	started time.Time // when it was opened: its counters count from here
	q       *packetQueue
	stats   counters
	snd     sender
	// pathPayload is the largest UDP payload the route to the collector
	// carried unfragmented when it was dialled (0: unknown); the encoder
	// makes no larger packets. Guarded by mu. dialledPayload is the one
	// the sender found when it dialled an exporter made without a
	// socket (0: nothing new); the next record takes it to the encoder.
	pathPayload    int
	dialledPayload atomic.Int64
	// local is the socket's local address once dialled (the
	// exporter-statistics row's exporter end).
	local atomic.Pointer[netip.AddrPort]

	mu     sync.Mutex // guards enc, pairs, closed and encoded; encoding happens under it
	enc    Encoder
	pairs  *biflow.Pairer // nil unless the destination takes biflows
	closed bool
	// encoded are the ledger numbers of the flows in the encoder's open
	// packet, in the order it took them: a packet it writes carries the
	// first PacketInfo.Flows of them (none without a ledger).
	encoded []uint64

	// reconfigured is the encoder configuration Reconfigure last set
	// (nil: cfg's); cfg itself never changes, so Stats and Config read
	// it without mu.
	reconfigured atomic.Pointer[EncoderConfig]

	// mark is the destination's progress in the spool (nil: no spool);
	// the sender moves it, Export reads what it had sent before a kill.
	// given is the highest spool sequence Export was handed, marked the
	// highest a marker was queued for (markDealt).
	mark          *spool.Mark
	given, marked uint64
	// held is, for a destination that holds records longer than the
	// spool's ring keeps them (an aggregation cache's, a biflow one),
	// its running totals in the spool (nil: none): what it was given and
	// has not written or counted yet. Guarded by mu; the sender has it
	// too.
	held *spool.Consumer

	stop chan struct{}
	wg   sync.WaitGroup
}

// withDefaults fills the settings left zero with their defaults, as the
// exporter runs them.
func (cfg DestinationConfig) withDefaults() DestinationConfig {
	if cfg.QueueLen == 0 {
		cfg.QueueLen = DefaultQueueLen
	}
	if cfg.FlushAge == 0 {
		cfg.FlushAge = DefaultFlushAge
	}
	if cfg.FlushCheck == 0 {
		cfg.FlushCheck = DefaultFlushCheck
	}
	if cfg.MaxRate == 0 {
		cfg.MaxRate = DefaultMaxRate
	}
	return cfg
}

// NewExporter opens the socket and starts the sender and the partial-packet
// flusher.
func NewExporter(cfg DestinationConfig) (*Exporter, error) {
	if !cfg.Collector.IsValid() || cfg.Collector.Port() == 0 {
		return nil, fmt.Errorf("export destination %s: want an address and a port", cfg.Collector)
	}
	cfg = cfg.withDefaults()
	if cfg.QueueLen < 1 || cfg.FlushAge < 0 || cfg.FlushCheck < 0 || cfg.MaxRate < -1 {
		return nil, fmt.Errorf("export destination %s: queue length, flush times and rate must be positive", cfg.Collector)
	}
	if cfg.TTL < 0 || cfg.TTL > 255 {
		return nil, fmt.Errorf("export destination %s: ttl %d: want 1..255", cfg.Collector, cfg.TTL)
	}
	cfg.Encoder.Clock = clockOrSystem(cfg.Encoder.Clock)

	e := &Exporter{cfg: cfg, clock: cfg.Encoder.Clock, started: cfg.Encoder.Clock.Now(), stop: make(chan struct{})}
	// A collector the socket cannot reach now (no route, a source address
	// the host does not have, a link-local address without its link) is
	// not refused: refusing it held back every other destination of the
	// same change. The exporter is made, counts each packet as a send
	// error with the reason and dials again as it probes.
	conn, err := dialCollector(cfg.Collector, cfg.Source, cfg.TTL)
	if err != nil {
		e.stats.setError(err)
	} else {
		e.pathPayload = pathPayload(conn, cfg.Collector.Addr())
	}
	encCfg := cfg.Encoder
	encCfg.pathPayload = e.pathPayload
	encCfg.exporterStats = e.exporterStatsRow
	enc, err := NewEncoder(encCfg, PacketWriterFunc(e.enqueue))
	if err != nil {
		if conn != nil {
			conn.Close()
		}
		return nil, fmt.Errorf("export destination %s: %w", cfg.Collector, err)
	}
	e.enc = enc
	if cfg.Encoder.Biflow {
		hold := cfg.BiflowHold
		if hold <= 0 {
			hold = DefaultBiflowHold
		}
		e.pairs = biflow.New(hold, e.exportOne)
	}
	slot := legacySlotSize
	if cfg.Encoder.Version.Templated() {
		slot = cfg.Encoder.withDefaults().MaxPacketSize
	}
	e.q = newPacketQueue(cfg.QueueLen, slot)
	e.snd.e = e
	if conn != nil {
		e.snd.attach(conn)
	}
	e.wg.Add(2)
	go e.snd.run()
	go e.flushOld()
	return e, nil
}

// Started is when the exporter was opened, where its counters start.
func (e *Exporter) Started() time.Time { return e.started }

// Config returns the destination's configuration.
func (e *Exporter) Config() DestinationConfig {
	c := e.cfg
	if r := e.reconfigured.Load(); r != nil {
		c.Encoder = *r
	}
	return c
}

// Export encodes a main-cache record.
func (e *Exporter) Export(rec *flow.Record) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		f := e.seqsOf(rec)
		e.stats.dropRecord(rec.Packets, f.list()...)
		return
	}
	e.given = max(e.given, rec.SpoolSeq)
	e.followPath()
	if e.cfg.Layer2VLANs != nil && rec.VLAN != 0 && !e.cfg.Layer2VLANs.Has(rec.VLAN) {
		e.stats.layer2NotSelected.Add(1)
		e.stats.layer2NotSelectedPackets.Add(rec.Packets)
		e.settle(outcomeLayer2, rec)
		e.held.Fold(rec.SpoolSeq, spool.Tally{}) // taken, and counted
		return
	}
	if f := e.cfg.NDEFilters; f.Set() && !f.Exports(rec.SrcAddr, rec.DstAddr, rec.SrcPort, rec.DstPort, rec.Proto) {
		e.stats.ndeFiltered.Add(1)
		e.stats.ndeFilteredPackets.Add(rec.Packets)
		e.settle(outcomeNDE, rec)
		e.held.Fold(rec.SpoolSeq, spool.Tally{}) // taken, and counted
		return
	}
	if f := e.cfg.Family; f != 0 && rec.IsIPv6() != (f == 6) {
		e.stats.familyNotSelected.Add(1)
		e.stats.familyNotSelectedPackets.Add(rec.Packets)
		e.settle(outcomeFamily, rec)
		e.held.Fold(rec.SpoolSeq, spool.Tally{}) // taken, and counted
		return
	}
	if rec.Replayed && !e.replay(rec) {
		e.settle(outcomeNone, rec) // sent before the kill, or not this destination's
		return
	}
	// Owed from its first record on, none before (spool.Unstarted).
	e.mark.Start(rec.SpoolSeq)
	e.templatesAfterOutage()
	if e.pairs != nil {
		// Held until written: a kill counts it lost (held.go).
		e.held.Fold(rec.SpoolSeq, spool.Tally{Flows: 1, Packets: rec.Packets, Bytes: rec.Bytes})
		// Paired on the real addresses: anonymized ones may collide.
		e.pairs.Add(rec, e.clock.Now())
		return
	}
	e.exportOne(rec)
}

// UseSpool registers the destination in sp, under its collector's
// address: from now on each packet it writes marks its records sent, and
// if the daemon before had the same destination, the records it replays
// from sp (Record.Replayed) go out here only if that one had not sent
// them. A biflow destination holds records back to pair them, out of
// the spool's order, for longer than the ring keeps them: it keeps the
// totals of what it holds in sp instead (spool.HeldBiflow), which a
// daemon started after a kill counts as lost, and is replayed nothing.
func (e *Exporter) UseSpool(sp *spool.Spool) error {
	if sp == nil {
		return nil
	}
	if e.pairs != nil {
		_, err := e.holdIn(sp, spool.HeldBiflow, 0)
		return err
	}
	m, err := sp.Register(e.cfg.Collector.String())
	if err != nil {
		return fmt.Errorf("export destination %s: %w", e.cfg.Collector, err)
	}
	e.mu.Lock()
	e.mark = m
	e.mu.Unlock()
	// v9 and IPFIX carry every main-cache flow: none is left out but by
	// a layer-2 VLAN list, an NDE flow filter or a family.
	m.SetTakesAll(e.cfg.Layer2VLANs == nil && !e.cfg.NDEFilters.Set() && e.cfg.Family == 0 && e.cfg.Encoder.Version.Templated())
	e.snd.mark.Store(m)
	m.SetKick(func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if !e.closed {
			e.enc.Flush() // enqueue cannot fail
			e.markDealt()
		}
	})
	return nil
}

// HoldAggregates gives the destination of an aggregation cache of
// scheme an entry in sp for the totals of what it holds: the cache folds
// records into it (spool.Consumer.Fold), the destination takes out each
// aggregate it writes or counts.
func (e *Exporter) HoldAggregates(sp *spool.Spool, scheme platform.Scheme) (*spool.Consumer, error) {
	return e.holdIn(sp, spool.HeldAggregation, byte(scheme))
}

func (e *Exporter) holdIn(sp *spool.Spool, kind spool.HeldKind, sub byte) (*spool.Consumer, error) {
	c, err := sp.Hold(kind, sub, e.cfg.Collector)
	if err != nil {
		return nil, fmt.Errorf("export destination %s: %w", e.cfg.Collector, err)
	}
	e.mu.Lock()
	e.held = c
	e.mu.Unlock()
	e.snd.held.Store(c)
	return c, nil
}

// Detach says the destination is given no more records (it is out of
// the fanout and about to close): what it holds still counts until it
// is written.
func (e *Exporter) Detach() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.held.Stop()
}

// infoTally is what a packet carries of what its destination holds.
func infoTally(info PacketInfo) spool.Tally {
	return spool.Tally{Flows: info.Flows, Packets: info.Packets, Bytes: info.Bytes}
}

// recordTally is what one record (a biflow: both directions) is of it.
func recordTally(r *flow.Record) spool.Tally {
	t := spool.Tally{Flows: 1, Packets: r.Packets + r.Reverse.Packets, Bytes: r.Bytes + r.Reverse.Bytes}
	if r.Biflow != flow.BiflowNone && r.Reverse.Packets|r.Reverse.Bytes != 0 {
		t.Flows++
	}
	return t
}

// markDealt queues a marker behind the packets queued so far: once the
// sender reaches it, every record Export was given has been written,
// counted as lost or left out (a record the format cannot carry, a VLAN
// not selected), and the mark moves past them all. Only packets move
// the mark otherwise, so a destination that sends nothing for a while
// would hold the spool's ring. With no free slot in the queue, the next
// call tries again. The encoder's open packet must be empty. e.mu is
// held.
func (e *Exporter) markDealt() {
	if e.mark == nil || e.given <= e.marked {
		return
	}
	if e.q.put(nil, PacketInfo{LastSeq: e.given}) {
		e.marked = e.given
	}
}

// replay decides whether a record the spool kept from a killed daemon
// goes out here: not if this destination was not there (no mark it had
// before) or had sent it; a record of the packet it was writing at the
// kill goes out again and is counted as possibly sent twice. e.mu is
// held.
func (e *Exporter) replay(rec *flow.Record) bool {
	m := e.mark
	if m == nil || !m.Adopted() || rec.SpoolSeq <= m.SentBefore {
		return false
	}
	e.stats.resent.Add(1)
	e.stats.resentPackets.Add(rec.Packets)
	if rec.SpoolSeq <= m.SendingBefore {
		e.stats.doubt.Add(1)
		e.stats.doubtPackets.Add(rec.Packets)
	}
	return true
}

// exportOne anonymizes (for this collector only) and encodes a record;
// e.mu is held.
func (e *Exporter) exportOne(rec *flow.Record) {
	if e.cfg.Anon.Active() {
		r := *rec
		e.anonymize(&r)
		rec = &r
	}
	f := e.seqsOf(rec)
	e.encoded = append(e.encoded, f.list()...)
	if e.count(e.enc.Add(rec), rec, 1) {
		// In no packet: the last ones numbered, as no packet written
		// meanwhile took more flows than it carried.
		e.encoded = e.encoded[:max(0, len(e.encoded)-f.n)]
		e.stats.ledger.Load().settle(outcomeNotExportable, f.list()...)
	}
}

// seqsOf are rec's flows' ledger numbers, none without a ledger.
func (e *Exporter) seqsOf(rec *flow.Record) flowSeqs {
	if e.stats.ledger.Load() == nil {
		return flowSeqs{}
	}
	return recordSeqs(rec)
}

// settle gives the ledger this destination's outcome for rec.
func (e *Exporter) settle(o outcome, rec *flow.Record) {
	if l := e.stats.ledger.Load(); l != nil {
		f := recordSeqs(rec)
		l.settle(o, f.list()...)
	}
}

// useLedger makes the exporter settle the flows it is given in l.
func (e *Exporter) useLedger(l *Ledger) { e.stats.ledger.Store(l) }

// anonymize rewrites the addresses of a copy about to be encoded: every
// one a record carries, the BGP next hop (bgp-nexthop) too, which names
// the site behind it as the IP next hop does.
func (e *Exporter) anonymize(r *flow.Record) {
	r.SrcAddr = e.cfg.Anon.Addr(r.SrcAddr)
	r.DstAddr = e.cfg.Anon.Addr(r.DstAddr)
	r.NextHop = e.cfg.Anon.Addr(r.NextHop)
	r.BGPNextHop = e.cfg.Anon.Addr(r.BGPNextHop)
}

// ExportAggregate encodes an aggregation-cache entry.
func (e *Exporter) ExportAggregate(a *Aggregate) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		e.stats.dropRecord(a.Packets)
		e.held.Done(spool.Tally{Flows: a.Flows, Packets: a.Packets, Bytes: a.Bytes})
		return
	}
	e.followPath()
	e.templatesAfterOutage()
	if e.cfg.Anon.Active() {
		c := *a
		e.anonymize(&c.Record)
		a = &c
	}
	e.count(e.enc.AddAggregate(a), &a.Record, a.Flows)
}

// followPath gives the encoder the route's MTU once the sender has
// dialled a collector it could not reach when the exporter was made:
// until then packets were of full size, and on a smaller MTU they left
// in fragments for as long as the exporter lived. The open packet goes
// out as it was built; the next ones fit. e.mu is held.
func (e *Exporter) followPath() {
	// Every record comes here: a plain load keeps the locked swap off
	// its path until the sender has dialled.
	if e.dialledPayload.Load() == 0 {
		return
	}
	p := int(e.dialledPayload.Swap(0))
	if p == 0 || p == e.pathPayload || e.closed {
		return
	}
	enc := e.Config().Encoder
	enc.Clock = e.clock
	old := e.pathPayload
	e.pathPayload = p
	if err := e.swapEncoder(enc); err != nil {
		e.pathPayload = old // cannot be: the settings made an encoder before
	}
}

// templatesAfterOutage makes every packet opened while the collector is
// unreachable, and the first after it answers again, carry the templates:
// a collector that restarted knows none, and would drop the data it gets
// before the next periodic refresh while the exporter counts it as sent.
// e.mu is held.
func (e *Exporter) templatesAfterOutage() {
	if e.snd.unreachable.Load() || e.snd.recovered.Swap(false) {
		if r, ok := e.enc.(interface{ RefreshTemplates() }); ok {
			r.RefreshTemplates()
		}
	}
}

// SetOverloadRate tells the encoder the overload sampling rate in force
// (0: off), for its sampler options and v5 header; a change sends the
// open packet first, as the old rate announced it.
func (e *Exporter) SetOverloadRate(n uint32) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if o, ok := e.enc.(interface{ SetOverloadRate(uint32) error }); ok {
		// The encoder writes to enqueue, which fails nothing: a packet
		// it cannot queue is dropped and counted there.
		_ = o.SetOverloadRate(n)
	}
}

// count books an encoder error. Writing never fails (enqueue drops and
// counts instead), so what is left are records the format refuses: r (of
// flows folded flows) is in no packet, and leaves what the destination
// holds here.
func (e *Exporter) count(err error, r *flow.Record, flows uint64) (refused bool) {
	if err != nil && (errors.Is(err, ErrNotExportable) || errors.Is(err, ErrWrongCache)) {
		e.stats.notExportable.Add(1)
		if e.held != nil {
			t := recordTally(r)
			t.Flows += flows - 1
			e.held.Done(t)
		}
		return true
	}
	return false
}

// Flush sends the partial packet now (`clear ip flow stats`, a version
// change, shutdown).
func (e *Exporter) Flush() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	if e.pairs != nil {
		e.pairs.Flush()
	}
	if err := e.enc.Flush(); err != nil {
		return fmt.Errorf("flush to %s: %w", e.cfg.Collector, err)
	}
	return nil
}

// FlushOld sends the partial packet if it is older than the flush age and
// reports whether it did. The exporter calls it every FlushCheck itself.
func (e *Exporter) FlushOld() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	if e.pairs != nil {
		e.pairs.Expire(e.clock.Now())
	}
	t := e.enc.OpenedAt()
	if t.IsZero() {
		// Nothing open: mark what was left out since the last packet.
		e.markDealt()
		return false
	}
	if e.clock.Now().Sub(t) < e.cfg.FlushAge {
		return false
	}
	e.enc.Flush() // enqueue cannot fail
	return true
}

// SetLogger makes the exporter log when its collector becomes
// unreachable (records are being lost), again while it stays so (after 1,
// 2, 4 ... 64 minutes, then hourly), and when it answers again, with the
// flows and packets lost meanwhile. Until it is called, nothing is logged.
func (e *Exporter) SetLogger(l *slog.Logger) { e.snd.log.Store(l) }

// SetSent has the exporter call f with its collector after each export
// packet it writes (`debug ip flow export`); nil stops it.
func (e *Exporter) SetSent(f func(collector netip.AddrPort)) {
	if f == nil {
		e.snd.sent.Store(nil)
		return
	}
	e.snd.sent.Store(&f)
}

// Stats returns the destination's counters.
func (e *Exporter) Stats() Stats {
	s := e.stats.snapshot()
	s.Unreachable = e.snd.unreachable.Load()
	s.Collector = e.cfg.Collector
	s.Version = e.cfg.Encoder.Version
	s.Layer2Filter = e.cfg.Layer2VLANs != nil
	s.Family = e.cfg.Family
	if e.cfg.Anon.Active() {
		s.Anon = e.cfg.Anon.String()
	}
	if e.pairs != nil {
		s.Biflow = true
		s.BiflowWaiting = e.BiflowsWaiting()
	}
	return s
}

// exporterStatsRow is the exporter-statistics row as of now.
func (e *Exporter) exporterStatsRow() ExporterStatsRow {
	s := e.stats.snapshot()
	r := ExporterStatsRow{Collector: e.cfg.Collector, Messages: s.Packets, Octets: s.Bytes, Flows: s.Records,
		NotSentFlows: s.LostRecords, NotSentPackets: s.LostPackets}
	if l := e.local.Load(); l != nil {
		r.Exporter = *l
	} else {
		r.Exporter = e.cfg.Source
	}
	return r
}

// Close sends what is pending, waits for the queue to drain and closes
// the socket.
func (e *Exporter) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	if e.pairs != nil {
		e.pairs.Flush()
	}
	e.enc.Flush()
	e.closed = true
	e.q.close()
	e.mu.Unlock()
	close(e.stop)
	e.wg.Wait()
	// Everything it was given is sent or counted: it owes the spool
	// nothing more.
	e.mark.Release()
	e.held.Release()
	if e.snd.conn == nil {
		return nil
	}
	if err := e.snd.conn.Close(); err != nil {
		return fmt.Errorf("close socket to %s: %w", e.cfg.Collector, err)
	}
	return nil
}

// enqueue is the encoder's PacketWriter; e.mu is held. While the
// collector is reachable it waits for a free slot: the caller (the
// harvest, in the end) slows down to the rate the collector takes, and
// flows wait in the cache, as on a loaded router. While it is not, a full
// queue refuses the packet, counted as lost to the outage.
func (e *Exporter) enqueue(p []byte, info PacketInfo) error {
	if n := min(int(info.Flows), len(e.encoded)); n > 0 {
		// The packet's flows, in its fate's hands from here.
		info.seqs = slices.Clone(e.encoded[:n])
		e.encoded = append(e.encoded[:0], e.encoded[n:]...)
	}
	if e.snd.unreachable.Load() {
		if !e.q.put(p, info) {
			// Lost to the outage, as the packets the sender discards
			// between probes are: counted under its cause, not as a
			// want of export packets (the queue had room while the
			// collector answered).
			e.stats.failed(info, nil, e.snd.outageCause())
			e.held.Done(infoTally(info))
		}
		return nil
	}
	if !e.q.putWait(p, info, e.stop) {
		e.stats.drop(info)
		e.held.Done(infoTally(info))
	}
	return nil
}

func (e *Exporter) flushOld() {
	defer e.wg.Done()
	t := time.NewTicker(e.cfg.FlushCheck)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
			e.FlushOld()
		}
	}
}

// BiflowsWaiting is how many expired directions wait for their partner.
func (e *Exporter) BiflowsWaiting() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pairs == nil {
		return 0
	}
	return e.pairs.Waiting()
}

// TemplateKeys names the data and options templates the destination
// defines, none for v5, v7 and v8: each key is the template's version,
// ID and fields, so that destinations that send the same template give
// the same key and a device counts it once (CISCO-NETFLOW-MIB's
// cnfTemplateTable is the device's, indexed by template type only).
func (e *Exporter) TemplateKeys() (data, options []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if t, ok := e.enc.(*templated); ok {
		return t.templateKeys()
	}
	return nil, nil
}
