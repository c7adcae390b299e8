package daemon

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/appliance/spool"
)

// Aggregation caches and biflow destinations hold records far longer
// than the spool's ring keeps them (an aggregate up to its active
// timeout; a direction until its partner comes, out of the spool's
// order), so a kill cannot be undone for them by a replay. Instead each
// of their destinations keeps in the spool's header the totals of what
// it holds (spool.Consumer): added when the cache folds a record in (the
// biflow destination is given one), taken out when the packet carrying
// it is written or counted lost. A daemon started after a kill finds the
// totals the killed one left, adds the records the kill kept from them
// (taken from the table, not yet folded in), and counts the sum as lost,
// with its reason: it is in the CLI, SNMP, Prometheus and the log.

// HeldLoss is what a kill lost that one holding destination held: an
// aggregation cache's (Scheme) or a biflow one's, to Collector.
type HeldLoss struct {
	Kind      spool.HeldKind
	Scheme    platform.Scheme // the aggregation cache's
	Collector netip.AddrPort
	UncleanStopLoss
}

// Reason says where the loss was held, as the CLI and the log put it.
func (l HeldLoss) Reason() string {
	if l.Kind == spool.HeldBiflow {
		return "held for biflow pairing"
	}
	return "held in aggregation cache " + l.Scheme.String()
}

// takenLate is a record the spool kept that the killed daemon had freed
// from the table: its sequence and packets.
type takenLate struct{ seq, packets uint64 }

// countHeld counts what the consumers of the killed daemon held (before)
// and the records of late above the last each had taken, and logs it.
// d.mu is held.
func (d *Daemon) countHeld(before []spool.Held, late []takenLate) {
	for _, h := range before {
		l := HeldLoss{Kind: h.Kind, Collector: h.Collector}
		if h.Kind == spool.HeldAggregation {
			l.Scheme = platform.Scheme(h.Sub)
		}
		l.Records, l.Packets = h.Holds.Flows, h.Holds.Packets
		l.Doubt, l.DoubtPackets = min(h.Sending.Flows, l.Records), min(h.Sending.Packets, l.Packets)
		for _, r := range late {
			// Taken from the table and not yet folded in (given) when the
			// kill came: the replay folds nothing in. An Unstarted or
			// Stopped consumer was owed none of them.
			if h.Seq != spool.Unstarted && r.seq > h.Seq {
				l.Records++
				l.Packets += r.packets
			}
		}
		if l.Records == 0 && l.Packets == 0 {
			continue
		}
		d.addHeldLoss(l)
		d.log.Error(fmt.Sprintf("%%FLOW-3-UNCLEAN_STOP_LOST: %d flows (%d packets) %s for %s lost in an unclean stop (%d of them possibly received)",
			l.Records, l.Packets, l.Reason(), l.Collector, l.Doubt), "collector", l.Collector.String())
	}
}

// addHeldLoss adds l to the loss of its destination. d.mu is held.
func (d *Daemon) addHeldLoss(l HeldLoss) {
	i := slices.IndexFunc(d.heldLost, func(o HeldLoss) bool {
		return o.Kind == l.Kind && o.Scheme == l.Scheme && o.Collector == l.Collector
	})
	if i < 0 {
		d.heldLost = append(d.heldLost, HeldLoss{Kind: l.Kind, Scheme: l.Scheme, Collector: l.Collector})
		i = len(d.heldLost) - 1
	}
	t := &d.heldLost[i].UncleanStopLoss
	t.Records += l.Records
	t.Packets += l.Packets
	t.Doubt += l.Doubt
	t.DoubtPackets += l.DoubtPackets
}

// UncleanStopHeld is what killed daemons lost that aggregation caches
// and biflow destinations held, per destination, since the start (SNMP,
// Prometheus) and since the last `clear ip flow stats` (the CLI: those
// that counted nothing since are left out).
func (d *Daemon) UncleanStopHeld() (total, sinceClear []HeldLoss) {
	d.mu.Lock()
	defer d.mu.Unlock()
	total = slices.Clone(d.heldLost)
	for i, l := range total {
		var b HeldLoss // the base is a prefix: losses are only appended
		if i < len(d.heldBase) {
			b = d.heldBase[i]
		}
		s := l
		s.Records -= b.Records
		s.Packets -= b.Packets
		s.Doubt -= b.Doubt
		s.DoubtPackets -= b.DoubtPackets
		if s.Records != 0 || s.Packets != 0 {
			sinceClear = append(sinceClear, s)
		}
	}
	return total, sinceClear
}

// useSpoolAgg gives the destinations of a new aggregation cache their
// totals in the spool. d.mu is held.
func (d *Daemon) useSpoolAgg(a *aggCache) {
	if d.spool == nil {
		return
	}
	if err := a.cache.UseSpool(d.spool); err != nil {
		// It exports all the same; a kill would lose what it holds
		// uncounted.
		d.log.Error(fmt.Sprintf("%%FLOW-3-SPOOL: aggregation cache %s: what it holds would be lost uncounted if flowtapd is killed: %v",
			a.cfg.Cache.Scheme, err))
	}
}
