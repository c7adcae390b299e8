package main

import (
	"encoding/json"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/flowtap/flowtap/internal/testnet"
)

// exportSums is what one reading of the CLI, SNMP and Prometheus says the
// main cache's destinations exported and lost, summed over them.
type exportSums struct {
	cliExported, cliDatagrams, cliSendErrors, cliLost, cliLostPackets uint64
	snmpExported, snmpLost, snmpLostPackets                           uint64
	promExported, promLost, promLostSendError, promFailed             float64
}

// TestRemovedDestinationKeepsLoss: a destination whose collector is dead
// (ICMP port unreachable) loses every flow; removing it leaves the sums of
// what the destinations exported and lost as they were, in show ip flow
// export, in SNMP (the loss table plus flowtapExportRemoved*) and in
// Prometheus (the sum over destinations), and `clear ip flow stats`
// zeroes the CLI's.
func TestRemovedDestinationKeepsLoss(t *testing.T) {
	v := testnet.Enter(t)
	live, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	// A port bound then closed: nothing listens, the kernel answers ICMP
	// port unreachable, as for a collector that is not running.
	deadConn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := deadConn.LocalAddr().(*net.UDPAddr).Port
	deadConn.Close()
	metricsPort := freeTCP(t)[len("127.0.0.1:"):]
	d := startDaemon(t, fmt.Sprintf(`hostname gonedest
username admin privilege 15 secret letmein
snmp-server community public RO
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination 127.0.0.1 %d
ip flow-export destination 127.0.0.1 %d
ip http metrics port %s
`, v.Mon, live.LocalAddr().(*net.UDPAddr).Port, dead, metricsPort))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)

	var frames [][]byte
	for i := range 6 {
		frames = append(frames, udpFrame([4]byte{10, 0, 2, byte(i + 1)}, 5000, 100))
	}
	v.Send(t, frames)
	time.Sleep(300 * time.Millisecond)
	d.cli(t, "ios", "clear mls netflow\n")
	// The live collector's packet counts once no ICMP error came back
	// for it in a while; the dead one's once one did.
	exported := func() bool {
		return strings.HasPrefix(d.cli(t, "ios", "show ip flow export | include exported\n"), "  6 flows")
	}
	for deadline := time.Now().Add(20 * time.Second); snmpCounter(t, agent, lossOID(2, dead)) != 6 || !exported(); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the dead collector's 6 flows were never counted lost:\n%s", d.cli(t, "ios", "show ip flow export\n"))
		}
	}

	lostLine := regexp.MustCompile(`(?m)^ +(\d+) flows \((\d+) packets\) lost`)
	num := func(screen, pattern string) uint64 {
		t.Helper()
		m := regexp.MustCompile(pattern).FindStringSubmatch(screen)
		if m == nil {
			t.Fatalf("no %q in:\n%s", pattern, screen)
		}
		n, _ := strconv.ParseUint(m[1], 10, 64)
		return n
	}
	walkSum := func(oid string) uint64 {
		var n uint64
		for _, l := range strings.Split(snmpTool(t, "snmpwalk", "-v2c", "-cpublic", "-Oqv", agent, oid), "\n") {
			if v, err := strconv.ParseUint(strings.TrimSpace(l), 10, 64); err == nil {
				n += v
			}
		}
		return n
	}
	promSum := func(fams map[string]*dto.MetricFamily, name, reason string) float64 {
		var n float64
		for _, m := range fams[name].GetMetric() {
			ok := true
			for _, l := range m.Label {
				if l.GetName() == "reason" && l.GetValue() != reason {
					ok = false
				}
			}
			if ok {
				n += m.Counter.GetValue()
			}
		}
		return n
	}
	read := func() (exportSums, string) {
		var s exportSums
		screen := d.cli(t, "ios", "show ip flow export\n")
		s.cliExported = num(screen, `(\d+) flows exported in`)
		s.cliDatagrams = num(screen, `flows exported in (\d+) udp datagrams`)
		s.cliSendErrors = num(screen, `(\d+) export packets were dropped due to send errors`)
		for _, m := range lostLine.FindAllStringSubmatch(screen, -1) {
			f, _ := strconv.ParseUint(m[1], 10, 64)
			p, _ := strconv.ParseUint(m[2], 10, 64)
			s.cliLost += f
			s.cliLostPackets += p
		}
		s.snmpExported = walkSum("1.3.6.1.4.1.32473.1.4.1.1.5") + snmpCounter(t, agent, "1.3.6.1.4.1.32473.1.4.14.0")
		s.snmpLost = walkSum("1.3.6.1.4.1.32473.1.4.1.1.2") + snmpCounter(t, agent, "1.3.6.1.4.1.32473.1.4.16.0")
		s.snmpLostPackets = walkSum("1.3.6.1.4.1.32473.1.4.1.1.3") + snmpCounter(t, agent, "1.3.6.1.4.1.32473.1.4.17.0")
		fams := scrapeMetrics(t, "127.0.0.1", metricsPort)
		s.promExported = promSum(fams, "flowtap_export_records_total", "")
		s.promLost = promSum(fams, "flowtap_export_lost_records_total", "")
		s.promLostSendError = promSum(fams, "flowtap_export_lost_records_by_reason_total", "send-error")
		s.promFailed = promSum(fams, "flowtap_export_failed_packets_total", "")
		return s, screen
	}
	before, screenBefore := read()
	if before.cliLost != 6 || before.cliExported != 6 || before.cliSendErrors == 0 || before.snmpLost != 6 || before.promLost != 6 ||
		before.promLostSendError != 6 || before.snmpExported != 6 || before.promExported != 6 {
		t.Fatalf("before the removal: %+v\n%s", before, screenBefore)
	}
	if out := d.cli(t, "ios", fmt.Sprintf("configure terminal\nno ip flow-export destination 127.0.0.1 %d\nend\n", dead)); strings.Contains(out, "%") {
		t.Fatal(out)
	}
	after, screenAfter := read()
	if after != before {
		t.Errorf("removing the destination changed the sums:\nbefore %+v\n%s\nafter  %+v\n%s", before, screenBefore, after, screenAfter)
	}
	if !strings.Contains(screenAfter, "    Destinations removed since the last clear\n      6 flows (6 packets) lost\n        flows lost by cause: 6 send errors\n") {
		t.Errorf("show ip flow export does not say what the removed destination lost:\n%s", screenAfter)
	}
	var js struct {
		Removed struct {
			LostRecords uint64 `json:"lost_records"`
		} `json:"removed_since_clear"`
	}
	if out := d.cli(t, "ios", "show ip flow export | json\n"); json.Unmarshal([]byte(out), &js) != nil || js.Removed.LostRecords != 6 {
		t.Errorf("show ip flow export | json does not keep the removed destination's 6 lost flows:\n%s", out)
	}
	// Its row left the loss table; the live one's stays.
	if rows := snmpTool(t, "snmpwalk", "-v2c", "-cpublic", "-On", agent, "1.3.6.1.4.1.32473.1.4.1.1.2"); strings.Contains(rows, fmt.Sprintf(".127.0.0.1.%d ", dead)) {
		t.Errorf("the removed destination's loss row stayed:\n%s", rows)
	}

	d.cli(t, "ios", "clear ip flow stats\n")
	cleared, screenCleared := read()
	if cleared.cliExported != 0 || cleared.cliDatagrams != 0 || cleared.cliSendErrors != 0 || cleared.cliLost != 0 {
		t.Errorf("clear ip flow stats left the CLI's totals: %+v\n%s", cleared, screenCleared)
	}
	// SNMP's and Prometheus' are counters since the start: a clear does
	// not take them back.
	if cleared.snmpLost != before.snmpLost || cleared.promLost != before.promLost || cleared.snmpExported != before.snmpExported {
		t.Errorf("clear ip flow stats took SNMP or Prometheus back: before %+v, after %+v", before, cleared)
	}
}
