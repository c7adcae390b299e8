package hwtest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
)

const (
	knownFile = "../datapath/testdata/nfpcapd-differences.txt"
	// collectorAddr is the host as the guest sees it on QEMU's user
	// network: exports to it arrive on the host's loopback.
	collectorAddr = "10.0.2.2"
	// deliveryWait covers exported datagrams crossing QEMU's user network.
	deliveryWait = 2 * time.Second
)

// collectTo starts a collector on the host and makes it the appliance's
// only export destination. What an earlier test left in the cache goes
// to the earlier destination first.
func (p *probe) collectTo(t *testing.T) *collector.Nfcapd {
	t.Helper()
	p.cli(t, "clear mls netflow\n")
	n := collector.StartNfcapd(t)
	script := "configure terminal\n"
	for _, l := range strings.Split(p.cli(t, "show running-config\n"), "\n") {
		if strings.HasPrefix(l, "ip flow-export destination ") {
			script += "no " + strings.TrimSpace(l) + "\n"
		}
	}
	script += fmt.Sprintf("ip flow-export destination %s %d\nend\n", collectorAddr, n.Addr.Port())
	p.cli(t, script)
	t.Logf("exports go to nfcapd on %s (the guest sends to %s:%d)", n.Addr, collectorAddr, n.Addr.Port())
	return n
}

// drain exports every flow in the cache (`clear mls netflow`) and stops
// the collector; it returns what the collector stored, per tuple, and
// its log.
func (p *probe) drain(t *testing.T, n *collector.Nfcapd) (collector.Tuples, string) {
	t.Helper()
	p.cli(t, "clear mls netflow\n")
	time.Sleep(deliveryWait)
	return n.Stop(t)
}

// checkSequence fails the test when nfcapd saw export packets missing or
// out of order.
func checkSequence(t *testing.T, nfcapdLog string) {
	t.Helper()
	if strings.Contains(nfcapdLog, "Sequence Errors") && !strings.Contains(nfcapdLog, "Sequence Errors: 0") {
		t.Errorf("nfcapd reports sequence errors:\n%s", nfcapdLog)
	}
}

// compareTuples reports every tuple where the export and nfpcapd differ,
// but for the known ones (collector.KnownDiffs), and logs both sides'
// totals.
func compareTuples(t *testing.T, capture string, got, want collector.Tuples, known map[string]bool) {
	t.Helper()
	diffs := 0
	for _, d := range collector.Compare(got, want) {
		if !known[d.Tuple.String()] {
			diffs++
			t.Errorf("%s: %s: exported %+v, nfpcapd %+v", capture, d.Tuple, d.Ours, d.Their)
		}
	}
	g, w := got.Total(), want.Total()
	t.Logf("%s: exported %d tuples, %d packets, %d bytes; nfpcapd %d tuples, %d packets, %d bytes; %d tuples differ",
		capture, len(got), g.Packets, g.Bytes, len(want), w.Packets, w.Bytes, diffs)
}
