package main

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// cnfESRecordsExported is CISCO-NETFLOW-MIB's flows exported.
const cnfESRecordsExported = "1.3.6.1.4.1.9.9.387.1.4.3.0"

// flowsOutcome is flowtap_export_flows_total{outcome} (0 when absent).
func flowsOutcome(fams map[string]*dto.MetricFamily, name, outcome string) float64 {
	for _, m := range fams[name].GetMetric() {
		for _, l := range m.Label {
			if l.GetName() == "outcome" && l.GetValue() == outcome {
				return m.Counter.GetValue()
			}
		}
	}
	return 0
}

// exportFlows sends n UDP flows from 10.9.b.(i+1), flow i with i+1
// packets, and returns what a collector should hold of them, and their
// packets.
func exportFlows(t *testing.T, v *testnet.Veth, b byte, n int) (collector.Tuples, uint64) {
	t.Helper()
	want := collector.Tuples{}
	var frames [][]byte
	var pkts uint64
	for i := range n {
		src := [4]byte{10, 9, b, byte(i + 1)}
		frames = append(frames, udpFrames(src, 5000, i+1)...)
		want.Add(collector.Tuple{Proto: 17, Src: netip.AddrFrom4(src), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 5000, DstPort: 53},
			uint64(i+1), uint64(i+1)*38) // IP bytes: 20 + 8 + 10
		pkts += uint64(i + 1)
	}
	v.Send(t, frames)
	return want, pkts
}

// screenNum is the first number pattern's group holds on screen.
func screenNum(t *testing.T, screen, pattern string) uint64 {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("no %q in:\n%s", pattern, screen)
	}
	n, _ := strconv.ParseUint(m[1], 10, 64)
	return n
}

// TestTwoDestinationsCountFlowsOnce: N flows that end while two
// destinations (two nfcapds) are configured are N flows exported, in
// show ip flow export's totals, cnfESRecordsExported, Prometheus's
// flowtap_export_flows_total, `| json` and JunOS's show services
// accounting flow, while each destination's own line says it sent N,
// and each nfcapd holds each flow once. The totals added the
// destinations' records: 2N flows exported out of N ended.
func TestTwoDestinationsCountFlowsOnce(t *testing.T) {
	v := testnet.Enter(t)
	capd1 := collector.StartNfcapd(t)
	capd2 := collector.StartNfcapd(t)
	metricsPort := strings.TrimPrefix(freeTCP(t), "127.0.0.1:")
	d := startDaemon(t, fmt.Sprintf(`hostname twodest
username admin privilege 15 secret letmein
snmp-server community public RO
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination %s %d
ip flow-export destination %s %d
ip http metrics port %s
`, v.Mon, capd1.Addr.Addr(), capd1.Addr.Port(), capd2.Addr.Addr(), capd2.Addr.Port(), metricsPort))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	d.waitMetering(t, v.Mon)

	const n = 12
	want, pkts := exportFlows(t, v, 1, n)
	frames := fmt.Sprintf("  %d frames seen", pkts)
	if got := d.cliUntil(t, "ios", "show ip flow datapath | include frames seen\n", fmt.Sprintf("%s (%d bytes)\n", frames, pkts*52)); !strings.HasPrefix(got, frames) {
		t.Fatalf("show ip flow datapath: %q, want %d frames", got, pkts)
	}
	d.cli(t, "ios", "clear mls netflow\n")
	// Both destinations' packets are counted once no ICMP error came
	// back for them in a while.
	sent := fmt.Sprintf("      %d flow records sent in", n)
	var screen string
	for deadline := time.Now().Add(20 * time.Second); strings.Count(screen, sent) != 2; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("each destination never said it sent the %d flows:\n%s", n, screen)
		}
		screen = d.cli(t, "ios", "show ip flow export\n")
	}
	var datagrams uint64
	for _, m := range regexp.MustCompile(`flow records sent in (\d+) udp datagrams`).FindAllStringSubmatch(screen, -1) {
		k, _ := strconv.ParseUint(m[1], 10, 64)
		datagrams += k
	}
	if total := fmt.Sprintf("  %d flows exported in %d udp datagrams\n", n, datagrams); !strings.Contains(screen, total) {
		t.Errorf("show ip flow export lacks %q (each flow once, each destination's datagrams):\n%s", total, screen)
	}
	if ended := screenNum(t, d.cli(t, "ios", "show ip cache flow | include ^Total:\n"), `Total:\s+(\d+)`); ended != n {
		t.Errorf("show ip cache flow: %d flows ended, want %d", ended, n)
	}
	if got := snmpCounter(t, agent, cnfESRecordsExported); got != n {
		t.Errorf("cnfESRecordsExported %d, want %d", got, n)
	}
	fams := scrapeMetrics(t, "127.0.0.1", metricsPort)
	if got := flowsOutcome(fams, "flowtap_export_flows_total", "exported"); got != n {
		t.Errorf(`flowtap_export_flows_total{outcome="exported"} %v, want %d`, got, n)
	}
	if got := flowsOutcome(fams, "flowtap_export_flow_packets_total", "exported"); got != float64(pkts) {
		t.Errorf(`flowtap_export_flow_packets_total{outcome="exported"} %v, want %d`, got, pkts)
	}
	if f := fams["flowtap_export_flows_pending"]; len(f.GetMetric()) != 1 || f.GetMetric()[0].GetGauge().GetValue() != 0 {
		t.Errorf("flowtap_export_flows_pending %v, want one gauge at 0 once every flow is settled", f.GetMetric())
	}
	var raw map[string]json.RawMessage
	out := d.cli(t, "ios", "show ip flow export | json\n")
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("show ip flow export | json: %v\n%s", err, out)
	}
	var cache map[string]uint64
	if err := json.Unmarshal(raw["cache"], &cache); err != nil || cache["exported"] != n || cache["exported_packets"] != pkts {
		t.Errorf("show ip flow export | json: cache %v (%v), want %d flows exported with %d packets:\n%s", cache, err, n, pkts, out)
	}
	if got := d.cli(t, "junos", "show services accounting flow\n"); !strings.Contains(got, fmt.Sprintf("Flows exported: %d,", n)) {
		t.Errorf("show services accounting flow: %q, want %d flows exported", got, n)
	}
	for i, c := range []*collector.Nfcapd{capd1, capd2} {
		got, _ := c.Stop(t)
		for _, df := range collector.Compare(want, got) {
			t.Errorf("nfcapd %d: %v", i+1, df)
		}
	}
}

