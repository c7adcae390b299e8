package datapath

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

// HarvestRequest says which flows to take out of the table. Zero times
// disable that test.
type HarvestRequest struct {
	IdleBefore   time.Time // last packet before this: EndIdle (EndNoResource if Emergency)
	ActiveBefore time.Time // first packet before this: EndActive; the entry restarts its counters
	EndOfFlow    bool      // flows that saw TCP FIN or RST: EndOfFlow
	Force        bool      // every flow: EndForced
	Emergency    bool
	// FastBefore/FastThreshold: Catalyst fast aging, flows created before
	// FastBefore with fewer than FastThreshold packets end as idle.
	FastBefore    time.Time
	FastThreshold uint64
}

// cutoffs is a HarvestRequest in datapath time stamps.
type cutoffs struct {
	idle, active, fast         uint32
	hasIdle, hasActive, fastOn bool
	fastThreshold              uint64
	eof, force, emergency      bool
}

func (req HarvestRequest) cutoffs(clk clockPair) cutoffs {
	c := cutoffs{eof: req.EndOfFlow, force: req.Force, emergency: req.Emergency, fastThreshold: req.FastThreshold}
	if !req.IdleBefore.IsZero() {
		c.hasIdle, c.idle = true, clk.stampOf(req.IdleBefore)
	}
	if !req.ActiveBefore.IsZero() {
		c.hasActive, c.active = true, clk.stampOf(req.ActiveBefore)
	}
	if !req.FastBefore.IsZero() {
		c.fastOn, c.fast = true, clk.stampOf(req.FastBefore)
	}
	return c
}

// before reports whether stamp a is earlier than b (serial arithmetic).
func before(a, b uint32) bool { return int32(a-b) < 0 }

// endReason decides whether a live flow ends in this pass, and why.
func (c *cutoffs) endReason(packets uint64, first, last uint32, state byte) flow.EndReason {
	switch {
	case c.force:
		return flow.EndForced
	case c.eof && state&stFinEvent != 0:
		return flow.EndOfFlow
	case c.hasIdle && before(last, c.idle):
		if c.emergency {
			return flow.EndNoResource
		}
		return flow.EndIdle
	case c.fastOn && first != 0 && before(first, c.fast) && packets < c.fastThreshold:
		return flow.EndIdle
	}
	return 0
}

// Harvest takes the flows req selects out of the table and hands each to
// emit (the record is reused after emit returns). It returns how many
// records it emitted.
//
// It works on the table in place, in three steps. MARK flags ending flows
// draining with an atomic OR (active-timeout splits take their counters at
// once with atomic swaps, the entry living on). Then it waits for an RCU
// grace period: every XDP run that might have seen a flow live has
// finished, and later ones skip draining slots and create a fresh entry.
// COLLECT then copies each draining slot, now final, and frees it. An
// increment is therefore in exactly one harvested record.
func (d *Datapath) Harvest(req HarvestRequest, emit func(*flow.Record)) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.tab.harvest(req, emit, d.waitForWriters)
}

