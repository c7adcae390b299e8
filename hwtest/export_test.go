package hwtest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/hwtest/replay"
	"github.com/flowtap/flowtap/hwtest/vm"
	"github.com/flowtap/flowtap/internal/collector"
)

const (
	pcapDir   = "../../shared/pcaps"
	knownFile = "../datapath/testdata/nfpcapd-differences.txt"
	// exportCapture is small enough to cross TCG quickly and has no known
	// difference from nfpcapd.
	exportCapture = "zeek-wikipedia.pcap"
	// exportWait covers the inactive timeout configured below (10 s), the
	// ager's pass and the exporter's batching (flushed after 10 s).
	exportWait = 45 * time.Second
)

// exportConfig is the startup-config on the test's persistent disk: meter
// eth1, export v9 to the host's collector through QEMU's user network.
func exportConfig(collectorPort uint16) string {
	return fmt.Sprintf(`hostname flowtap
!
interface eth1
 ip flow ingress
!
ip flow-cache timeout inactive 10
ip flow-cache timeout active 1
ip flow-export version 9
ip flow-export destination 10.0.2.2 %d
!
end
`, collectorPort)
}

func TestExportMatchesNfpcapd(t *testing.T) {
	nfcapd := collector.StartNfcapd(t)
	disk := vm.ConfigDisk(t, map[string]string{"startup-config": exportConfig(nfcapd.Addr.Port())})
	v := boot(t, disk)
	v.WaitReady(bootLimit)
	v.Expect(regexp.MustCompile(`flowtapinit: .* config: startup-config from /dev/vda \(ext4 "FLOWTAP"\)`), time.Second)
	attachMode(t, v, "eth1")

	frames, err := replay.ReadCapture(filepath.Join(pcapDir, exportCapture))
	if err != nil {
		t.Fatal(err)
	}
	frames, dropped := replay.Fit(frames, replay.MaxFrame)
	fed := filepath.Join(t.TempDir(), "fed.pcap")
	if err := replay.WritePcap(fed, frames); err != nil {
		t.Fatal(err)
	}
	want := collector.Nfpcapd(t, fed)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := replay.Dial(ctx, v.Config.Eth1Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	n, err := replay.Send(ctx, conn, frames, replay.Options{Loops: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fed %d frames of %s into eth1 in %s (%d too long for the port left out); waiting %s for the exports",
		n, exportCapture, time.Since(start).Round(time.Millisecond), dropped, exportWait)
	time.Sleep(exportWait)

	got, log := nfcapd.Stop(t)
	known := knownDiffs(t, exportCapture)
	for _, d := range collector.Compare(got, want) {
		if !known[d.Tuple.String()] {
			t.Errorf("%s: exported %+v, nfpcapd %+v", d.Tuple, d.Ours, d.Their)
		}
	}
	if strings.Contains(log, "Sequence Errors") && !strings.Contains(log, "Sequence Errors: 0") {
		t.Errorf("nfcapd reports sequence errors:\n%s", log)
	}
	t.Logf("collector: %d tuples, %+v; nfpcapd: %d tuples, %+v", len(got), got.Total(), len(want), want.Total())
}

// knownDiffs lists the tuples datapath/testdata/nfpcapd-differences.txt
// explains for a capture.
func knownDiffs(t *testing.T, capture string) map[string]bool {
	t.Helper()
	f, err := os.Open(knownFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "== ") {
			in = line == "== "+capture
			continue
		}
		if in {
			tuple, _, _ := strings.Cut(line, "\t")
			out[tuple] = true
		}
	}
	return out
}
