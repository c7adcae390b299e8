package datapath

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/flowtap/flowtap/appliance/expiry"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/spool"
)

// HarvestRequest says which flows to take out of the table. Zero times
// disable that test.
type HarvestRequest struct {
	IdleBefore   time.Time // last packet before this: EndIdle (EndNoResource if Emergency)
	ActiveBefore time.Time // first packet before this: EndActive (the next packet makes a new entry)
	EndOfFlow    bool      // flows that saw TCP FIN or RST: EndOfFlow
	Force        bool      // every flow: EndForced
	Emergency    bool
	// FastBefore/FastThreshold: Catalyst fast aging, flows created before
	// FastBefore with fewer than FastThreshold packets end as idle.
	FastBefore    time.Time
	FastThreshold uint64
}

// safeWindow is how long (ns) the table may go unharvested while its
// 32-bit stamps (2^20 ns ticks, 2^32 of them: 52 days) still tell every
// flow's age exactly: half the stamp range, the other half left for the
// ages the flows already had at the last harvest (idle and active
// timeouts are far shorter).
const safeWindow = int64(1) << (31 + timeShift)

// cutoffs is a HarvestRequest as ages in datapath ticks before now. An
// entry's age is now's stamp minus its own, modulo 2^32: its true age, or
// that less a multiple of 2^32 ticks, never more. So "older than the
// cutoff" is certain whenever the age says so; a stamp that reads as young
// may be a multiple of 52 days older only after an absence longer than
// safeWindow (stale).
type cutoffs struct {
	now                        uint32 // now's stamp
	idle, active, fast         int64  // the cutoffs' ages (negative: a cutoff after now)
	hasIdle, hasActive, fastOn bool
	pass                       expiry.Pass
}

func (req HarvestRequest) cutoffs(clk clockPair, stale bool) cutoffs {
	c := cutoffs{
		now:  uint32(clk.monoNs >> timeShift),
		pass: expiry.Pass{Force: req.Force, EndOfFlow: req.EndOfFlow, Emergency: req.Emergency, FastThreshold: req.FastThreshold, Stale: stale},
	}
	// The cutoff's own stamp as before, so a cutoff splits the ticks
	// where it always did.
	now := clk.monoNs >> timeShift
	age := func(t time.Time) int64 { return now - (clk.monoNs-clk.wall.Sub(t).Nanoseconds())>>timeShift }
	if !req.IdleBefore.IsZero() {
		c.hasIdle, c.idle = true, age(req.IdleBefore)
	}
	if !req.ActiveBefore.IsZero() {
		c.hasActive, c.active = true, age(req.ActiveBefore)
	}
	if !req.FastBefore.IsZero() {
		c.fastOn, c.fast = true, age(req.FastBefore)
	}
	return c
}

// past reports whether stamp t is older than a cutoff of age cut. Before
// this compared the stamps as signed serial numbers, which flips for a
// stamp more than 2^31 ticks (26 days) older than the cutoff: such a flow
// never went idle until the stamps wrapped.
func (c *cutoffs) past(t uint32, cut int64) bool { return ticksSince(c.now, t) > cut }

// decide applies the expiry rules (package expiry, the same function the
// test fake calls) to one live slot. An entry an older version split at
// its active timeout (pinned across the upgrade) has first 0 until its
// next packet; until then its last time stands in for it, as decode does.
// This version never writes a live entry's counters: an active timeout
// ends the entry like any other expiry.
func (c *cutoffs) decide(packets uint64, first, last uint32, state byte) (expiry.Action, flow.EndReason) {
	if first == 0 {
		first = last
	}
	return c.pass.Decide(expiry.Entry{
		Packets:    packets,
		Ended:      state&stFinEvent != 0,
		IdlePast:   c.hasIdle && c.past(last, c.idle),
		FastPast:   c.fastOn && c.past(first, c.fast),
		ActivePast: c.hasActive && c.past(first, c.active),
	})
}

