package flowcache_test

import (
	"errors"
	"github.com/flowtap/flowtap/appliance/platform"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
)

// talkers meters flows whose source address ends in their index:
// 10.1.0.N -> 192.0.2.N or 198.51.100.N.
var talkers = []struct {
	proto          uint8
	sport, dport   uint16
	dst            string
	packets, bytes int // bytes per packet
}{
	{6, 40001, 80, "192.0.2.1", 10, 1000},    // 1: 10 pkts, 10000 B
	{6, 40002, 443, "192.0.2.2", 100, 40},    // 2: 100 pkts, 4000 B
	{17, 40003, 53, "198.51.100.3", 3, 100},  // 3: 3 pkts, 300 B
	{17, 40004, 161, "198.51.100.4", 50, 90}, // 4: 50 pkts, 4500 B
	{1, 0, 0x0800, "192.0.2.5", 20, 84},      // 5: 20 pkts, 1680 B
	{6, 40006, 22, "192.0.2.6", 10, 1000},    // 6: ties with 1
}

func talkerKey(i int) flow.Key {
	tk := talkers[i-1]
	return flow.Key{
		SrcAddr: netip.AddrFrom4([4]byte{10, 1, 0, byte(i)}), DstAddr: netip.MustParseAddr(tk.dst),
		SrcPort: tk.sport, DstPort: tk.dport, Proto: tk.proto,
	}
}

func talkerIDs(recs []flow.Record) []int {
	ids := make([]int, len(recs))
	for i, r := range recs {
		ids[i] = int(r.SrcAddr.As4()[3])
	}
	return ids
}

func TestTopTalkers(t *testing.T) {
	pfx := netip.MustParsePrefix
	tests := []struct {
		name        string
		cfg         flowcache.TopTalkersConfig
		want        []int
		wantMatched int
	}{
		{"bytes", flowcache.TopTalkersConfig{Top: 3, SortBy: platform.SortByBytes}, []int{1, 6, 4}, 6},
		{"packets", flowcache.TopTalkersConfig{Top: 3, SortBy: platform.SortByPackets}, []int{2, 4, 5}, 6},
		{"top above flows", flowcache.TopTalkersConfig{Top: 200, SortBy: platform.SortByBytes}, []int{1, 6, 4, 2, 5, 3}, 6},
		{"protocol udp", flowcache.TopTalkersConfig{Top: 10, SortBy: platform.SortByBytes,
			Match: flowcache.Match{ProtocolSet: true, Protocol: 17}}, []int{4, 3}, 2},
		{"destination address mask", flowcache.TopTalkersConfig{Top: 10, SortBy: platform.SortByPackets,
			Match: flowcache.Match{Dst: pfx("192.0.2.0/30")}}, []int{2, 1}, 2},
		{"source address", flowcache.TopTalkersConfig{Top: 10, SortBy: platform.SortByPackets,
			Match: flowcache.Match{Src: pfx("10.1.0.5/32")}}, []int{5}, 1},
		{"destination port range", flowcache.TopTalkersConfig{Top: 10, SortBy: platform.SortByBytes,
			Match: flowcache.Match{DstPort: flowcache.PortMatch{Set: true, Min: 22, Max: 80}}}, []int{1, 6, 3}, 3},
		{"source port min", flowcache.TopTalkersConfig{Top: 10, SortBy: platform.SortByBytes,
			Match: flowcache.Match{SrcPort: flowcache.PortMatch{Set: true, Min: 40004, Max: 65535}}}, []int{6, 4}, 2},
		{"byte range", flowcache.TopTalkersConfig{Top: 10, SortBy: platform.SortByBytes,
			Match: flowcache.Match{Bytes: flowcache.CountMatch{Min: 1000, Max: 4500}}}, []int{4, 2, 5}, 3},
		{"packet range max only", flowcache.TopTalkersConfig{Top: 10, SortBy: platform.SortByPackets,
			Match: flowcache.Match{Packets: flowcache.CountMatch{Max: 10}}}, []int{1, 6, 3}, 3},
		{"nothing matches", flowcache.TopTalkersConfig{Top: 10, SortBy: platform.SortByBytes,
			Match: flowcache.Match{Dst: pfx("2001:db8::/32")}}, []int{}, 0},
	}
	h := newHarness(t, 64, nil)
	for i, tk := range talkers {
		h.meter(talkerKey(i+1), tk.packets, uint64(tk.bytes), 0)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := h.eng.SetTopTalkers(tc.cfg); err != nil {
				t.Fatal(err)
			}
			tt, err := h.eng.TopTalkers()
			if err != nil {
				t.Fatal(err)
			}
			if got := talkerIDs(tt.Flows); !slices.Equal(got, tc.want) {
				t.Errorf("flows %v, want %v", got, tc.want)
			}
			if tt.Matched != tc.wantMatched || tt.Processed != len(talkers) {
				t.Errorf("matched %d of %d, want %d of %d", tt.Matched, tt.Processed, tc.wantMatched, len(talkers))
			}
		})
	}
}