// TestDeadDestinationLosesFlowsOnce: with one collector up and one dead
// (ICMP port unreachable), the flows are exported (the totals, SNMP,
// Prometheus) while the dead destination's lines say it lost every one
// of them, with the cause. Once the live destination is removed, the
// flows that end are lost by every destination: the totals count them
// as not exported, once, so flows ended = exported + not exported.
func TestDeadDestinationLosesFlowsOnce(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	dead := testnet.FreePort(t, "udp") // nothing listens there
	metricsPort := strings.TrimPrefix(freeTCP(t), "127.0.0.1:")
	d := startDaemon(t, fmt.Sprintf(`hostname deaddest
username admin privilege 15 secret letmein
snmp-server community public RO
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination %s %d
ip flow-export destination 127.0.0.1 %d
ip http metrics port %s
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port(), dead, metricsPort))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	d.waitMetering(t, v.Mon)

	const n, m = 6, 4
	want, pkts := exportFlows(t, v, 1, n)
	d.cliUntil(t, "ios", "show ip flow datapath | include frames seen\n", fmt.Sprintf("  %d frames seen (%d bytes)\n", pkts, pkts*52))
	d.cli(t, "ios", "clear mls netflow\n")
	exported := fmt.Sprintf("  %d flows exported in ", n)
	for deadline := time.Now().Add(20 * time.Second); snmpCounter(t, agent, lossOID(2, dead)) != n ||
		!strings.HasPrefix(d.cli(t, "ios", "show ip flow export | include exported in\n"), exported); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the flows were never counted exported and lost by the dead destination:\n%s", d.cli(t, "ios", "show ip flow export\n"))
		}
	}
	screen := d.cli(t, "ios", "show ip flow export\n")
	deadLines := fmt.Sprintf("    Destination(2)  127.0.0.1 (%d)\n      0 flow records sent in 0 udp datagrams\n", dead)
	lost := fmt.Sprintf("      %d flows (%d packets) lost, collector unreachable\n        flows lost by cause: %d send errors\n", n, pkts, n)
	for _, w := range []string{deadLines, lost, exported} {
		if !strings.Contains(screen, w) {
			t.Errorf("show ip flow export lacks %q:\n%s", w, screen)
		}
	}
	if strings.Contains(screen, "every destination lost them") {
		t.Errorf("show ip flow export counts flows the live destination sent as not exported:\n%s", screen)
	}
	if got := snmpCounter(t, agent, cnfESRecordsExported); got != n {
		t.Errorf("cnfESRecordsExported %d, want %d", got, n)
	}
	// cnfESPktsDropped is the export packets dropped at the write (the
	// screen's "dropped due to" lines), cnfESPktsFailed the flows failed
	// for want of an export packet: they were each other's.
	var dropped uint64
	for _, m := range regexp.MustCompile(`(\d+) export packets were dropped due to`).FindAllStringSubmatch(screen, -1) {
		k, _ := strconv.ParseUint(m[1], 10, 64)
		dropped += k
	}
	if got := snmpCounter(t, agent, "1.3.6.1.4.1.9.9.387.1.4.6.0"); got != dropped || dropped == 0 {
		t.Errorf("cnfESPktsDropped %d; show ip flow export dropped %d export packets (want some)", got, dropped)
	}
	if got, want := snmpCounter(t, agent, "1.3.6.1.4.1.9.9.387.1.4.5.0"), screenNum(t, screen, `(\d+) flows failed due to lack of export packet`); got != want {
		t.Errorf("cnfESPktsFailed %d; show ip flow export: %d flows failed due to lack of export packet", got, want)
	}
	fams := scrapeMetrics(t, "127.0.0.1", metricsPort)
	if e, l := flowsOutcome(fams, "flowtap_export_flows_total", "exported"), flowsOutcome(fams, "flowtap_export_flows_total", "send-error"); e != n || l != 0 {
		t.Errorf(`flowtap_export_flows_total: exported %v, send-error %v; want %d and 0`, e, l, n)
	}

	// The live destination goes: what ends now, every destination loses.
	if out := d.cli(t, "ios", fmt.Sprintf("configure terminal\nno ip flow-export destination %s %d\nend\n", capd.Addr.Addr(), capd.Addr.Port())); strings.Contains(out, "%") {
		t.Fatal(out)
	}
	_, mpkts := exportFlows(t, v, 2, m)
	d.cliUntil(t, "ios", "show ip flow datapath | include frames seen\n", fmt.Sprintf("  %d frames seen (%d bytes)\n", pkts+mpkts, (pkts+mpkts)*52))
	d.cli(t, "ios", "clear mls netflow\n")
	notExported := fmt.Sprintf("  %d flows (%d packets) were not exported, every destination lost them\n", m, mpkts)
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(screen, notExported); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("show ip flow export never said %q:\n%s", notExported, screen)
		}
		screen = d.cli(t, "ios", "show ip flow export\n")
	}
	lost = fmt.Sprintf("    Destination(1)  127.0.0.1 (%d)\n      0 flow records sent in 0 udp datagrams\n      Collector unreachable: flows are being lost\n      %d flows (%d packets) lost, collector unreachable\n        flows lost by cause: %d send errors\n",
		dead, n+m, pkts+mpkts, n+m)
	for _, w := range []string{lost, exported} {
		if !strings.Contains(screen, w) {
			t.Errorf("after the live destination went, show ip flow export lacks %q:\n%s", w, screen)
		}
	}
	ended := screenNum(t, d.cli(t, "ios", "show ip cache flow | include ^Total:\n"), `Total:\s+(\d+)`)
	if exp, not := screenNum(t, screen, `(\d+) flows exported in`), screenNum(t, screen, `(\d+) flows \(\d+ packets\) were not exported, every`); exp+not != ended || ended != n+m {
		t.Errorf("%d flows exported + %d not exported; %d flows ended, want %d", exp, not, ended, n+m)
	}
	if got := snmpCounter(t, agent, cnfESRecordsExported); got != n {
		t.Errorf("after the live destination went, cnfESRecordsExported %d, want %d", got, n)
	}
	fams = scrapeMetrics(t, "127.0.0.1", metricsPort)
	if e, l := flowsOutcome(fams, "flowtap_export_flows_total", "exported"), flowsOutcome(fams, "flowtap_export_flows_total", "send-error"); e != n || l != m {
		t.Errorf(`flowtap_export_flows_total: exported %v, send-error %v; want %d and %d`, e, l, n, m)
	}
	got, _ := capd.Stop(t)
	for _, df := range collector.Compare(want, got) {
		t.Errorf("nfcapd: %v", df)
	}
}
