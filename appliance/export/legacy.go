package export

import (
	"fmt"
	"github.com/flowtap/flowtap/appliance/platform"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

// legacy builds the fixed-layout formats v5, v7 and v8: a fixed header, a
// fixed record size and a record limit per packet.
type legacy struct {
	cfg     EncoderConfig
	out     PacketWriter
	buf     []byte
	hdrLen  int
	recLen  int
	maxRecs int
	// header writes the version-specific header bytes from 20 on.
	header func(cfg *EncoderConfig, b []byte)
	// record writes one record; pkts, octets and flows are this part's
	// counters (see splitCount).
	record func(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, flows uint64)

	count    int
	pkts     uint64 // the open packet's flows' packet counters summed
	flows    uint64 // and the flows and bytes its records carry
	octets   uint64
	lastSeq  uint64 // the highest spool sequence of its records
	seq      uint32 // flows in all packets before the open one
	openedAt time.Time
}

func newLegacy(cfg EncoderConfig, out PacketWriter, hdrLen, recLen, maxRecs int) *legacy {
	// Fewer records on a path whose MTU is smaller than a full packet
	// (30 v5 records are 1464 B: a 1280-byte link fragments them).
	if n := (cfg.pathPayload - hdrLen) / recLen; cfg.pathPayload > 0 && n >= 1 && n < maxRecs {
		maxRecs = n
	}
	return &legacy{
		cfg:     cfg,
		out:     out,
		buf:     make([]byte, hdrLen+recLen*maxRecs),
		hdrLen:  hdrLen,
		recLen:  recLen,
		maxRecs: maxRecs,
	}
}

// SetOverloadRate changes the overload sampling rate the v5 header
// carries (0: off). A v5 packet's header gives one rate for all its
// records, written as it goes out: the open packet goes first, with the
// rate its records were exported under.
func (l *legacy) SetOverloadRate(n uint32) error {
	if l.cfg.overloadRate == n {
		return nil
	}
	if l.cfg.Version == V5 {
		if err := l.Flush(); err != nil {
			return err
		}
	}
	l.cfg.overloadRate = n
	return nil
}

func (l *legacy) Version() Version        { return l.cfg.Version }
func (l *legacy) Pending() int            { return l.count }
func (l *legacy) OpenedAt() time.Time     { return l.openedAt }
func (l *legacy) LastTemplate() time.Time { return time.Time{} }

func (l *legacy) Add(rec *flow.Record) error {
	if l.cfg.Version == V8 {
		return ErrWrongCache
	}
	if rec.IsIPv6() {
		return ErrNotExportable
	}
	return l.add(rec, 1)
}

func (l *legacy) AddAggregate(a *Aggregate) error {
	if l.cfg.Version != V8 || a.schemeMismatch(l.cfg.Scheme) {
		return ErrWrongCache
	}
	if a.IsIPv6() {
		return ErrNotExportable
	}
	return l.add(&a.Record, a.Flows)
}

func (l *legacy) add(r *flow.Record, flows uint64) error {
	var firstErr error
	n := splitCount(r.Packets, r.Bytes, flows)
	for i := uint64(0); i < n; i++ {
		if l.count == 0 {
			l.openedAt = l.cfg.Clock.Now()
			l.cfg.anchor(l.openedAt)
		}
		off := l.hdrLen + l.count*l.recLen
		pk, oc, fl := share(r.Packets, n, i), share(r.Bytes, n, i), share(flows, n, i)
		l.record(&l.cfg, l.buf[off:off+l.recLen], r, pk, oc, fl)
		l.count++
		l.pkts += pk
		l.flows += fl
		l.octets += oc
		if i == n-1 {
			// A record split over two packets is sent with the second.
			l.lastSeq = max(l.lastSeq, r.SpoolSeq)
		}
		if l.count == l.maxRecs {
			if err := l.emit(); err != nil && firstErr == nil {
				firstErr = err
			}
		}
	}
	return firstErr
}

func (l *legacy) Flush() error {
	if l.count == 0 {
		return nil
	}
	return l.emit()
}

func (l *legacy) emit() error {
	now := l.cfg.Clock.Now()
	b := l.buf
	secs, nsecs := unixTime(now)
	be.PutUint16(b[0:], uint16(l.cfg.Version))
	be.PutUint16(b[2:], uint16(l.count))
	be.PutUint32(b[4:], l.cfg.uptimeMillis(now))
	be.PutUint32(b[8:], secs)
	be.PutUint32(b[12:], nsecs)
	be.PutUint32(b[16:], l.seq)
	l.header(&l.cfg, b[20:l.hdrLen])

	n, info := l.count, PacketInfo{Records: l.count, Packets: l.pkts, Flows: l.flows, Bytes: l.octets, LastSeq: l.lastSeq}
	l.seq += uint32(n) // a lost packet must still leave a gap the collector sees
	l.count, l.pkts, l.flows, l.octets, l.lastSeq = 0, 0, 0, 0, 0
	l.openedAt = time.Time{}
	if err := l.out.WritePacket(b[:l.hdrLen+n*l.recLen], info); err != nil {
		return fmt.Errorf("write v%d packet: %w", l.cfg.Version, err)
	}
	return nil
}

// asPair is the record's AS numbers, or zeros when neither origin-as nor
// peer-as is configured.
func asPair(cfg *EncoderConfig, r *flow.Record) (src, dst uint32) {
	if cfg.AS == platform.ASNone {
		return 0, 0
	}
	return r.SrcAS, r.DstAS
}
