package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/datapath"
	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestStartAfterLongAbsenceExportsAll: flowtapd stops with
// --keep-metering, the port meters on, and the next daemon starts 60 days
// later (datapath.AgePinned records the absence in the pinned table; the
// flows' stamps read a few seconds old, as they would 52 days and a few
// seconds after their last packet). Those stamps cannot be trusted, so
// the first pass exports every flow, each once and whole, instead of
// keeping them for the 600 s inactive timeout or longer.
func TestStartAfterLongAbsenceExportsAll(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	cfg := fmt.Sprintf(`hostname absent
username admin secret letmein
ip flow-cache timeout inactive 600
ip flow-cache timeout active 60
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination %s %d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port())
	d := startDaemon(t, cfg)
	d.stopAndStart(t, syscall.SIGTERM, "--keep-metering")
	var frames [][]byte
	for src := range byte(5) {
		frames = append(frames, udpFrames([4]byte{10, 0, 0, src + 1}, 4100, 3)...)
	}
	v.Send(t, frames)
	d.cliUntil(t, "ios", "show ip flow datapath | include flows created\n", "  5 flows created\n")
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.cmd.Wait()
	pin := fmt.Sprintf("/sys/fs/bpf/flowtap-e2e-%d", os.Getpid())
	if err := datapath.AgePinned(pin, 60*24*time.Hour, 0); err != nil {
		t.Fatal(err)
	}
	d.start(t)
	if got := d.cliUntil(t, "ios", "show ip cache flow | include inactive,\n", "  0 active, 4096 inactive, 5 added\n"); got != "  0 active, 4096 inactive, 5 added\n" {
		t.Fatalf("the first pass after the absence left flows in the cache: %q\n%s", got, d.log)
	}
	cache := d.cli(t, "ios", "show ip cache flow\n")
	if !regexp.MustCompile(`\nTotal:\s+5\s+\S+\s+3\s`).MatchString(cache) {
		t.Errorf("show ip cache flow does not count the 5 flows of 3 packets each:\n%s", cache)
	}
	// The cache is empty already: the purge only flushes the exporter's
	// last, partial packet.
	d.cli(t, "ios", "clear mls netflow\n")
	time.Sleep(time.Second)
	got, log := capd.Stop(t)
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.cmd.Wait()
	if want := "%FLOW-4-CACHE_STALE: the flow cache was last aged 60 days ago, more than its flow times cover (26 days)"; !strings.Contains(d.log.String(), want) {
		t.Errorf("the start does not log %q", want)
	}
	if total := got.Total(); total.Packets != 15 || total.Bytes != 15*38 || len(got) != 5 {
		t.Errorf("nfcapd holds %d packets, %d bytes in %d flows; 15 (%d bytes) in 5 were metered\n%s\n%s", total.Packets, total.Bytes, len(got), 15*38, log, d.log)
	}
}
