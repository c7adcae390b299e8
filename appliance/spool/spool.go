// Package spool keeps the flow records the harvest has taken out of the
// flow table until every export destination has sent them, in memory
// that outlives the process: the daemon's is an mmap-able BPF array
// pinned beside the flow table (datapath.OpenSpool), so a process that is
// killed (SIGKILL, a crash, the OOM killer) leaves its last stores there,
// and the next daemon finds what was taken but not sent, and which
// destination had sent what. The package itself takes any shared mapping
// (New); it knows nothing of BPF.
//
// The memory is a ring of fixed-size slots, one record each, numbered by
// a sequence that only grows, and a header with one mark per destination:
// the highest sequence it has sent (every record at or below it is sent,
// counted as lost, or not for it) and the highest it was sending when it
// wrote its last packet. A mark starts Unstarted (owing nothing) and
// starts at the first record its destination is given. The harvest is
// the one writer of slots; a mark only moves forward. A slot is
// overwritten only once every started mark has passed it. Consumers
// that hold records longer than the ring could keep them (aggregation
// caches, biflow pairing) keep running totals of what they hold in the
// header instead (held.go), so a kill's loss there is known and counted.
//
// The memory lives as long as the pinned map, not the machine: a reboot
// or a power cut loses the spool, as it loses the flow table in bpffs.
package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

const (
	magic      = "FTSPOOL1"
	headerSize = 4096
	maxMarks   = 32
	markSize   = 64
	marksAt    = 64
	idMax      = markSize - 18
	// slotHead is the slot's own header: the sequence (0: empty), then
	// a flag word the writer sets after the sequence (Freed below).
	slotHead = 16

	// DefaultSlots holds what a destination keeps unsent at most with
	// the default packet size (a full queue of 64 packets of at most 30
	// records, and the open packet), four times over, and is small
	// enough (1.3 MB) to stay in the CPU's cache as the harvest writes
	// it. A destination that holds more (larger packets) makes the
	// harvest wait for room, as its full queue would.
	DefaultSlots = 1 << 13
)

// Flags of a slot, set by the harvest after it committed the slot.
const (
	// Freed says the table entry the record came from was freed: a
	// record without it may still be in the table (the kill came between
	// the commit and the free), which the next daemon checks.
	Freed = 1 << 0
	// Retaken says a daemon started after a kill found the record's
	// entry still in the table (not Freed, the kill came before the free)
	// and left it there: its harvest takes the entry again, as a record
	// of its own. Another kill before this record's destinations passed
	// it must not send it then, when the entry may be gone: the newer
	// record stands for it.
	Retaken = 1 << 1
)

// Spool is a spool run in shared memory.
type Spool struct {
	close func() error
	mem   []byte
	slots uint64
	// mask is slots-1 when slots is a power of two (DefaultSlots is),
	// else 0: a record's slot is then its sequence masked, not divided
	// (a DIV, three a record, was 5% of the harvest's CPU).
	mask uint64
	size int // bytes per slot, its header included

	// head is the next sequence to write; tail the lowest the ring must
	// keep (every mark's sent + 1), refreshed when the ring looks full.
	// Only the harvest (one at a time: the datapath's lock) touches them.
	head, tail uint64

	mu    sync.Mutex // guards the marks' allocation, not their values
	marks [maxMarks]*Mark
	// orphans are the marks of the process before (matched by id when a
	// destination registers); recovered its records not yet sent by all.
	orphans   map[string]*Mark
	recovered []Record
	markLow   uint64 // the lowest sent of the marks found at open
	waits     atomic.Uint64
	discarded error

	// held are the consumers' entries (held.go), those of the process
	// before (heldOld, what they held in heldOrphans) until Forget.
	held        [maxHeld]*Consumer
	heldOld     []*Consumer
	heldOrphans []Held
}

// Slots is how many records the ring holds. A writer that keeps records
// back from the destinations until it has appended more (the harvest's
// batch) must keep fewer than this back, or Append waits for records
// nobody can send.
func (s *Spool) Slots() uint64 { return s.slots }

// Discarded says why the spool found at open could not be read (nil: it
// could, or there was none). What it held, if anything, is not known.
func (s *Spool) Discarded() error { return s.discarded }

// SetDiscarded records why the memory the spool was opened in was
// started over (its owner found it of another geometry).
func (s *Spool) SetDiscarded(err error) { s.discarded = err }

// Mark is one destination's progress through the spool.
type Mark struct {
	s   *Spool
	i   int
	id  string
	ptr []byte // the mark in the mapped header
	// Before is what the destination had sent (and was sending) when the
	// process before stopped; 0 for a destination that is new.
	SentBefore, SendingBefore uint64
	adopted                   bool
	takesAll                  bool
	// kick asks the destination to mark what it has dealt with without
	// sending it (nil: nothing to ask); see SetKick.
	kick atomic.Pointer[func()]
}

