package metrics

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/datapath"
	"github.com/flowtap/flowtap/datapath/dpstats"
	"github.com/flowtap/flowtap/internal/testproc"
)

func snapshot() Snapshot {
	dp := &datapath.Stats{Frames: 1000, FrameBytes: 640000, IPv4: 990, IPv6: 5, SampledOut: 7, OverloadSampledOut: 6, MeteredPackets: 983, MeteredBytes: 630000,
		FlowsCreated: 40, CreateFailFull: 2, CreateFailContention: 1, CreateFailPackets: 3, CaptureFull: 4, BatchPending: 9}
	dp.Unparsed[1] = 5 // non-ip
	dp.SizeHistogram[1] = 600
	dp.SizeHistogram[18] = 383
	dp.SizeHistogram6[18] = 83 // of the 383: IPv4 has 300
	cs := &flowcache.Stats{Active: 12, Capacity: 4096, Added: 52, AgerPolls: 300}
	cs.Expired[flow.EndIdle] = 30
	cs.Expired[flow.EndOfFlow] = 10
	cs.Protocols[flowcache.ProtoTCPWWW] = flowcache.ProtocolStats{Flows: 25, Packets: 500, Bytes: 400000}
	cs.Protocols6[flowcache.ProtoTCPWWW] = flowcache.ProtocolStats{Flows: 5, Packets: 100, Bytes: 80000}
	return Snapshot{
		Datapath: dp, SizeLabels: []string{"1-32", "64", "96", "128", "160", "192", "224", "256", "288", "320", "352", "384", "416", "448", "480",
			"512", "544", "576", "1024", "1536", "2048", "2560", "3072", "3584", "4096", "4608"},
		Cache: cs, Aging: flowcache.Aging{Active: 30 * time.Minute, Inactive: 15 * time.Second},
		Destinations: []export.Stats{{Collector: netip.MustParseAddrPort("192.0.2.10:2055"), Version: export.V9,
			Packets: 9, Records: 40, Bytes: 3000, Errors: 1, LostRecords: 4, LostPackets: 70, Unreachable: true,
			Adjacency: 1, AdjacencyRecords: 4, AdjacencyPackets: 70,
			Resent: 21, ResentPackets: 420, Doubt: 3, DoubtPackets: 60}},
		Aggregations: []Aggregation{{Scheme: "prefix", Stats: export.AggregationStats{Entries: 3, Capacity: 2048, Added: 40, Exported: 5}}},
		Samplers: []Sampler{{Name: "global", Interval: 1, InUse: true, Observed: 30, Selected: 30},
			{Name: "one-in-100", Interval: 100, InUse: true, ID: 1, Observed: 1000, Selected: 10}, {Name: "unused", Interval: 3}},
		Overload: &dpstats.Overload{Configured: true, Active: true, Rate: 32, Entered: 2, Time: 90 * time.Second},
		UncleanStopLost: []UncleanStopLoss{
			{Reason: "destination removed", Records: 5, Packets: 50},
			{Reason: "aggregation cache prefix", Destination: "192.0.2.12:9996", Records: 900, Packets: 1800, Doubt: 30, DoubtPackets: 60},
			{Reason: "biflow pairing", Destination: "192.0.2.13:4739", Records: 12, Packets: 24},
		},
		Management: &Management{SSHOn: true, SSHLoginFailures: 17, Sessions: map[string]int{"vty": 2, "ctl": 1},
			SNMP: map[string]uint64{"snmpInPkts": 500, "snmpInBadCommunityNames": 40, "usmStatsWrongDigests": 3, "usmStatsUnknownUserNames": 7, "flowtapUsmUserAccessListRefused": 5}},
	}
}

func scrape(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s, %v\n%s", url, resp.Status, err, body)
	}
	return body
}

func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no family %s", name)
	}
	for _, m := range f.Metric {
		match := true
		for _, lp := range m.Label {
			if v, ok := labels[lp.GetName()]; ok && v != lp.GetValue() {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		}
	}
	t.Fatalf("%s%v: no such series", name, labels)
	return 0
}

