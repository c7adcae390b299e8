package daemon

import (
	"fmt"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
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

// replaySpool sends, through engine (annotated and counted as expired, as
// a harvest's), the records the daemon before took from the table and
// did not send to all its destinations; each exporter that was one of
// them sends only what it had not (export.Exporter.UseSpool). Records
// for a destination no longer configured are counted as lost in the log.
// It runs once, before the first harvest. d.mu is held.
func (d *Daemon) replaySpool(engine *flowcache.Engine) {
	if d.spool == nil {
		return
	}
	recs := d.spool.Recovered()
	orphans := d.spool.Orphans() // destinations of then that are not configured now
	lost := make([][2]uint64, len(orphans))
	var sent, packets, inTable uint64
	var rec flow.Record
	for _, sr := range recs {
		if d.dp.SpooledRecord(sr, &rec) {
			// Killed between the spool and the free: the table still
			// has it, and its next harvest sends it.
			inTable++
			continue
		}
		for i, m := range orphans {
			if sr.Seq > m.SentBefore {
				lost[i][0]++
				lost[i][1] += rec.Packets
			}
		}
		sent++
		packets += rec.Packets
		engine.Expire(&rec)
	}
	if d.main != nil {
		// The replayed records go out now, not when a packet fills.
		d.main.Flush()
	}
	if len(recs) > 0 {
		d.log.Warn(fmt.Sprintf("%%FLOW-4-UNCLEAN_STOP: %d flow records (%d packets) taken from the cache and not sent before an unclean stop were exported again",
			sent, packets), "records", sent, "packets", packets, "still-in-cache", inTable)
	}
	for i, m := range orphans {
		if lost[i][0] > 0 {
			d.log.Error(fmt.Sprintf("%%FLOW-3-UNCLEAN_STOP_LOST: %d flows (%d packets) for %s, no longer an export destination, lost in an unclean stop",
				lost[i][0], lost[i][1], m.ID()), "collector", m.ID())
		}
	}
	d.spool.Forget()
}
