package show

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/flowtap/flowtap/appliance/platform"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/flow"
)

// topCache is a cache of the aggregation records, live, plus an IPv6
// flow that `show ip flow top` leaves out.
func topCache() CacheView {
	v := sampleCache()
	v.Flows = append(mainCacheRecords(), v.Flows[2])
	return v
}

func TestIPFlowTopTalkersVerbose(t *testing.T) {
	var b bytes.Buffer
	fl := sampleFlows()[:2]
	IPFlowTopTalkersVerbose(&b, TopTalkers{SortBy: platform.SortByBytes, Flows: []flow.Record{fl[1], fl[0]}, Matched: 2, Processed: 49},
		func(i uint32) string { return "eth1" })
	golden(t, "show-ip-flow-top-talkers-verbose", b.Bytes())
}

// TestIPv6FlowTopTalkers: `show ipv6 flow top-talkers` in the wide
// layout, by bytes and by packets.
func TestIPv6FlowTopTalkers(t *testing.T) {
	var b bytes.Buffer
	a := netip.MustParseAddr
	fl := []flow.Record{
		{Key: flow.Key{SrcAddr: a("2001:db8::1"), DstAddr: a("2001:db8:1::99"), SrcPort: 50000, DstPort: 443, Proto: 6, InputIf: 2}, Packets: 5, Bytes: 15000},
		{Key: flow.Key{SrcAddr: a("2001:db8::3"), DstAddr: a("ff02::1"), SrcPort: 0, DstPort: 0x8700, Proto: 58, InputIf: 2}, Packets: 2, Bytes: 5000},
	}
	name := func(uint32) string { return "eth1" }
	IPv6FlowTopTalkers(&b, TopTalkers{SortBy: platform.SortByBytes, Flows: fl, Matched: 3, Processed: 3}, name)
	IPv6FlowTopTalkers(&b, TopTalkers{SortBy: platform.SortByPackets, Flows: fl[:1], Matched: 3, Processed: 7}, name)
	golden(t, "show-ipv6-flow-top-talkers", b.Bytes())
}

func TestIPFlowTop(t *testing.T) {
	var b bytes.Buffer
	v := topCache()
	for _, q := range []TopQuery{
		{N: 10, Field: "destination-address"},
		{N: 2, Field: "source-prefix", By: TopSortPackets},
		{N: 10, Field: "protocol", By: TopSortFlows, Ascending: true},
		{N: 10, Field: "destination-port", By: TopSortAggregate},
		{N: 5, Field: "source-address", Matches: []TopMatchSpec{{"destination-port", "80"}, {"protocol", "tcp"}}},
		{N: 5, Field: "input-interface", Matches: []TopMatchSpec{{"destination-address", "172.16.0.0/16"}}},
		{N: 5, Field: "tos", Matches: []TopMatchSpec{{"source-as", "64999"}}},
	} {
		fmt.Fprintf(&b, "--- %+v\n", q)
		top, err := ComputeTop(&v, q)
		if err != nil {
			t.Fatal(err)
		}
		IPFlowTop(&b, top)
	}
	golden(t, "show-ip-flow-top-aggregate", b.Bytes())
	for _, q := range []TopQuery{{Field: "colour"}, {Field: "protocol", Matches: []TopMatchSpec{{"destination-port", "70000"}}},
		{Field: "protocol", Matches: []TopMatchSpec{{"source-address", "10.1"}}}} {
		if _, err := ComputeTop(&v, q); err == nil || !strings.HasPrefix(err.Error(), "% ") {
			t.Errorf("%+v: err = %v, want an IOS %% message", q, err)
		}
	}
}

