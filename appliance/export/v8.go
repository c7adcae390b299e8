package export

import (
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
)

const (
	v8HeaderLen = 28
	// flow-tools ftencode.c writes agg_version 2 for every scheme.
	v8AggVersion = 2
)

func newV8(cfg EncoderConfig, out PacketWriter) *legacy {
	info := v8Sizes[cfg.Scheme]
	l := newLegacy(cfg, out, v8HeaderLen, info.len, info.max)
	l.header = v8Header
	l.record = v8Records[cfg.Scheme]
	return l
}

// v8Header writes bytes 20-27: engine_type, engine_id, aggregation,
// agg_version, reserved.
func v8Header(cfg *EncoderConfig, b []byte) {
	b[0] = cfg.EngineType
	b[1] = cfg.EngineID
	b[2] = byte(cfg.Scheme)
	b[3] = v8AggVersion
	clear(b[4:8])
}

type v8RecordFunc func(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, flows uint64)

// v8Records are the layouts of flow-tools ftlib.h struct ftrec_v8_N.
var v8Records = [...]v8RecordFunc{
	platform.SchemeAS:                   v8AS,
	platform.SchemeProtocolPort:         v8ProtocolPort,
	platform.SchemeSourcePrefix:         v8SourcePrefix,
	platform.SchemeDestinationPrefix:    v8DestinationPrefix,
	platform.SchemePrefix:               v8Prefix,
	platform.SchemeDestinationOnly:      v8DestinationOnly,
	platform.SchemeSourceDestination:    v8SourceDestination,
	platform.SchemeFullFlow:             v8FullFlow,
	platform.SchemeASToS:                v8ASToS,
	platform.SchemeProtocolPortToS:      v8ProtocolPortToS,
	platform.SchemeSourcePrefixToS:      v8SourcePrefixToS,
	platform.SchemeDestinationPrefixToS: v8DestinationPrefixToS,
	platform.SchemePrefixToS:            v8PrefixToS,
	platform.SchemePrefixPort:           v8PrefixPort,
}

// v8Counters writes dFlows dPkts dOctets First Last, the 20-byte prefix of
// every router scheme.
func v8Counters(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, flows uint64) {
	be.PutUint32(b[0:], uint32(flows))
	be.PutUint32(b[4:], uint32(pkts))
	be.PutUint32(b[8:], uint32(octets))
	be.PutUint32(b[12:], cfg.uptimeMillis(r.Start))
	be.PutUint32(b[16:], cfg.uptimeMillis(r.End))
}

func v8AS(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, flows uint64) {
	v8Counters(cfg, b, r, pkts, octets, flows)
	src, dst := asPair(cfg, r)
	be.PutUint16(b[20:], as16(src))
	be.PutUint16(b[22:], as16(dst))
	be.PutUint16(b[24:], if16(r.InputIf))
	be.PutUint16(b[26:], if16(r.OutputIf))
}

func v8ProtocolPort(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, flows uint64) {
	v8Counters(cfg, b, r, pkts, octets, flows)
	b[20] = r.Proto
	b[21] = 0
	be.PutUint16(b[22:], 0)
	be.PutUint16(b[24:], r.SrcPort)
	be.PutUint16(b[26:], r.DstPort)
}

func v8SourcePrefix(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, flows uint64) {
	v8Counters(cfg, b, r, pkts, octets, flows)
	src, _ := asPair(cfg, r)
	put4(b[20:], r.SrcAddr)
	b[24] = r.SrcMask
	b[25] = 0
	be.PutUint16(b[26:], as16(src))
	be.PutUint16(b[28:], if16(r.InputIf))
	be.PutUint16(b[30:], 0)
}

func v8DestinationPrefix(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, flows uint64) {
	v8Counters(cfg, b, r, pkts, octets, flows)
	_, dst := asPair(cfg, r)
	put4(b[20:], r.DstAddr)
	b[24] = r.DstMask
	b[25] = 0
	be.PutUint16(b[26:], as16(dst))
	be.PutUint16(b[28:], if16(r.OutputIf))
	be.PutUint16(b[30:], 0)
}

func v8Prefix(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, flows uint64) {
	v8Counters(cfg, b, r, pkts, octets, flows)
	src, dst := asPair(cfg, r)
	put4(b[20:], r.SrcAddr)
	put4(b[24:], r.DstAddr)
	b[28] = r.DstMask
	b[29] = r.SrcMask
	be.PutUint16(b[30:], 0)
	be.PutUint16(b[32:], as16(src))
	be.PutUint16(b[34:], as16(dst))
	be.PutUint16(b[36:], if16(r.InputIf))
	be.PutUint16(b[38:], if16(r.OutputIf))
}

