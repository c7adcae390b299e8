package export

import (
	"github.com/flowtap/flowtap/appliance/flow"
)

const (
	v5HeaderLen  = 24
	v5RecordLen  = 48
	v5MaxRecords = 30
)

func newV5(cfg EncoderConfig, out PacketWriter) *legacy {
	l := newLegacy(cfg, out, v5HeaderLen, v5RecordLen, v5MaxRecords)
	l.header = v5Header
	l.record = v5Record
	return l
}

// v5Header writes bytes 20-23: engine_type, engine_id, sampling_interval.
func v5Header(cfg *EncoderConfig, b []byte) {
	b[0] = cfg.EngineType
	b[1] = cfg.EngineID
	be.PutUint16(b[2:], v5Sampling(cfg.v5Sampler()))
}

// v5Sampling packs the 2-bit mode and 14-bit interval; intervals over 16383
// do not fit and are clamped.
func v5Sampling(s Sampler) uint16 {
	if !s.Enabled() {
		return 0
	}
	iv := s.Interval
	if iv > 0x3fff {
		iv = 0x3fff
	}
	return uint16(s.Mode&0x3)<<14 | uint16(iv)
}

// v5Record writes the 48-byte record shared with v7 (bytes 0-47).
func v5Record(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, _ uint64) {
	put4(b[0:], r.SrcAddr)
	put4(b[4:], r.DstAddr)
	put4(b[8:], r.NextHop)
	// ifIndex is 16 bits on the wire: keep the low bits as IOS's C does.
	be.PutUint16(b[12:], if16(r.InputIf))
	be.PutUint16(b[14:], if16(r.OutputIf))
	if cfg.ZeroNextHopOutput {
		clear(b[8:12])
		clear(b[14:16])
	}
	be.PutUint32(b[16:], uint32(pkts))
	be.PutUint32(b[20:], uint32(octets))
	be.PutUint32(b[24:], cfg.uptimeMillis(r.Start))
	be.PutUint32(b[28:], cfg.uptimeMillis(r.End))
	be.PutUint16(b[32:], r.SrcPort)
	be.PutUint16(b[34:], r.DstPort)
	b[36] = 0
	b[37] = r.TCPFlags
	if cfg.ZeroTCPFlags {
		b[37] = 0
	}
	b[38] = r.Proto
	b[39] = r.ToS
	src, dst := asPair(cfg, r)
	be.PutUint16(b[40:], as16(src))
	be.PutUint16(b[42:], as16(dst))
	b[44] = r.SrcMask
	b[45] = r.DstMask
	b[46], b[47] = 0, 0
}