// TestIPFlowTopEqualsCache: grouped by each field, the rows sum to the
// IPv4 flows of the cache, and each row's numbers are the sum of the
// flows whose field prints as the row's key; JSON and text agree.
func TestIPFlowTopEqualsCache(t *testing.T) {
	v := topCache()
	var total, pk, by uint64
	for _, r := range v.Flows {
		if !r.IsIPv6() {
			total++
			pk += r.Packets
			by += r.Bytes
		}
	}
	for _, f := range TopFields {
		top, err := ComputeTop(&v, TopQuery{Field: f.Keyword})
		if err != nil {
			t.Fatal(err)
		}
		var sf, sp, sb uint64
		for _, row := range top.Rows {
			var wf, wp, wb uint64
			for i := range v.Flows {
				r := &v.Flows[i]
				if !r.IsIPv6() && f.key(&v, r).text == row.Key {
					wf, wp, wb = wf+1, wp+r.Packets, wb+r.Bytes
				}
			}
			if row.Flows != wf || row.Packets != wp || row.Bytes != wb {
				t.Errorf("%s %s: %d/%d/%d, the cache's flows sum to %d/%d/%d", f.Keyword, row.Key, row.Flows, row.Packets, row.Bytes, wf, wp, wb)
			}
			sf, sp, sb = sf+row.Flows, sp+row.Packets, sb+row.Bytes
		}
		if sf != total || sp != pk || sb != by || top.Processed != int(total) {
			t.Errorf("%s: rows sum to %d/%d/%d of %d flows, the cache has %d/%d/%d", f.Keyword, sf, sp, sb, top.Processed, total, pk, by)
		}
		var jb, tb bytes.Buffer
		if err := WriteJSON(&jb, TopJSON(top)); err != nil {
			t.Fatal(err)
		}
		IPFlowTop(&tb, top)
		var doc struct {
			Shown, Matched, Processed int
			Table                     struct {
				Rows []struct {
					Aggregate             string
					Bytes, Packets, Flows uint64
					BytesPercent          float64 `json:"bytes_percent"`
				} `json:"ROW_top_talker"`
			} `json:"TABLE_top_talker"`
		}
		if err := json.Unmarshal(jb.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(tb.String(), fmt.Sprintf("There are %d top talkers:", doc.Shown)) ||
			!strings.Contains(tb.String(), fmt.Sprintf("%d of %d flows matched.", doc.Matched, doc.Processed)) {
			t.Errorf("%s: text and JSON disagree:\n%s\n%s", f.Keyword, tb.String(), jb.String())
		}
		for _, r := range doc.Table.Rows {
			line := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(r.Aggregate) + ` +` + strconv.FormatUint(r.Bytes, 10) + ` +` +
				strconv.FormatFloat(r.BytesPercent, 'f', 1, 64) + ` +` + strconv.FormatUint(r.Packets, 10) + ` .* ` + strconv.FormatUint(r.Flows, 10) + ` `)
			if !line.MatchString(tb.String()) {
				t.Errorf("%s: no text line for %+v:\n%s", f.Keyword, r, tb.String())
			}
		}
	}
}