func TestTopTalkersCache(t *testing.T) {
	h := newHarness(t, 64, nil)
	if _, err := h.eng.TopTalkers(); !errors.Is(err, flowcache.ErrTopTalkersDisabled) {
		t.Fatalf("unconfigured: err %v, want ErrTopTalkersDisabled", err)
	}
	cfg := flowcache.TopTalkersConfig{Top: 1, SortBy: platform.SortByBytes}
	if err := h.eng.SetTopTalkers(cfg); err != nil {
		t.Fatal(err)
	}
	h.meter(key(1), 1, 500, 0)
	h.meter(key(2), 1, 100, 0)
	top := func() int {
		t.Helper()
		tt, err := h.eng.TopTalkers()
		if err != nil {
			t.Fatal(err)
		}
		if len(tt.Flows) != 1 {
			t.Fatalf("got %d flows, want 1", len(tt.Flows))
		}
		return int(tt.Flows[0].SrcAddr.As4()[3])
	}
	if got := top(); got != 1 {
		t.Fatalf("top = %d, want 1", got)
	}
	h.meter(key(2), 1, 1000, 0)
	h.step(4 * time.Second)
	if got := top(); got != 1 {
		t.Fatalf("4 s later: top = %d, want the cached 1", got)
	}
	h.step(time.Second)
	if got := top(); got != 2 {
		t.Fatalf("5 s later: top = %d, want the recomputed 2", got)
	}
	h.meter(key(1), 1, 2000, 0)
	if got := top(); got != 2 {
		t.Fatalf("top = %d, want the cached 2", got)
	}
	if err := h.eng.SetTopTalkers(cfg); err != nil { // any set expires the cache
		t.Fatal(err)
	}
	if got := top(); got != 1 {
		t.Fatalf("after a set: top = %d, want the recomputed 1", got)
	}
}

func TestTopTalkersConfigValidate(t *testing.T) {
	bad := []flowcache.TopTalkersConfig{
		{Top: 201, SortBy: platform.SortByBytes},
		{Top: -1},
		{Top: 5, SortBy: 9},
		{Top: 5, SortBy: platform.SortByBytes, CacheTimeout: 3600001 * time.Millisecond},
		{Top: 5, SortBy: platform.SortByBytes, Match: flowcache.Match{Src: netip.MustParsePrefix("10.1.2.3/8")}},
		{Top: 5, SortBy: platform.SortByBytes, Match: flowcache.Match{DstPort: flowcache.PortMatch{Set: true, Min: 9, Max: 8}}},
	}
	for _, c := range bad {
		if err := c.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", c)
		}
	}
	if c := (flowcache.TopTalkersConfig{Top: 5}); c.Enabled() {
		t.Error("enabled without sort-by")
	}
}

// TestTopTalkersOfFamily: `show ip flow top-talkers` ranks IPv4 flows,
// `show ipv6 flow top-talkers` IPv6 flows, each counting its own family
// as processed and matched; every flow together is what SNMP ranks.
func TestTopTalkersOfFamily(t *testing.T) {
	h := newHarness(t, 64, nil)
	for i, tk := range talkers {
		h.meter(talkerKey(i+1), tk.packets, uint64(tk.bytes), 0)
	}
	v6 := func(i int) flow.Key {
		return flow.Key{SrcAddr: netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(i)}), DstAddr: netip.MustParseAddr("2001:db8::ff"),
			SrcPort: 50000, DstPort: 443, Proto: 6}
	}
	h.meter(v6(1), 5, 3000, 0) // 15000 B: the largest of all
	h.meter(v6(2), 1, 100, 0)  // 100 B
	h.meter(v6(3), 2, 2500, 0) // 5000 B
	if err := h.eng.SetTopTalkers(flowcache.TopTalkersConfig{Top: 2, SortBy: platform.SortByBytes}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		f                  flowcache.Family
		wantLast           []byte // last byte of each source address, best first
		matched, processed int
	}{
		{flowcache.FamilyIPv4, []byte{1, 6}, 6, 6},
		{flowcache.FamilyIPv6, []byte{1, 3}, 3, 3},
		{flowcache.FamilyAny, []byte{1, 1}, 9, 9},
	} {
		tt, err := h.eng.TopTalkersOf(c.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []byte
		for _, r := range tt.Flows {
			s := r.SrcAddr.AsSlice()
			got = append(got, s[len(s)-1])
		}
		if !slices.Equal(got, c.wantLast) || tt.Matched != c.matched || tt.Processed != c.processed {
			t.Errorf("family %d: %v (%d of %d), want %v (%d of %d)", c.f, got, tt.Matched, tt.Processed, c.wantLast, c.matched, c.processed)
		}
	}
	if tt, _ := h.eng.TopTalkersOf(flowcache.FamilyAny); !tt.Flows[0].IsIPv6() || tt.Flows[1].IsIPv6() {
		t.Errorf("every flow: %v first, %v second; want the IPv6 15000 B then IPv4 10000 B", tt.Flows[0].SrcAddr, tt.Flows[1].SrcAddr)
	}
}

