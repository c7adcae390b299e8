package export_test

import (
	"errors"
	"github.com/flowtap/flowtap/appliance/platform"
	"net/netip"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
)

func v8Aggregate() export.Aggregate {
	return export.Aggregate{
		Record: flow.Record{
			Key: flow.Key{
				SrcAddr: netip.MustParseAddr("10.1.0.0"),  // 0a010000
				DstAddr: netip.MustParseAddr("192.0.2.0"), // c0000200
				SrcPort: 53,                               // 0035
				DstPort: 1024,                             // 0400
				Proto:   17,                               // 11
				ToS:     0x28,
				InputIf: 3,
			},
			Packets:  10,
			Bytes:    1500,
			Start:    boot.Add(1000 * time.Millisecond),
			End:      boot.Add(3500 * time.Millisecond),
			OutputIf: 4,
			SrcAS:    64512, // fc00
			DstAS:    65001, // fde9
			SrcMask:  16,
			DstMask:  24,
		},
		Flows: 7,
	}
}

// counters is the 20-byte dFlows dPkts dOctets First Last prefix.
const v8Counters = "00000007 0000000a 000005dc 000003e8 00000dac"

var v8CounterFields = []fieldAt{
	{name: "dFlows", off: 0, size: 4, want: 7},
	{name: "dPkts", off: 4, size: 4, want: 10},
	{name: "dOctets", off: 8, size: 4, want: 1500},
	{name: "First", off: 12, size: 4, want: 1000},
	{name: "Last", off: 16, size: 4, want: 3500},
}

func withCounters(f ...fieldAt) []fieldAt {
	return append(append([]fieldAt{}, v8CounterFields...), f...)
}