// SetKick gives the spool a way to hurry the destination when the ring
// is full behind its mark: f should write what it holds and mark every
// record it was given and will not send (filtered, not exportable), as
// only its packets move the mark otherwise, and a destination sending
// nothing for a ring's worth of records would hold the harvest for
// ever. f runs on the harvest's goroutine.
func (m *Mark) SetKick(f func()) {
	if m != nil {
		m.kick.Store(&f)
	}
}

// Record is a record found in the spool at open. Owed says some
// destination's mark had not passed it: it is to be sent again; a record
// not owed is one only a holding consumer (HeldBefore) had not taken.
type Record struct {
	Seq     uint64
	Flags   uint32
	Owed    bool
	Payload []byte
}

// Size is the bytes a spool of slots records of payload bytes takes.
func Size(slots, payload int) int {
	return headerSize + slots*slotSize(payload)
}

func slotSize(payload int) int { return (slotHead + payload + 7) &^ 7 }

// New runs a spool in mem, a shared mapping of Size(slots, payload)
// bytes that outlives the process (a file's pages, a bpffs map); close
// releases it. Memory that holds no spool yet (all zeros) starts one; a
// spool of another geometry is started over, and Discarded says so.
func New(mem []byte, slots, payload int, close func() error) (*Spool, error) {
	size := slotSize(payload)
	if len(mem) < Size(slots, payload) {
		return nil, fmt.Errorf("spool: %d bytes of memory, want %d", len(mem), Size(slots, payload))
	}
	s := &Spool{close: close, mem: mem, slots: uint64(slots), size: size, orphans: map[string]*Mark{}}
	if slots > 0 && slots&(slots-1) == 0 {
		s.mask = uint64(slots) - 1
	}
	if string(mem[:8]) == magic &&
		(binary.LittleEndian.Uint32(mem[8:]) != uint32(size) || binary.LittleEndian.Uint32(mem[12:]) != uint32(slots)) {
		s.discarded = fmt.Errorf("spool written with %d slots of %d bytes, want %d of %d: started over",
			binary.LittleEndian.Uint32(mem[12:]), binary.LittleEndian.Uint32(mem[8:]), slots, size)
		clear(mem)
	}
	if string(mem[:8]) != magic {
		binary.LittleEndian.PutUint32(mem[8:], uint32(size))
		binary.LittleEndian.PutUint32(mem[12:], uint32(slots))
		s.initHeld()
		copy(mem[:8], magic) // last: the header is whole once it says so
		s.head, s.tail = 1, 1
		return s, nil
	}
	s.initHeld() // a previous version's spool: its marks and slots stand
	s.recover()
	return s, nil
}

// recover reads the marks, holding consumers and slots the process
// before left.
func (s *Spool) recover() {
	low := ^uint64(0)
	for i := range maxMarks {
		p := s.markMem(i)
		if p[16] == 0 {
			continue
		}
		m := &Mark{s: s, i: i, ptr: p, id: string(p[18 : 18+int(p[17])]), takesAll: p[16]&markTakesAll != 0}
		m.SentBefore, m.SendingBefore = atomic.LoadUint64(u64(p[0:])), atomic.LoadUint64(u64(p[8:]))
		low = min(low, m.SentBefore)
		s.marks[i] = m
		if o := s.orphans[m.id]; o != nil {
			// Two exporters to one collector (one replacing the other):
			// what neither had sent is unsent.
			o.takesAll = o.takesAll && m.takesAll
			switch {
			case o.SentBefore == Unstarted:
				o.SentBefore, o.SendingBefore = m.SentBefore, m.SendingBefore
			case m.SentBefore != Unstarted:
				o.SentBefore = min(o.SentBefore, m.SentBefore)
				o.SendingBefore = max(o.SendingBefore, m.SendingBefore)
			}
			s.release(m)
			continue
		}
		s.orphans[m.id] = m
	}
	// A record above a mark's sent is owed to its destination; one above
	// a holding consumer's last is one the kill kept from it.
	s.markLow = low
	low = min(low, s.recoverHeld())
	var maxSeq uint64
	for i := range s.slots {
		b := s.slot(i)
		seq := atomic.LoadUint64(u64(b))
		maxSeq = max(maxSeq, seq)
		if seq == 0 || seq <= low {
			continue
		}
		s.recovered = append(s.recovered, Record{Seq: seq, Flags: atomic.LoadUint32(u32(b[8:])), Owed: seq > s.markLow,
			Payload: append([]byte(nil), b[slotHead:s.size]...)})
	}
	sortBySeq(s.recovered)
	s.head = maxSeq + 1
	s.tail = s.head - min(s.head-1, s.slots)
	if len(s.orphans) == 0 && len(s.heldOrphans) == 0 {
		// No destination at the stop: the records went nowhere.
		s.recovered = nil
	}
}

