package daemon

import (
	"fmt"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/spool"
	"github.com/flowtap/flowtap/datapath"
)

// The export spool closes the one gap a kill leaves in "nothing lost":
// the flow table is pinned and outlives the daemon, but a record the
// harvest took out of it lives only in the daemon's memory (an encoder's
// open packet, a queue) until its packet is written. The harvest writes
// each record to the spool before it frees the entry, each main-cache
// destination marks in the spool how far it has written, and the next
// daemon sends what some destination had not (see package spool and
// datapath/spool.go).

// openSpool opens the spool in the pin directory, if the daemon keeps
// one. A spool that cannot be opened leaves the daemon exporting without
// one: logged, as losing the metering over it would be worse.
func (d *Daemon) openSpool() {
	if !d.opts.Spool || d.opts.PinDir == "" {
		return
	}
	sp, err := datapath.OpenSpool(d.opts.PinDir, spool.DefaultSlots)
	if err != nil {
		d.log.Error(fmt.Sprintf("%%FLOW-3-SPOOL: export spool not usable, records taken but not sent are lost if flowtapd is killed: %v", err))
		return
	}
	d.spool = sp
	if err := sp.Discarded(); err != nil {
		// Nothing tells what it held: a daemon killed before sending
		// some records lost them, uncounted.
		d.log.Error(fmt.Sprintf("%%FLOW-3-UNCLEAN_STOP_LOST: export spool unreadable, records a killed flowtapd had not sent (if any) are lost: %v", err))
	}
}

// replaySpool sends, through expire, the records the daemon before took
// from the table and did not send to all its destinations; each exporter
// that was one of them sends only what it had not
// (export.Exporter.UseSpool). Records owed to a destination no longer
// configured are lost: counted (UncleanStopLost) if it took every record,
// else logged as at most. It runs once, before anything else is written
// to the spool: at the first start of the pipeline, through its engine
// (annotated and counted as expired, as a harvest's records), or, when
// the pinned table is of another size, as the datapath opens and before
// it drains that table (replayBeforeDrain), or before a purge or flush
// that comes first (replayFirst). d.mu is held, or the daemon is being
// built.
func (d *Daemon) replaySpool(dp *datapath.Datapath, expire func(*flow.Record)) {
	if d.spool == nil || d.replayed {
		return
	}
	d.replayed = true
	recs := d.spool.Recovered()
	orphans := d.spool.Orphans() // destinations of then that are not configured now
	lost := make([]UncleanStopLoss, len(orphans))
	var sent, packets, inTable uint64
	var rec flow.Record
	var late []takenLate
	for _, sr := range recs {
		if dp.SpooledRecord(sr, &rec) {
			// Killed between the spool and the free: the table still
			// has it, and its next harvest sends it, spooled anew.
			d.spool.SetFlags(sr.Seq, spool.Retaken)
			inTable++
			continue
		}
		late = append(late, takenLate{sr.Seq, rec.Packets})
		if !sr.Owed {
			continue // no destination's mark needs it (held.go's)
		}
		for i, m := range orphans {
			if sr.Seq > m.SentBefore {
				lost[i].add(sr.Seq <= m.SendingBefore, rec.Packets)
			}
		}
		sent++
		packets += rec.Packets
		expire(&rec)
	}
	if d.main != nil {
		// The replayed records go out now, not when a packet fills.
		d.main.Flush()
	}
	if sent > 0 {
		d.log.Warn(fmt.Sprintf("%%FLOW-4-UNCLEAN_STOP: %d flow records (%d packets) taken from the cache and not sent before an unclean stop were exported again",
			sent, packets), "records", sent, "packets", packets, "still-in-cache", inTable)
	}
	for i, m := range orphans {
		l := lost[i]
		switch {
		case l.Records == 0:
		case m.TakesAll():
			// It was given every record: each above its mark is one it
			// had not sent.
			d.orphanLost.Records += l.Records
			d.orphanLost.Packets += l.Packets
			d.orphanLost.Doubt += l.Doubt
			d.orphanLost.DoubtPackets += l.DoubtPackets
			d.log.Error(fmt.Sprintf("%%FLOW-3-UNCLEAN_STOP_LOST: %d flows (%d packets) for %s, no longer an export destination, lost in an unclean stop (%d of them possibly received)",
				l.Records, l.Packets, m.ID(), l.Doubt), "collector", m.ID())
		default:
			// It left some records out (a VLAN list, a format without
			// IPv6), which its mark does not tell apart: a count could
			// be high, so the log says at most.
			d.log.Error(fmt.Sprintf("%%FLOW-3-UNCLEAN_STOP_LOST: at most %d flows (%d packets) for %s, no longer an export destination, lost in an unclean stop (not counted: it left some flows out)",
				l.Records, l.Packets, m.ID()), "collector", m.ID())
		}
	}
	d.countHeld(d.spool.HeldBefore(), late)
	d.spool.Forget()
}

// replayBeforeDrain replays the spool as a pinned table of another size
// is about to be drained (datapath.Options.BeforeDrain, openDatapath). The drain's
// records are spooled above the killed daemon's, and an exporter's mark
// says it sent every record up to it: were the drain's records sent
// first, a second kill would find the older ones behind the marks and
// send them to no one. The replay also forgets the marks of destinations
// no longer configured, which nothing would move: the drain waits for
// room in the ring, and before any exporter exists would wait for ever.
// No pipeline runs yet: the records go where the drain's go (d.expire:
// annotated, straight to the exporters).
func (d *Daemon) replayBeforeDrain(dp *datapath.Datapath) {
	d.replaySpool(dp, d.expire())
}

// replayFirst replays the spool, if nothing has yet, before a harvest
// outside the engine's writes to it: a start's mask change purges the
// pinned table, and a daemon stopped before it started flushes it. The
// records a killed daemon left go out first, for the reasons
// replayBeforeDrain gives. d.mu is held.
func (d *Daemon) replayFirst() {
	if d.dp != nil {
		d.replaySpool(d.dp, d.expire())
	}
}

// UncleanStopLoss counts the records a killed daemon had taken from the
// cache and not sent to a destination the restarted one no longer has,
// with their flows' packets: lost, as nothing sends them. Doubt are
// those of them in the packet being written at the kill, which the
// collector may have received. Only destinations that took every record
// are counted (spool.Mark.TakesAll); the others are logged.
type UncleanStopLoss struct {
	Records, Packets    uint64
	Doubt, DoubtPackets uint64
}

func (l *UncleanStopLoss) add(doubt bool, packets uint64) {
	l.Records++
	l.Packets += packets
	if doubt {
		l.Doubt++
		l.DoubtPackets += packets
	}
}

// UncleanStopLost is what a killed daemon owed destinations this one
// does not have, since the start (SNMP) and since the last `clear ip
// flow stats` (the CLI).
func (d *Daemon) UncleanStopLost() (total, sinceClear UncleanStopLoss) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t, b := d.orphanLost, d.orphanBase
	return t, UncleanStopLoss{Records: t.Records - b.Records, Packets: t.Packets - b.Packets,
		Doubt: t.Doubt - b.Doubt, DoubtPackets: t.DoubtPackets - b.DoubtPackets}
}