var v8Golden = []struct {
	scheme platform.Scheme
	record string // hand-written record bytes
	fields []fieldAt
}{
	{platform.SchemeAS, v8Counters + "fc00 fde9 0003 0004", withCounters(
		fieldAt{name: "src_as", off: 20, size: 2, want: 64512},
		fieldAt{name: "dst_as", off: 22, size: 2, want: 65001},
		fieldAt{name: "input", off: 24, size: 2, want: 3},
		fieldAt{name: "output", off: 26, size: 2, want: 4})},
	{platform.SchemeProtocolPort, v8Counters + "11 00 0000 0035 0400", withCounters(
		fieldAt{name: "prot", off: 20, size: 1, want: 17},
		fieldAt{name: "pad", off: 21, size: 1, want: 0},
		fieldAt{name: "reserved", off: 22, size: 2, want: 0},
		fieldAt{name: "srcport", off: 24, size: 2, want: 53},
		fieldAt{name: "dstport", off: 26, size: 2, want: 1024})},
	{platform.SchemeSourcePrefix, v8Counters + "0a010000 10 00 fc00 0003 0000", withCounters(
		fieldAt{name: "src_prefix", off: 20, size: 4, want: 0x0a010000},
		fieldAt{name: "src_mask", off: 24, size: 1, want: 16},
		fieldAt{name: "pad", off: 25, size: 1, want: 0},
		fieldAt{name: "src_as", off: 26, size: 2, want: 64512},
		fieldAt{name: "input", off: 28, size: 2, want: 3},
		fieldAt{name: "reserved", off: 30, size: 2, want: 0})},
	{platform.SchemeDestinationPrefix, v8Counters + "c0000200 18 00 fde9 0004 0000", withCounters(
		fieldAt{name: "dst_prefix", off: 20, size: 4, want: 0xc0000200},
		fieldAt{name: "dst_mask", off: 24, size: 1, want: 24},
		fieldAt{name: "pad", off: 25, size: 1, want: 0},
		fieldAt{name: "dst_as", off: 26, size: 2, want: 65001},
		fieldAt{name: "output", off: 28, size: 2, want: 4},
		fieldAt{name: "reserved", off: 30, size: 2, want: 0})},
	{platform.SchemePrefix, v8Counters + "0a010000 c0000200 18 10 0000 fc00 fde9 0003 0004", withCounters(
		fieldAt{name: "src_prefix", off: 20, size: 4, want: 0x0a010000},
		fieldAt{name: "dst_prefix", off: 24, size: 4, want: 0xc0000200},
		fieldAt{name: "dst_mask", off: 28, size: 1, want: 24},
		fieldAt{name: "src_mask", off: 29, size: 1, want: 16},
		fieldAt{name: "reserved", off: 30, size: 2, want: 0},
		fieldAt{name: "src_as", off: 32, size: 2, want: 64512},
		fieldAt{name: "dst_as", off: 34, size: 2, want: 65001},
		fieldAt{name: "input", off: 36, size: 2, want: 3},
		fieldAt{name: "output", off: 38, size: 2, want: 4})},
	{platform.SchemeDestinationOnly, "c0000200 0000000a 000005dc 000003e8 00000dac 0004 28 00 00000000 0a090909", []fieldAt{
		{name: "dstaddr", off: 0, size: 4, want: 0xc0000200},
		{name: "dPkts", off: 4, size: 4, want: 10},
		{name: "dOctets", off: 8, size: 4, want: 1500},
		{name: "First", off: 12, size: 4, want: 1000},
		{name: "Last", off: 16, size: 4, want: 3500},
		{name: "output", off: 20, size: 2, want: 4},
		{name: "tos", off: 22, size: 1, want: 0x28},
		{name: "marked_tos", off: 23, size: 1, want: 0},
		{name: "extra_pkts", off: 24, size: 4, want: 0},
		{name: "router_sc", off: 28, size: 4, want: 0x0a090909}}},
	{platform.SchemeSourceDestination, "c0000200 0a010000 0000000a 000005dc 000003e8 00000dac 0004 0003 28 00 0000 00000000 0a090909", []fieldAt{
		{name: "dstaddr", off: 0, size: 4, want: 0xc0000200},
		{name: "srcaddr", off: 4, size: 4, want: 0x0a010000},
		{name: "dPkts", off: 8, size: 4, want: 10},
		{name: "dOctets", off: 12, size: 4, want: 1500},
		{name: "First", off: 16, size: 4, want: 1000},
		{name: "Last", off: 20, size: 4, want: 3500},
		{name: "output", off: 24, size: 2, want: 4},
		{name: "input", off: 26, size: 2, want: 3},
		{name: "tos", off: 28, size: 1, want: 0x28},
		{name: "marked_tos", off: 29, size: 1, want: 0},
		{name: "reserved", off: 30, size: 2, want: 0},
		{name: "extra_pkts", off: 32, size: 4, want: 0},
		{name: "router_sc", off: 36, size: 4, want: 0x0a090909}}},
	{platform.SchemeFullFlow, "c0000200 0a010000 0400 0035 0000000a 000005dc 000003e8 00000dac 0004 0003 28 11 00 00 00000000 0a090909", []fieldAt{
		{name: "dstaddr", off: 0, size: 4, want: 0xc0000200},
		{name: "srcaddr", off: 4, size: 4, want: 0x0a010000},
		{name: "dstport", off: 8, size: 2, want: 1024},
		{name: "srcport", off: 10, size: 2, want: 53},
		{name: "dPkts", off: 12, size: 4, want: 10},
		{name: "dOctets", off: 16, size: 4, want: 1500},
		{name: "First", off: 20, size: 4, want: 1000},
		{name: "Last", off: 24, size: 4, want: 3500},
		{name: "output", off: 28, size: 2, want: 4},
		{name: "input", off: 30, size: 2, want: 3},
		{name: "tos", off: 32, size: 1, want: 0x28},
		{name: "prot", off: 33, size: 1, want: 17},
		{name: "marked_tos", off: 34, size: 1, want: 0},
		{name: "reserved", off: 35, size: 1, want: 0},
		{name: "extra_pkts", off: 36, size: 4, want: 0},
		{name: "router_sc", off: 40, size: 4, want: 0x0a090909}}},
	{platform.SchemeASToS, v8Counters + "fc00 fde9 0003 0004 28 00 0000", withCounters(
		fieldAt{name: "src_as", off: 20, size: 2, want: 64512},
		fieldAt{name: "dst_as", off: 22, size: 2, want: 65001},
		fieldAt{name: "input", off: 24, size: 2, want: 3},
		fieldAt{name: "output", off: 26, size: 2, want: 4},
		fieldAt{name: "tos", off: 28, size: 1, want: 0x28},
		fieldAt{name: "pad", off: 29, size: 1, want: 0},
		fieldAt{name: "reserved", off: 30, size: 2, want: 0})},
	{platform.SchemeProtocolPortToS, v8Counters + "11 28 0000 0035 0400 0003 0004", withCounters(
		fieldAt{name: "prot", off: 20, size: 1, want: 17},
		fieldAt{name: "tos", off: 21, size: 1, want: 0x28},
		fieldAt{name: "reserved", off: 22, size: 2, want: 0},
		fieldAt{name: "srcport", off: 24, size: 2, want: 53},
		fieldAt{name: "dstport", off: 26, size: 2, want: 1024},
		fieldAt{name: "input", off: 28, size: 2, want: 3},
		fieldAt{name: "output", off: 30, size: 2, want: 4})},
	{platform.SchemeSourcePrefixToS, v8Counters + "0a010000 10 28 fc00 0003 0000", withCounters(
		fieldAt{name: "src_prefix", off: 20, size: 4, want: 0x0a010000},
		fieldAt{name: "src_mask", off: 24, size: 1, want: 16},
		fieldAt{name: "tos", off: 25, size: 1, want: 0x28},
		fieldAt{name: "src_as", off: 26, size: 2, want: 64512},
		fieldAt{name: "input", off: 28, size: 2, want: 3},
		fieldAt{name: "reserved", off: 30, size: 2, want: 0})},
	{platform.SchemeDestinationPrefixToS, v8Counters + "c0000200 18 28 fde9 0004 0000", withCounters(
		fieldAt{name: "dst_prefix", off: 20, size: 4, want: 0xc0000200},
		fieldAt{name: "dst_mask", off: 24, size: 1, want: 24},
		fieldAt{name: "tos", off: 25, size: 1, want: 0x28},
		fieldAt{name: "dst_as", off: 26, size: 2, want: 65001},
		fieldAt{name: "output", off: 28, size: 2, want: 4},
		fieldAt{name: "reserved", off: 30, size: 2, want: 0})},
	{platform.SchemePrefixToS, v8Counters + "0a010000 c0000200 18 10 28 00 fc00 fde9 0003 0004", withCounters(
		fieldAt{name: "src_prefix", off: 20, size: 4, want: 0x0a010000},
		fieldAt{name: "dst_prefix", off: 24, size: 4, want: 0xc0000200},
		fieldAt{name: "dst_mask", off: 28, size: 1, want: 24},
		fieldAt{name: "src_mask", off: 29, size: 1, want: 16},
		fieldAt{name: "tos", off: 30, size: 1, want: 0x28},
		fieldAt{name: "pad", off: 31, size: 1, want: 0},
		fieldAt{name: "src_as", off: 32, size: 2, want: 64512},
		fieldAt{name: "dst_as", off: 34, size: 2, want: 65001},
		fieldAt{name: "input", off: 36, size: 2, want: 3},
		fieldAt{name: "output", off: 38, size: 2, want: 4})},
	{platform.SchemePrefixPort, v8Counters + "0a010000 c0000200 18 10 28 11 0035 0400 0003 0004", withCounters(
		fieldAt{name: "src_prefix", off: 20, size: 4, want: 0x0a010000},
		fieldAt{name: "dst_prefix", off: 24, size: 4, want: 0xc0000200},
		fieldAt{name: "dst_mask", off: 28, size: 1, want: 24},
		fieldAt{name: "src_mask", off: 29, size: 1, want: 16},
		fieldAt{name: "tos", off: 30, size: 1, want: 0x28},
		fieldAt{name: "prot", off: 31, size: 1, want: 17},
		fieldAt{name: "srcport", off: 32, size: 2, want: 53},
		fieldAt{name: "dstport", off: 34, size: 2, want: 1024},
		fieldAt{name: "input", off: 36, size: 2, want: 3},
		fieldAt{name: "output", off: 38, size: 2, want: 4})},
}

