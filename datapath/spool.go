package datapath

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/spool"
)

// A spooled record is the entry as the harvest took it: the table's own
// bytes (struct flow_val then the key), the counters as taken, the clock
// pair that dates them, the end reason, the capture fields and where the
// entry was, so that a restarted daemon can tell whether the entry
// outlived its record (the kill came between the spool's commit and the
// free). Copying the entry costs less than encoding a flow.Record.
const (
	spClockMono = 0
	spClockWall = 8
	spFlags     = 16 // spV6, spLeft, spCaptured
	spReason    = 17
	spSlot      = 20
	spEntry     = 24
	spCapture   = spEntry + slot6Size
	// SpoolPayload is the bytes a spooled record takes: putCaptured's
	// 36 after the entry (the 28 of a version without the flow label and
	// extension headers made another geometry, which a start replaces).
	SpoolPayload = spCapture + 36

	spV6       = 1
	spLeft     = 2
	spCaptured = 4
)

// SetSpool makes every harvest write each record it takes to sp before it
// frees the record's entry (nil: no spool). The record's SpoolSeq tells
// the exporters which spooled record they sent.
func (d *Datapath) SetSpool(sp *spool.Spool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.tab.sp = sp
}

// spoolBegin takes the next spool slot for the record of e and copies
// the entry into it as it is now; spoolEnd completes and commits it.
func (t *table) spoolBegin(e entry, clk clockPair) (uint64, []byte) {
	seq, p := t.sp.Append()
	le := binary.LittleEndian
	le.PutUint64(p[spClockMono:], uint64(clk.monoNs))
	le.PutUint64(p[spClockWall:], uint64(clk.wall.UnixNano()))
	var f byte
	if e.v6 {
		f |= spV6
		copy(p[spEntry:], t.slots.mem[e.off():e.off()+lineBytes])
		copy(p[spEntry+lineBytes:], t.slots.mem[e.tailOff():e.tailOff()+tailBytes])
	} else {
		copy(p[spEntry:], t.slots.mem[e.off():e.off()+slot4Size])
	}
	if e.left {
		f |= spLeft
	}
	p[spFlags] = f
	le.PutUint32(p[spSlot:], e.slot)
	return seq, p
}

// spoolFill puts r's end reason and capture fields into the slot
// spoolBegin gave.
func spoolFill(p []byte, r *flow.Record) {
	if c := &r.Captured; c.Fields != 0 {
		p[spFlags] |= spCaptured
		putCaptured(p[spCapture:], c)
	}
	p[spReason] = byte(r.EndReason)
}

// spoolEnd commits the slot spoolBegin gave and spoolFill completed,
// with flags, as r's. The entry is draining and past its grace period,
// so the counters spoolBegin copied are r's: no writer adds to an entry
// the harvest takes, and nothing leaves the table before its record is
// committed (an active timeout no longer swaps counters out of a live
// entry, which left a kill window no order closed). So they are not
// written again (the version that swapped them wrote r's over the copy).
func (t *table) spoolEnd(seq uint64, r *flow.Record, flags uint32) {
	t.sp.Commit(seq, flags)
	r.SpoolSeq = seq
}

func putCaptured(b []byte, c *flow.Captured) {
	le := binary.LittleEndian
	b[0] = byte(c.Fields)
	if c.FragSeen {
		b[1] = 1
	}
	b[2] = c.Depth
	b[3] = c.FragFlags
	le.PutUint32(b[4:], c.IPID)
	le.PutUint16(b[8:], c.FragOffset)
	le.PutUint16(b[10:], c.ICMPTypeCode)
	le.PutUint16(b[12:], c.MinLength)
	le.PutUint16(b[14:], c.MaxLength)
	for i, l := range c.Labels {
		le.PutUint32(b[16+4*i:], l)
	}
	le.PutUint32(b[28:], c.FlowLabel)
	le.PutUint32(b[32:], c.Ext6)
}

func getCaptured(b []byte, c *flow.Captured) {
	le := binary.LittleEndian
	*c = flow.Captured{Fields: flow.CaptureFields(b[0]), FragSeen: b[1] != 0, Depth: b[2], FragFlags: b[3],
		IPID: le.Uint32(b[4:]), FragOffset: le.Uint16(b[8:]), ICMPTypeCode: le.Uint16(b[10:]),
		MinLength: le.Uint16(b[12:]), MaxLength: le.Uint16(b[14:]),
		FlowLabel: le.Uint32(b[28:]), Ext6: le.Uint32(b[32:])}
	for i := range c.Labels {
		c.Labels[i] = le.Uint32(b[16+4*i:])
	}
}

