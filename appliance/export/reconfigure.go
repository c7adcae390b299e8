package export

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
)

// Reconfigurable reports whether Reconfigure can move e to cfg in place:
// cfg differs from e's configuration in encoder settings only, and not
// in those the exporter is built around (the version, biflow pairing,
// the packet size its queue's slots hold).
func (e *Exporter) Reconfigurable(cfg DestinationConfig) bool {
	was := e.Config()
	cur, next := was.Encoder.withDefaults(), cfg.Encoder.withDefaults()
	if next.Version != cur.Version || next.Biflow != cur.Biflow || next.MaxPacketSize != cur.MaxPacketSize {
		return false
	}
	cfg = cfg.withDefaults()
	cfg.Encoder = was.Encoder
	return reflect.DeepEqual(cfg, was)
}

// Reconfigure moves e to cfg.Encoder in place, where Reconfigurable
// holds: the open packet goes out as the old encoder built it, then the
// new encoder carries on the old one's sequence numbers (and the
// overload rate in force), so the collector sees the same exporter go on
// (IOS does not restart its sequence when such a setting changes) and
// gets the templates afresh. The socket, the queue, the spool mark and
// the counters stay e's. On an error nothing changed.
func (e *Exporter) Reconfigure(cfg DestinationConfig) error {
	if !e.Reconfigurable(cfg) {
		return fmt.Errorf("export destination %s: the change needs a new exporter", e.cfg.Collector)
	}
	enc := cfg.Encoder
	enc.Clock = e.clock
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errors.New("export destination " + e.cfg.Collector.String() + ": closed")
	}
	return e.swapEncoder(enc)
}

// swapEncoder replaces e's encoder with one made from enc for the path
// in force: the open packet goes out as the old one built it, and the
// new one numbers on from the old one's sequence. e.mu is held.
func (e *Exporter) swapEncoder(enc EncoderConfig) error {
	enc.pathPayload = e.pathPayload
	withRow := enc // the row's source stays out of Config (DeepEqual)
	withRow.exporterStats = e.exporterStatsRow
	n, err := NewEncoder(withRow, PacketWriterFunc(e.enqueue))
	if err != nil {
		return fmt.Errorf("export destination %s: %w", e.cfg.Collector, err)
	}
	if err := e.enc.Flush(); err != nil {
		return fmt.Errorf("export destination %s: %w", e.cfg.Collector, err)
	}
	switch o := e.enc.(type) {
	case *templated:
		if t, ok := n.(*templated); ok {
			t.seq, t.cfg.overloadRate = o.seq, o.cfg.overloadRate
			// IPFIX-MIB's records per template go on for the templates
			// defined alike, as after Inherit; one defined otherwise is
			// new, and counts from now (its discontinuity), not from the
			// exporter's start.
			t.inherit(o, e.started)
			now := e.clock.Now()
			for _, ti := range t.templateInfo() {
				if !slices.ContainsFunc(t.counts, func(c setCount) bool { return c.id == ti.ID }) {
					t.counts = append(t.counts, setCount{id: ti.ID, since: now})
				}
			}
		}
	case *legacy:
		if l, ok := n.(*legacy); ok {
			l.seq, l.cfg.overloadRate = o.seq, o.cfg.overloadRate
		}
	}
	e.enc = n
	e.reconfigured.Store(&enc)
	return nil
}

// ContinueSequence makes e, opened to old's collector in old's version
// to replace it (a transport change: the source address, the TTL),
// number its packets on from old's last one, so that the collector sees
// one exporter go on rather than a sequence starting over (lost packets
// to it). old must be closed, so that its last packet is numbered, and e
// given no record yet. Another version is another exporter to the
// collector: its sequence starts at 0. An exporter that numbered a
// packet already (or has one open) keeps its own sequence: renumbering
// would make the collector see it go back.
func (e *Exporter) ContinueSequence(old *Exporter) {
	old.mu.Lock()
	defer old.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	switch o := old.enc.(type) {
	case *templated:
		if n, ok := e.enc.(*templated); ok && n.cfg.Version == o.cfg.Version && n.seq == 0 && n.n == 0 {
			n.seq = o.seq
		}
	case *legacy:
		if n, ok := e.enc.(*legacy); ok && n.cfg.Version == o.cfg.Version && n.seq == 0 && n.count == 0 {
			n.seq = o.seq
		}
	}
}