func v8Config(s platform.Scheme) export.EncoderConfig {
	return export.EncoderConfig{
		Version:    export.V8,
		Scheme:     s,
		EngineType: 1,
		EngineID:   2,
		AS:         platform.ASOrigin,
		RouterSC:   netip.MustParseAddr("10.9.9.9"),
	}
}

func TestV8Golden(t *testing.T) {
	if len(v8Golden) != 14 {
		t.Fatalf("golden table covers %d schemes, want all 14 v8 schemes", len(v8Golden))
	}
	for _, g := range v8Golden {
		t.Run(g.scheme.String(), func(t *testing.T) {
			enc, c := newEncoder(t, v8Config(g.scheme))
			a := v8Aggregate()
			if err := enc.AddAggregate(&a); err != nil {
				t.Fatalf("AddAggregate: %v", err)
			}
			mustFlush(t, enc)
			if len(c.pkts) != 1 {
				t.Fatalf("%d packets, want 1", len(c.pkts))
			}
			p := c.pkts[0]
			header := hx(t, "0008 0001 0036eefb 65920e90 075bcd15 00000000 01 02") // then scheme, agg_version, reserved
			want := append(header, byte(g.scheme), 2, 0, 0, 0, 0)
			want = append(want, hx(t, g.record)...)
			wholeEqual(t, "v8 packet", p, want)
			checkFields(t, "v8 header", p, 0, []fieldAt{
				{name: "version", off: 0, size: 2, want: 8},
				{name: "count", off: 2, size: 2, want: 1},
				{name: "SysUptime", off: 4, size: 4, want: 3600123},
				{name: "unix_secs", off: 8, size: 4, want: 1704070800},
				{name: "unix_nsecs", off: 12, size: 4, want: 123456789},
				{name: "flow_sequence", off: 16, size: 4, want: 0},
				{name: "engine_type", off: 20, size: 1, want: 1},
				{name: "engine_id", off: 21, size: 1, want: 2},
				{name: "aggregation", off: 22, size: 1, want: uint64(g.scheme)},
				{name: "agg_version", off: 23, size: 1, want: 2},
				{name: "reserved", off: 24, size: 4, want: 0},
			})
			checkFields(t, "v8 record", p, 28, g.fields)
		})
	}
}

