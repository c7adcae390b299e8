package export

import "testing"

// TestLedgerForgetsAroundAStuckRecord: a record one destination never
// settles stays pending, alone; the records after it that every
// destination settled are counted and forgotten, so a path that forgets
// one record costs that record's entry, not every later one's for as
// long as the box runs.
func TestLedgerForgetsAroundAStuckRecord(t *testing.T) {
	l := NewLedger()
	stuck := l.offer(2, 5)
	l.settle(outcomeSent, stuck) // the other destination never settles it
	const later = 10000
	for range later {
		seq := l.offer(2, 1)
		l.settle(outcomeSent, seq)
		l.settle(outcomeNoRoute, seq)
	}
	s := l.Stats()
	if s.Exported != later || s.ExportedPackets != later {
		t.Errorf("exported %d flows (%d packets), want %d", s.Exported, s.ExportedPackets, later)
	}
	if s.Pending != 1 {
		t.Errorf("pending %d, want 1 (the stuck record)", s.Pending)
	}
	if n := len(l.open); n != 1 {
		t.Errorf("the ledger holds %d records, want only the stuck one", n)
	}
	l.settle(outcomeNone, stuck)
	if s := l.Stats(); s.Exported != later+1 || s.Pending != 0 {
		t.Errorf("after the stuck record settled: exported %d, pending %d; want %d and 0", s.Exported, s.Pending, later+1)
	}
}