func sortBySeq(r []Record) {
	// Insertion into order from a ring: at most two runs, so a merge
	// would do, but the ring is read once per start.
	for i := 1; i < len(r); i++ {
		for j := i; j > 0 && r[j-1].Seq > r[j].Seq; j-- {
			r[j-1], r[j] = r[j], r[j-1]
		}
	}
}

// Recovered returns the records the process before left unsent by at
// least one of its destinations, oldest first. Each record's Seq stays
// its number: a destination that registers under its old id gets its
// old mark back and skips what it had sent.
func (s *Spool) Recovered() []Record { return s.recovered }

// Orphans are the marks of the process before that no destination has
// registered again (yet).
func (s *Spool) Orphans() []*Mark {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Mark
	for _, m := range s.orphans {
		out = append(out, m)
	}
	return out
}

// Forget releases the marks no destination took back (a destination the
// configuration no longer has), the entries of the holding consumers of
// the process before (HeldBefore) and the recovered records, once they
// have been replayed and the losses counted; it returns the orphans'
// marks as they were.
func (s *Spool) Forget() []*Mark {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Mark
	for id, m := range s.orphans {
		out = append(out, m)
		s.release(m)
		delete(s.orphans, id)
	}
	for _, c := range s.heldOld {
		s.releaseHeld(c)
	}
	s.heldOld, s.heldOrphans = nil, nil
	s.recovered = nil
	return out
}

func (s *Spool) markMem(i int) []byte {
	return s.mem[marksAt+i*markSize : marksAt+(i+1)*markSize]
}

func (s *Spool) slot(i uint64) []byte {
	off := headerSize + int(i)*s.size
	return s.mem[off : off+s.size]
}

// slotOf is the slot that holds (or will hold) record seq.
func (s *Spool) slotOf(seq uint64) []byte {
	if s.mask != 0 {
		return s.slot(seq & s.mask)
	}
	return s.slot(seq % s.slots)
}

func u64(b []byte) *uint64 { return (*uint64)(unsafe.Pointer(&b[0])) }
func u32(b []byte) *uint32 { return (*uint32)(unsafe.Pointer(&b[0])) }

// Unstarted is the sent (and sending) sequence of a mark whose
// destination has not been given a record yet: it owes nothing, holds no
// slot and, after a kill, is replayed nothing. Start moves it to just
// before the first record the destination is given, which only the
// destination knows: the head a registration could read lags the harvest,
// and the destination is handed records only once the daemon's fanout
// has it, later still.
const Unstarted = uint64(1) << 63

