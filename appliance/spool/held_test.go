package spool

import (
	"net/netip"
	"testing"
)

var collector = netip.MustParseAddrPort("192.0.2.9:9996")

// What a consumer held at a kill is what the next process finds, with
// the packet it was writing in doubt and the record it had not taken yet
// among the recovered ones.
func TestHeldAfterKill(t *testing.T) {
	mem := newShared(8, 16)
	s := mem.open(t, 8, 16)
	c, err := s.Hold(HeldAggregation, 7, collector)
	if err != nil {
		t.Fatal(err)
	}
	put(s, 1)
	c.Fold(1, Tally{1, 10, 1000})
	put(s, 2)
	c.Fold(2, Tally{1, 5, 500})
	c.Sending(Tally{1, 10, 1000})
	c.Done(Tally{1, 10, 1000}) // one aggregate written
	c.Sending(Tally{1, 5, 500})
	put(s, 3) // taken by the harvest, killed before the fold
	r := mem.open(t, 8, 16)
	got := r.HeldBefore()
	want := Held{Kind: HeldAggregation, Sub: 7, Collector: collector, Seq: 2, Holds: Tally{1, 5, 500}, Sending: Tally{Flows: 1, Packets: 5}}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("held before %+v, want %+v", got, want)
	}
	rec := r.Recovered()
	if len(rec) != 1 || rec[0].Seq != 3 || rec[0].Owed {
		t.Fatalf("recovered %+v, want record 3, owed to no mark", rec)
	}
	// A consumer of the new process does not take the old entry.
	n, _ := r.Hold(HeldAggregation, 7, collector)
	if n.i == 0 {
		t.Fatal("new consumer took the entry of the process before")
	}
	r.Forget()
	if len(r.HeldBefore()) != 0 {
		t.Fatal("Forget kept the entries of the process before")
	}
	n.Fold(0, Tally{2, 2, 2})
	if got := mem.open(t, 8, 16).HeldBefore(); len(got) != 1 || got[0].Holds != (Tally{2, 2, 2}) || got[0].Seq != Unstarted {
		t.Fatalf("after a second kill: %+v", got)
	}
}

// A consumer that is released (an orderly stop) leaves nothing.
func TestHeldReleased(t *testing.T) {
	mem := newShared(8, 16)
	s := mem.open(t, 8, 16)
	c, _ := s.Hold(HeldBiflow, 0, collector)
	put(s, 1)
	c.Fold(1, Tally{1, 3, 300})
	c.Done(Tally{1, 3, 300})
	c.Release()
	r := mem.open(t, 8, 16)
	if len(r.HeldBefore()) != 0 || len(r.Recovered()) != 0 {
		t.Fatalf("after an orderly stop: held %+v, recovered %+v", r.HeldBefore(), r.Recovered())
	}
}

// A kill in the middle of an update leaves the state before it: the new
// copy is in use only once its generation is stored.
func TestHeldUpdateIsWholeOrNothing(t *testing.T) {
	mem := newShared(8, 16)
	s := mem.open(t, 8, 16)
	c, _ := s.Hold(HeldAggregation, 1, collector)
	c.Fold(4, Tally{1, 2, 3})
	// Half an update: the other copy written, the generation not moved.
	w := c.copyMem(c.gen + 1)
	*u64(w[0:]) = 5
	*u64(w[16:]) = 99
	got := mem.open(t, 8, 16).HeldBefore()
	if len(got) != 1 || got[0].Seq != 4 || got[0].Holds != (Tally{1, 2, 3}) {
		t.Fatalf("held %+v, want the state before the interrupted update", got)
	}
}

// A spool pinned by a version without the consumer table (layout 0)
// keeps its marks and records, and starts the table empty whatever its
// bytes held.
func TestHeldOnPreviousLayout(t *testing.T) {
	mem := newShared(8, 16)
	s := mem.open(t, 8, 16)
	m, _ := s.Register("192.0.2.1:2055")
	m.Start(1)
	put(s, 1)
	// As the previous version left it: no layout, and bytes where the
	// table is now.
	*u32(mem[versionAt:]) = 0
	for i := heldAt; i < headerSize; i++ {
		mem[i] = 0xff
	}
	r := mem.open(t, 8, 16)
	if len(r.HeldBefore()) != 0 {
		t.Fatalf("held on a previous version's spool: %+v", r.HeldBefore())
	}
	if rec := r.Recovered(); len(rec) != 1 || !rec[0].Owed {
		t.Fatalf("recovered %+v, want record 1 owed to the mark", rec)
	}
	if *u32(mem[versionAt:]) != layoutVersion {
		t.Fatal("layout not set")
	}
}

// The table fills up: a consumer over the limit is refused, not given
// another's entry; after a kill, the new process takes the entries of
// the one before over when there is no other room, and still counts what
// they held.
func TestHeldTableFull(t *testing.T) {
	mem := newShared(8, 16)
	s := mem.open(t, 8, 16)
	for i := range maxHeld {
		c, err := s.Hold(HeldAggregation, byte(i), collector)
		if err != nil {
			t.Fatalf("consumer %d: %v", i, err)
		}
		c.Fold(0, Tally{1, 1, 1})
	}
	if _, err := s.Hold(HeldBiflow, 0, collector); err == nil {
		t.Fatal("a consumer over the table's size was given an entry")
	}
	r := mem.open(t, 8, 16)
	for i := range maxHeld {
		if _, err := r.Hold(HeldBiflow, byte(i), collector); err != nil {
			t.Fatalf("after a kill, consumer %d: %v", i, err)
		}
	}
	if _, err := r.Hold(HeldBiflow, 99, collector); err == nil {
		t.Fatal("a consumer over the table's size was given an entry")
	}
	if got := r.HeldBefore(); len(got) != maxHeld || got[0].Holds != (Tally{1, 1, 1}) {
		t.Fatalf("held before: %d entries, first %+v", len(got), got)
	}
	r.Forget() // releases none of the new ones
	if got := mem.open(t, 8, 16).HeldBefore(); len(got) != maxHeld || got[0].Kind != HeldBiflow {
		t.Fatalf("after Forget: %+v", got)
	}
}

// A consumer taken out of the fanout (Stop) is owed no later record,
// and still holds what it held until it writes it.
func TestHeldStopped(t *testing.T) {
	mem := newShared(8, 16)
	s := mem.open(t, 8, 16)
	c, _ := s.Hold(HeldAggregation, 1, collector)
	put(s, 1)
	c.Fold(1, Tally{1, 1, 1})
	c.Stop()
	put(s, 2) // the harvest goes on without it
	c.Fold(2, Tally{})
	got := mem.open(t, 8, 16).HeldBefore()
	if len(got) != 1 || got[0].Seq != Stopped || got[0].Holds != (Tally{1, 1, 1}) {
		t.Fatalf("held %+v, want Stopped holding one flow", got)
	}
}

// BenchmarkConsumerFold is what the harvest pays per record and holding
// destination (an aggregation cache's, a biflow one): a lock and a
// two-copy commit in the spool's header.
func BenchmarkConsumerFold(b *testing.B) {
	mem := make(shared, Size(8, 16))
	s, err := New(mem, 8, 16, func() error { return nil })
	if err != nil {
		b.Fatal(err)
	}
	c, _ := s.Hold(HeldAggregation, 1, collector)
	b.ResetTimer()
	for i := range b.N {
		c.Fold(uint64(i+1), Tally{1, 2, 92})
	}
}
