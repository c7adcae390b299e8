package spool

import (
	"errors"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
)

// Some consumers of the harvest hold what it gives them for longer than
// a ring of slots could: an aggregation cache folds records into
// aggregates it keeps up to its active timeout (30 minutes), a biflow
// destination holds a direction until its partner comes, out of the
// spool's order. Their records cannot stay in the ring, so what they
// hold is kept as running totals in the header instead, one entry per
// consumer and collector: the flows, packets and bytes folded in (or
// given) and not yet written to the collector or counted lost, the
// highest sequence given, and the totals of the packet being written.
// An orderly stop releases the entries; a daemon that finds one after a
// kill knows exactly what it lost and why, and counts it.
//
// The table lives in the header after the marks. A spool written by a
// version without it (layout 0 at versionAt) has zeros there, which the
// open clears anyway before it marks the header as this layout.
const (
	versionAt     = 16 // uint32: the header's layout
	layoutVersion = 2
	heldAt        = 2176
	heldSize      = 128
	maxHeld       = (headerSize - heldAt) / heldSize

	// Entry: flag, kind, sub, address length, port, address, then the
	// generation that picks one of two copies of the state, so that a
	// kill in the middle of an update leaves the previous state whole.
	hFlag    = 0
	hKind    = 1
	hSub     = 2
	hAddrLen = 3
	hPort    = 4
	hAddr    = 8
	hGen     = 24
	hCopies  = 32
	copySize = 48
)

// HeldKind is what a consumer holds records for.
type HeldKind byte

// The consumers that hold records.
const (
	// HeldAggregation is an aggregation cache's destination: records
	// folded into aggregates not yet written.
	HeldAggregation HeldKind = 1
	// HeldBiflow is a biflow destination: directions waiting for their
	// partner, and biflows not yet written.
	HeldBiflow HeldKind = 2
)

// Tally counts flows (harvested records), their packets and bytes.
type Tally struct{ Flows, Packets, Bytes uint64 }

// IsZero says the tally counts nothing.
func (t Tally) IsZero() bool { return t == Tally{} }

// Held is a consumer's state: what it holds, the highest sequence it was
// given (Unstarted: none; Stopped: it takes no more), and the part of it in the packet being
// written (Bytes not kept).
type Held struct {
	Kind      HeldKind
	Sub       byte // the owner's own tag (an aggregation scheme)
	Collector netip.AddrPort
	Seq       uint64
	Holds     Tally
	Sending   Tally
}

// Consumer is one holding consumer's entry in the spool.
type Consumer struct {
	s   *Spool
	i   int
	ptr []byte

	mu  sync.Mutex // serializes updates: the harvest folds, senders write
	cur Held
	gen uint64
}

func (s *Spool) heldMem(i int) []byte {
	return s.mem[heldAt+i*heldSize : heldAt+(i+1)*heldSize]
}

// initHeld makes the header this layout: a spool of a version without
// the table starts it empty.
func (s *Spool) initHeld() {
	if atomic.LoadUint32(u32(s.mem[versionAt:])) == layoutVersion {
		return
	}
	clear(s.mem[heldAt:headerSize])
	atomic.StoreUint32(u32(s.mem[versionAt:]), layoutVersion)
}

// recoverHeld reads the consumers the process before left (it did not
// stop in order: an orderly stop releases them) and returns the lowest
// sequence a started one had been given.
func (s *Spool) recoverHeld() (low uint64) {
	low = ^uint64(0)
	for i := range maxHeld {
		p := s.heldMem(i)
		if p[hFlag] == 0 {
			continue
		}
		c := &Consumer{s: s, i: i, ptr: p}
		c.read()
		s.held[i] = c
		s.heldOld = append(s.heldOld, c)
		s.heldOrphans = append(s.heldOrphans, c.cur)
		if c.cur.Seq != Unstarted && c.cur.Seq != Stopped {
			low = min(low, c.cur.Seq)
		}
	}
	return low
}

// read loads the entry's current state.
func (c *Consumer) read() {
	p := c.ptr
	c.gen = atomic.LoadUint64(u64(p[hGen:]))
	h := Held{Kind: HeldKind(p[hKind]), Sub: p[hSub]}
	var a netip.Addr
	switch p[hAddrLen] {
	case 4:
		a = netip.AddrFrom4([4]byte(p[hAddr : hAddr+4]))
	case 16:
		a = netip.AddrFrom16([16]byte(p[hAddr : hAddr+16]))
	}
	h.Collector = netip.AddrPortFrom(a, uint16(p[hPort])|uint16(p[hPort+1])<<8)
	w := c.copyMem(c.gen)
	h.Seq = *u64(w[0:])
	h.Holds = Tally{*u64(w[8:]), *u64(w[16:]), *u64(w[24:])}
	h.Sending = Tally{Flows: *u64(w[32:]), Packets: *u64(w[40:])}
	c.cur = h
}

func (c *Consumer) copyMem(gen uint64) []byte {
	off := hCopies + int(gen&1)*copySize
	return c.ptr[off : off+copySize]
}