// Register gives the destination id a mark: the one it had before the
// restart if the spool holds one (SentBefore says what it had sent),
// else a new one, Unstarted, as it owes nothing written before.
func (s *Spool) Register(id string) (*Mark, error) {
	if len(id) > idMax {
		id = id[:idMax]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.orphans[id]; m != nil {
		delete(s.orphans, id)
		m.adopted = true
		return m, nil
	}
	for i := range maxMarks {
		if s.marks[i] != nil {
			continue
		}
		p := s.markMem(i)
		m := &Mark{s: s, i: i, id: id, ptr: p}
		atomic.StoreUint64(u64(p[0:]), Unstarted)
		atomic.StoreUint64(u64(p[8:]), Unstarted)
		p[17] = byte(len(id))
		copy(p[18:], id)
		p[16] = markInUse // last: a mark is whole once it counts
		s.marks[i] = m
		return m, nil
	}
	return nil, errors.New("spool: no free destination mark")
}

// release frees a mark's place; s.mu is held.
func (s *Spool) release(m *Mark) {
	if s.marks[m.i] != m {
		return
	}
	m.ptr[16] = 0
	s.marks[m.i] = nil
}

// Release frees the mark of a destination that is closed (and has sent
// or counted everything it was given).
func (m *Mark) Release() {
	if m == nil {
		return
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	m.s.release(m)
}

// The mark's flag byte: in use, and its destination takes every record.
const (
	markInUse    = 1
	markTakesAll = 2
)

// SetTakesAll records whether the destination is given every record and
// leaves none out (no filter, a format that carries every flow): after a
// kill, every record above its sent mark is one it had not sent, so the
// next daemon can count what it lost if it is not configured any more.
// Without it the next daemon cannot tell those from records it would
// have left out, and only logs them.
func (m *Mark) SetTakesAll(all bool) {
	if m == nil {
		return
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	m.takesAll = all
	if all {
		m.ptr[16] |= markTakesAll
	} else {
		m.ptr[16] &^= markTakesAll
	}
}

// TakesAll: see SetTakesAll.
func (m *Mark) TakesAll() bool { return m != nil && m.takesAll }

// Adopted says the mark is the one the destination had before a restart
// (SentBefore and SendingBefore say what it had sent).
func (m *Mark) Adopted() bool { return m != nil && m.adopted }

// ID is the destination the mark belongs to.
func (m *Mark) ID() string { return m.id }

// Start tells an Unstarted mark that its destination is being given
// the record seq, its first: it owes that record and those after it,
// none before. A mark already started is left as it is. Call it before
// the record can reach a packet (so before any Sending or Sent).
func (m *Mark) Start(seq uint64) {
	if m == nil || seq == 0 || atomic.LoadUint64(u64(m.ptr[0:])) != Unstarted {
		return
	}
	atomic.StoreUint64(u64(m.ptr[8:]), seq-1)
	atomic.StoreUint64(u64(m.ptr[0:]), seq-1)
}

// Started says the destination has been given a record (Start).
func (m *Mark) Started() bool {
	return m != nil && atomic.LoadUint64(u64(m.ptr[0:])) != Unstarted
}

// Sending records that a packet whose records go up to seq is being
// written; Sent that the write returned (or the packet was counted as
// lost). Both only move forward; seq 0 (a packet of no spooled record)
// and an Unstarted mark (a marker for records it was given and left out
// before its first) change nothing.
func (m *Mark) Sending(seq uint64) { m.raise(8, seq) }

// Sent: see Sending.
func (m *Mark) Sent(seq uint64) { m.raise(0, seq) }

func (m *Mark) raise(at int, seq uint64) {
	if m == nil || seq == 0 {
		return
	}
	p := u64(m.ptr[at:])
	if cur := atomic.LoadUint64(p); cur != Unstarted && seq > cur {
		atomic.StoreUint64(p, seq)
	}
}

// SentNow is the mark's sent sequence.
func (m *Mark) SentNow() uint64 { return atomic.LoadUint64(u64(m.ptr[0:])) }

// Append takes the next slot for a record, waiting while the ring is
// full (a destination has not sent what it holds), and returns its
// sequence and payload to fill; Commit publishes it. A slot not
// committed is the next Append's. One harvest at a time.
func (s *Spool) Append() (seq uint64, payload []byte) {
	seq = s.head
	if seq-s.tail >= s.slots {
		s.waitRoom(seq)
	}
	// The slot keeps the old record's sequence until Commit: a kill in
	// between leaves a half-written slot under a number every mark had
	// passed, which recovery ignores.
	b := s.slotOf(seq)
	return seq, b[slotHead:s.size]
}

// Commit publishes the record Append gave seq to, with flags.
func (s *Spool) Commit(seq uint64, flags uint32) {
	// Plain stores, the sequence last. Nothing in this process reads a
	// slot while the harvest writes it; the next process reads whatever
	// this one had stored when it died, so the stores' program order is
	// all that matters, which the compiler keeps (Go does not reorder
	// stores) and a kill respects (it stops the thread between two
	// instructions, and every store before that reaches memory). A fence
	// here (an atomic store) cost the harvest 15-70 ns per record: it
	// waited for the slot's lines.
	b := s.slotOf(seq)
	*u32(b[8:]) = flags
	*u64(b) = seq
	s.head = seq + 1
}

// SetFlags sets flags on a committed record.
func (s *Spool) SetFlags(seq uint64, flags uint32) {
	b := s.slotOf(seq)
	*u32(b[8:]) = flags
}

// waitRoom waits until every mark has passed the record seq overwrites,
// kicking the marks that hold it back.
func (s *Spool) waitRoom(seq uint64) {
	for waited := false; ; waited = true {
		s.tail = s.low()
		if seq-s.tail < s.slots {
			return
		}
		if !waited {
			s.waits.Add(1)
		}
		for _, f := range s.laggards(seq - s.slots) {
			f()
		}
		time.Sleep(time.Millisecond)
	}
}

// laggards are the kicks of the marks that have not passed need.
func (s *Spool) laggards(need uint64) []func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []func()
	for _, m := range s.marks {
		if m == nil || atomic.LoadUint64(u64(m.ptr[0:])) >= need {
			continue
		}
		if f := m.kick.Load(); f != nil {
			out = append(out, *f)
		}
	}
	return out
}

// low is the lowest sequence a mark still needs (every mark's sent + 1);
// the head when no mark is registered.
func (s *Spool) low() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	low := s.head
	for _, m := range s.marks {
		if m != nil {
			low = min(low, atomic.LoadUint64(u64(m.ptr[0:]))+1)
		}
	}
	return low
}

// Waits counts the appends that had to wait for room.
func (s *Spool) Waits() uint64 { return s.waits.Load() }

// Close releases the spool's memory. What it holds stays where it lives.
func (s *Spool) Close() error {
	if s.mem == nil {
		return nil
	}
	s.mem = nil
	return s.close()
}
