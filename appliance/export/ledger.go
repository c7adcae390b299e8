package export

import (
	"sync"

	"github.com/flowtap/flowtap/appliance/flow"
)

// Ledger counts a cache's flows once however many destinations it has,
// as IOS's export totals are the cache's: a flow is exported when at
// least one destination got its record to its collector, and not
// exported, under one cause, when none did. Each destination's own
// counters (Stats) still say what it sent and lost; summing them
// counted a flow once per destination, so more flows were exported than
// had ended.
//
// Destinations numbers each record it is given (flow.Record.CacheSeq)
// and notes how many destinations it offers it to; each destination
// settles its part once: when the packet carrying it is confirmed or
// lost, or at once when it leaves the record out. The last one to
// settle decides.
//
// The records awaiting a fate are kept by number, not in a run from the
// oldest: a record a destination never settled (a path that forgets it)
// would otherwise hold every later one in memory for as long as the box
// runs. Pending says how many there are, so the leak shows as a number
// an operator, and a test, can watch return to zero when export is idle.
type Ledger struct {
	mu    sync.Mutex
	next  uint64 // the next record's number
	open  map[uint64]ledgerEntry
	total CacheExportStats
}

// CacheExportStats are a cache's flows by what became of them, each flow
// once: Exported when a destination sent it, else under the first
// cause below that a destination had (a loss over a rule that left it
// out), with the packets the flows counted.
type CacheExportStats struct {
	Exported, ExportedPackets uint64
	// Lost by every destination it was offered to: no route, adjacency
	// (ARP/ND), too big for a hop, another send error, no export packet
	// (offered to a destination being closed).
	NoRoute, NoRoutePackets     uint64
	Adjacency, AdjacencyPackets uint64
	TooBig, TooBigPackets       uint64
	SendError, SendErrorPackets uint64
	NoBuffer, NoBufferPackets   uint64
	// Left out by every destination: the format cannot carry it, its
	// VLAN is not in the layer-2 list, the NDE flow filter, its family
	// is not the one the collectors take.
	NotExportable, NotExportablePackets         uint64
	Layer2NotSelected, Layer2NotSelectedPackets uint64
	NDEFiltered, NDEFilteredPackets             uint64
	FamilyNotSelected, FamilyNotSelectedPackets uint64
	// Pending is a gauge, not a count: the flows offered to destinations
	// and not yet settled by all of them (in an open export packet, the
	// send queue, or a biflow destination's pairing).
	Pending uint64
}

// NotExported is every flow no destination sent, and its packets.
func (s CacheExportStats) NotExported() (flows, packets uint64) {
	return s.NoRoute + s.Adjacency + s.TooBig + s.SendError + s.NoBuffer + s.NotExportable + s.Layer2NotSelected + s.NDEFiltered + s.FamilyNotSelected,
		s.NoRoutePackets + s.AdjacencyPackets + s.TooBigPackets + s.SendErrorPackets + s.NoBufferPackets +
			s.NotExportablePackets + s.Layer2NotSelectedPackets + s.NDEFilteredPackets + s.FamilyNotSelectedPackets
}

// Lost is the flows every destination lost (the send causes and no
// export packet), and their packets.
func (s CacheExportStats) Lost() (flows, packets uint64) {
	return s.NoRoute + s.Adjacency + s.TooBig + s.SendError + s.NoBuffer,
		s.NoRoutePackets + s.AdjacencyPackets + s.TooBigPackets + s.SendErrorPackets + s.NoBufferPackets
}

// Since is s counted from base (the counters at a clear).
func (s CacheExportStats) Since(base CacheExportStats) CacheExportStats {
	return CacheExportStats{
		Exported: s.Exported - base.Exported, ExportedPackets: s.ExportedPackets - base.ExportedPackets,
		NoRoute: s.NoRoute - base.NoRoute, NoRoutePackets: s.NoRoutePackets - base.NoRoutePackets,
		Adjacency: s.Adjacency - base.Adjacency, AdjacencyPackets: s.AdjacencyPackets - base.AdjacencyPackets,
		TooBig: s.TooBig - base.TooBig, TooBigPackets: s.TooBigPackets - base.TooBigPackets,
		SendError: s.SendError - base.SendError, SendErrorPackets: s.SendErrorPackets - base.SendErrorPackets,
		NoBuffer: s.NoBuffer - base.NoBuffer, NoBufferPackets: s.NoBufferPackets - base.NoBufferPackets,
		NotExportable: s.NotExportable - base.NotExportable, NotExportablePackets: s.NotExportablePackets - base.NotExportablePackets,
		Layer2NotSelected: s.Layer2NotSelected - base.Layer2NotSelected, Layer2NotSelectedPackets: s.Layer2NotSelectedPackets - base.Layer2NotSelectedPackets,
		NDEFiltered: s.NDEFiltered - base.NDEFiltered, NDEFilteredPackets: s.NDEFilteredPackets - base.NDEFilteredPackets,
		FamilyNotSelected: s.FamilyNotSelected - base.FamilyNotSelected, FamilyNotSelectedPackets: s.FamilyNotSelectedPackets - base.FamilyNotSelectedPackets,
		Pending: s.Pending,
	}
}

