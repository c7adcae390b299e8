package datapath

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/ringbuf"

	"github.com/flowtap/flowtap/appliance/flow"
)

// HarvestRequest says which flows to take out of the maps. Zero times
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

const (
	reapMark    = 1
	reapCollect = 2

	rfIdle      = 0x01
	rfActive    = 0x02
	rfEOF       = 0x04
	rfForce     = 0x08
	rfEmergency = 0x10
	rfFast      = 0x20
)

// Harvest removes the flows req selects and hands each to emit (the record
// is reused after emit returns). It returns how many records it emitted.
//
// Marking and collecting are separate reaper runs with an RCU grace period
// between them: after it, no XDP writer can still be adding to a marked
// entry, so the copy COLLECT takes is final and nothing is lost.
func (d *Datapath) Harvest(req HarvestRequest, emit func(*flow.Record)) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	clk, err := readClocks()
	if err != nil {
		return 0, err
	}
	args := meterReapArgs{Mode: reapMark}
	if !req.IdleBefore.IsZero() {
		args.Flags |= rfIdle
		args.IdleBefore = clk.stampOf(req.IdleBefore)
	}
	if !req.ActiveBefore.IsZero() {
		args.Flags |= rfActive
		args.ActiveBefore = clk.stampOf(req.ActiveBefore)
	}
	if !req.FastBefore.IsZero() {
		args.Flags |= rfFast
		args.FastBefore = clk.stampOf(req.FastBefore)
		args.FastThreshold = uint32(min(req.FastThreshold, 1<<32-1))
	}
	if req.EndOfFlow {
		args.Flags |= rfEOF
	}
	if req.Force {
		args.Flags |= rfForce
	}
	if req.Emergency {
		args.Flags |= rfEmergency
	}

	h := harvester{d: d, clk: clk, emit: emit}
	marked := 0
	for {
		res, err := d.runReaper(args)
		if err != nil {
			return h.n, err
		}
		marked += int(res.Marked)
		if err := h.drain(); err != nil {
			return h.n, err
		}
		if res.OutFull == 0 {
			break
		}
	}
	if marked == 0 {
		return h.n, nil
	}
	if err := d.waitForWriters(); err != nil {
		return h.n, err
	}
	args.Mode = reapCollect
	for {
		res, err := d.runReaper(args)
		if err != nil {
			return h.n, err
		}
		if err := h.drain(); err != nil {
			return h.n, err
		}
		if res.OutFull == 0 {
			break
		}
	}
	return h.n, nil
}

func (d *Datapath) runReaper(args meterReapArgs) (meterReapArgs, error) {
	if err := d.objs.Reap.Set(args); err != nil {
		return args, fmt.Errorf("set reaper arguments: %w", err)
	}
	// XDP test runs need at least an Ethernet header of input.
	if _, err := d.objs.FlowtapReap.Run(&ebpf.RunOptions{Data: make([]byte, 14)}); err != nil {
		return args, fmt.Errorf("run reaper: %w", err)
	}
	var res meterReapArgs
	if err := d.objs.Reap.Get(&res); err != nil {
		return args, fmt.Errorf("read reaper results: %w", err)
	}
	return res, nil
}

// waitForWriters returns after an RCU grace period: every XDP invocation
// that started before it has finished. Updating an array-of-maps slot makes
// the kernel call synchronize_rcu() before returning, for the same reason.
func (d *Datapath) waitForWriters() error {
	if err := d.gpOuter.Put(uint32(0), d.gpInner); err != nil {
		return fmt.Errorf("wait for datapath writers: %w", err)
	}
	return nil
}

type harvester struct {
	d    *Datapath
	clk  clockPair
	emit func(*flow.Record)
	rec  flow.Record
	raw  ringbuf.Record
	n    int
}

const harvestRecSize = 4 + 44 + 44

func (h *harvester) drain() error {
	rd := h.d.harvest
	rd.SetDeadline(time.Now()) // the ring is full of what the reaper wrote: never block
	for {
		err := rd.ReadInto(&h.raw)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read harvest ring: %w", err)
		}
		if len(h.raw.RawSample) < harvestRecSize {
			return fmt.Errorf("harvest record of %d bytes, want %d", len(h.raw.RawSample), harvestRecSize)
		}
		decodeHarvest(h.raw.RawSample, h.clk, &h.rec)
		h.n++
		if h.emit != nil {
			h.emit(&h.rec)
		}
	}
}

// decodeHarvest fills r from a struct harvest_rec (little-endian, packed).
func decodeHarvest(b []byte, clk clockPair, r *flow.Record) {
	le := binary.LittleEndian
	family, reason := b[0], b[1]
	v := b[4:48]
	k := b[48:92]
	*r = flow.Record{}
	r.EndReason = flow.EndReason(reason)
	r.Packets = le.Uint64(v[0:])
	r.Bytes = le.Uint64(v[8:])
	first, last := le.Uint32(v[16:]), le.Uint32(v[20:])
	if first == 0 {
		first = last
	}
	r.Start = clk.wallOf(first)
	r.End = clk.wallOf(last)
	tcp := le.Uint32(v[24:])
	r.TCPFlags = uint8(tcp)
	r.ToS = uint8(tcp >> 8)
	r.MinTTL = uint8(tcp >> 16)
	r.MaxTTL = uint8(tcp >> 24)
	attrs := le.Uint32(v[28:])
	r.VLAN = uint16(attrs & 0xfff)
	r.InnerVLAN = uint16(attrs >> 12 & 0xfff)
	copy(r.SrcMAC[:], v[32:38])
	copy(r.DstMAC[:], v[38:44])
	if family == 4 {
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

// Usage reports live entries and capacity over both families: entries
// created by the meter less those the reaper deleted, both kept in pinned
// maps so the figure survives a daemon restart.
func (d *Datapath) Usage() (used, capacity int, err error) {
	st, err := d.Stats()
	if err != nil {
		return 0, 0, err
	}
	var deleted uint64
	if err := d.objs.Gen1Live.Lookup(uint32(1), &deleted); err != nil {
		return 0, 0, fmt.Errorf("read deleted-entry count: %w", err)
	}
	return int(st.FlowsCreated - deleted), int(d.objs.Flows4.MaxEntries() + d.objs.Flows6.MaxEntries()), nil
}
