package export_test

import (
	"errors"
	"github.com/flowtap/flowtap/appliance/platform"
	"math"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
)

var v5Config = export.EncoderConfig{
	Version:    export.V5,
	EngineType: 1,
	EngineID:   2,
	AS:         platform.ASOrigin,
	Sampler:    export.Sampler{ID: 1, Mode: export.SamplingRandom, Interval: 100},
}

// v5HeaderFields is the first packet's header (24 bytes).
var v5HeaderFields = []fieldAt{
	{name: "version", off: 0, size: 2, want: 5},
	{name: "count", off: 2, size: 2, want: 1},
	{name: "SysUptime", off: 4, size: 4, want: 3600123},
	{name: "unix_secs", off: 8, size: 4, want: 1704070800},
	{name: "unix_nsecs", off: 12, size: 4, want: 123456789},
	{name: "flow_sequence", off: 16, size: 4, want: 0},
	{name: "engine_type", off: 20, size: 1, want: 1},
	{name: "engine_id", off: 21, size: 1, want: 2},
	{name: "sampling_interval (mode 2 random, 100)", off: 22, size: 2, want: 2<<14 | 100},
}

// v5RecordFields is tcpRecord() as a 48-byte record (offsets in the record).
var v5RecordFields = []fieldAt{
	{name: "srcaddr", off: 0, size: 4, want: 0x0a000001},
	{name: "dstaddr", off: 4, size: 4, want: 0xc000020a},
	{name: "nexthop", off: 8, size: 4, want: 0x0a0000fe},
	{name: "input", off: 12, size: 2, want: 3},
	{name: "output", off: 14, size: 2, want: 4},
	{name: "dPkts", off: 16, size: 4, want: 10},
	{name: "dOctets", off: 20, size: 4, want: 1500},
	{name: "First", off: 24, size: 4, want: 1000},
	{name: "Last", off: 28, size: 4, want: 3500},
	{name: "srcport", off: 32, size: 2, want: 12345},
	{name: "dstport", off: 34, size: 2, want: 80},
	{name: "pad1", off: 36, size: 1, want: 0},
	{name: "tcp_flags", off: 37, size: 1, want: 0x1b},
	{name: "prot", off: 38, size: 1, want: 6},
	{name: "tos", off: 39, size: 1, want: 0x28},
	{name: "src_as", off: 40, size: 2, want: 64512},
	{name: "dst_as", off: 42, size: 2, want: 65001},
	{name: "src_mask", off: 44, size: 1, want: 24},
	{name: "dst_mask", off: 45, size: 1, want: 16},
	{name: "pad2", off: 46, size: 2, want: 0},
}

func TestV5Golden(t *testing.T) {
	enc, c := newEncoder(t, v5Config)
	mustAdd(t, enc, tcpRecord())
	mustFlush(t, enc)
	if len(c.pkts) != 1 {
		t.Fatalf("%d packets, want 1", len(c.pkts))
	}
	want := hx(t, `
		0005 0001 0036eefb 65920e90 075bcd15 00000000 01 02 8064
		0a000001 c000020a 0a0000fe 0003 0004 0000000a 000005dc 000003e8 00000dac
		3039 0050 00 1b 06 28 fc00 fde9 18 10 0000`)
	p := c.pkts[0]
	wholeEqual(t, "v5 packet", p, want)
	checkFields(t, "v5 header", p, 0, v5HeaderFields)
	checkFields(t, "v5 record", p, 24, v5RecordFields)
	if c.infos[0].Records != 1 || c.infos[0].Templates {
		t.Errorf("packet info %+v, want 1 record and no templates", c.infos[0])
	}
}

// The flow_sequence of a packet is the number of flows in all packets
// before it, and a packet holds at most 30 records.
func TestV5SequenceAndRecordLimit(t *testing.T) {
	enc, c := newEncoder(t, v5Config)
	for range 31 {
		mustAdd(t, enc, tcpRecord())
	}
	if len(c.pkts) != 1 {
		t.Fatalf("after 31 records: %d packets sent, want 1 full packet", len(c.pkts))
	}
	if enc.Pending() != 1 {
		t.Errorf("Pending = %d, want 1", enc.Pending())
	}
	mustFlush(t, enc)
	mustAdd(t, enc, tcpRecord())
	mustFlush(t, enc)
	for i, want := range []struct{ count, seq, size uint64 }{{30, 0, 24 + 30*48}, {1, 30, 72}, {1, 31, 72}} {
		p := c.pkts[i]
		checkFields(t, "v5 header", p, 0, []fieldAt{
			{name: "count", off: 2, size: 2, want: want.count},
			{name: "flow_sequence", off: 16, size: 4, want: want.seq},
		})
		if uint64(len(p)) != want.size {
			t.Errorf("packet %d: %d bytes, want %d", i, len(p), want.size)
		}
	}
}

