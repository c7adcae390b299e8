package flowcachetest

import (
	"errors"
	"sync"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
)

// TCP flag bits the fake looks at.
const (
	TCPFin = 0x01
	TCPRst = 0x04
)

// Packet is one metered packet, already reduced to its flow key.
type Packet struct {
	Key      flow.Key
	Bytes    uint64 // IP total length
	TCPFlags uint8
	Time     time.Time
}

// Datapath is an in-memory flow map implementing flowcache.Datapath and
// flowcache.Peeker with the XDP datapath's contract: fixed capacity, a
// flow that cannot be created is counted, FIN/RST and map-full notices go
// to a bounded event channel that drops when full (as a ring buffer does).
type Datapath struct {
	mu       sync.Mutex
	capacity int
	index    map[flow.Key]int // position in entries
	entries  []entry          // in creation order, swap-removed: harvests are deterministic
	events   chan flowcache.Event

	metered       Totals // packets that found or created an entry
	failed        Totals // packets whose flow could not be created
	allocFailures uint64 // packets that found no entry and no room for one
	droppedEvents uint64

	harvestErr      error // see FailHarvest
	harvestErrAfter int
}

type entry struct {
	rec   flow.Record
	ended bool // saw FIN or RST
}

// Totals are packet and byte sums.
type Totals struct {
	Packets, Bytes uint64
}

// EventBuffer is the event channel's capacity.
const EventBuffer = 64

// NewDatapath returns an empty map with room for capacity flows.
func NewDatapath(capacity int) *Datapath {
	return &Datapath{
		capacity: capacity,
		index:    make(map[flow.Key]int),
		events:   make(chan flowcache.Event, EventBuffer),
	}
}

// Meter counts one packet; it reports false if the flow could not be created.
func (d *Datapath) Meter(p Packet) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	i, ok := d.index[p.Key]
	if !ok {
		if len(d.entries) >= d.capacity {
			d.allocFailures++
			d.failed.Packets++
			d.failed.Bytes += p.Bytes
			d.send(flowcache.EventCacheFull, p.Time)
			return false
		}
		i = len(d.entries)
		d.entries = append(d.entries, entry{rec: flow.Record{Key: p.Key}})
		d.index[p.Key] = i
	}
	e := &d.entries[i]
	r := &e.rec
	if r.Packets == 0 {
		r.Start = p.Time
	}
	r.End = p.Time
	r.Packets++
	r.Bytes += p.Bytes
	r.TCPFlags |= p.TCPFlags
	d.metered.Packets++
	d.metered.Bytes += p.Bytes
	if p.TCPFlags&(TCPFin|TCPRst) != 0 && !e.ended {
		e.ended = true
		d.send(flowcache.EventEndOfFlow, p.Time)
	}
	return true
}

// FailHarvest makes the next Harvest stop with err once it has emitted
// after records (or all it had), as a batch lookup that fails half-way does.
func (d *Datapath) FailHarvest(err error, after int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.harvestErr, d.harvestErrAfter = err, after
}

func (d *Datapath) send(k flowcache.EventKind, t time.Time) {
	select {
	case d.events <- flowcache.Event{Kind: k, Time: t}:
	default:
		d.droppedEvents++
	}
}

func (d *Datapath) Harvest(req flowcache.HarvestRequest, emit func(*flow.Record)) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for i := 0; i < len(d.entries); {
		if d.harvestErr != nil && n >= d.harvestErrAfter {
			err := d.harvestErr
			d.harvestErr = nil
			return n, err
		}
		e := &d.entries[i]
		action, reason := req.Verdict(e.rec.Packets, e.rec.Start, e.rec.End, e.ended)
		switch action {
		case flowcache.Keep:
			i++
			continue
		case flowcache.Expire:
			out := e.rec // emit a copy: a sink must not see the entry change under it
			out.EndReason = reason
			emit(&out)
			n++
		}
		d.remove(i)
	}
	if err := d.harvestErr; err != nil {
		d.harvestErr = nil
		return n, err
	}
	return n, nil
}

// remove swap-removes entry i; the caller looks at i again.
func (d *Datapath) remove(i int) {
	last := len(d.entries) - 1
	delete(d.index, d.entries[i].rec.Key)
	if i != last {
		d.entries[i] = d.entries[last]
		d.index[d.entries[i].rec.Key] = i
	}
	d.entries = d.entries[:last]
}

func (d *Datapath) Usage() (used, capacity int, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.entries), d.capacity, nil
}

func (d *Datapath) Events() <-chan flowcache.Event { return d.events }

// Peek lists the live flows that have packets.
func (d *Datapath) Peek(emit func(*flow.Record)) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range d.entries {
		if d.entries[i].rec.Packets == 0 {
			continue
		}
		r := d.entries[i].rec
		emit(&r)
	}
	return nil
}

// Metered returns the sums over packets that were counted in a flow.
func (d *Datapath) Metered() Totals {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.metered
}

// Failed returns the sums over packets whose flow could not be created.
func (d *Datapath) Failed() Totals {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.failed
}

// AllocFailures is the number of failed flow creations: one per packet
// that found neither its entry nor room for one, as the datapath counts.
func (d *Datapath) AllocFailures() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.allocFailures
}

// DroppedEvents is the number of events lost to a full channel.
func (d *Datapath) DroppedEvents() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.droppedEvents
}

// Live returns the sums still held in the map.
func (d *Datapath) Live() Totals {
	d.mu.Lock()
	defer d.mu.Unlock()
	var t Totals
	for i := range d.entries {
		t.Packets += d.entries[i].rec.Packets
		t.Bytes += d.entries[i].rec.Bytes
	}
	return t
}

// Recorder is a Sink that keeps copies of what it receives.
type Recorder struct {
	mu   sync.Mutex
	recs []flow.Record
}

func (r *Recorder) Export(rec *flow.Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, *rec)
}

// Records returns a copy of the records received so far.
func (r *Recorder) Records() []flow.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]flow.Record(nil), r.recs...)
}

// Totals sums the records received so far.
func (r *Recorder) Totals() Totals {
	r.mu.Lock()
	defer r.mu.Unlock()
	var t Totals
	for i := range r.recs {
		t.Packets += r.recs[i].Packets
		t.Bytes += r.recs[i].Bytes
	}
	return t
}

// Reset forgets the records received so far.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = nil
}

// ErrInjected is a ready-made error for FailHarvest.
var ErrInjected = errors.New("flowcachetest: injected harvest failure")