func v8ASToS(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, flows uint64) {
	v8AS(cfg, b, r, pkts, octets, flows)
	b[28] = r.ToS
	b[29] = 0
	be.PutUint16(b[30:], 0)
}

func v8ProtocolPortToS(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, flows uint64) {
	v8Counters(cfg, b, r, pkts, octets, flows)
	b[20] = r.Proto
	b[21] = r.ToS
	be.PutUint16(b[22:], 0)
	be.PutUint16(b[24:], r.SrcPort)
	be.PutUint16(b[26:], r.DstPort)
	be.PutUint16(b[28:], if16(r.InputIf))
	be.PutUint16(b[30:], if16(r.OutputIf))
}

func v8SourcePrefixToS(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, flows uint64) {
	v8SourcePrefix(cfg, b, r, pkts, octets, flows)
	b[25] = r.ToS
}

func v8DestinationPrefixToS(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, flows uint64) {
	v8DestinationPrefix(cfg, b, r, pkts, octets, flows)
	b[25] = r.ToS
}

func v8PrefixToS(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, flows uint64) {
	v8Prefix(cfg, b, r, pkts, octets, flows)
	b[30] = r.ToS
	b[31] = 0
}

func v8PrefixPort(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, flows uint64) {
	v8Counters(cfg, b, r, pkts, octets, flows)
	put4(b[20:], r.SrcAddr)
	put4(b[24:], r.DstAddr)
	b[28] = r.DstMask
	b[29] = r.SrcMask
	b[30] = r.ToS
	b[31] = r.Proto
	be.PutUint16(b[32:], r.SrcPort)
	be.PutUint16(b[34:], r.DstPort)
	be.PutUint16(b[36:], if16(r.InputIf))
	be.PutUint16(b[38:], if16(r.OutputIf))
}

// The Catalyst MLS schemes carry no dFlows. marked_tos and extra_pkts
// describe policing, which this probe does not do: they are 0.

func v8DestinationOnly(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, _ uint64) {
	put4(b[0:], r.DstAddr)
	be.PutUint32(b[4:], uint32(pkts))
	be.PutUint32(b[8:], uint32(octets))
	be.PutUint32(b[12:], cfg.uptimeMillis(r.Start))
	be.PutUint32(b[16:], cfg.uptimeMillis(r.End))
	be.PutUint16(b[20:], if16(r.OutputIf))
	b[22] = r.ToS
	b[23] = 0 // marked_tos
	be.PutUint32(b[24:], 0)
	put4(b[28:], cfg.RouterSC)
}

func v8SourceDestination(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, _ uint64) {
	put4(b[0:], r.DstAddr)
	put4(b[4:], r.SrcAddr)
	be.PutUint32(b[8:], uint32(pkts))
	be.PutUint32(b[12:], uint32(octets))
	be.PutUint32(b[16:], cfg.uptimeMillis(r.Start))
	be.PutUint32(b[20:], cfg.uptimeMillis(r.End))
	be.PutUint16(b[24:], if16(r.OutputIf))
	be.PutUint16(b[26:], if16(r.InputIf))
	b[28] = r.ToS
	b[29] = 0 // marked_tos
	be.PutUint16(b[30:], 0)
	be.PutUint32(b[32:], 0)
	put4(b[36:], cfg.RouterSC)
}

func v8FullFlow(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, _ uint64) {
	put4(b[0:], r.DstAddr)
	put4(b[4:], r.SrcAddr)
	be.PutUint16(b[8:], r.DstPort)
	be.PutUint16(b[10:], r.SrcPort)
	be.PutUint32(b[12:], uint32(pkts))
	be.PutUint32(b[16:], uint32(octets))
	be.PutUint32(b[20:], cfg.uptimeMillis(r.Start))
	be.PutUint32(b[24:], cfg.uptimeMillis(r.End))
	be.PutUint16(b[28:], if16(r.OutputIf))
	be.PutUint16(b[30:], if16(r.InputIf))
	b[32] = r.ToS
	b[33] = r.Proto
	b[34] = 0 // marked_tos
	b[35] = 0
	be.PutUint32(b[36:], 0)
	put4(b[40:], cfg.RouterSC)
}