// TestCacheJSON: `show ip cache flow | json` carries the screen's
// numbers: the header, the protocol table and every flow's packets.
func TestCacheJSON(t *testing.T) {
	v := sampleCache()
	var jb, tb bytes.Buffer
	if err := WriteJSON(&jb, CacheJSON(v, false)); err != nil {
		t.Fatal(err)
	}
	IPCacheVerboseFlow(&tb, v)
	text := tb.String()
	var doc struct {
		TotalPackets     uint64 `json:"total_packets"`
		Active, Inactive int
		Added            uint64
		Size             struct {
			Rows []struct {
				Size     string
				Fraction float64
			} `json:"ROW_size"`
		} `json:"TABLE_size"`
		Protocols struct {
			Rows []struct {
				Protocol       string
				TotalFlows     uint64  `json:"total_flows"`
				PacketsPerSec  float64 `json:"packets_per_sec"`
				BytesPerPacket uint64  `json:"bytes_per_packet"`
			} `json:"ROW_protocol"`
		} `json:"TABLE_protocol"`
		Flows struct {
			Rows []struct {
				SrcAddr string `json:"src_addr"`
				Packets uint64
				TCP     uint8 `json:"tcp_flags"`
			} `json:"ROW_flow"`
		} `json:"TABLE_flow"`
	}
	if err := json.Unmarshal(jb.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, jb.String())
	}
	for _, want := range []string{
		fmt.Sprintf("(%d total packets)", doc.TotalPackets),
		fmt.Sprintf("  %d active, %d inactive, %d added", doc.Active, doc.Inactive, doc.Added),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if len(doc.Size.Rows) != 26 || doc.Size.Rows[1].Fraction != 0.157 || !strings.Contains(text, " .157 ") {
		t.Errorf("size rows = %+v", doc.Size.Rows)
	}
	if len(doc.Protocols.Rows) != 3 {
		t.Fatalf("protocol rows = %+v", doc.Protocols.Rows)
	}
	for _, p := range doc.Protocols.Rows {
		re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(p.Protocol) + ` +` + strconv.FormatUint(p.TotalFlows, 10) + ` .* ` +
			strconv.FormatUint(p.BytesPerPacket, 10) + ` +` + strconv.FormatFloat(p.PacketsPerSec, 'f', 1, 64) + ` `)
		if !re.MatchString(text) {
			t.Errorf("no text line for %+v", p)
		}
	}
	if len(doc.Flows.Rows) != 2 {
		t.Fatalf("flow rows = %+v (IPv6 is show ipv6 flow cache's)", doc.Flows.Rows)
	}
	for _, f := range doc.Flows.Rows {
		if !regexp.MustCompile(regexp.QuoteMeta(f.SrcAddr)+` .* 1B +`+strconv.FormatUint(f.Packets, 10)+"\n").MatchString(text) || f.TCP != 0x1b {
			t.Errorf("no text line for %+v", f)
		}
	}
	jb.Reset()
	WriteJSON(&jb, CacheJSON(v, true))
	if !strings.Contains(jb.String(), `"src_addr": "2001:db8::1"`) || strings.Contains(jb.String(), "10.0.0.1") {
		t.Errorf("ipv6 cache JSON:\n%s", jb.String())
	}
}

// TestJSONShapes fixes the keys and nesting clients read: the cache, an
// aggregation cache, the dynamic and the configured top talkers, the
// SNMP agent's counters.
func TestJSONShapes(t *testing.T) {
	var b bytes.Buffer
	v := sampleCache()
	top, err := ComputeTop(&v, TopQuery{N: 2, Field: "source-address"})
	if err != nil {
		t.Fatal(err)
	}
	fl := sampleFlows()[:2]
	for _, doc := range []struct {
		name string
		v    any
	}{
		{"show ip cache verbose flow", CacheJSON(v, false)},
		{"show ip cache flow aggregation prefix", AggregationJSON(aggregationOf(t, 5, mainCacheRecords()[:2], 0, 0))},
		{"show ip flow top 2 aggregate source-address", TopJSON(top)},
		{"show ip flow top-talkers", TopTalkersJSON(TopTalkers{SortBy: platform.SortByBytes, Flows: []flow.Record{fl[1]}, Matched: 2, Processed: 49},
			func(uint32) string { return "eth1" })},
		{"show snmp", SNMPJSON(SNMPView{Enabled: true, Contact: "noc@example.net", Location: "rack 4", InPkts: 41, InBadVersions: 1,
			InBadCommunityNames: 2, InBadCommunityUses: 3, InASNParseErrs: 4, InUnknownUserNames: 5, InUserACLRefused: 2, InTotalReqVars: 50, InTotalSetVars: 5, InGetRequests: 20,
			InGetNexts: 10, InSetRequests: 3, InputQueueDrops: 6, OutPkts: 33, OutTooBigs: 1, OutNoSuchNames: 2, OutBadValues: 3,
			OutGenErrs: 4, OutGetResponses: 33, OutTraps: 7})},
		{"show snmp (no agent)", SNMPJSON(SNMPView{Contact: "noc@example.net"})},
	} {
		fmt.Fprintf(&b, "--- %s | json\n", doc.name)
		if err := WriteJSON(&b, doc.v); err != nil {
			t.Fatal(err)
		}
	}
	golden(t, "json-shapes", b.Bytes())
}
