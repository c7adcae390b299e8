package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// cacheFlow is a row of `show ip cache verbose flow | json`.
type cacheFlow struct {
	SrcIf   string `json:"src_if"`
	DstIf   string `json:"dst_if"`
	SrcAddr string `json:"src_addr"`
	DstAddr string `json:"dst_addr"`
	Proto   uint8  `json:"protocol"`
	SrcPort uint16 `json:"src_port"`
	DstPort uint16 `json:"dst_port"`
	Packets uint64
	Bytes   uint64
}

type sums struct{ flows, packets, bytes uint64 }

// jsonCLI runs one `| json` line and decodes it.
func (d *runningDaemon) jsonCLI(t *testing.T, line string, v any) {
	t.Helper()
	out := d.cli(t, "ios", line+" | json\n")
	i := strings.Index(out, "{")
	if i < 0 {
		t.Fatalf("%s | json: no JSON:\n%s", line, out)
	}
	if err := json.Unmarshal([]byte(out[i:]), v); err != nil {
		t.Fatalf("%s | json: %v\n%s", line, err, out)
	}
}

func masked(a string, bits int) string {
	return netip.PrefixFrom(netip.MustParseAddr(a), bits).Masked().String()
}

// TestViewsAgreeWithTheCache: on the real datapath, the dynamic top
// talkers and top-talkers screens are sums of the live cache; every
// aggregation cache holds the main cache's flows folded by its scheme
// once they aged out, recomputed here from `show ip cache
// verbose flow | json`;
// the JunOS 10-second rates count the frames and then forget them; and
// `clear ip flow stats` zeroes what those screens count.
func TestViewsAgreeWithTheCache(t *testing.T) {
	v := testnet.Enter(t)
	coll, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	port := coll.LocalAddr().(*net.UDPAddr).Port
	d := startDaemon(t, fmt.Sprintf(`hostname viewtap
username admin secret letmein
interface %s
 ip flow ingress
!
ip flow-cache timeout inactive 600
ip flow-export version 9
ip flow-export destination 127.0.0.1 %[2]d
ip flow-aggregation cache prefix
 mask source minimum 24
 mask destination minimum 24
 cache timeout inactive 600
 export destination 127.0.0.1 %[2]d
 enabled
!
ip flow-aggregation cache source-prefix
 mask source minimum 16
 cache timeout inactive 600
 export destination 127.0.0.1 %[2]d
 enabled
!
ip flow-aggregation cache protocol-port
 cache timeout inactive 600
 export destination 127.0.0.1 %[2]d
 enabled
!
ip flow-top-talkers
 top 3
 sort-by bytes
`, v.Mon, port))

	// Four flows, 11 frames: two sources in 10.0.0.0/24, one in
	// 10.0.1.0/24 with two source ports.
	var frames [][]byte
	add := func(src [4]byte, sport uint16, payload, n int) {
		for range n {
			frames = append(frames, udpFrame(src, sport, payload))
		}
	}
	add([4]byte{10, 0, 0, 1}, 4000, 10, 5)
	add([4]byte{10, 0, 0, 2}, 4001, 100, 3)
	add([4]byte{10, 0, 1, 7}, 4000, 700, 2)
	add([4]byte{10, 0, 1, 7}, 5000, 50, 1)
	// The meter's 10-second window takes its first sample a second after
	// the start: send after it, so the window sees the frames arrive.
	time.Sleep(2 * time.Second)
	v.Send(t, frames)
	rate := func() map[string]uint64 {
		out := d.cli(t, "junos", "show services accounting flow | display json\n")
		var a map[string]uint64
		if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &a); err != nil {
			t.Fatalf("show services accounting flow | display json: %v\n%s", err, out)
		}
		return a
	}
	// 11 packets and 2108 bytes in the last ten seconds: 1 packet/s, 210 bytes/s.
	for deadline := time.Now().Add(8 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		a := rate()
		if a["flow_packets10s_rate"] == 1 && a["flow_bytes10s_rate"] == 210 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the 10-second rates never counted the 11 frames: %v", a)
		}
	}
	var cache struct {
		Table struct {
			Rows []cacheFlow `json:"ROW_flow"`
		} `json:"TABLE_flow"`
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		d.jsonCLI(t, "show ip cache verbose flow", &cache)
		var n uint64
		for _, f := range cache.Table.Rows {
			n += f.Packets
		}
		if n == 11 && len(cache.Table.Rows) == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cache never held the 4 flows of 11 frames: %+v", cache.Table.Rows)
		}
	}
	flows := cache.Table.Rows
	t.Logf("main cache: %+v", flows)
	// The cache's own screen prints those flows, and the other views of
	// the live cache (applications, JunOS flow-detail) sum to them.
	text := d.cli(t, "ios", "show ip cache flow\n")
	var total sums
	for _, f := range flows {
		line := fmt.Sprintf(`(?m)^%s +%s +%s +%s +%02X %04X %04X +%d$`, f.SrcIf, regexp.QuoteMeta(f.SrcAddr), f.DstIf,
			regexp.QuoteMeta(f.DstAddr), f.Proto, f.SrcPort, f.DstPort, f.Packets)
		if !regexp.MustCompile(line).MatchString(text) {
			t.Errorf("show ip cache flow has no line for %+v:\n%s", f, text)
		}
		total = sums{total.flows + 1, total.packets + f.Packets, total.bytes + f.Bytes}
	}
	var apps struct {
		Live struct {
			Rows []struct {
				Class                  string
				Octets, Packets, Flows uint64
			} `json:"ROW_live"`
		} `json:"TABLE_live"`
	}
	d.jsonCLI(t, "show ip flow applications", &apps)
	appText := d.cli(t, "ios", "show ip flow applications\n")
	if n := len(apps.Live.Rows); n == 0 || apps.Live.Rows[n-1].Class != "total" ||
		(sums{apps.Live.Rows[n-1].Flows, apps.Live.Rows[n-1].Packets, apps.Live.Rows[n-1].Octets}) != total {
		t.Errorf("applications live total %+v, the cache %+v", apps.Live.Rows, total)
	} else if want := fmt.Sprintf(`(?m)^total +%d +%d +%d +100\.0%%$`, total.bytes, total.packets, total.flows); !regexp.MustCompile(want).MatchString(appText) {
		t.Errorf("show ip flow applications lacks %s:\n%s", want, appText)
	}
	jout := d.cli(t, "junos", "show services accounting flow-detail | display json\n")
	var detail struct {
		Flows []struct {
			PacketCount uint64 `json:"packet_count"`
			ByteCount   uint64 `json:"byte_count"`
		}
	}
	if err := json.Unmarshal([]byte(jout[strings.Index(jout, "{"):]), &detail); err != nil {
		t.Fatalf("flow-detail | display json: %v\n%s", err, jout)
	}
	var dsum sums
	for _, f := range detail.Flows {
		dsum = sums{dsum.flows + 1, dsum.packets + f.PacketCount, dsum.bytes + f.ByteCount}
	}
	if dsum != total {
		t.Errorf("JunOS flow-detail sums to %+v, the cache to %+v", dsum, total)
	}

	// show ip flow top: every aggregate is the sum of the cache's flows.
	type topDoc struct {
		Matched, Processed int
		Table              struct {
			Rows []struct {
				Aggregate             string
				Bytes, Packets, Flows uint64
			} `json:"ROW_top_talker"`
		} `json:"TABLE_top_talker"`
	}
	for _, c := range []struct {
		line  string
		key   func(f cacheFlow) string
		match func(f cacheFlow) bool
	}{
		{"show ip flow top 10 aggregate source-address sorted-by packets", func(f cacheFlow) string { return f.SrcAddr }, nil},
		{"show ip flow top aggregate source-port match source-address 10.0.1.0/24", func(f cacheFlow) string { return fmt.Sprint(f.SrcPort) },
			func(f cacheFlow) bool { return strings.HasPrefix(f.SrcAddr, "10.0.1.") }},
		{"show ip flow top 5 aggregate destination-port", func(f cacheFlow) string { return fmt.Sprint(f.DstPort) }, nil},
	} {
		var doc topDoc
		d.jsonCLI(t, c.line, &doc)
		text := d.cli(t, "ios", c.line+"\n")
		want := map[string]sums{}
		matched := 0
		for _, f := range flows {
			if c.match != nil && !c.match(f) {
				continue
			}
			matched++
			s := want[c.key(f)]
			want[c.key(f)] = sums{s.flows + 1, s.packets + f.Packets, s.bytes + f.Bytes}
		}
		if doc.Matched != matched || doc.Processed != len(flows) || len(doc.Table.Rows) != len(want) {
			t.Errorf("%s: %+v; the cache gives %d matched of %d, %d aggregates", c.line, doc, matched, len(flows), len(want))
		}
		for _, r := range doc.Table.Rows {
			if w := want[r.Aggregate]; w != (sums{r.Flows, r.Packets, r.Bytes}) {
				t.Errorf("%s: %s = %d/%d/%d, the cache sums to %+v", c.line, r.Aggregate, r.Flows, r.Packets, r.Bytes, w)
			}
			if !regexp.MustCompile(fmt.Sprintf(`(?m)^%s +%d +[\d.]+ +%d +[\d.]+ +%d +`, regexp.QuoteMeta(r.Aggregate), r.Bytes, r.Packets, r.Flows)).MatchString(text) {
				t.Errorf("%s: no text line for %+v:\n%s", c.line, r, text)
			}
		}
		if !strings.Contains(text, fmt.Sprintf("%d of %d flows matched.", matched, len(flows))) {
			t.Errorf("%s:\n%s", c.line, text)
		}
	}

	// show ip flow top-talkers verbose: the 3 largest flows by bytes.
	var tt struct {
		Shown, Processed int
		Table            struct {
			Rows []cacheFlow `json:"ROW_flow"`
		} `json:"TABLE_flow"`
	}
	d.jsonCLI(t, "show ip flow top-talkers verbose", &tt)
	text = d.cli(t, "ios", "show ip flow top-talkers verbose\n")
	if tt.Shown != 3 || tt.Processed != 4 || !strings.Contains(text, "3 of 4 top talkers shown. 4 flows processed.") {
		t.Errorf("top-talkers verbose: %+v\n%s", tt, text)
	}
	for _, r := range tt.Table.Rows {
		if r.SrcAddr == "10.0.1.7" && r.SrcPort == 5000 {
			t.Errorf("the smallest flow is a top talker: %+v", tt.Table.Rows)
		}
		if !strings.Contains(text, fmt.Sprintf("Bytes: %d\n", r.Bytes)) {
			t.Errorf("top-talkers verbose lacks %+v:\n%s", r, text)
		}
	}

	// The flows age out of the main cache into the aggregation caches
	// (a purge would flush those too).
	d.cli(t, "ios", "configure terminal\nip flow-cache timeout inactive 10\nend\n")
	type aggDoc struct {
		MainCacheFlowsAdded uint64 `json:"main_cache_flows_added"`
		Table               struct {
			Rows []struct {
				SrcIf          string `json:"src_if"`
				DstIf          string `json:"dst_if"`
				SrcPrefix      string `json:"src_prefix"`
				SrcMask        int    `json:"src_mask"`
				DstPrefix      string `json:"dst_prefix"`
				DstMask        int    `json:"dst_mask"`
				Protocol       uint8
				SrcPort        uint16 `json:"src_port"`
				DstPort        uint16 `json:"dst_port"`
				Flows, Packets uint64
				Bytes          uint64
			} `json:"ROW_aggregate"`
		} `json:"TABLE_aggregate"`
	}
	for _, c := range []struct {
		scheme string
		key    func(f cacheFlow) string
	}{
		{"prefix", func(f cacheFlow) string {
			return strings.Join([]string{f.SrcIf, masked(f.SrcAddr, 24), f.DstIf, masked(f.DstAddr, 24)}, " ")
		}},
		{"source-prefix", func(f cacheFlow) string { return f.SrcIf + " " + masked(f.SrcAddr, 16) }},
		{"protocol-port", func(f cacheFlow) string { return fmt.Sprint(f.Proto, f.SrcPort, f.DstPort) }},
	} {
		var doc aggDoc
		for deadline := time.Now().Add(45 * time.Second); ; time.Sleep(500 * time.Millisecond) {
			d.jsonCLI(t, "show ip cache verbose flow aggregation "+c.scheme, &doc)
			if doc.MainCacheFlowsAdded == 4 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d main cache flows added, want 4", c.scheme, doc.MainCacheFlowsAdded)
			}
		}
		want := map[string]sums{}
		for _, f := range flows {
			s := want[c.key(f)]
			want[c.key(f)] = sums{s.flows + 1, s.packets + f.Packets, s.bytes + f.Bytes}
		}
		text := d.cli(t, "ios", "show ip cache flow aggregation "+c.scheme+"\n")
		t.Logf("%s:\n%s", c.scheme, text)
		if len(doc.Table.Rows) != len(want) {
			t.Errorf("%s: %d aggregates, the main cache folds into %d", c.scheme, len(doc.Table.Rows), len(want))
		}
		for _, r := range doc.Table.Rows {
			var k string
			switch c.scheme {
			case "prefix":
				k = fmt.Sprintf("%s %s/%d %s %s/%d", r.SrcIf, r.SrcPrefix, r.SrcMask, r.DstIf, r.DstPrefix, r.DstMask)
			case "source-prefix":
				k = fmt.Sprintf("%s %s/%d", r.SrcIf, r.SrcPrefix, r.SrcMask)
			default:
				k = fmt.Sprint(r.Protocol, r.SrcPort, r.DstPort)
			}
			if w := want[k]; w != (sums{r.Flows, r.Packets, r.Bytes}) {
				t.Errorf("%s: %s = %d/%d/%d, recomputed from the main cache %+v", c.scheme, k, r.Flows, r.Packets, r.Bytes, w)
			}
			if !regexp.MustCompile(fmt.Sprintf(`(?m) %d +%d +%d +[\d.]+$`, r.Flows, r.Packets, r.Bytes/r.Packets)).MatchString(text) {
				t.Errorf("%s: no text line carries %+v", c.scheme, r)
			}
		}

		// JunOS's screen of the same cache carries the same numbers.
		jtype := map[string]string{"prefix": "source-destination-prefix"}[c.scheme]
		if jtype == "" {
			jtype = c.scheme
		}
		var jdoc struct {
			Aggregations []struct {
				Protocol          uint8  `json:"protocol"`
				SourcePort        uint16 `json:"source_port"`
				DestinationPort   uint16 `json:"destination_port"`
				SourcePrefix      string `json:"source_prefix"`
				DestinationPrefix string `json:"destination_prefix"`
				InputInterface    string `json:"input_interface"`
				OutputInterface   string `json:"output_interface"`
				FlowCount         uint64 `json:"flow_count"`
				PacketCount       uint64 `json:"packet_count"`
				ByteCount         uint64 `json:"byte_count"`
			} `json:"aggregations"`
		}
		jout := d.cli(t, "junos", "show services accounting aggregation "+jtype+" | display json\n")
		if err := json.Unmarshal([]byte(jout), &jdoc); err != nil {
			t.Fatalf("JunOS aggregation %s | display json: %v\n%s", jtype, err, jout)
		}
		jtext := d.cli(t, "junos", "show services accounting aggregation "+jtype+"\n")
		if len(jdoc.Aggregations) != len(want) {
			t.Errorf("JunOS %s: %d aggregates, IOS's screen %d", jtype, len(jdoc.Aggregations), len(doc.Table.Rows))
		}
		for _, r := range jdoc.Aggregations {
			var k string
			switch c.scheme {
			case "prefix":
				k = strings.Join([]string{r.InputInterface, r.SourcePrefix, r.OutputInterface, r.DestinationPrefix}, " ")
			case "source-prefix":
				k = r.InputInterface + " " + r.SourcePrefix
			default:
				k = fmt.Sprint(r.Protocol, r.SourcePort, r.DestinationPort)
			}
			if w := want[k]; w != (sums{r.FlowCount, r.PacketCount, r.ByteCount}) {
				t.Errorf("JunOS %s: %s = %d/%d/%d, IOS's cache %+v", jtype, k, r.FlowCount, r.PacketCount, r.ByteCount, w)
			}
			if !regexp.MustCompile(fmt.Sprintf(`(?m) %d +%d +%d$`, r.FlowCount, r.PacketCount, r.ByteCount)).MatchString(jtext) {
				t.Errorf("JunOS %s: no text line carries %+v:\n%s", jtype, r, jtext)
			}
		}
	}

	// Ten seconds after the frames (the flows aged out by then) the
	// window empties, within a sample or two.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		a := rate()
		if a["flow_packets10s_rate"] == 0 && a["flow_bytes10s_rate"] == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10-second rates with nothing sent for over ten seconds: %v", a)
		}
	}

	// clear ip flow stats: the counters those screens print start from 0.
	d.cli(t, "ios", "clear ip flow stats\n")
	screen := d.cli(t, "ios", "show ip cache flow\n")
	for _, want := range []string{"IP packet size distribution (0 total packets):", " 0 added\n", "last clearing of statistics 00:00:0"} {
		if !strings.Contains(screen, want) {
			t.Errorf("after clear ip flow stats, show ip cache flow lacks %q:\n%s", want, screen)
		}
	}
	if m := regexp.MustCompile(`(?m)^Total:\s+(\d+)`).FindStringSubmatch(screen); m == nil || m[1] != "0" {
		t.Errorf("after clear ip flow stats, Total: %v", m)
	}
	agg := d.cli(t, "ios", "show ip cache verbose flow aggregation prefix\n")
	for _, want := range []string{" 0 added\n", "  0 main cache flows added, 0 IPv6 flows not aggregated\n", "  0 aggregates exported, 0 expired early"} {
		if !strings.Contains(agg, want) {
			t.Errorf("after clear ip flow stats, the prefix cache lacks %q:\n%s", want, agg)
		}
	}
	if exp := d.cli(t, "ios", "show ip flow export\n"); !strings.Contains(exp, " 0 flows exported in 0 udp datagrams") {
		t.Errorf("after clear ip flow stats:\n%s", exp)
	}
}
