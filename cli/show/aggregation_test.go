package show

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/flowtap/flowtap/appliance/platform"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
)

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

type discard struct{}

func (discard) ExportAggregate(*export.Aggregate) {}

// mainCacheRecords are expired main-cache flows: three sources in two
// /24s, two destinations, TCP and UDP, two ToS values, AS numbers and
// next hops, so that every scheme folds some flows and keeps others apart.
func mainCacheRecords() []flow.Record {
	mk := func(src, dst string, smask, dmask uint8, proto uint8, sp, dp uint16, tos uint8, in, out uint32, sas, das uint32, nh string, pk, by uint64, age int) flow.Record {
		return flow.Record{Key: flow.Key{SrcAddr: netip.MustParseAddr(src), DstAddr: netip.MustParseAddr(dst), SrcPort: sp, DstPort: dp,
			Proto: proto, ToS: tos, InputIf: in}, OutputIf: out, SrcMask: smask, DstMask: dmask, SrcAS: sas, DstAS: das,
			NextHop: netip.MustParseAddr(nh), Packets: pk, Bytes: by, TCPFlags: 0x12,
			Start: now.Add(-time.Duration(age) * time.Second), End: now.Add(-time.Duration(age/3) * time.Second)}
	}
	return []flow.Record{
		mk("10.10.10.1", "172.16.0.9", 24, 16, 6, 40000, 80, 0, 2, 3, 65001, 65010, "192.0.2.1", 10, 5200, 30),
		mk("10.10.10.2", "172.16.0.9", 24, 16, 6, 40001, 80, 0, 2, 3, 65001, 65010, "192.0.2.1", 20, 12000, 60),
		mk("10.10.10.2", "172.16.1.7", 24, 16, 17, 5353, 53, 0x20, 2, 3, 65001, 65010, "192.0.2.1", 2, 140, 9),
		mk("10.20.0.5", "172.16.0.9", 16, 16, 6, 40000, 80, 0, 4, 3, 65002, 65010, "192.0.2.2", 7, 3100, 120),
		mk("10.20.0.5", "198.51.100.4", 16, 24, 1, 0, 0x0800, 0xb8, 4, 5, 65002, 0, "192.0.2.2", 4, 336, 45),
	}
}

