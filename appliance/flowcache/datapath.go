package flowcache

import (
	"time"

	"github.com/flowtap/flowtap/appliance/expiry"
	"github.com/flowtap/flowtap/appliance/flow"
)

// HarvestRequest says which flows to take out of the datapath's map.
//
// A zero time disables its rule. The rules and their order are package
// expiry's (Verdict applies them): the datapath's harvest calls the same
// function, so the fake and the datapath cannot disagree.
//
// FastBefore/FastThreshold is Catalyst `mls aging fast`: entries that did
// not switch `threshold` packets within `time` seconds of creation. The
// count is the one at harvest time, not at exactly `time` after creation:
// the ager is coarse anyway.
type HarvestRequest struct {
	Now          time.Time // the engine's clock reading
	IdleBefore   time.Time // flows whose last packet is before this: EndIdle (or EndNoResource if Emergency)
	ActiveBefore time.Time // flows whose first packet is before this: EndActive; the next packet makes a new entry
	EndOfFlow    bool      // flows that saw TCP FIN or RST: EndOfFlow
	Force        bool      // every flow: EndForced
	Emergency    bool      // report idle (and fast) expiries in this pass as EndNoResource

	FastBefore    time.Time // flows whose first packet is before this ...
	FastThreshold uint64    // ... and that have fewer packets than this: EndIdle (EndNoResource if Emergency)
}

// Action is what a harvest does with one entry.
type Action = expiry.Action

const (
	Keep    = expiry.Keep
	Expire  = expiry.Expire
	Discard = expiry.Discard
)

// Verdict applies the request's rules to one entry: its packet count,
// first and last packet times, and whether it saw TCP FIN or RST. The
// reason is meaningful for Expire only (0 otherwise).
func (r *HarvestRequest) Verdict(packets uint64, first, last time.Time, ended bool) (Action, flow.EndReason) {
	pass := r.Pass()
	a, reason := pass.Decide(expiry.Entry{
		Packets:    packets,
		Ended:      ended,
		IdlePast:   !r.IdleBefore.IsZero() && last.Before(r.IdleBefore),
		FastPast:   !r.FastBefore.IsZero() && first.Before(r.FastBefore),
		ActivePast: !r.ActiveBefore.IsZero() && first.Before(r.ActiveBefore),
	})
	if a != Expire {
		reason = 0
	}
	return a, reason
}

// Pass is the request's rules that are not time cutoffs.
func (r *HarvestRequest) Pass() expiry.Pass {
	return expiry.Pass{Force: r.Force, EndOfFlow: r.EndOfFlow, Emergency: r.Emergency, FastThreshold: r.FastThreshold}
}

// Datapath is the engine's view of the flow map. The XDP datapath
// implements it; flowcachetest.Datapath is an in-memory fake.
type Datapath interface {
	// Harvest removes the entries the request selects and
	// calls emit once per record, with EndReason set. It returns the
	// number of records emitted. The record is only valid during emit.
	// No packet may be lost between a record's read and the entry's
	// removal.
	Harvest(req HarvestRequest, emit func(*flow.Record)) (int, error)
	// Usage reports the entries in use and the map's capacity.
	Usage() (used, capacity int, err error)
	// Events delivers FIN/RST and cache-full notices from the ring buffer.
	// It may return nil if the datapath has no events.
	Events() <-chan Event
}

// Peeker reads the live flows without removing them; top talkers use it.
// The record is only valid during emit.
type Peeker interface {
	Peek(emit func(*flow.Record)) error
}

// EventKind says what a datapath event reports.
type EventKind uint8

const (
	EventEndOfFlow EventKind = iota + 1 // a flow saw TCP FIN or RST
	EventCacheFull                      // a flow could not be created: the map is full
)

func (k EventKind) String() string {
	switch k {
	case EventEndOfFlow:
		return "end-of-flow"
	case EventCacheFull:
		return "cache-full"
	}
	return "unknown"
}

// Event is one notice from the datapath's ring buffer.
type Event struct {
	Kind EventKind
	Time time.Time
}

// Sink receives expired records; an exporter per destination is a sink.
// The record is only valid during Export and must not be modified: the
// same record goes to every sink.
type Sink interface {
	Export(*flow.Record)
}

// Annotator fills in fields the datapath cannot know (AS numbers and
// route masks, see package asmap) before the record reaches statistics
// and sinks.
type Annotator interface {
	Annotate(*flow.Record)
}