// routeAnnotator plays prefix-as-file and a subinterface: flow N leaves
// on ifIndex 10+N%2 via 192.0.2.254 (odd) or 198.51.100.254 (even), from
// AS 64500+N to AS 65000+N%3.
type routeAnnotator struct{}

func (routeAnnotator) Annotate(r *flow.Record) {
	n := uint32(r.SrcAddr.As4()[3])
	r.OutputIf = 10 + n%2
	r.NextHop = netip.MustParseAddr("198.51.100.254")
	if n%2 == 1 {
		r.NextHop = netip.MustParseAddr("192.0.2.254")
	}
	r.SrcAS, r.DstAS = 64500+n, 65000+n%3
}

// TestTopTalkersMatchRouteFields: the criteria on fields the meter keys
// (ToS, input interface) and on those the annotator fills (output
// interface, next hop, AS numbers) select the flows they name; the rows
// carry the annotated fields, as `show ip cache verbose flow` does.
func TestTopTalkersMatchRouteFields(t *testing.T) {
	h := newHarness(t, 64, func(c *flowcache.Config) { c.Annotator = routeAnnotator{} })
	tos := []uint8{0x00, 0xb8, 0xb9, 0x20, 0x28, 0xb8} // 2,3,6: DSCP 46 (2 exact 0xb8); 4,5: precedence 1
	for i, tk := range talkers {
		k := talkerKey(i + 1)
		k.ToS, k.InputIf = tos[i], uint32(2+i%2)
		h.meter(k, tk.packets, uint64(tk.bytes), 0)
	}
	pfx := netip.MustParsePrefix
	bytes := func(m flowcache.Match) flowcache.TopTalkersConfig {
		return flowcache.TopTalkersConfig{Top: 10, SortBy: platform.SortByBytes, Match: m}
	}
	for _, tc := range []struct {
		name string
		cfg  flowcache.TopTalkersConfig
		want []int
	}{
		{"tos 184", bytes(flowcache.Match{ToS: flowcache.ToSMatch{Mask: 0xff, Value: 0xb8}}), []int{6, 2}},
		{"tos dscp 46", bytes(flowcache.Match{ToS: flowcache.ToSMatch{Mask: 0xfc, Value: 46 << 2}}), []int{6, 2, 3}},
		{"tos precedence 1", bytes(flowcache.Match{ToS: flowcache.ToSMatch{Mask: 0xe0, Value: 1 << 5}}), []int{4, 5}},
		{"input-interface", bytes(flowcache.Match{InputIf: 3}), []int{6, 4, 2}},
		{"output-interface", bytes(flowcache.Match{OutputIf: 10}), []int{6, 4, 2}},
		{"nexthop-address", bytes(flowcache.Match{NextHop: pfx("192.0.2.0/24")}), []int{1, 5, 3}},
		{"source as", bytes(flowcache.Match{SrcAS: 64504}), []int{4}},
		{"destination as", bytes(flowcache.Match{DstAS: 65000}), []int{6, 3}},
		{"all of them", bytes(flowcache.Match{ProtocolSet: true, Protocol: 6, ToS: flowcache.ToSMatch{Mask: 0xfc, Value: 0xb8},
			InputIf: 3, OutputIf: 10, NextHop: pfx("198.51.100.254/32"), SrcAS: 64506, DstAS: 65000}), []int{6}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := h.eng.SetTopTalkers(tc.cfg); err != nil {
				t.Fatal(err)
			}
			tt, err := h.eng.TopTalkers()
			if err != nil {
				t.Fatal(err)
			}
			if got := talkerIDs(tt.Flows); !slices.Equal(got, tc.want) {
				t.Errorf("flows %v, want %v", got, tc.want)
			}
			for _, r := range tt.Flows {
				n := uint32(r.SrcAddr.As4()[3])
				if r.SrcAS != 64500+n || r.OutputIf != 10+n%2 {
					t.Errorf("flow %d shown unannotated: source AS %d, output if %d", n, r.SrcAS, r.OutputIf)
				}
			}
		})
	}
}
