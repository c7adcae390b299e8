package export

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/flowtap/flowtap/appliance/flow"
)

// Destinations fans one cache's output out to several exporters, each with
// its own collector and version. (IOS allows two per cache; enforcing that
// is the config layer's business.)
type Destinations struct {
	list   []*Exporter
	ledger *Ledger // nil: the flows are not counted for the cache
}

// NewDestinations opens an exporter per config; on error the ones already
// opened are closed.
func NewDestinations(cfgs []DestinationConfig) (*Destinations, error) {
	d := &Destinations{}
	for _, c := range cfgs {
		e, err := NewExporter(c)
		if err != nil {
			d.Close()
			return nil, err
		}
		d.list = append(d.list, e)
	}
	return d, nil
}

// DestinationsOf fans out to exporters that already run, so that a
// configuration change can keep the unchanged ones (their sockets,
// sequence numbers, templates and counters) and open only the new ones.
func DestinationsOf(list []*Exporter) *Destinations {
	return &Destinations{list: append([]*Exporter(nil), list...)}
}

// CountIn has the destinations settle each record they are given in l,
// the cache's ledger, which counts a flow once however many
// destinations it has. Call it before the first record.
func (d *Destinations) CountIn(l *Ledger) {
	d.ledger = l
	for _, e := range d.list {
		e.useLedger(l)
	}
}

// SetLogger has every destination log its collector's outages.
func (d *Destinations) SetLogger(l *slog.Logger) {
	for _, e := range d.list {
		e.SetLogger(l)
	}
}

// Exporters returns the exporters in configuration order.
func (d *Destinations) Exporters() []*Exporter { return d.list }

// Export sends a main-cache record to every destination, numbered in
// the ledger (flow.Record.CacheSeq) when there is one.
func (d *Destinations) Export(rec *flow.Record) {
	if d.ledger != nil && len(d.list) > 0 {
		rec.CacheSeq = d.ledger.offer(len(d.list), rec.Packets)
	}
	for _, e := range d.list {
		e.Export(rec)
	}
}

// ExportAggregate sends an aggregate to every destination.
func (d *Destinations) ExportAggregate(a *Aggregate) {
	for _, e := range d.list {
		e.ExportAggregate(a)
	}
}

// Flush sends every destination's partial packet.
func (d *Destinations) Flush() error {
	var errs []error
	for _, e := range d.list {
		errs = append(errs, e.Flush())
	}
	return errors.Join(errs...)
}

// Stats returns each destination's counters in configuration order.
func (d *Destinations) Stats() []Stats {
	out := make([]Stats, len(d.list))
	for i, e := range d.list {
		out[i] = e.Stats()
	}
	return out
}

// Close flushes and closes every destination.
func (d *Destinations) Close() error {
	var errs []error
	for _, e := range d.list {
		if err := e.Close(); err != nil {
			errs = append(errs, fmt.Errorf("destination %s: %w", e.cfg.Collector, err))
		}
	}
	return errors.Join(errs...)
}

// SetOverloadRate tells every exporter the overload sampling rate in
// force (0: off).
func (d *Destinations) SetOverloadRate(n uint32) {
	for _, e := range d.list {
		e.SetOverloadRate(n)
	}
}