// Harvest takes the flows req selects out of the table and hands each to
// emit (the record is reused after emit returns). It returns how many
// records it emitted.
//
// It works on the table in place, in three steps. MARK flags ending flows
// draining with an atomic OR (an active timeout too: the flow's next
// packet makes a new entry, as on IOS). Then it waits until every XDP
// run that might have seen a flow live has finished (waitForMarks: the
// CPUs' barrier, or an RCU grace period), and later ones skip draining
// slots and create a fresh entry.
// COLLECT then copies each draining slot, now final, and frees it. An
// increment is therefore in exactly one harvested record.
func (d *Datapath) Harvest(req HarvestRequest, emit func(*flow.Record)) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	// Buffered packets first (a quiet CPU's last ones), so that the pass
	// sees every packet metered so far (FlushBatches). A forced pass
	// after a port was detached (a stop's last) flushes after a grace
	// period: a run that began before the detach has buffered its packet
	// by then. With the ports attached (a purge, clear) a packet buffered
	// after the flush is simply the next pass's, so no wait.
	if req.Force && d.detached.Swap(false) {
		if err := d.waitForWriters(); err != nil {
			d.detached.Store(true)
			return 0, err
		}
	}
	// A flush that fails leaves its packets buffered (and counted so):
	// the harvest goes on, and says so.
	ferr := d.FlushBatches()
	n, err := d.tab.harvest(req, emit, d.waitForMarks)
	return n, errors.Join(err, ferr)
}

