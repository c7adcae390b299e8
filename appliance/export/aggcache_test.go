package export_test

import (
	"encoding/binary"
	"github.com/flowtap/flowtap/appliance/platform"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
)

// collect keeps copies of the aggregates a cache expires.
type collect struct{ got []export.Aggregate }

func (c *collect) ExportAggregate(a *export.Aggregate) { c.got = append(c.got, *a) }

func newAggCache(t *testing.T, cfg export.AggregationConfig) (*export.AggregationCache, *collect, *fakeClock) {
	t.Helper()
	clk := newFakeClock(now)
	cfg.Clock = clk
	sink := &collect{}
	c, err := export.NewAggregationCache(cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	return c, sink, clk
}

func rec(src, dst string, sport, dport uint16, proto, tos uint8, in, out uint32, srcAS, dstAS uint32, smask, dmask uint8) flow.Record {
	return flow.Record{
		Key: flow.Key{
			SrcAddr: netip.MustParseAddr(src), DstAddr: netip.MustParseAddr(dst),
			SrcPort: sport, DstPort: dport, Proto: proto, ToS: tos, InputIf: in,
		},
		OutputIf: out, SrcAS: srcAS, DstAS: dstAS, SrcMask: smask, DstMask: dmask,
		NextHop: netip.MustParseAddr("10.255.0.1"),
		Packets: 3, Bytes: 300,
		Start: now.Add(-time.Second), End: now,
	}
}

// Each scheme merges records that differ only in fields outside its key
// and keeps apart records that differ in a key field.
func TestAggregationKeys(t *testing.T) {
	base := rec("10.1.2.3", "192.0.2.77", 1000, 53, 17, 0x20, 1, 2, 100, 200, 24, 24)
	vary := map[string]func(r *flow.Record){
		"src host":  func(r *flow.Record) { r.SrcAddr = netip.MustParseAddr("10.1.2.4") },
		"src net":   func(r *flow.Record) { r.SrcAddr = netip.MustParseAddr("10.1.9.3") },
		"dst host":  func(r *flow.Record) { r.DstAddr = netip.MustParseAddr("192.0.2.78") },
		"dst net":   func(r *flow.Record) { r.DstAddr = netip.MustParseAddr("192.0.9.77") },
		"src port":  func(r *flow.Record) { r.SrcPort = 1001 },
		"dst port":  func(r *flow.Record) { r.DstPort = 54 },
		"protocol":  func(r *flow.Record) { r.Proto = 6 },
		"tos":       func(r *flow.Record) { r.ToS = 0x28 },
		"input if":  func(r *flow.Record) { r.InputIf = 9 },
		"output if": func(r *flow.Record) { r.OutputIf = 9 },
		"src as":    func(r *flow.Record) { r.SrcAS = 101 },
		"dst as":    func(r *flow.Record) { r.DstAS = 201 },
		"next hop":  func(r *flow.Record) { r.NextHop = netip.MustParseAddr("10.255.0.2") },
	}
	// splits lists, per scheme, the variations that must start a new
	// aggregate; every other variation must merge.
	splits := map[platform.Scheme][]string{
		platform.SchemeAS:                   {"input if", "output if", "src as", "dst as"},
		platform.SchemeASToS:                {"input if", "output if", "src as", "dst as", "tos"},
		platform.SchemeProtocolPort:         {"protocol", "src port", "dst port"},
		platform.SchemeProtocolPortToS:      {"protocol", "src port", "dst port", "tos", "input if", "output if"},
		platform.SchemeSourcePrefix:         {"src net", "src as", "input if"},
		platform.SchemeSourcePrefixToS:      {"src net", "src as", "input if", "tos"},
		platform.SchemeDestinationPrefix:    {"dst net", "dst as", "output if"},
		platform.SchemeDestinationPrefixToS: {"dst net", "dst as", "output if", "tos"},
		platform.SchemePrefix:               {"src net", "dst net", "src as", "dst as", "input if", "output if"},
		platform.SchemePrefixToS:            {"src net", "dst net", "src as", "dst as", "input if", "output if", "tos"},
		platform.SchemePrefixPort:           {"src net", "dst net", "protocol", "src port", "dst port", "tos", "input if", "output if"},
		platform.SchemeBGPNextHopToS:        {"src as", "dst as", "input if", "output if", "tos", "next hop"},
		platform.SchemeDestinationOnly:      {"dst host", "dst net"},
		platform.SchemeSourceDestination:    {"src host", "src net", "dst host", "dst net"},
		platform.SchemeFullFlow:             {"src host", "src net", "dst host", "dst net", "src port", "dst port", "protocol"},
	}
	if len(splits) != len(platform.Schemes()) {
		t.Fatalf("table covers %d schemes, package has %d", len(splits), len(platform.Schemes()))
	}
	for s, keys := range splits {
		isKey := map[string]bool{}
		for _, k := range keys {
			isKey[k] = true
		}
		for name, change := range vary {
			c, sink, _ := newAggCache(t, export.AggregationConfig{Scheme: s})
			r1, r2 := base, base
			change(&r2)
			c.Add(&r1)
			c.Add(&r2)
			want := 1
			if isKey[name] {
				want = 2
			}
			if got := c.Stats().Entries; got != want {
				t.Errorf("%s, records differing in %s: %d aggregates, want %d", s, name, got, want)
			}
			c.FlushAll()
			var pk, flows uint64
			for _, a := range sink.got {
				pk += a.Packets
				flows += a.Flows
			}
			if pk != 6 || flows != 2 {
				t.Errorf("%s/%s: exported %d packets in %d flows, want 6 in 2", s, name, pk, flows)
			}
		}
	}
}

// Prefix schemes AND the address with the larger of the configured
// minimum and the record's mask, and export that mask.
func TestAggregationMinimumMask(t *testing.T) {
	cases := []struct {
		recMask, min uint8
		wantAddr     string
		wantMask     uint8
	}{
		{24, 0, "10.1.2.0", 24},
		{24, 16, "10.1.2.0", 24},
		{24, 28, "10.1.2.32", 28},
		{0, 0, "0.0.0.0", 0},
		{0, 8, "10.0.0.0", 8},
		{32, 0, "10.1.2.35", 32},
	}
	for _, tc := range cases {
		c, sink, _ := newAggCache(t, export.AggregationConfig{Scheme: platform.SchemePrefix, SourceMinMask: tc.min, DestinationMinMask: tc.min})
		r := rec("10.1.2.35", "10.1.2.35", 1, 2, 6, 0, 1, 2, 0, 0, tc.recMask, tc.recMask)
		c.Add(&r)
		c.FlushAll()
		a := sink.got[0]
		if a.SrcAddr.String() != tc.wantAddr || a.SrcMask != tc.wantMask || a.DstAddr.String() != tc.wantAddr || a.DstMask != tc.wantMask {
			t.Errorf("record mask %d, minimum %d: src %s/%d dst %s/%d, want %s/%d", tc.recMask, tc.min,
				a.SrcAddr, a.SrcMask, a.DstAddr, a.DstMask, tc.wantAddr, tc.wantMask)
		}
	}
}

func TestAggregationInactiveTimeout(t *testing.T) {
	c, sink, clk := newAggCache(t, export.AggregationConfig{Scheme: platform.SchemeProtocolPort})
	r := rec("10.0.0.1", "10.0.0.2", 1, 2, 6, 0, 1, 2, 0, 0, 0, 0)
	c.Add(&r)
	clk.Advance(14 * time.Second)
	if n := c.Expire(); n != 0 {
		t.Fatalf("expired %d aggregates after 14 s, want 0 (default inactive timeout is 15 s)", n)
	}
	c.Add(&r) // an update restarts the inactive timer
	clk.Advance(14 * time.Second)
	if n := c.Expire(); n != 0 {
		t.Fatalf("expired %d aggregates 14 s after an update, want 0", n)
	}
	clk.Advance(time.Second)
	if n := c.Expire(); n != 1 {
		t.Fatalf("expired %d aggregates after 15 s idle, want 1", n)
	}
	a := sink.got[0]
	if a.EndReason != flow.EndIdle || a.Flows != 2 || a.Packets != 6 || a.Bytes != 600 || a.Scheme != platform.SchemeProtocolPort {
		t.Errorf("got %+v, want idle expiry of 2 flows, 6 packets, 600 bytes from protocol-port", a)
	}
}

func TestAggregationActiveTimeout(t *testing.T) {
	c, sink, clk := newAggCache(t, export.AggregationConfig{Scheme: platform.SchemeAS})
	r := rec("10.0.0.1", "10.0.0.2", 1, 2, 6, 0, 1, 2, 0, 0, 0, 0)
	for range 180 { // 30 minutes of updates every 10 s: never idle
		c.Add(&r)
		clk.Advance(10 * time.Second)
		c.Expire()
	}
	if len(sink.got) != 1 {
		t.Fatalf("%d exports after 30 busy minutes, want 1 (default active timeout)", len(sink.got))
	}
	if a := sink.got[0]; a.EndReason != flow.EndActive || a.Flows != 180 {
		t.Errorf("got reason %v with %d flows, want active with 180", a.EndReason, a.Flows)
	}
	c.Add(&r) // the aggregate restarts with fresh counters
	c.FlushAll()
	if a := sink.got[1]; a.Flows != 1 || a.EndReason != flow.EndForced {
		t.Errorf("after the active expiry: %d flows reason %v, want a fresh aggregate of 1 flow, forced", a.Flows, a.EndReason)
	}
}

// Whatever the cache does (merging, emergency expiry when full, timeouts),
// the exported packets, bytes and flows add up to what was fed in.
func TestAggregationPreservesSums(t *testing.T) {
	var emergencies uint64
	for _, s := range platform.Schemes() {
		c, sink, clk := newAggCache(t, export.AggregationConfig{Scheme: s, Entries: 16, SourceMinMask: 8})
		rng := rand.New(rand.NewPCG(1, uint64(s)))
		var pk, by uint64
		for i := range 2000 {
			r := rec("10.0.0.1", "10.0.0.2", uint16(rng.IntN(8)), uint16(rng.IntN(8)), uint8(6+rng.IntN(2)*11), uint8(rng.IntN(2)*8),
				uint32(rng.IntN(3)), uint32(rng.IntN(3)), uint32(rng.IntN(4)), uint32(rng.IntN(4)), uint8(rng.IntN(33)), uint8(rng.IntN(33)))
			r.SrcAddr = netip.AddrFrom4([4]byte{10, byte(rng.IntN(4)), byte(rng.IntN(4)), byte(rng.IntN(256))})
			r.Packets, r.Bytes = uint64(1+rng.IntN(100)), uint64(40+rng.IntN(100000))
			pk, by = pk+r.Packets, by+r.Bytes
			c.Add(&r)
			if i%100 == 0 {
				clk.Advance(time.Duration(rng.IntN(20)) * time.Second)
				c.Expire()
			}
		}
		c.FlushAll()
		var gp, gb, gf uint64
		for _, a := range sink.got {
			gp, gb, gf = gp+a.Packets, gb+a.Bytes, gf+a.Flows
		}
		st := c.Stats()
		if gp != pk || gb != by || gf != 2000 {
			t.Errorf("%s: exported %d packets %d bytes %d flows, fed %d %d 2000", s, gp, gb, gf, pk, by)
		}
		if st.Entries != 0 || st.Exported != uint64(len(sink.got)) || st.Added != 2000 {
			t.Errorf("%s: stats %+v after flush", s, st)
		}
		emergencies += st.Emergency
	}
	if emergencies == 0 {
		t.Error("no scheme hit the 16-entry limit: the emergency path went untested")
	}
}

func TestAggregationSkipsIPv6(t *testing.T) {
	c, sink, _ := newAggCache(t, export.AggregationConfig{Scheme: platform.SchemeAS})
	r := v6Record()
	c.Add(&r)
	c.FlushAll()
	if len(sink.got) != 0 || c.Stats().SkippedIPv6 != 1 {
		t.Errorf("IPv6 record: %d exports, %d skipped; want 0 and 1", len(sink.got), c.Stats().SkippedIPv6)
	}
}

// The cache's output encodes as v8 with sums intact: a cache feeding a v8
// encoder through an adapter, decoded back field by field.
func TestAggregationToV8(t *testing.T) {
	enc, pkts := newEncoder(t, v8Config(platform.SchemeDestinationPrefix))
	clk := newFakeClock(now)
	c, err := export.NewAggregationCache(export.AggregationConfig{Scheme: platform.SchemeDestinationPrefix, Clock: clk, DestinationMinMask: 16}, encoderSink{t, enc})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		r := rec("10.0.0.1", "192.168.0.1", 1, 2, 6, 0, 1, 7, 0, 65001, 0, 24)
		r.DstAddr = netip.AddrFrom4([4]byte{192, 168, byte(i % 2), byte(i)})
		c.Add(&r)
	}
	clk.Advance(15 * time.Second)
	if n := c.Expire(); n != 2 {
		t.Fatalf("expired %d aggregates, want 2 (192.168.0.0/24 and 192.168.1.0/24)", n)
	}
	mustFlush(t, enc)
	p := pkts.pkts[0]
	if binary.BigEndian.Uint16(p[2:]) != 2 {
		t.Fatalf("count %d, want 2", binary.BigEndian.Uint16(p[2:]))
	}
	for i, want := range []uint64{0xc0a80000, 0xc0a80100} {
		checkFields(t, "v8 destination-prefix", p, 28+32*i, []fieldAt{
			{name: "dFlows", off: 0, size: 4, want: 50},
			{name: "dPkts", off: 4, size: 4, want: 150},
			{name: "dOctets", off: 8, size: 4, want: 15000},
			{name: "dst_prefix", off: 20, size: 4, want: want},
			{name: "dst_mask", off: 24, size: 1, want: 24},
			{name: "dst_as", off: 26, size: 2, want: 65001},
			{name: "output", off: 28, size: 2, want: 7},
		})
	}
}