// SpooledRecord decodes a record the spool kept, as the harvest emitted
// it (before any annotation). inTable says the entry it was taken from
// is still in the table, draining, with its key: the daemon before was
// killed after it spooled the record and before it freed the entry, so
// the table's next harvest exports it and the spool's copy must not go
// out too; flag it spool.Retaken, as that harvest spools it again. It
// also says so for a record flagged Retaken already. Call it before the
// first harvest (with another cache size: in Options.BeforeDrain).
func (d *Datapath) SpooledRecord(sr spool.Record, r *flow.Record) (inTable bool) {
	p := sr.Payload
	le := binary.LittleEndian
	clk := clockPair{monoNs: int64(le.Uint64(p[spClockMono:])), wall: time.Unix(0, int64(le.Uint64(p[spClockWall:])))}
	v6 := p[spFlags]&spV6 != 0
	n := slot4Size
	if v6 {
		n = slot6Size
	}
	entryBytes := p[spEntry : spEntry+n]
	decodeEntry(entryBytes, v6, clk, r)
	r.EndReason = flow.EndReason(p[spReason])
	if p[spFlags]&spCaptured != 0 {
		getCaptured(p[spCapture:], &r.Captured)
	}
	r.SpoolSeq, r.Replayed = sr.Seq, true
	if sr.Flags&spool.Retaken != 0 {
		// A daemon before found the entry in the table and left it to
		// its harvest, which spooled it again under a sequence of its own.
		return true
	}
	if sr.Flags&spool.Freed != 0 {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	e := entry{slot: le.Uint32(p[spSlot:]), v6: v6, left: p[spFlags]&spLeft != 0}
	if d.resizedDraining != nil {
		// The table the killed daemon harvested was of another size and
		// was drained at Open, its marked entries with it: the record
		// went out then if its entry was among them.
		return d.resizedDraining[drainingKey(e, entryBytes[offKey:])]
	}
	return d.tab.stillDraining(e, entryBytes[offKey:])
}

// drainingEntries are the entries a harvest marked draining and did not
// free (it was killed), by drainingKey: what stillDraining finds in t;
// used counts the entries in use.
func (t *table) drainingEntries() (marked map[string]bool, used int) {
	out := map[string]bool{}
	t.forEachUsed(func(e entry) {
		used++
		if byte(atomic.LoadUint32(t.slots.u32(e.off()+offAttrs))>>24)&stDraining != 0 {
			out[drainingKey(e, t.key(e))] = true
		}
	})
	return out, used
}

func drainingKey(e entry, key []byte) string {
	return fmt.Sprintf("%d/%t/%t/%x", e.slot, e.v6, e.v6 && e.left, key)
}

// stillDraining reports whether e's tag is in use for its family, its
// state is draining and it holds key: the entry a killed harvest marked
// and did not free. A freed slot that a writer took again is live, not
// draining (no harvest ran since).
func (t *table) stillDraining(e entry, key []byte) bool {
	if e.slot >= t.buckets*bucketSlots {
		return false
	}
	b, j := e.slot/bucketSlots, e.slot%bucketSlots
	word := atomic.LoadUint32(t.hdrs.u32(int(b)*lineBytes + int(j/2)*4))
	tag := uint16(word >> (16 * (j % 2)))
	if tag&tagUsed == 0 || (tag&tagV6 != 0) != e.v6 {
		return false
	}
	state := byte(atomic.LoadUint32(t.slots.u32(e.off()+offAttrs)) >> 24)
	if state&stDraining == 0 {
		return false
	}
	if e.v6 && (state&stTailLeft != 0) != e.left {
		return false
	}
	return bytes.Equal(t.key(e), key)
}

// spoolMapName is the export spool's map in the pin directory.
const spoolMapName = "export_spool"

// OpenSpool opens the export spool: an mmap-able BPF array pinned in
// pinDir beside the flow table (a new unpinned one when pinDir is empty).
// It lives exactly as long as the table it holds records of: it outlives
// the daemon (a kill, a crash, the OOM killer) and not the machine, so a
// spool is never read against a table it does not belong to, and never
// stale as a file on a disk would be after a power cut (its marks a
// writeback behind its sends: records sent twice, uncounted). Its memory
// is the kernel's, mapped whole at mmap: no page faults, no writeback on
// the harvest's path.
func OpenSpool(pinDir string, slots int) (*spool.Spool, error) {
	if slots <= 0 {
		slots = spool.DefaultSlots
	}
	if err := rlimit.RemoveMemlock(); err != nil {
		return nil, fmt.Errorf("remove memlock limit: %w", err)
	}
	page := unix.Getpagesize()
	pages := (spool.Size(slots, SpoolPayload) + page - 1) / page
	spec := &ebpf.MapSpec{Name: spoolMapName, Type: ebpf.Array, KeySize: 4, ValueSize: uint32(page),
		MaxEntries: uint32(pages), Flags: unix.BPF_F_MMAPABLE}
	var m *ebpf.Map
	var discarded error
	pin := ""
	if pinDir != "" {
		if err := os.MkdirAll(pinDir, 0o700); err != nil {
			return nil, fmt.Errorf("create pin directory: %w", err)
		}
		pin = filepath.Join(pinDir, spoolMapName)
		old, err := ebpf.LoadPinnedMap(pin, nil)
		switch {
		case err == nil && old.ValueSize() == spec.ValueSize && old.MaxEntries() == spec.MaxEntries && old.Flags()&unix.BPF_F_MMAPABLE != 0:
			m = old
		case err == nil:
			// Another geometry (another version's): what it held is not
			// known to this one.
			discarded = fmt.Errorf("pinned spool of %d x %d bytes, want %d x %d: replaced", old.MaxEntries(), old.ValueSize(), spec.MaxEntries, spec.ValueSize)
			old.Unpin()
			old.Close()
		case !errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("open pinned export spool: %w", err)
		}
	}
	if m == nil {
		var err error
		if m, err = ebpf.NewMap(spec); err != nil {
			return nil, fmt.Errorf("create export spool map: %w", err)
		}
		if pin != "" {
			if err := m.Pin(pin); err != nil {
				m.Close()
				return nil, fmt.Errorf("pin export spool: %w", err)
			}
		}
	}
	mem, err := mmapMap(m)
	if err != nil {
		m.Close()
		return nil, err
	}
	sp, err := spool.New(mem.mem, slots, SpoolPayload, func() error { return errors.Join(mem.unmap(), m.Close()) })
	if err != nil {
		mem.unmap()
		m.Close()
		return nil, err
	}
	if discarded != nil {
		sp.SetDiscarded(discarded)
	}
	return sp, nil
}
