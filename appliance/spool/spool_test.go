package spool

import (
	"encoding/binary"
	"sync"
	"testing"
	"time"
)

// shared is memory that outlives a Spool, as the daemon's pinned BPF
// array outlives the daemon: a second New over it is the next process.
type shared []byte

func newShared(slots, payload int) shared { return make(shared, Size(slots, payload)) }

func (m shared) open(t *testing.T, slots, payload int) *Spool {
	t.Helper()
	s, err := New(m, slots, payload, func() error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func put(s *Spool, v uint64) uint64 {
	seq, p := s.Append()
	binary.LittleEndian.PutUint64(p, v)
	s.Commit(seq, Freed)
	return seq
}

// A spool left without Close (a kill) gives back what some destination
// had not sent, and each destination's mark by its id.
func TestRecoverAfterKill(t *testing.T) {
	mem := newShared(8, 16)
	s := mem.open(t, 8, 16)
	a, _ := s.Register("192.0.2.1:2055")
	b, _ := s.Register("192.0.2.2:2055")
	a.Start(1)
	b.Start(1)
	for v := uint64(1); v <= 6; v++ {
		put(s, 100+v)
	}
	a.Sending(5)
	a.Sent(4) // a was writing the packet of 5 at the kill
	b.Sending(2)
	b.Sent(2)
	// No Release, no Close: the process is gone.
	r := mem.open(t, 8, 16)
	got := r.Recovered()
	if len(got) != 4 || got[0].Seq != 3 || got[3].Seq != 6 {
		t.Fatalf("recovered %+v, want seqs 3..6", got)
	}
	if v := binary.LittleEndian.Uint64(got[0].Payload); v != 103 || got[0].Flags != Freed {
		t.Fatalf("record 3: payload %d flags %d", v, got[0].Flags)
	}
	ma, _ := r.Register("192.0.2.1:2055")
	if !ma.Adopted() || ma.SentBefore != 4 || ma.SendingBefore != 5 {
		t.Fatalf("a's mark back: %+v", ma)
	}
	if o := r.Orphans(); len(o) != 1 || o[0].ID() != "192.0.2.2:2055" || o[0].SentBefore != 2 {
		t.Fatalf("orphans %+v", o)
	}
	// New records continue the sequence.
	if seq := put(r, 7); seq != 7 {
		t.Fatalf("next seq %d, want 7", seq)
	}
	r.Forget()
	if len(r.Orphans()) != 0 || r.Recovered() != nil {
		t.Fatal("Forget left orphans or records")
	}
}

// An orderly stop releases every mark: the next daemon owes nothing.
func TestNothingAfterOrderlyStop(t *testing.T) {
	mem := newShared(8, 16)
	s := mem.open(t, 8, 16)
	m, _ := s.Register("x")
	m.Start(1)
	put(s, 1)
	m.Sent(1)
	m.Release()
	s.Close()
	r := mem.open(t, 8, 16)
	if len(r.Recovered()) != 0 || len(r.Orphans()) != 0 {
		t.Fatalf("recovered %d, orphans %d", len(r.Recovered()), len(r.Orphans()))
	}
}

// A destination registered while records are being written owes only
// those from the first it is given: one killed before it was given any
// is owed none, however far the harvest had got, and holds no slot.
func TestNewMarkOwesFromItsFirstRecord(t *testing.T) {
	mem := newShared(8, 16)
	s := mem.open(t, 8, 16)
	old, _ := s.Register("old")
	old.Start(1)
	for range 3 {
		put(s, 0)
	}
	fresh, _ := s.Register("fresh")
	s.Register("late")
	for range 3 {
		put(s, 0) // 4-6: given to old only; fresh and late not yet in the fanout
	}
	fresh.Start(7)
	put(s, 0) // 7: fresh's first
	old.Sent(7)
	r := mem.open(t, 8, 16)
	marks := map[string]*Mark{}
	for _, m := range r.Orphans() {
		marks[m.ID()] = m
	}
	if m := marks["fresh"]; m == nil || m.SentBefore != 6 {
		t.Fatalf("fresh's mark %+v, want sent 6 (owes 7 on)", m)
	}
	if m := marks["late"]; m == nil || m.SentBefore != Unstarted {
		t.Fatalf("late's mark %+v, want unstarted (owes nothing)", m)
	}
	if got := r.Recovered(); len(got) != 1 || got[0].Seq != 7 {
		t.Fatalf("recovered %+v, want 7 only", got)
	}
	// An unstarted mark does not hold the ring: 8 more go in without a
	// wait past the one it has while it is new.
	r.Forget()
	n, _ := r.Register("new")
	for range 8 {
		put(r, 0)
	}
	if n.Started() {
		t.Fatal("a mark given nothing started")
	}
	if r.Waits() != 0 {
		t.Fatalf("%d waits behind unstarted marks", r.Waits())
	}
}

// The ring never overwrites a record a destination has not sent: the
// writer waits, and goes on once the mark moves.
func TestFullRingWaits(t *testing.T) {
	s := newShared(4, 8).open(t, 4, 8)
	m, _ := s.Register("x")
	m.Start(1)
	for range 4 {
		put(s, 0)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	done := make(chan uint64, 1)
	go func() {
		defer wg.Done()
		done <- put(s, 0)
	}()
	select {
	case <-done:
		t.Fatal("overwrote a record not sent")
	case <-time.After(50 * time.Millisecond):
	}
	m.Sent(1)
	wg.Wait()
	if seq := <-done; seq != 5 || s.Waits() != 1 {
		t.Fatalf("seq %d waits %d", seq, s.Waits())
	}
}

// Memory holding a spool of another geometry (another version's) is
// started over and said so, not misread.
func TestOtherGeometryStartedOver(t *testing.T) {
	mem := newShared(16, 16)
	s := mem.open(t, 8, 16)
	m, _ := s.Register("x")
	m.Start(1)
	put(s, 1)
	r := mem.open(t, 16, 16)
	if r.Discarded() == nil || len(r.Recovered()) != 0 || len(r.Orphans()) != 0 {
		t.Fatalf("discarded %v, recovered %d, orphans %d", r.Discarded(), len(r.Recovered()), len(r.Orphans()))
	}
}

// Whether a destination takes every record outlives the process with its
// mark, and a later registration can change it.
func TestTakesAllOutlivesTheProcess(t *testing.T) {
	mem := newShared(8, 16)
	s := mem.open(t, 8, 16)
	all, _ := s.Register("all")
	some, _ := s.Register("some")
	all.SetTakesAll(true)
	some.SetTakesAll(false)
	r := mem.open(t, 8, 16)
	got := map[string]bool{}
	for _, m := range r.Orphans() {
		got[m.ID()] = m.TakesAll()
	}
	if !got["all"] || got["some"] || len(got) != 2 {
		t.Fatalf("takes all after restart: %v", got)
	}
	m, _ := r.Register("all")
	m.SetTakesAll(false)
	for _, m := range mem.open(t, 8, 16).Orphans() {
		if m.TakesAll() {
			t.Fatalf("%s still takes all after it was cleared", m.ID())
		}
	}
}

// A ring of any size: record seq lives in slot seq mod slots whether or
// not slots is a power of two (a mask then, a division otherwise), so a
// ring written round several times gives back exactly the records its
// destination had not sent, with their payloads and flags.
func TestRingOfAnySize(t *testing.T) {
	for _, slots := range []int{6, 7, 8, 16} {
		mem := newShared(slots, 16)
		s := mem.open(t, slots, 16)
		m, _ := s.Register("x")
		m.Start(1)
		const n = 40
		for v := uint64(1); v <= n; v++ {
			seq, p := s.Append()
			binary.LittleEndian.PutUint64(p, 1000+seq)
			s.Commit(seq, 0)
			if seq%3 == 0 {
				s.SetFlags(seq, Freed)
			}
			if seq > 4 {
				m.Sent(seq - 4) // four unsent at the end
			}
		}
		for i := range slots {
			got := binary.LittleEndian.Uint64(s.slot(uint64(i)))
			if got%uint64(slots) != uint64(i) || got+uint64(slots) <= n {
				t.Fatalf("%d slots: slot %d holds record %d", slots, i, got)
			}
		}
		r := mem.open(t, slots, 16)
		got := r.Recovered()
		if len(got) != 4 {
			t.Fatalf("%d slots: recovered %d records, want 4", slots, len(got))
		}
		for i, rec := range got {
			seq := uint64(n - 3 + i)
			flags := uint32(0)
			if seq%3 == 0 {
				flags = Freed
			}
			if rec.Seq != seq || binary.LittleEndian.Uint64(rec.Payload) != 1000+seq || rec.Flags != flags {
				t.Fatalf("%d slots: record %d: %+v, want seq %d payload %d flags %d", slots, i, rec, seq, 1000+seq, flags)
			}
		}
	}
}