type encoderSink struct {
	t   *testing.T
	enc export.Encoder
}

func (s encoderSink) ExportAggregate(a *export.Aggregate) {
	if err := s.enc.AddAggregate(a); err != nil {
		s.t.Errorf("AddAggregate: %v", err)
	}
}

// An aggregation cache exports to its own destinations, each with its own
// version, separate from the main cache's.
func TestAggregationCacheOwnDestinations(t *testing.T) {
	mainConn, mainAddr := listenUDP(t, "udp4", "127.0.0.1:0")
	v8Conn, v8Addr := listenUDP(t, "udp4", "127.0.0.1:0")
	v9Conn, v9Addr := listenUDP(t, "udp4", "127.0.0.1:0")
	main, err := export.NewDestinations([]export.DestinationConfig{destination(mainAddr, export.EncoderConfig{Version: export.V5})})
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, main)
	aggDest, err := export.NewDestinations([]export.DestinationConfig{
		destination(v8Addr, export.EncoderConfig{Version: export.V8, Scheme: platform.SchemePrefix}),
		destination(v9Addr, export.EncoderConfig{Version: export.V9, Scheme: platform.SchemePrefix}),
	})
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, aggDest)
	clk := newFakeClock(now)
	cache, err := export.NewAggregationCache(export.AggregationConfig{Scheme: platform.SchemePrefix, Clock: clk}, aggDest)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		r := rec("10.1.1.1", "10.2.2.2", uint16(i), 80, 6, 0, 1, 2, 0, 0, 24, 24)
		main.Export(&r)
		cache.Add(&r)
	}
	clk.Advance(15 * time.Second)
	if n := cache.Expire(); n != 1 {
		t.Fatalf("expired %d aggregates, want 1", n)
	}
	if err := main.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := aggDest.Flush(); err != nil {
		t.Fatal(err)
	}
	p, ok := readPacket(t, mainConn, 2*time.Second)
	if !ok || binary.BigEndian.Uint16(p) != 5 || binary.BigEndian.Uint16(p[2:]) != 10 {
		t.Fatalf("main collector: got % x, want a v5 packet of 10 flows", p)
	}
	p, ok = readPacket(t, v8Conn, 2*time.Second)
	if !ok {
		t.Fatal("v8 collector got nothing")
	}
	checkFields(t, "v8 prefix", p, 0, []fieldAt{
		{name: "version", off: 0, size: 2, want: 8},
		{name: "count", off: 2, size: 2, want: 1},
		{name: "aggregation", off: 22, size: 1, want: 5},
		{name: "dFlows", off: 28, size: 4, want: 10},
		{name: "dPkts", off: 32, size: 4, want: 30},
		{name: "src_prefix", off: 48, size: 4, want: 0x0a010100},
		{name: "dst_prefix", off: 52, size: 4, want: 0x0a020200},
	})
	p, ok = readPacket(t, v9Conn, 2*time.Second)
	if !ok {
		t.Fatal("v9 collector got nothing")
	}
	sets := v9Sets(t, p)
	if binary.BigEndian.Uint16(p) != 9 || len(sets) != 2 || sets[1].id != 265 {
		t.Fatalf("v9 collector: sets %+v, want a template set and data set 265 (prefix)", sets)
	}
	checkFields(t, "v9 prefix record", p, sets[1].off+4, []fieldAt{
		{name: "FLOWS", off: 0, size: 4, want: 10},
		{name: "IN_PKTS", off: 4, size: 8, want: 30},
		{name: "IN_BYTES", off: 12, size: 8, want: 3000},
		{name: "IPV4_SRC_ADDR (prefix)", off: 28, size: 4, want: 0x0a010100},
		{name: "SRC_MASK", off: 32, size: 1, want: 24},
	})
}