func aggregationOf(t *testing.T, scheme platform.Scheme, recs []flow.Record, minSrc, minDst uint8) AggregationView {
	t.Helper()
	cfg := export.AggregationConfig{Scheme: scheme, Entries: 1024, SourceMinMask: minSrc, DestinationMinMask: minDst, Clock: fixedClock(now)}
	c, err := export.NewAggregationCache(cfg, discard{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		c.Add(&recs[i])
	}
	c.Expire()
	v := AggregationView{Now: now, Config: AggregationConfig{Scheme: scheme, Entries: 1024, SourceMinMask: minSrc, DestinationMinMask: minDst}, Stats: AggregationStats(c.Stats()), IfName: func(i uint32) string { return fmt.Sprintf("eth%d", i-1) }}
	// The goldens fix the layout, not the entry's size in memory.
	v.Stats.Bytes = 278544
	v.Config.ActiveTimeout, v.Config.InactiveTimeout = export.DefaultActiveTimeout, export.DefaultInactiveTimeout
	c.Walk(func(a *export.Aggregate) bool {
		v.Aggregates = append(v.Aggregates, Aggregate(*a))
		return true
	})
	return v
}

// routerSchemes are the schemes `ip flow-aggregation cache` takes.
func routerSchemes() []platform.Scheme {
	var out []platform.Scheme
	for _, s := range platform.Schemes() {
		if config.AggScheme(s) {
			out = append(out, s)
		}
	}
	return out
}

func TestIPCacheFlowAggregation(t *testing.T) {
	for _, verbose := range []bool{false, true} {
		var b bytes.Buffer
		for _, s := range routerSchemes() {
			fmt.Fprintf(&b, "--- show ip cache %sflow aggregation %s\n", map[bool]string{true: "verbose "}[verbose], s)
			IPCacheFlowAggregation(&b, aggregationOf(t, s, mainCacheRecords(), 0, 0), verbose)
		}
		name := "show-ip-cache-flow-aggregation"
		if verbose {
			name = "show-ip-cache-verbose-flow-aggregation"
		}
		golden(t, name, b.Bytes())
	}
}

// TestIPCacheVerboseFlowAggregationUncleanStop: after a kill, the verbose
// screen of a cache says what the killed daemon's cache of its scheme
// held, per destination.
func TestIPCacheVerboseFlowAggregationUncleanStop(t *testing.T) {
	var b bytes.Buffer
	v := aggregationOf(t, platform.SchemeDestinationPrefix, mainCacheRecords(), 0, 0)
	v.UncleanStopLost = []HeldLoss{{Reason: "held in aggregation cache destination-prefix", Collector: netip.MustParseAddrPort("192.0.2.12:9996"),
		UncleanStopLoss: UncleanStopLoss{Records: 900, Packets: 1800, Doubt: 30, DoubtPackets: 60}}}
	IPCacheFlowAggregation(&b, v, true)
	golden(t, "show-ip-cache-verbose-flow-aggregation-unclean-stop", b.Bytes())
}

// aggKeyFields are, per scheme, the fields its aggregates are keyed by
// (vendor-behaviour.md 2.5, the v8 record layouts), written apart from
// package export's aggKeyFor so that the test recomputes, not repeats.
var aggKeyFields = map[platform.Scheme]string{
	platform.SchemeAS:                   "in out srcas dstas",
	platform.SchemeASToS:                "in out srcas dstas tos",
	platform.SchemeProtocolPort:         "proto sport dport",
	platform.SchemeProtocolPortToS:      "in out proto sport dport tos",
	platform.SchemeSourcePrefix:         "in src srcas",
	platform.SchemeSourcePrefixToS:      "in src srcas tos",
	platform.SchemeDestinationPrefix:    "out dst dstas",
	platform.SchemeDestinationPrefixToS: "out dst dstas tos",
	platform.SchemePrefix:               "in out src dst srcas dstas",
	platform.SchemePrefixToS:            "in out src dst srcas dstas tos",
	platform.SchemePrefixPort:           "in out src dst proto sport dport tos",
	platform.SchemeBGPNextHopToS:        "in out srcas dstas tos nexthop",
}

// aggRow is a row of the JSON table, as a client reads it.
type aggRow struct {
	SrcIf                 string `json:"src_if"`
	DstIf                 string `json:"dst_if"`
	SrcPrefix             string `json:"src_prefix"`
	SrcMask               int    `json:"src_mask"`
	DstPrefix             string `json:"dst_prefix"`
	DstMask               int    `json:"dst_mask"`
	SrcAS                 uint32 `json:"src_as"`
	DstAS                 uint32 `json:"dst_as"`
	Protocol              int    `json:"protocol"`
	SrcPort               int    `json:"src_port"`
	DstPort               int    `json:"dst_port"`
	ToS                   int    `json:"tos"`
	BGPNextHop            string `json:"bgp_next_hop"`
	Flows, Packets, Bytes uint64
	BytesPerPacket        uint64  `json:"bytes_per_packet"`
	ActiveSeconds         float64 `json:"active_seconds"`
}

type aggSums struct{ flows, packets, bytes uint64 }

// recompute folds records by the scheme's fields, masking prefixes with
// the larger of the route's and the configured minimum mask.
func recompute(s platform.Scheme, recs []flow.Record, minSrc, minDst uint8, ifName func(uint32) string) map[string]aggSums {
	out := map[string]aggSums{}
	for _, r := range recs {
		if r.IsIPv6() {
			continue
		}
		var parts []string
		for _, f := range strings.Fields(aggKeyFields[s]) {
			switch f {
			case "in":
				parts = append(parts, ifName(r.InputIf))
			case "out":
				parts = append(parts, ifName(r.OutputIf))
			case "src":
				p := netip.PrefixFrom(r.SrcAddr, int(max(r.SrcMask, minSrc))).Masked()
				parts = append(parts, p.String())
			case "dst":
				p := netip.PrefixFrom(r.DstAddr, int(max(r.DstMask, minDst))).Masked()
				parts = append(parts, p.String())
			case "srcas":
				parts = append(parts, fmt.Sprint(r.SrcAS))
			case "dstas":
				parts = append(parts, fmt.Sprint(r.DstAS))
			case "proto":
				parts = append(parts, fmt.Sprint(r.Proto))
			case "sport":
				parts = append(parts, fmt.Sprint(r.SrcPort))
			case "dport":
				parts = append(parts, fmt.Sprint(r.DstPort))
			case "tos":
				parts = append(parts, fmt.Sprint(r.ToS))
			case "nexthop":
				parts = append(parts, r.NextHop.String())
			}
		}
		k := strings.Join(parts, " ")
		a := out[k]
		a.flows++
		a.packets += r.Packets
		a.bytes += r.Bytes
		out[k] = a
	}
	return out
}

func (r aggRow) key(s platform.Scheme) string {
	var parts []string
	for _, f := range strings.Fields(aggKeyFields[s]) {
		switch f {
		case "in":
			parts = append(parts, r.SrcIf)
		case "out":
			parts = append(parts, r.DstIf)
		case "src":
			parts = append(parts, fmt.Sprintf("%s/%d", r.SrcPrefix, r.SrcMask))
		case "dst":
			parts = append(parts, fmt.Sprintf("%s/%d", r.DstPrefix, r.DstMask))
		case "srcas":
			parts = append(parts, fmt.Sprint(r.SrcAS))
		case "dstas":
			parts = append(parts, fmt.Sprint(r.DstAS))
		case "proto":
			parts = append(parts, fmt.Sprint(r.Protocol))
		case "sport":
			parts = append(parts, fmt.Sprint(r.SrcPort))
		case "dport":
			parts = append(parts, fmt.Sprint(r.DstPort))
		case "tos":
			parts = append(parts, fmt.Sprint(r.ToS))
		case "nexthop":
			parts = append(parts, r.BGPNextHop)
		}
	}
	return strings.Join(parts, " ")
}

// TestAggregationEqualsRecomputation: for every scheme, over random main
// cache records with and without minimum masks, the screen's aggregates
// are the records summed by the scheme's key, recomputed here; and each
// text line carries its JSON row's flows, packets and bytes per packet.
func TestAggregationEqualsRecomputation(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 1))
	var recs []flow.Record
	for i := 0; i < 400; i++ {
		r := flow.Record{Key: flow.Key{
			SrcAddr: netip.AddrFrom4([4]byte{10, byte(rng.IntN(3)), byte(rng.IntN(4)), byte(rng.IntN(50))}),
			DstAddr: netip.AddrFrom4([4]byte{172, 16, byte(rng.IntN(3)), byte(rng.IntN(50))}),
			SrcPort: uint16(rng.IntN(3) + 1000), DstPort: []uint16{53, 80, 443}[rng.IntN(3)], Proto: []uint8{6, 17}[rng.IntN(2)],
			ToS: []uint8{0, 0x20}[rng.IntN(2)], InputIf: uint32(rng.IntN(2) + 2)}, OutputIf: uint32(rng.IntN(2) + 4),
			SrcMask: []uint8{0, 8, 16, 24}[rng.IntN(4)], DstMask: []uint8{0, 16, 24}[rng.IntN(3)],
			SrcAS: uint32(65000 + rng.IntN(2)), DstAS: uint32(65100 + rng.IntN(2)),
			NextHop: netip.AddrFrom4([4]byte{192, 0, 2, byte(rng.IntN(2) + 1)}),
			Packets: uint64(rng.IntN(1000) + 1), Start: now.Add(-time.Minute), End: now.Add(-time.Second)}
		r.Bytes = r.Packets * uint64(40+rng.IntN(1400))
		recs = append(recs, r)
	}
	// An IPv6 flow: no IPv4 aggregation cache takes it.
	recs = append(recs, flow.Record{Key: flow.Key{SrcAddr: netip.MustParseAddr("2001:db8::1"), DstAddr: netip.MustParseAddr("2001:db8::2")}, Packets: 9, Bytes: 900})
	ifName := func(i uint32) string { return fmt.Sprintf("eth%d", i-1) }
	for _, masks := range [][2]uint8{{0, 0}, {16, 24}} {
		for _, s := range routerSchemes() {
			v := aggregationOf(t, s, recs, masks[0], masks[1])
			var jb bytes.Buffer
			if err := WriteJSON(&jb, AggregationJSON(v)); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Active  int    `json:"active"`
				Skipped uint64 `json:"skipped_ipv6"`
				Table   struct {
					Rows []aggRow `json:"ROW_aggregate"`
				} `json:"TABLE_aggregate"`
			}
			if err := json.Unmarshal(jb.Bytes(), &doc); err != nil {
				t.Fatalf("%s: %v\n%s", s, err, jb.String())
			}
			want := recompute(s, recs, masks[0], masks[1], ifName)
			got := map[string]aggSums{}
			for _, r := range doc.Table.Rows {
				k := r.key(s)
				if _, dup := got[k]; dup {
					t.Errorf("%s: two rows for %s", s, k)
				}
				got[k] = aggSums{r.Flows, r.Packets, r.Bytes}
			}
			if len(got) != len(want) || doc.Active != len(want) || doc.Skipped != 1 {
				t.Errorf("%s masks %v: %d rows, active %d, skipped %d; recomputed %d aggregates", s, masks, len(got), doc.Active, doc.Skipped, len(want))
			}
			for k, w := range want {
				if got[k] != w {
					t.Errorf("%s masks %v: %s = %+v, recomputed %+v", s, masks, k, got[k], w)
				}
			}
			// The text lines, in the same order, print the same numbers.
			var tb bytes.Buffer
			IPCacheFlowAggregation(&tb, v, false)
			lines := strings.Split(strings.TrimRight(tb.String(), "\n"), "\n")
			body := lines[len(lines)-len(doc.Table.Rows):]
			if s == platform.SchemeBGPNextHopToS {
				body = nil
				for i, l := range lines {
					if strings.HasPrefix(l, "BGP:") {
						body = append(body, lines[i-1])
					}
				}
			}
			tail := regexp.MustCompile(`(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)$`)
			for i, r := range doc.Table.Rows {
				m := tail.FindStringSubmatch(body[i])
				if m == nil || m[1] != strconv.FormatUint(r.Flows, 10) || m[2] != strconv.FormatUint(r.Packets, 10) ||
					m[3] != strconv.FormatUint(r.BytesPerPacket, 10) || m[4] != strconv.FormatFloat(r.ActiveSeconds, 'f', 1, 64) {
					t.Errorf("%s line %q does not carry row %+v", s, body[i], r)
				}
			}
		}
	}
}
