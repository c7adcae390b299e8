package spool

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func put(s *Spool, v uint64) uint64 {
	seq, p := s.Append()
	binary.LittleEndian.PutUint64(p, v)
	s.Commit(seq, Freed)
	return seq
}

// A spool left without Close (a kill: the mapping's writes are in the
// page cache, which the file shows the next opener) gives back what some
// destination had not sent, and each destination's mark by its id.
func TestRecoverAfterKill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spool")
	s, err := Open(path, 8, 16)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.Register("192.0.2.1:2055")
	b, _ := s.Register("192.0.2.2:2055")
	for v := uint64(1); v <= 6; v++ {
		put(s, 100+v)
	}
	a.Sending(5)
	a.Sent(4) // a was writing the packet of 5 at the kill
	b.Sending(2)
	b.Sent(2)
	// No Release, no Close: the process is gone. (The mapping stays in
	// this test process; a second mapping of the file sees its writes.)
	r, err := Open(path, 8, 16)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
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
	s.Close()
}

// An orderly stop releases every mark: the next daemon owes nothing.
func TestNothingAfterOrderlyStop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spool")
	s, err := Open(path, 8, 16)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := s.Register("x")
	put(s, 1)
	m.Sent(1)
	m.Release()
	s.Close()
	r, err := Open(path, 8, 16)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if len(r.Recovered()) != 0 || len(r.Orphans()) != 0 {
		t.Fatalf("recovered %d, orphans %d", len(r.Recovered()), len(r.Orphans()))
	}
}

// The ring never overwrites a record a destination has not sent: the
// writer waits, and goes on once the mark moves.
func TestFullRingWaits(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "spool"), 4, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m, _ := s.Register("x")
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

// A file of another geometry is moved aside and said so, not misread.
func TestOtherGeometryMovedAside(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spool")
	s, err := Open(path, 8, 16)
	if err != nil {
		t.Fatal(err)
	}
	s.Register("x")
	put(s, 1)
	s.Close()
	r, err := Open(path, 16, 16)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Discarded() == nil || len(r.Recovered()) != 0 {
		t.Fatalf("discarded %v, recovered %d", r.Discarded(), len(r.Recovered()))
	}
	if _, err := os.Stat(path + ".unreadable"); err != nil {
		t.Fatal(err)
	}
}