// TestScrapeParses serves a snapshot, parses the page with the client
// library's own parser (expfmt) and with promtool, and checks the
// figures.
func TestScrapeParses(t *testing.T) {
	s, err := Listen("127.0.0.1:0", NewCollector(snapshot), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	body := scrape(t, "http://"+s.Addr().String()+"/metrics")
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("expfmt cannot parse the page: %v\n%s", err, body)
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"flowtap_datapath_frames_total", nil, 1000},
		{"flowtap_datapath_overload_sampled_out_frames_total", nil, 6},
		{"flowtap_datapath_overload_sampling_rate", nil, 32},
		{"flowtap_datapath_overload_seconds_total", nil, 90},
		{"flowtap_datapath_overloads_total", nil, 2},
		{"flowtap_datapath_unparsed_frames_total", map[string]string{"reason": "non-ip"}, 5},
		{"flowtap_datapath_flow_create_failures_total", map[string]string{"cause": "cache-full"}, 2},
		{"flowtap_datapath_capture_not_stored_total", nil, 4},
		{"flowtap_datapath_batch_pending_packets", nil, 9},
		{"flowtap_datapath_packet_size_packets_total", map[string]string{"size": "1024", "family": "4"}, 300},
		{"flowtap_datapath_packet_size_packets_total", map[string]string{"size": "1024", "family": "6"}, 83},
		{"flowtap_cache_active_flows", nil, 12},
		{"flowtap_cache_flows_expired_total", map[string]string{"reason": "end-of-flow"}, 10},
		{"flowtap_cache_protocol_bytes_total", map[string]string{"protocol": flowcache.ProtoTCPWWW.String(), "family": "4"}, 320000},
		{"flowtap_cache_protocol_bytes_total", map[string]string{"protocol": flowcache.ProtoTCPWWW.String(), "family": "6"}, 80000},
		{"flowtap_cache_protocol_flows_total", map[string]string{"protocol": flowcache.ProtoTCPWWW.String(), "family": "4"}, 20},
		{"flowtap_cache_timeout_seconds", map[string]string{"timeout": "active"}, 1800},
		{"flowtap_export_records_total", map[string]string{"destination": "192.0.2.10:2055", "version": "9"}, 40},
		{"flowtap_export_lost_packets_total", map[string]string{"destination": "192.0.2.10:2055"}, 70},
		{"flowtap_export_lost_records_by_reason_total", map[string]string{"destination": "192.0.2.10:2055", "reason": "adjacency"}, 4},
		{"flowtap_export_lost_packets_by_reason_total", map[string]string{"destination": "192.0.2.10:2055", "reason": "adjacency"}, 70},
		{"flowtap_export_lost_records_by_reason_total", map[string]string{"destination": "192.0.2.10:2055", "reason": "send-error"}, 0},
		{"flowtap_export_lost_records_by_reason_total", map[string]string{"destination": "192.0.2.10:2055", "reason": "no-export-packet"}, 0},
		{"flowtap_export_unclean_stop_resent_records_total", map[string]string{"destination": "192.0.2.10:2055"}, 21},
		{"flowtap_export_unclean_stop_resent_packets_total", map[string]string{"destination": "192.0.2.10:2055"}, 420},
		{"flowtap_export_unclean_stop_doubt_records_total", map[string]string{"destination": "192.0.2.10:2055"}, 3},
		{"flowtap_export_unclean_stop_doubt_packets_total", map[string]string{"destination": "192.0.2.10:2055"}, 60},
		{"flowtap_export_destination_unreachable", nil, 1},
		{"flowtap_export_unclean_stop_lost_records_total", map[string]string{"reason": "destination removed"}, 5},
		{"flowtap_export_unclean_stop_lost_packets_total", map[string]string{"reason": "aggregation cache prefix", "destination": "192.0.2.12:9996"}, 1800},
		{"flowtap_export_unclean_stop_lost_doubt_packets_total", map[string]string{"reason": "aggregation cache prefix"}, 60},
		{"flowtap_export_unclean_stop_lost_records_total", map[string]string{"reason": "biflow pairing", "destination": "192.0.2.13:4739"}, 12},
		{"flowtap_aggregation_entries", map[string]string{"scheme": "prefix"}, 2048},
		{"flowtap_sampler_interval", map[string]string{"sampler": "one-in-100"}, 100},
		{"flowtap_sampler_interval", map[string]string{"sampler": "unused"}, 3},
		{"flowtap_sampler_packets_observed_total", map[string]string{"sampler": "one-in-100", "id": "1"}, 1000},
		{"flowtap_sampler_packets_selected_total", map[string]string{"sampler": "one-in-100", "id": "1"}, 10},
		{"flowtap_sampler_packets_observed_total", map[string]string{"sampler": "global", "id": "0"}, 30},
		{"flowtap_ssh_login_failures_total", nil, 17},
		{"flowtap_cli_sessions", map[string]string{"line": "vty"}, 2},
		{"flowtap_cli_sessions", map[string]string{"line": "con"}, 0},
		{"flowtap_cli_sessions", map[string]string{"line": "ctl"}, 1},
		{"flowtap_snmp_in_packets_total", nil, 500},
		{"flowtap_snmp_auth_failures_total", map[string]string{"cause": "bad-community"}, 40},
		{"flowtap_snmp_auth_failures_total", map[string]string{"cause": "wrong-digest"}, 3},
		{"flowtap_snmp_auth_failures_total", map[string]string{"cause": "unknown-user"}, 2},
		{"flowtap_snmp_auth_failures_total", map[string]string{"cause": "user-access-list"}, 5},
		{"flowtap_snmp_auth_failures_total", map[string]string{"cause": "decryption-error"}, 0},
	} {
		if got := value(t, fams, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	// promtool, from Debian's prometheus package (.ci/deps), lints names,
	// types and help as Prometheus itself would.
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool not found: install the Debian package prometheus")
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	out, err := testproc.CombinedOutput(cmd)
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
	t.Logf("%d families, %d bytes", len(fams), len(body))
}

// TestAccessListRefuses: a reader the list refuses is disconnected with
// no answer and counted; one it allows scrapes.
func TestAccessListRefuses(t *testing.T) {
	var mu sync.Mutex
	var asked []netip.AddrPort
	allow := func(from, to netip.AddrPort) bool {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, from, to)
		return from.Addr() == netip.MustParseAddr("127.0.0.2")
	}
	s, err := Listen("127.0.0.1:0", NewCollector(snapshot), allow, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if resp, err := http.Get("http://" + s.Addr().String() + "/metrics"); err == nil {
		resp.Body.Close()
		t.Fatalf("a refused reader got %s", resp.Status)
	}
	if s.Denied() != 1 {
		t.Errorf("denied %d, want 1", s.Denied())
	}
	mu.Lock()
	if len(asked) != 2 || asked[0].Addr().String() != "127.0.0.1" || asked[1].String() != s.Addr().String() {
		t.Errorf("the list was asked about %v", asked)
	}
	mu.Unlock()
	// 127.0.0.2 is loopback too: the list lets it in.
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
	c := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	resp, err := c.Get("http://" + s.Addr().String() + "/metrics")
	if err != nil {
		t.Fatalf("an allowed reader: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "flowtap_datapath_frames_total 1000") {
		t.Errorf("an allowed reader got:\n%s", body)
	}
}

// TestRemovedDestinationKeepsSums: a destination removed takes its series
// with it, and its counts go on in destination="removed", so that a sum
// over destinations (what a dashboard graphs) never goes back.
func TestRemovedDestinationKeepsSums(t *testing.T) {
	gone := export.Stats{Collector: netip.MustParseAddrPort("192.0.2.11:2055"), Version: export.V5,
		Packets: 3, Records: 90, Bytes: 2000, Errors: 5, NoRoute: 5, NoRouteRecords: 150, NoRoutePackets: 900,
		LostRecords: 150, LostPackets: 900, Unreachable: true}
	before := snapshot()
	before.Destinations = append(before.Destinations, gone)
	after := snapshot()
	after.Removed = gone
	sums := func(s Snapshot) map[string]float64 {
		srv, err := Listen("127.0.0.1:0", NewCollector(func() Snapshot { return s }), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := p.TextToMetricFamilies(bytes.NewReader(scrape(t, "http://"+srv.Addr().String()+"/metrics")))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for name, f := range fams {
			for _, m := range f.Metric {
				key := name
				for _, lp := range m.Label {
					if lp.GetName() == "reason" {
						key += "/" + lp.GetValue()
					}
				}
				if m.Counter != nil {
					out[key] += m.Counter.GetValue()
				}
				if name == "flowtap_export_destination_unreachable" {
					out[key] += m.Gauge.GetValue()
				}
			}
		}
		return out
	}
	b, a := sums(before), sums(after)
	for _, name := range []string{"flowtap_export_packets_total", "flowtap_export_records_total", "flowtap_export_bytes_total",
		"flowtap_export_failed_packets_total", "flowtap_export_lost_records_total", "flowtap_export_lost_packets_total",
		"flowtap_export_lost_records_by_reason_total/no-route", "flowtap_export_lost_packets_by_reason_total/no-route",
		"flowtap_export_unclean_stop_resent_records_total"} {
		if a[name] != b[name] {
			t.Errorf("sum of %s went from %v to %v when the destination was removed", name, b[name], a[name])
		}
	}
	if b["flowtap_export_lost_records_total"] != 154 {
		t.Errorf("before: %v flows lost, want 154", b["flowtap_export_lost_records_total"])
	}
	// Removed destinations have no state now: only the configured one
	// is unreachable.
	if a["flowtap_export_destination_unreachable"] != 1 {
		t.Errorf("after: %v destinations unreachable, want 1", a["flowtap_export_destination_unreachable"])
	}
}

// TestScrapeHasProcessHealth: the page carries the daemon's own
// goroutines, heap and descriptors, exact where the test can know them:
// the descriptors are /proc's count for this process, and the goroutines
// follow the 200 the test parks between two scrapes. They are what an
// operator graphs to see a leak over months.
func TestScrapeHasProcessHealth(t *testing.T) {
	s, err := Listen("127.0.0.1:0", NewCollector(snapshot), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	read := func() map[string]*dto.MetricFamily {
		t.Helper()
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := p.TextToMetricFamilies(bytes.NewReader(scrape(t, "http://"+s.Addr().String()+"/metrics")))
		if err != nil {
			t.Fatal(err)
		}
		return fams
	}
	// The scrape's own goroutines (the client's connection, the server's
	// handler, the registry's workers) come and go around any reading of
	// runtime.NumGoroutine, by a few either way: so the metric is held to
	// follow goroutines the test starts and stops between two scrapes.
	const parked = 200
	g0 := value(t, read(), "go_goroutines", nil)
	release := make(chan struct{})
	var started sync.WaitGroup
	for range parked {
		started.Add(1)
		go func() {
			started.Done()
			<-release
		}()
	}
	started.Wait()
	fams := read()
	g1 := value(t, fams, "go_goroutines", nil)
	close(release)
	if d := g1 - g0; g0 < 2 || d < parked-8 || d > parked+8 {
		t.Errorf("go_goroutines %v, then %v with %d more parked: want about %d more", g0, g1, parked, parked)
	}
	if h := value(t, fams, "go_memstats_heap_alloc_bytes", nil); h <= 0 {
		t.Errorf("go_memstats_heap_alloc_bytes %v", h)
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	// The scrape's connection is closed by now; ReadDir held one more.
	if n := value(t, fams, "process_open_fds", nil); n < float64(len(fds))-3 || n > float64(len(fds))+3 {
		t.Errorf("process_open_fds %v; /proc/self/fd lists %d", n, len(fds))
	}
	if rss := value(t, fams, "process_resident_memory_bytes", nil); rss <= 0 {
		t.Errorf("process_resident_memory_bytes %v", rss)
	}
}

// TestSNMPCountersPast32Bits: the agent's counts past 2^32 reach
// Prometheus whole; their Counter32 objects start over, a counter must
// not (Prometheus reads a counter that goes back as a restart).
func TestSNMPCountersPast32Bits(t *testing.T) {
	snap := snapshot()
	snap.Management.SNMP = map[string]uint64{"snmpInPkts": 1<<32 + 5, "usmStatsUnknownUserNames": 1<<32 + 9, "flowtapUsmUserAccessListRefused": 4}
	s, err := Listen("127.0.0.1:0", NewCollector(func() Snapshot { return snap }), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	body := scrape(t, "http://"+s.Addr().String()+"/metrics")
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if got := value(t, fams, "flowtap_snmp_in_packets_total", nil); got != 1<<32+5 {
		t.Errorf("flowtap_snmp_in_packets_total %v, want %d", got, uint64(1<<32+5))
	}
	if got := value(t, fams, "flowtap_snmp_auth_failures_total", map[string]string{"cause": "unknown-user"}); got != 1<<32+5 {
		t.Errorf("unknown-user failures %v, want %d", got, uint64(1<<32+5))
	}
}