func (t *table) harvest(req HarvestRequest, emit func(*flow.Record), waitForWriters func() error) (int, error) {
	clk, err := readClocks()
	if err != nil {
		return 0, err
	}
	c := req.cutoffs(clk)
	var rec flow.Record
	n := 0
	out := func() {
		n++
		if emit != nil {
			emit(&rec)
		}
	}
	var marked []slotRef
	for fi := range t.fam {
		f := &t.fam[fi]
		f.forEachUsed(func(slot uint32) {
			off := f.slotOff(slot)
			attrs := f.slots.u32(off + offAttrs)
			state := byte(atomic.LoadUint32(attrs) >> 24)
			if state&stDraining != 0 {
				marked = append(marked, slotRef{uint8(fi), slot}) // left by an interrupted harvest
				return
			}
			packets := atomic.LoadUint64(f.slots.u64(off + offPackets))
			first := atomic.LoadUint32(f.slots.u32(off + offFirst))
			last := atomic.LoadUint32(f.slots.u32(off + offLast))
			if r := c.endReason(packets, first, last, state); r != 0 {
				atomic.OrUint32(attrs, uint32(stDraining|byte(r)<<stReasonShift)<<24)
				marked = append(marked, slotRef{uint8(fi), slot})
				return
			}
			if c.hasActive && first != 0 && before(first, c.active) {
				// Active timeout: take the counters, restart the flow.
				f.decode(slot, clk, &rec)
				rec.Packets = atomic.SwapUint64(f.slots.u64(off+offPackets), 0)
				rec.Bytes = atomic.SwapUint64(f.slots.u64(off+offBytes), 0)
				rec.TCPFlags = uint8(atomic.AndUint32(f.slots.u32(off+offTCP), 0xffffff00))
				atomic.StoreUint32(f.slots.u32(off+offFirst), 0)
				rec.EndReason = flow.EndActive
				if rec.Packets != 0 || rec.Bytes != 0 {
					out()
				}
			}
		})
	}
	if len(marked) == 0 {
		return n, nil
	}
	if err := waitForWriters(); err != nil {
		return n, err
	}
	for _, m := range marked {
		f := &t.fam[m.fam]
		f.decode(m.slot, clk, &rec)
		rec.EndReason = flow.EndReason(byte(atomic.LoadUint32(f.slots.u32(f.slotOff(m.slot)+offAttrs))>>24) >> stReasonShift & 7)
		// A split husk with no packets since ends without a record.
		if rec.Packets != 0 || rec.Bytes != 0 {
			out()
		}
		f.free(m.slot)
	}
	return n, nil
}

// waitForWriters returns after an RCU grace period: every XDP run that
// started before it has finished. Updating an array-of-maps slot makes the
// kernel call synchronize_rcu() before returning, for the same reason.
func (d *Datapath) waitForWriters() error {
	if err := d.gpOuter.Put(uint32(0), d.gpInner); err != nil {
		return fmt.Errorf("wait for datapath writers: %w", err)
	}
	return nil
}

// decode fills r from a slot (little-endian, packed as in meter.h).
func (f *family) decode(slot uint32, clk clockPair, r *flow.Record) {
	le := binary.LittleEndian
	off := f.slotOff(slot)
	v := f.slots.mem[off : off+f.slotSize]
	k := v[offKey:]
	*r = flow.Record{}
	r.Packets = le.Uint64(v[offPackets:])
	r.Bytes = le.Uint64(v[offBytes:])
	first, last := le.Uint32(v[offFirst:]), le.Uint32(v[offLast:])
	if first == 0 {
		first = last
	}
	r.Start = clk.wallOf(first)
	r.End = clk.wallOf(last)
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
	if f.v4 {
		r.SrcAddr = netip.AddrFrom4([4]byte(k[0:4]))
		r.DstAddr = netip.AddrFrom4([4]byte(k[4:8]))
		r.SrcPort = le.Uint16(k[8:])
		r.DstPort = le.Uint16(k[10:])
		r.InputIf = le.Uint32(k[12:])
		r.Proto = k[16]
		return
	}
	r.SrcAddr = netip.AddrFrom16([16]byte(k[0:16]))
	r.DstAddr = netip.AddrFrom16([16]byte(k[16:32]))
	r.SrcPort = le.Uint16(k[32:])
	r.DstPort = le.Uint16(k[34:])
	r.InputIf = le.Uint32(k[36:])
	r.Proto = k[40]
}

// Usage reports the flows in the cache and its size.
func (d *Datapath) Usage() (used, capacity int, err error) {
	return int(atomic.LoadUint64(d.tab.fam[0].live)), d.opts.Entries, nil
}

// Peek reads every live flow without removing it (top talkers, `show ip
// cache flow`). Counters are read while writers go on, so a record is a
// moment's view, not a harvest.
func (d *Datapath) Peek(emit func(*flow.Record)) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	clk, err := readClocks()
	if err != nil {
		return err
	}
	var rec flow.Record
	for fi := range d.tab.fam {
		f := &d.tab.fam[fi]
		f.forEachUsed(func(slot uint32) {
			f.decode(slot, clk, &rec)
			if rec.Packets != 0 {
				emit(&rec)
			}
		})
	}
	return nil
}
