package main

import (
	"cmp"
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestTopTalkersEqualTheCapture: an analyst's top-talkers queries over a
// capture tcpreplay sends through the real datapath. For each set of
// match criteria and sort order, the rows of `show ip flow top-talkers`,
// in order and with their counts, are the ones computed from nfpcapd's
// reading of the same capture (IPv4 flows, IOS's order: the sort key,
// then the other counter, then the flow key), and the count line says how
// many matched of how many processed. The capture has no FIN or RST, so
// every flow is still in the cache when the queries run.
func TestTopTalkersEqualTheCapture(t *testing.T) {
	tcpreplay := collector.RequireTool(t, "tcpreplay", "tcpreplay")
	const pcap = "../../../testdata/pcaps/zeek-wikipedia.pcap"
	v := testnet.Enter(t)
	d := startDaemon(t, fmt.Sprintf(`hostname e2e
username admin privilege 15 secret letmein
ip flow-cache timeout inactive 3600
interface %s
 ip flow ingress
!
`, v.Mon))
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(d.log.String(), `msg="metering port" port=`+v.Mon) {
		if time.Now().After(deadline) {
			t.Fatalf("%s not metered; log:\n%s", v.Mon, d.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// On one CPU, so that each flow is one cache entry (see the tap test).
	if out, err := testproc.CombinedOutput(exec.Command("taskset", "-c", "0", tcpreplay, "-t", "-i", v.Src, pcap)); err != nil {
		t.Fatalf("tcpreplay: %v\n%s", err, out)
	}
	var flows []collector.Tuple
	counts := collector.Nfpcapd(t, pcap)
	for k := range counts {
		if k.Src.Is4() {
			flows = append(flows, k)
		}
	}
	deadline = time.Now().Add(10 * time.Second)
	// Each family's cache header counts its own flows.
	active4, active6 := fmt.Sprintf(" %d active, ", len(flows)), fmt.Sprintf(" %d active, ", len(counts)-len(flows))
	for ; ; time.Sleep(200 * time.Millisecond) {
		screen := d.cli(t, "ios", "show ip cache flow\n")
		if strings.Contains(screen, active4) && strings.Contains(d.cli(t, "ios", "show ipv6 flow cache\n"), active6) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cache never held the capture's %d flows:\n%s", len(counts), screen)
		}
	}

	pfx := netip.MustParsePrefix
	for _, q := range []struct {
		lines   []string
		packets bool // sort-by packets
		top     int
		match   func(k collector.Tuple, c collector.Counts) bool
	}{
		{[]string{}, false, 5, func(collector.Tuple, collector.Counts) bool { return true }},
		{[]string{"match protocol udp", "match destination address 141.142.220.0 mask 255.255.255.0"}, true, 10,
			func(k collector.Tuple, _ collector.Counts) bool {
				return k.Proto == 17 && pfx("141.142.220.0/24").Contains(k.Dst)
			}},
		{[]string{"match source address 141.142.220.118 mask 255.255.255.255", "match destination port 53"}, false, 200,
			func(k collector.Tuple, _ collector.Counts) bool {
				return k.Src == netip.MustParseAddr("141.142.220.118") && k.DstPort == 53
			}},
		{[]string{"match source port min 40000", "match byte-range 100 1000"}, false, 8,
			func(k collector.Tuple, c collector.Counts) bool {
				return k.SrcPort >= 40000 && c.Bytes >= 100 && c.Bytes <= 1000
			}},
		{[]string{"match destination port max 1023", "match packet-range min 4"}, true, 3,
			func(k collector.Tuple, c collector.Counts) bool { return k.DstPort <= 1023 && c.Packets >= 4 }},
		{[]string{"match protocol tcp", "match tos 0", "match input-interface " + v.Mon}, false, 6,
			func(k collector.Tuple, _ collector.Counts) bool { return k.Proto == 6 }},
		{[]string{"match input-interface lo"}, false, 10, func(collector.Tuple, collector.Counts) bool { return false }},
	} {
		name := strings.Join(q.lines, ", ")
		sortBy := "bytes"
		if q.packets {
			sortBy = "packets"
		}
		cfg := fmt.Sprintf("configure terminal\nno ip flow-top-talkers\nip flow-top-talkers\n top %d\n sort-by %s\n %s\nend\n",
			q.top, sortBy, strings.Join(q.lines, "\n "))
		if out := d.cli(t, "ios", cfg); strings.Contains(out, "%") {
			t.Fatalf("%s: %s", name, out)
		}
		var want []collector.Tuple
		for _, k := range flows {
			if q.match(k, counts[k]) {
				want = append(want, k)
			}
		}
		matched := len(want)
		slices.SortFunc(want, func(a, b collector.Tuple) int {
			ca, cb := counts[a], counts[b]
			first, second := cmp.Compare(cb.Bytes, ca.Bytes), cmp.Compare(cb.Packets, ca.Packets)
			if q.packets {
				first, second = second, first
			}
			return cmp.Or(first, second, a.Src.Compare(b.Src), a.Dst.Compare(b.Dst), cmp.Compare(a.Proto, b.Proto),
				cmp.Compare(a.SrcPort, b.SrcPort), cmp.Compare(a.DstPort, b.DstPort))
		})
		want = want[:min(q.top, len(want))]

		var tt struct {
			Shown, Matched, Processed int
			Table                     struct {
				Rows []cacheFlow `json:"ROW_flow"`
			} `json:"TABLE_flow"`
		}
		d.jsonCLI(t, "show ip flow top-talkers", &tt)
		text := d.cli(t, "ios", "show ip flow top-talkers\n")
		line := fmt.Sprintf("%d of %d top talkers shown. %d flows processed.\n", len(want), matched, len(flows))
		if !strings.Contains(text, line) {
			t.Errorf("%s: the screen does not say %q:\n%s", name, line, text)
		}
		var got []string
		for _, r := range tt.Table.Rows {
			got = append(got, fmt.Sprintf("%d %s:%d > %s:%d %d/%d", r.Proto, r.SrcAddr, r.SrcPort, r.DstAddr, r.DstPort, r.Packets, r.Bytes))
		}
		var exp []string
		for _, k := range want {
			exp = append(exp, fmt.Sprintf("%s %d/%d", k, counts[k].Packets, counts[k].Bytes))
		}
		if !slices.Equal(got, exp) {
			t.Errorf("%s, sort-by %s, top %d:\n got %q\nwant %q\n%s", name, sortBy, q.top, got, exp, text)
		}
	}
}
