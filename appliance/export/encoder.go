package export

import (
	"errors"
	"fmt"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

var (
	// ErrNotExportable is returned for a record the format cannot carry,
	// such as an IPv6 flow offered to v5, v7 or v8. It is counted, not sent.
	ErrNotExportable = errors.New("record not exportable in this format")
	// ErrWrongCache is returned when a main-cache record reaches an
	// aggregation encoder or the reverse.
	ErrWrongCache = errors.New("record from the wrong cache for this encoder")
)

// PacketInfo describes a finished packet to its writer.
type PacketInfo struct {
	Records   int  // flow data records; options data records are not counted
	Templates bool // the packet carries (options) template records
	// Packets sums the flows' packet counters over the data records, so a
	// lost export packet is counted as the traffic it described.
	Packets uint64
	// Flows and Bytes are the flows (harvested records: an aggregate's
	// folded flows, a biflow's two directions) and bytes the data
	// records carry, for what a holding consumer keeps (spool.Tally).
	Flows, Bytes uint64
	// DataTemplates and OptionsTemplates count the template and options
	// template records the packet carries.
	DataTemplates, OptionsTemplates int
	// LastSeq is the highest spool sequence of its records (package
	// spool; 0: none was spooled): once the packet is written, its
	// destination has sent every record up to it.
	LastSeq uint64
	// seqs are the ledger numbers of the flows it carries (Ledger): the
	// exporter adds them as it queues the packet, and they are settled
	// with the packet's fate.
	seqs []uint64
}

// PacketWriter receives finished export packets. p is only valid during the
// call: the encoder reuses the buffer.
type PacketWriter interface {
	WritePacket(p []byte, info PacketInfo) error
}

// PacketWriterFunc adapts a function to PacketWriter.
type PacketWriterFunc func(p []byte, info PacketInfo) error

// WritePacket calls f.
func (f PacketWriterFunc) WritePacket(p []byte, info PacketInfo) error { return f(p, info) }

// Encoder builds export packets. A packet is written to the PacketWriter
// when it is full or on Flush. Encoders are not safe for concurrent use.
type Encoder interface {
	// Add encodes a main-cache record.
	Add(rec *flow.Record) error
	// AddAggregate encodes an aggregation-cache entry.
	AddAggregate(a *Aggregate) error
	// Flush writes the partial packet, if any.
	Flush() error
	// Pending is the number of records in the unfinished packet.
	Pending() int
	// OpenedAt is when the unfinished packet got its first record; zero
	// when there is none. IOS flushes packets older than 10 s.
	OpenedAt() time.Time
	// LastTemplate is when templates were last written; zero for formats
	// without templates.
	LastTemplate() time.Time
	Version() Version
}

// NewEncoder returns the encoder for cfg.Version.
func NewEncoder(cfg EncoderConfig, out PacketWriter) (Encoder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("encoder config: %w", err)
	}
	if out == nil {
		return nil, errors.New("encoder config: no packet writer")
	}
	cfg = cfg.withDefaults()
	switch cfg.Version {
	case V5:
		return newV5(cfg, out), nil
	case V7:
		return newV7(cfg, out), nil
	case V8:
		return newV8(cfg, out), nil
	case V9:
		return newTemplated(cfg, out), nil
	default:
		return newTemplated(cfg, out), nil
	}
}
