package export

import (
	"github.com/flowtap/flowtap/appliance/flow"
)

const (
	v7HeaderLen = 24
	v7RecordLen = 52
	// Cisco allows 30, nfdump 28, flow-tools 27: the smallest keeps every
	// collector happy.
	v7MaxRecords = 27
)

func newV7(cfg EncoderConfig, out PacketWriter) *legacy {
	l := newLegacy(cfg, out, v7HeaderLen, v7RecordLen, v7MaxRecords)
	l.header = v7Header
	l.record = v7Record
	return l
}

// v7Header writes bytes 20-23, reserved in v7.
func v7Header(_ *EncoderConfig, b []byte) { clear(b[:4]) }

func v7Record(cfg *EncoderConfig, b []byte, r *flow.Record, pkts, octets, flows uint64) {
	v5Record(cfg, b, r, pkts, octets, flows)
	b[36] = cfg.V7FlowMask
	put4(b[48:], cfg.RouterSC)
}
