package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestFNFExporterStatsE2E: an FNF exporter with `option exporter-stats`
// sends its collector the exporter-statistics row, and the row written
// after a batch of flows was counted carries exactly what `show flow
// exporter statistics` (show ip flow export's counters) said then:
// packets, bytes and flows sent, none lost; tshark reads every field.
func TestFNFExporterStatsE2E(t *testing.T) {
	v := testnet.Enter(t)
	port, stop := listenUDP(t)
	d := startDaemon(t, fmt.Sprintf(`hostname fnf
username admin privilege 15 secret letmein
flow exporter E
 destination 127.0.0.1
 transport udp %d
 export-protocol ipfix
 option exporter-stats timeout 2
!
flow monitor M
 exporter E
 cache timeout inactive 10
 cache timeout active 60
 record netflow ipv4 original-input
!
interface %s
 ip flow monitor M input
!
`, port, v.Mon))
	if run := d.cli(t, "ios", "show running-config\n"); !strings.Contains(run, " option exporter-stats timeout 2\n") {
		t.Fatalf("running-config lacks the option:\n%s", run)
	}
	if exp := d.cli(t, "ios", "show flow exporter E\n"); !strings.Contains(exp, "  Options Configuration:\n    exporter-stats timeout 2\n") {
		t.Errorf("show flow exporter E does not list the option:\n%s", exp)
	}
	const n = 60
	batch := func(total int) (pkts, bytes string) {
		t.Helper()
		if got := startTrafgen(t, v, trafgenFlows, n, 500).wait(t); got != n {
			t.Fatalf("trafgen sent %d frames, want %d", got, n)
		}
		want := fmt.Sprintf("  %d active, %d inactive, %d added\n", n, 4096-n, total)
		if got := d.cliUntil(t, "ios", "show ip cache flow | include inactive,\n", want); got != want {
			t.Fatalf("show ip cache flow %q, want %q", got, want)
		}
		d.cli(t, "ios", "clear mls netflow\n")
		sent := fmt.Sprintf("        - sent:              %d\n", total)
		stats := ""
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			stats = d.cli(t, "ios", "show flow exporter E statistics\n")
			if strings.Contains(stats, sent) || time.Now().After(deadline) {
				break
			}
		}
		m := successfullySent.FindStringSubmatch(stats)
		if m == nil || !strings.Contains(stats, sent) {
			t.Fatalf("show flow exporter E statistics, want %d flows sent:\n%s", total, stats)
		}
		return m[1], m[2]
	}
	p1, b1 := batch(n)
	time.Sleep(2500 * time.Millisecond) // past the options timeout: the next packet carries the row
	batch(2 * n)
	pkts := stop()
	rows, checked := 0, false
	for i, p := range collector.TsharkCflow(t, pkts, port, "cflow.packetsexp", "cflow.octetsexp", "cflow.flowsexp",
		"cflow.notsent_flows", "cflow.notsent_packets", "cflow.collector_port", "cflow.exporter_addr", "_ws.expert.message") {
		for _, m := range p["_ws.expert.message"] {
			t.Errorf("packet %d: Wireshark says %q", i+1, m)
		}
		if len(p["cflow.packetsexp"]) == 0 {
			continue
		}
		rows++
		if fmt.Sprint(i) != p1 {
			continue
		}
		// The first packet after the first batch's: the row has what
		// the CLI showed for it.
		checked = true
		for f, want := range map[string]string{"cflow.packetsexp": p1, "cflow.octetsexp": b1, "cflow.flowsexp": fmt.Sprint(n),
			"cflow.notsent_flows": "0", "cflow.notsent_packets": "0", "cflow.collector_port": fmt.Sprint(port), "cflow.exporter_addr": "127.0.0.1"} {
			if got := p[f]; len(got) != 1 || got[0] != want {
				t.Errorf("packet %d: %s = %q, want [%s] (show flow exporter statistics: %s packets, %s bytes)", i+1, f, got, want, p1, b1)
			}
		}
	}
	if !checked {
		t.Errorf("packet %s+1, the first after the first batch's, carries no exporter-statistics row", p1)
	}
	t.Logf("%d packets, %d with the row; the first batch went in %s packets, %s bytes", len(pkts), rows, p1, b1)
	if rows < 2 {
		t.Errorf("%d packets of %d carry the exporter-statistics row, want at least 2 (the first, and the one after the timeout)", rows, len(pkts))
	}
}