func TestV5ZeroesASWithoutOriginOrPeer(t *testing.T) {
	cfg := v5Config
	cfg.AS = platform.ASNone
	enc, c := newEncoder(t, cfg)
	mustAdd(t, enc, tcpRecord())
	mustFlush(t, enc)
	checkFields(t, "v5 record", c.pkts[0], 24, []fieldAt{
		{name: "src_as", off: 40, size: 2, want: 0},
		{name: "dst_as", off: 42, size: 2, want: 0},
	})
}

// A 4-byte AS does not fit v5's 2-byte fields: AS_TRANS (RFC 6793) it is.
func TestV5FourByteASIsASTrans(t *testing.T) {
	enc, c := newEncoder(t, v5Config)
	r := tcpRecord()
	r.SrcAS = 4200000000
	mustAdd(t, enc, r)
	mustFlush(t, enc)
	checkFields(t, "v5 record", c.pkts[0], 24, []fieldAt{
		{name: "src_as", off: 40, size: 2, want: 23456},
		{name: "dst_as", off: 42, size: 2, want: 65001},
	})
}

func TestV5IPv6NotExportable(t *testing.T) {
	enc, c := newEncoder(t, v5Config)
	r := v6Record()
	if err := enc.Add(&r); !errors.Is(err, export.ErrNotExportable) {
		t.Fatalf("Add(IPv6) = %v, want ErrNotExportable", err)
	}
	mustFlush(t, enc)
	if len(c.pkts) != 0 || enc.Pending() != 0 {
		t.Fatalf("IPv6 record was encoded: %d packets, %d pending", len(c.pkts), enc.Pending())
	}
}

// Counters over 2^32-1 are split over several records so that the sums a
// collector adds up equal what was metered.
func TestV5SplitsCountersThatOverflow(t *testing.T) {
	enc, c := newEncoder(t, v5Config)
	r := tcpRecord()
	r.Bytes = 3*math.MaxUint32 + 7
	r.Packets = 5
	mustAdd(t, enc, r)
	mustFlush(t, enc)
	p := c.pkts[0]
	n := int(be16(p[2:]))
	if n != 4 {
		t.Fatalf("count = %d, want 4 records", n)
	}
	var pk, by uint64
	for i := range n {
		rec := p[24+48*i:]
		pk += uint64(be32(rec[16:]))
		by += uint64(be32(rec[20:]))
	}
	if pk != r.Packets || by != r.Bytes {
		t.Fatalf("sums %d packets %d bytes, want %d and %d", pk, by, r.Packets, r.Bytes)
	}
}

func TestV5SamplingIntervalClampsTo14Bits(t *testing.T) {
	cfg := v5Config
	cfg.Sampler = export.Sampler{ID: 1, Mode: export.SamplingDeterministic, Interval: 65535}
	enc, c := newEncoder(t, cfg)
	mustAdd(t, enc, tcpRecord())
	mustFlush(t, enc)
	checkFields(t, "v5 header", c.pkts[0], 0, []fieldAt{
		{name: "sampling_interval (mode 1, 16383)", off: 22, size: 2, want: 1<<14 | 0x3fff},
	})
}

// Flows that started before the exporter's boot time (they survive a
// daemon restart in pinned maps) get First 0, not a wrapped value.
func TestV5TimesBeforeBootClampToZero(t *testing.T) {
	enc, c := newEncoder(t, v5Config)
	r := tcpRecord()
	r.Start = boot.Add(-time.Minute)
	mustAdd(t, enc, r)
	mustFlush(t, enc)
	checkFields(t, "v5 record", c.pkts[0], 24, []fieldAt{
		{name: "First", off: 24, size: 4, want: 0},
		{name: "Last", off: 28, size: 4, want: 3500},
	})
}

func be16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }
func be32(b []byte) uint32 { return uint32(be16(b))<<16 | uint32(be16(b[2:])) }