// outcome is what one destination made of a record, in the order a
// flow no destination sent is counted under (the lowest one had wins):
// a loss is the flow's fate over a rule that left it out elsewhere.
type outcome uint8

const (
	outcomeNone outcome = iota // nothing settled yet, or the destination skipped it (a replay it had sent)
	outcomeSent
	outcomeNoRoute
	outcomeAdjacency
	outcomeTooBig
	outcomeSendError
	outcomeNoBuffer
	outcomeNotExportable
	outcomeLayer2
	outcomeNDE
	outcomeFamily
)

// lossOutcome is the ledger's word for a destination's lossCause.
func lossOutcome(c lossCause) outcome {
	switch c {
	case causeNoRoute:
		return outcomeNoRoute
	case causeAdjacency:
		return outcomeAdjacency
	case causeTooBig:
		return outcomeTooBig
	case causeNoBuffer:
		return outcomeNoBuffer
	}
	return outcomeSendError
}

type ledgerEntry struct {
	pending int32 // destinations yet to settle
	best    outcome
	packets uint64
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger { return &Ledger{next: 1, open: map[uint64]ledgerEntry{}} }

// Stats are the totals since the ledger was made.
func (l *Ledger) Stats() CacheExportStats {
	if l == nil {
		return CacheExportStats{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.total
	t.Pending = uint64(len(l.open))
	return t
}

// offer numbers a record offered to n destinations.
func (l *Ledger) offer(n int, packets uint64) uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	seq := l.next
	l.next++
	if n > 0 {
		l.open[seq] = ledgerEntry{pending: int32(n), packets: packets}
	}
	return seq
}

// settle records one destination's outcome for each record numbered in
// seqs.
func (l *Ledger) settle(o outcome, seqs ...uint64) {
	if l == nil || len(seqs) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, seq := range seqs {
		e, ok := l.open[seq]
		if !ok {
			continue // not numbered here, or settled by all already
		}
		if o != outcomeNone && (e.best == outcomeNone || o < e.best) {
			e.best = o
		}
		e.pending--
		if e.pending > 0 {
			l.open[seq] = e
			continue
		}
		delete(l.open, seq)
		l.count(&e)
	}
}

func (l *Ledger) count(e *ledgerEntry) {
	t, p := &l.total, e.packets
	switch e.best {
	case outcomeSent:
		t.Exported++
		t.ExportedPackets += p
	case outcomeNoRoute:
		t.NoRoute++
		t.NoRoutePackets += p
	case outcomeAdjacency:
		t.Adjacency++
		t.AdjacencyPackets += p
	case outcomeTooBig:
		t.TooBig++
		t.TooBigPackets += p
	case outcomeSendError:
		t.SendError++
		t.SendErrorPackets += p
	case outcomeNoBuffer:
		t.NoBuffer++
		t.NoBufferPackets += p
	case outcomeNotExportable:
		t.NotExportable++
		t.NotExportablePackets += p
	case outcomeLayer2:
		t.Layer2NotSelected++
		t.Layer2NotSelectedPackets += p
	case outcomeNDE:
		t.NDEFiltered++
		t.NDEFilteredPackets += p
	case outcomeFamily:
		t.FamilyNotSelected++
		t.FamilyNotSelectedPackets += p
	}
}

// flowSeqs are the ledger numbers of the flows one record carries, in
// an array so that numbering each record allocates nothing.
type flowSeqs struct {
	s [2]uint64
	n int
}

func (f *flowSeqs) list() []uint64 { return f.s[:f.n] }

// recordSeqs are the ledger numbers of the flows a record carries: its
// own and, for a paired biflow, its partner direction's (0s left out).
func recordSeqs(r *flow.Record) flowSeqs {
	var f flowSeqs
	if r.CacheSeq != 0 {
		f.s[f.n] = r.CacheSeq
		f.n++
	}
	if r.Biflow != flow.BiflowNone && r.Reverse.Packets|r.Reverse.Bytes != 0 && r.Reverse.CacheSeq != 0 {
		f.s[f.n] = r.Reverse.CacheSeq
		f.n++
	}
	return f
}
