// Package expiry holds the cache's expiry rules: the one decision, per
// entry and per harvest pass, that the XDP datapath's harvest and the
// in-memory fake (flowcache/flowcachetest) both call, so the engine's
// tests prove the rules production runs.
//
// The rules, in order, the first that matches wins:
//
//  1. Force: every flow leaves as EndForced.
//  2. EndOfFlow: a flow that saw TCP FIN or RST leaves as EndOfFlow.
//  3. Idle: a flow whose last packet is before the idle cutoff leaves as
//     EndIdle.
//  4. Fast: a flow whose first packet is before the fast-aging cutoff and
//     that has fewer than FastThreshold packets leaves as EndIdle
//     (Catalyst `mls aging fast`).
//  5. Active: a flow whose first packet is before the active cutoff leaves
//     as EndActive. Its next packet makes a new entry, as on IOS after an
//     active timeout. (Entries used to restart in place, their counters
//     swapped to zero while the datapath's writers added to them; an entry
//     now has one writer, its CPU, which adds without atomics, and the
//     harvest never writes a live entry's counters.)
//
// With Emergency, rules 3 and 4 report EndNoResource instead of EndIdle.
//
// With Stale (the caller's clock cannot date the entries: the datapath's
// 32-bit stamps after a harvest-less absence longer than they cover), the
// times given as past are certain but those given as not past are not,
// so no flow is kept: a flow no rule takes leaves as EndActive too, its
// counters whole (it may have seen packets up to now; its next ones make
// a new entry). A husk is discarded.
//
// A husk is an entry with no packets: one an older version restarted at
// its active timeout, pinned across the upgrade, that has seen no packet
// since. It never makes a record: rules 1 and 3 and Stale remove it
// silently (its last packet is the one before the cut), the others keep
// it.
package expiry

import "github.com/flowtap/flowtap/appliance/flow"

// Action is what a harvest does with one entry.
type Action uint8

const (
	Keep    Action = iota // leave the entry alone
	Expire                // emit the record, then delete the entry
	Discard               // delete the entry without emitting (a husk, no packet)
)

func (a Action) String() string {
	switch a {
	case Keep:
		return "keep"
	case Expire:
		return "expire"
	case Discard:
		return "discard"
	}
	return "unknown"
}

// Pass is one harvest pass's rules that are not time cutoffs.
type Pass struct {
	Force         bool
	EndOfFlow     bool
	Emergency     bool
	FastThreshold uint64
	Stale         bool // entries' times not past are uncertain: expire everything
}

// Entry is one cache entry as the rules see it. Each caller compares the
// entry's times with the pass's cutoffs in its own clock (wall time in the
// fake, 2^20-ns datapath stamps in the harvest), so the comparisons are
// given here as results. A disabled cutoff is never passed.
type Entry struct {
	Packets    uint64 // since the entry was created
	Ended      bool   // saw TCP FIN or RST
	IdlePast   bool   // last packet before the idle cutoff
	FastPast   bool   // first packet before the fast-aging cutoff
	ActivePast bool   // first packet before the active cutoff
}

// Decide applies the rules to e. For Discard the reason is the one the
// entry is marked with in case a packet lands in it before it is
// collected (the datapath's writers race the harvest); the fake never
// sees one. A pointer receiver: the pass and the entry by value took ten
// registers, one more than the ABI has, and the entry went through the
// stack, where its bytes' stores were read back as one load the CPU
// could not forward (5 ns an entry of the datapath's harvest).
func (p *Pass) Decide(e Entry) (Action, flow.EndReason) {
	early := flow.EndIdle
	if p.Emergency {
		early = flow.EndNoResource
	}
	if e.Packets == 0 {
		switch {
		case p.Force:
			return Discard, flow.EndForced
		case e.IdlePast:
			return Discard, early
		case p.Stale:
			return Discard, flow.EndActive
		}
		return Keep, 0
	}
	switch {
	case p.Force:
		return Expire, flow.EndForced
	case p.EndOfFlow && e.Ended:
		return Expire, flow.EndOfFlow
	case e.IdlePast:
		return Expire, early
	case e.FastPast && e.Packets < p.FastThreshold:
		return Expire, early
	case p.Stale:
		return Expire, flow.EndActive
	case e.ActivePast:
		return Expire, flow.EndActive
	}
	return Keep, 0
}