func (t *table) harvest(req HarvestRequest, emit func(*flow.Record), waitForWriters func() error) (int, error) {
	clk, err := readClocks()
	if err != nil {
		return 0, err
	}
	// After an absence longer than safeWindow a stamp that reads as
	// young cannot be trusted (pass.Stale): this pass empties the table.
	stale := clk.monoNs-int64(atomic.LoadUint64(t.harvestedAt())) > safeWindow
	c := req.cutoffs(clk, stale)
	n := 0
	out := func(rec *flow.Record) {
		n++
		if emit != nil {
			emit(rec)
		}
	}
	// The marked entries' list is kept with the table between passes
	// (harvests take the datapath's lock): made afresh, a full table's
	// grew by appends into new pages, faulted in at every pass.
	marked := t.marked[:0]
	defer func() { t.marked = marked[:0] }()
	slots := t.slots
	t.forEachUsed(func(e entry) {
		off := e.off()
		attrs := slots.u32(off + offAttrs)
		state := byte(atomic.LoadUint32(attrs) >> 24)
		if state&stDraining != 0 {
			marked = append(marked, e) // left by an interrupted harvest
			return
		}
		packets := atomic.LoadUint64(slots.u64(off + offPackets))
		first := atomic.LoadUint32(slots.u32(off + offFirst))
		last := atomic.LoadUint32(slots.u32(off + offLast))
		switch action, r := c.decide(packets, first, last, state); action {
		case expiry.Expire, expiry.Discard:
			// A discarded husk (left by an older version's split) is
			// marked with the reason too: a packet that lands in it
			// before the grace period ends is exported.
			atomic.OrUint32(attrs, uint32(stDraining|byte(r)<<stReasonShift)<<24)
			marked = append(marked, e)
		}
	})
	if len(marked) == 0 {
		atomic.StoreUint64(t.harvestedAt(), uint64(clk.monoNs))
		return n, nil
	}
	if err := waitForWriters(); err != nil {
		return n, err
	}
	// Every entry is now decided by this pass's clock (a stale pass's
	// marks stand whatever happens next: they are collected by the next
	// pass if this one stops).
	atomic.StoreUint64(t.harvestedAt(), uint64(clk.monoNs))
	// Collected in batches of freeBatchSize: each entry's record is
	// committed to the spool, the batch freed in one run of freeProg,
	// then each record flagged Freed and handed on. A kill before the
	// run leaves the batch's entries draining in the table and their
	// records in the spool without Freed, which the next daemon tells
	// apart (SpooledRecord); after it, the spool has every record of the
	// batch whatever the exporters had done with them.
	// At most half the spool's records are held back from the
	// destinations by a batch, so Append can always wait for older ones.
	// Without the kernel's free (a resize's drain of the old table) an
	// entry at a time, as a batch buys nothing there.
	size := freeBatchSize
	if t.freeProg == nil {
		size = 1
	} else if t.sp != nil {
		size = int(max(1, min(uint64(size), t.sp.Slots()/2)))
	}
	if t.batch == nil {
		t.batch = new(collectBatch)
	}
	batch := make([]entry, 0, size)
	recs, seqs, keep := &t.batch.recs, &t.batch.seqs, &t.batch.keep
	flush := func() error {
		if t.sp == nil {
			// No spool: handed on before the free, as a kill between
			// the two then sends the flow again rather than never.
			for i := range batch {
				if keep[i] {
					out(&recs[i])
				}
			}
		}
		if err := t.freeBatch(batch); err != nil {
			return err
		}
		if t.sp != nil {
			for i := range batch {
				if keep[i] {
					t.sp.SetFlags(seqs[i], spool.Freed)
					out(&recs[i])
				}
			}
		}
		batch = batch[:0]
		return nil
	}
	// Entries are collected in the order they were marked, which is
	// memory order; a line is asked for prefetchAhead entries before its
	// turn (see prefetchEntry).
	const prefetchAhead = 16
	for k := range min(prefetchAhead, len(marked)) {
		t.prefetchEntry(marked[k])
	}
	for k, e := range marked {
		if k+prefetchAhead < len(marked) {
			t.prefetchEntry(marked[k+prefetchAhead])
		}
		i := len(batch)
		r := &recs[i]
		t.decode(e, clk, r)
		t.takeExtras(e, r)
		r.EndReason = flow.EndReason(byte(atomic.LoadUint32(slots.u32(e.off()+offAttrs))>>24) >> stReasonShift & 7)
		// A husk an older version split, with no packets since, ends
		// without a record.
		keep[i] = r.Packets != 0 || r.Bytes != 0
		if keep[i] && t.sp != nil {
			seq, sp := t.spoolBegin(e, clk)
			spoolFill(sp, r)
			t.spoolEnd(seq, r, 0)
			seqs[i] = seq
		}
		batch = append(batch, e)
		if len(batch) == size {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// collectBatch is a batch's records, their spool sequences and whether
// each has a record (a husk has none).
type collectBatch struct {
	recs [freeBatchSize]flow.Record
	seqs [freeBatchSize]uint64
	keep [freeBatchSize]bool
}

// waitForWriters returns after an RCU grace period: every XDP run that
// started before it has finished. Updating an array-of-maps slot makes the
// kernel call synchronize_rcu() before returning, for the same reason.
func (d *Datapath) waitForWriters() error {
	d.graceWaits.Add(1)
	if err := d.gpOuter.Put(uint32(0), d.gpInner); err != nil {
		return fmt.Errorf("wait for datapath writers: %w", err)
	}
	return nil
}

// decode fills r from an entry (little-endian, packed as in meter.h).
func (t *table) decode(e entry, clk clockPair, r *flow.Record) {
	if !e.v6 {
		decodeEntry(t.slots.mem[e.off():e.off()+slot4Size], false, clk, r)
		return
	}
	var buf [slot6Size]byte // the head's line and the tail's half, joined
	decodeEntry(t.bytes(e, &buf), true, clk, r)
}

// decodeEntry fills r from the bytes of one entry, struct flow_val then
// the key.
func decodeEntry(v []byte, v6 bool, clk clockPair, r *flow.Record) {
	le := binary.LittleEndian
	k := v[offKey:]
	*r = flow.Record{}
	r.Packets = le.Uint64(v[offPackets:])
	r.Bytes = le.Uint64(v[offBytes:])
	first, last := le.Uint32(v[offFirst:]), le.Uint32(v[offLast:])
	if first == 0 {
		first = last
	}
	r.Start = clk.wallOf(first)
	r.End = r.Start
	if last != first {
		r.End = clk.wallOf(last)
	}
	tcp := le.Uint32(v[offTCP:])
	r.TCPFlags = uint8(tcp)
	r.ToS = uint8(tcp >> 8)
	r.MinTTL = uint8(tcp >> 16)
	r.MaxTTL = uint8(tcp >> 24)
	attrs := le.Uint32(v[offAttrs:])
	r.VLAN = uint16(attrs & 0xfff)
	r.InnerVLAN = uint16(attrs >> 12 & 0xfff)
	copy(r.SrcMAC[:], v[offSMAC:offSMAC+6])
	copy(r.DstMAC[:], v[offDMAC:offDMAC+6])
	if !v6 {
		r.SrcAddr = netip.AddrFrom4([4]byte(k[key4Saddr:]))
		r.DstAddr = netip.AddrFrom4([4]byte(k[key4Daddr:]))
		r.SrcPort = le.Uint16(k[key4Sport:])
		r.DstPort = le.Uint16(k[key4Dport:])
		r.InputIf = le.Uint32(k[key4Ifindex:])
		r.Proto = k[key4Proto]
		r.SamplerID = uint16(k[key4Sampler]) // the pad's high byte is the owner CPU
		return
	}
	r.SrcAddr = netip.AddrFrom16([16]byte(k[key6Saddr:]))
	r.DstAddr = netip.AddrFrom16([16]byte(k[key6Daddr:]))
	r.SrcPort = le.Uint16(k[key6Sport:])
	r.DstPort = le.Uint16(k[key6Dport:])
	r.InputIf = le.Uint32(k[key6Ifindex:])
	r.Proto = k[key6Proto]
	r.SamplerID = uint16(k[key6Sampler])
}

// Usage reports the flows in the cache and its size. The shared live
// counter includes the units each CPU holds in reserve for its next new
// flows (cpu_state.reserve in meter.c); they are free, so they are taken
// off. Under traffic the two reads are a moment apart: the figure is a
// moment's view, exact when the meter is idle.
func (d *Datapath) Usage() (used, capacity int, err error) {
	live := int64(atomic.LoadUint64(d.tab.live))
	var per []meterCpuState
	if err := d.objs.Cpustate.Lookup(uint32(0), &per); err != nil {
		return 0, d.opts.Entries, fmt.Errorf("read per-CPU cache reserves: %w", err)
	}
	for _, c := range per {
		live -= int64(c.Reserve)
	}
	return int(max(live, 0)), d.opts.Entries, nil
}

// Peek reads every live flow without removing it (top talkers, `show ip
// cache flow`). Counters are read while writers go on, so a record is a
// moment's view, not a harvest.
func (d *Datapath) Peek(emit func(*flow.Record)) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	ferr := d.FlushBatches() // if it fails, the rest is still shown
	clk, err := readClocks()
	if err != nil {
		return err
	}
	var rec flow.Record
	extras := [2]map[string]meterFlowExtra{d.tab.peekExtras(0), d.tab.peekExtras(1)}
	d.tab.forEachUsed(func(e entry) {
		d.tab.decode(e, clk, &rec)
		if x, ok := extras[e.family()][string(d.tab.key(e))]; ok && x.FirstT == atomic.LoadUint32(d.tab.slots.u32(e.off()+offFirst)) {
			x.decode(&rec.Captured)
		}
		if rec.Packets != 0 {
			emit(&rec)
		}
	})
	return ferr
}

// StampWindow is how long the table may go without a harvest while its
// flow stamps still date every flow; after a longer absence the next
// harvest exports every flow (see safeWindow).
const StampWindow = time.Duration(safeWindow)

// Unharvested is how long ago the table was last harvested (a table never
// harvested: since it was first opened by a version that records it). A
// daemon starting over pins logs it when it exceeds StampWindow.
func (d *Datapath) Unharvested() (time.Duration, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	clk, err := readClocks()
	if err != nil {
		return 0, err
	}
	return time.Duration(clk.monoNs - int64(atomic.LoadUint64(d.tab.harvestedAt()))), nil
}
