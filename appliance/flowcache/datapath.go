package flowcache

import (
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

// HarvestRequest says which flows to take out of the datapath's map.
//
// A zero time disables its rule. Rules are applied to each entry in this
// order, the first that matches wins (Verdict implements it, so that the
// datapath and the fake cannot disagree):
//
//  1. Force: every flow leaves as EndForced.
//  2. EndOfFlow: a flow that saw TCP FIN or RST leaves as EndOfFlow.
//  3. IdleBefore: a flow whose last packet is before it leaves as EndIdle.
//  4. FastBefore: a flow whose first packet is before it and that has fewer
//     than FastThreshold packets leaves as EndIdle. This is Catalyst
//     `mls aging fast`: entries that did not switch `threshold` packets
//     within `time` seconds of creation. The count is the one at harvest
//     time, not at exactly `time` after creation: the ager is coarse anyway.
//  5. ActiveBefore: a flow whose first packet is before it is exported as
//     EndActive; the entry stays and restarts its counters, so the next
//     record of that flow holds only what came after the cut.
//
// With Emergency, rules 3 and 4 report EndNoResource instead of EndIdle.
//
// An entry restarted by rule 5 that has seen no packet since is removed
// without being emitted when rule 1 or 3 applies to it (its last packet is
// the one before the cut), and is otherwise kept: a record with zero
// packets would be exported noise.
type HarvestRequest struct {
	Now          time.Time // the engine's clock reading
	IdleBefore   time.Time // flows whose last packet is before this: EndIdle (or EndNoResource if Emergency)
	ActiveBefore time.Time // flows whose first packet is before this: EndActive; the entry stays and restarts its counters
	EndOfFlow    bool      // flows that saw TCP FIN or RST: EndOfFlow
	Force        bool      // every flow: EndForced
	Emergency    bool      // report idle (and fast) expiries in this pass as EndNoResource

	FastBefore    time.Time // flows whose first packet is before this ...
	FastThreshold uint64    // ... and that have fewer packets than this: EndIdle (EndNoResource if Emergency)
}

// Action is what a harvest does with one entry.
type Action uint8

const (
	Keep    Action = iota // leave the entry alone
	Expire                // emit the record, then delete the entry
	Restart               // emit the record, then zero its counters and keep the entry
	Discard               // delete the entry without emitting (restarted, no packet since)
)

// Verdict applies the request's rules to one entry: its packet count,
// first and last packet times, and whether it saw TCP FIN or RST. The
// reason is meaningful for Expire and Restart only.
func (r *HarvestRequest) Verdict(packets uint64, first, last time.Time, ended bool) (Action, flow.EndReason) {
	idle := !r.IdleBefore.IsZero() && last.Before(r.IdleBefore)
	if packets == 0 {
		if r.Force || idle {
			return Discard, 0
		}
		return Keep, 0
	}
	early := flow.EndIdle
	if r.Emergency {
		early = flow.EndNoResource
	}
	switch {
	case r.Force:
		return Expire, flow.EndForced
	case r.EndOfFlow && ended:
		return Expire, flow.EndOfFlow
	case idle:
		return Expire, early
	case !r.FastBefore.IsZero() && first.Before(r.FastBefore) && packets < r.FastThreshold:
		return Expire, early
	case !r.ActiveBefore.IsZero() && first.Before(r.ActiveBefore):
		return Restart, flow.EndActive
	}
	return Keep, 0
}

// Datapath is the engine's view of the flow map. The XDP datapath
// implements it; flowcachetest.Datapath is an in-memory fake.
type Datapath interface {
	// Harvest removes (or restarts) the entries the request selects and
	// calls emit once per record, with EndReason set. It returns the
	// number of records emitted. The record is only valid during emit.
	// No packet may be lost between a record's read and the entry's
	// removal or restart.
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