// Per-scheme record limits are flow-tools' FT_PDU_V8_n_MAXFLOWS, and the
// sequence counts aggregated records.
func TestV8RecordLimitsAndSequence(t *testing.T) {
	limits := map[platform.Scheme]int{1: 51, 2: 51, 3: 44, 4: 44, 5: 35, 6: 44, 7: 35, 8: 32, 9: 44, 10: 44, 11: 44, 12: 44, 13: 35, 14: 35}
	sizes := map[platform.Scheme]int{1: 28, 2: 28, 3: 32, 4: 32, 5: 40, 6: 32, 7: 40, 8: 44, 9: 32, 10: 32, 11: 32, 12: 32, 13: 40, 14: 40}
	for s, max := range limits {
		enc, c := newEncoder(t, v8Config(s))
		a := v8Aggregate()
		for range max + 1 {
			if err := enc.AddAggregate(&a); err != nil {
				t.Fatal(err)
			}
		}
		mustFlush(t, enc)
		if len(c.pkts) != 2 {
			t.Fatalf("%s: %d packets for %d records, want 2", s, len(c.pkts), max+1)
		}
		checkFields(t, s.String()+" first", c.pkts[0], 0, []fieldAt{{name: "count", off: 2, size: 2, want: uint64(max)}, {name: "flow_sequence", off: 16, size: 4, want: 0}})
		checkFields(t, s.String()+" second", c.pkts[1], 0, []fieldAt{{name: "count", off: 2, size: 2, want: 1}, {name: "flow_sequence", off: 16, size: 4, want: uint64(max)}})
		if len(c.pkts[0]) != 28+max*sizes[s] {
			t.Errorf("%s: full packet %d bytes, want %d", s, len(c.pkts[0]), 28+max*sizes[s])
		}
	}
}

func TestV8RejectsWhatItCannotCarry(t *testing.T) {
	if _, err := export.NewEncoder(export.EncoderConfig{Version: export.V8, Scheme: platform.SchemeBGPNextHopToS, BootTime: boot}, &capture{}); err == nil {
		t.Error("v8 encoder accepted bgp-nexthop-tos, which has no v8 record")
	}
	enc, c := newEncoder(t, v8Config(platform.SchemeAS))
	r := tcpRecord()
	if err := enc.Add(&r); !errors.Is(err, export.ErrWrongCache) {
		t.Errorf("Add(main-cache record) to v8 = %v, want ErrWrongCache", err)
	}
	a := export.Aggregate{Record: v6Record(), Flows: 1}
	if err := enc.AddAggregate(&a); !errors.Is(err, export.ErrNotExportable) {
		t.Errorf("AddAggregate(IPv6) = %v, want ErrNotExportable", err)
	}
	other := v8Aggregate()
	other.Scheme = platform.SchemePrefix
	if err := enc.AddAggregate(&other); !errors.Is(err, export.ErrWrongCache) {
		t.Errorf("AddAggregate(prefix aggregate) to an as encoder = %v, want ErrWrongCache", err)
	}
	mustFlush(t, enc)
	if len(c.pkts) != 0 {
		t.Errorf("rejected records produced %d packets", len(c.pkts))
	}
}