// commit stores c.cur in the copy not in use, then makes it the one in
// use with a single store. c.mu is held.
func (c *Consumer) commit() {
	gen := c.gen + 1
	w := c.copyMem(gen)
	*u64(w[0:]) = c.cur.Seq
	*u64(w[8:]) = c.cur.Holds.Flows
	*u64(w[16:]) = c.cur.Holds.Packets
	*u64(w[24:]) = c.cur.Holds.Bytes
	*u64(w[32:]) = c.cur.Sending.Flows
	*u64(w[40:]) = c.cur.Sending.Packets
	atomic.StoreUint64(u64(c.ptr[hGen:]), gen)
	c.gen = gen
}

// HeldBefore is what the consumers of the process before held when it
// stopped without releasing them (a kill): lost, as nothing holds it
// now. Forget releases their entries.
func (s *Spool) HeldBefore() []Held {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Held(nil), s.heldOrphans...)
}

// HeldNow is what this process's holding consumers hold now.
func (s *Spool) HeldNow() []Held {
	s.mu.Lock()
	var cs []*Consumer
	for _, c := range s.held {
		if c != nil && !slices.Contains(s.heldOld, c) {
			cs = append(cs, c)
		}
	}
	s.mu.Unlock()
	out := make([]Held, len(cs))
	for i, c := range cs {
		out[i] = c.Now()
	}
	return out
}

// Hold gives a consumer of kind, for collector, an entry: holding
// nothing, Unstarted. The entries of the process before stay apart
// until Forget (they are what it lost), unless the table has no other
// room.
func (s *Spool) Hold(kind HeldKind, sub byte, collector netip.AddrPort) (*Consumer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range maxHeld {
		if s.held[i] != nil {
			continue
		}
		return s.holdAt(i, kind, sub, collector), nil
	}
	// Full of the entries of the process before: take one over. What it
	// held is in heldOrphans, counted by this process (HeldBefore); only
	// a second kill before that count would miss it.
	if n := len(s.heldOld); n > 0 {
		old := s.heldOld[n-1]
		s.heldOld = s.heldOld[:n-1]
		s.held[old.i] = nil
		return s.holdAt(old.i, kind, sub, collector), nil
	}
	return nil, errors.New("spool: no free entry for a consumer that holds records")
}

// holdAt starts a consumer in entry i; s.mu is held.
func (s *Spool) holdAt(i int, kind HeldKind, sub byte, collector netip.AddrPort) *Consumer {
	p := s.heldMem(i)
	p[hFlag] = 0 // first: a kill while it is written leaves no entry
	clear(p)
	c := &Consumer{s: s, i: i, ptr: p, cur: Held{Kind: kind, Sub: sub, Collector: collector, Seq: Unstarted}}
	p[hKind], p[hSub] = byte(kind), sub
	a := collector.Addr()
	if a.Is4() {
		p[hAddrLen] = 4
		b := a.As4()
		copy(p[hAddr:], b[:])
	} else if a.IsValid() {
		p[hAddrLen] = 16
		b := a.As16()
		copy(p[hAddr:], b[:])
	}
	port := collector.Port()
	p[hPort], p[hPort+1] = byte(port), byte(port>>8)
	*u64(c.copyMem(0)[0:]) = Unstarted
	p[hFlag] = 1 // last: whole once it counts
	s.held[i] = c
	return c
}

// Fold records that the consumer took the record seq (0: one not in the
// spool) and holds t of it (zero: it took it and holds nothing, a record
// it leaves out).
func (c *Consumer) Fold(seq uint64, t Tally) {
	if c == nil || (seq == 0 && t.IsZero()) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq != 0 && c.cur.Seq != Stopped && (c.cur.Seq == Unstarted || seq > c.cur.Seq) {
		c.cur.Seq = seq
	}
	c.cur.Holds.Flows += t.Flows
	c.cur.Holds.Packets += t.Packets
	c.cur.Holds.Bytes += t.Bytes
	c.commit()
}

// Stopped is the Seq of a consumer that is given no record any more
// (Stop): the records the harvest takes from then on are none of its.
const Stopped = ^uint64(0)

// Stop records that the consumer is given no more records (it was taken
// out of the harvest's fanout and is closing): what it holds still
// counts until Done.
func (c *Consumer) Stop() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cur.Seq = Stopped
	c.commit()
}

// Sending records that a packet carrying t of what the consumer holds is
// being written: a kill before Done leaves it in doubt (the collector
// may have it).
func (c *Consumer) Sending(t Tally) {
	if c == nil || t.IsZero() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cur.Sending = Tally{Flows: t.Flows, Packets: t.Packets}
	c.commit()
}

// Done records that t left the consumer: written to the collector, or
// counted as lost or not exported by it. It ends a Sending.
func (c *Consumer) Done(t Tally) {
	if c == nil || t.IsZero() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	h := &c.cur.Holds
	// Never below zero: a count that wrapped would claim a loss.
	h.Flows -= min(h.Flows, t.Flows)
	h.Packets -= min(h.Packets, t.Packets)
	h.Bytes -= min(h.Bytes, t.Bytes)
	c.cur.Sending = Tally{}
	c.commit()
}

// Now is the consumer's state.
func (c *Consumer) Now() Held {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur
}

// Release frees the entry of a consumer that is closed: it wrote or
// counted everything it held.
func (c *Consumer) Release() {
	if c == nil {
		return
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.s.releaseHeld(c)
}

// releaseHeld frees c's entry; s.mu is held.
func (s *Spool) releaseHeld(c *Consumer) {
	if s.held[c.i] != c {
		return
	}
	c.ptr[hFlag] = 0
	s.held[c.i] = nil
}
