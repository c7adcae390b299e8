package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestRestartKeepsCacheTotalsConsistent: flowtapd restarted over the
// pinned table with flows in it (a stop with --keep-metering, flows
// created by the datapath while no daemon runs, a crash) shows as many
// flows added as active in `show ip cache flow` and as many total flows
// as active flows in the JunOS `show services accounting flow`, from the
// first command after the start: the flows active are read now, and the
// flows added must be counted from the same reading. Before, added
// counted the occupancy of the ager's last pass, which a new daemon has
// not made yet (8 active, 0 added), nor counted the flows created since.
func TestRestartKeepsCacheTotalsConsistent(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, fmt.Sprintf(`hostname ctot
username admin secret letmein
ip flow-cache entries 4096
ip flow-cache timeout inactive 600
interface %s
 ip flow ingress
!
`, v.Mon))
	// The first daemon was not told to keep metering: the next is.
	d.stopAndStart(t, syscall.SIGTERM, "--keep-metering")
	ios := func(active, added int) string {
		return fmt.Sprintf("  %d active, %d inactive, %d added\n", active, 4096-active, added)
	}
	junos := regexp.MustCompile(`Active flows: (\d+), Total flows: (\d+)\n`)
	check := func(when string, active, added int) {
		t.Helper()
		if got := d.cliUntil(t, "ios", "show ip cache flow | include inactive,\n", ios(active, added)); got != ios(active, added) {
			t.Errorf("%s: show ip cache flow %q, want %q", when, got, ios(active, added))
		}
		out := d.cli(t, "junos", "show services accounting flow\n")
		if m := junos.FindStringSubmatch(out); m == nil || m[1] != fmt.Sprint(active) || m[2] != fmt.Sprint(added) {
			t.Errorf("%s: show services accounting flow says %q, want %d active, %d total:\n%s", when, m, active, added, out)
		}
	}
	// consistent reads both screens at once, as an operator does, and
	// checks that neither shows more flows active than added.
	consistent := func(when string) {
		t.Helper()
		line := d.cli(t, "ios", "show ip cache flow | include inactive,\n")
		var active, inactive, added int
		if _, err := fmt.Sscanf(line, "  %d active, %d inactive, %d added\n", &active, &inactive, &added); err != nil || added < active {
			t.Errorf("%s: show ip cache flow %q: added below active", when, line)
		}
		out := d.cli(t, "junos", "show services accounting flow\n")
		m := junos.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("%s: show services accounting flow has no flow counts:\n%s", when, out)
		}
		if a, _ := strconv.Atoi(m[1]); a > mustAtoi(m[2]) {
			t.Errorf("%s: show services accounting flow %q: total below active", when, m[0])
		}
	}

	// 5 flows (one frame each) while the daemon runs.
	if n := startTrafgen(t, v, trafgenFlows, 5, 100).wait(t); n != 5 {
		t.Fatalf("trafgen sent %d frames, want 5", n)
	}
	check("5 flows metered", 5, 5)

	// Stopped, keeping the ports metering: 3 more flows (another
	// destination network) are created while no daemon runs.
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.cmd.Wait()
	other := strings.Replace(trafgenFlows, "192, 0, 2,", "192, 0, 3,", 1)
	if n := startTrafgen(t, v, other, 3, 100).wait(t); n != 3 {
		t.Fatalf("trafgen sent %d frames, want 3", n)
	}
	d.start(t, "--keep-metering")
	// At once, before the new daemon's ager has made a pass: the 8 flows
	// of the pinned table are active and added.
	consistent("at the start after --keep-metering")
	check("after the restart with --keep-metering", 8, 8)

	// 2 more while it runs, then a crash; the next daemon takes the
	// table over as it is.
	if n := startTrafgen(t, v, strings.Replace(trafgenFlows, "192, 0, 2,", "192, 0, 4,", 1), 2, 100).wait(t); n != 2 {
		t.Fatalf("trafgen sent %d frames, want 2", n)
	}
	check("2 flows more", 10, 10)
	d.crash(t)
	consistent("at the start after a crash")
	check("after the crash", 10, 10)

	// A crash saves nothing: the new daemon counts from its start.
	// Purged, the 10 flows are expired, still added.
	d.cli(t, "ios", "clear mls netflow\n")
	check("after clear mls netflow", 0, 10)
	send := func(net string, n int) {
		t.Helper()
		if got := startTrafgen(t, v, strings.Replace(trafgenFlows, "192, 0, 2,", net, 1), n, 100).wait(t); got != uint64(n) {
			t.Fatalf("trafgen sent %d frames, want %d", got, n)
		}
	}
	send("192, 0, 5,", 2)
	check("2 flows after the purge", 2, 12)
	// An orderly stop (this daemon was not told to keep metering)
	// exports the 2 flows; the next daemon goes on from 12 added, all
	// expired: counters go back to zero only on clear.
	d.stopAndStart(t, syscall.SIGTERM, "--keep-metering")
	consistent("at the start after an orderly stop")
	check("after an orderly stop", 0, 12)
	total := regexp.MustCompile(`\nTotal:\s+(\d+)\s`)
	if m := total.FindStringSubmatch(d.cli(t, "ios", "show ip cache flow\n")); m == nil || m[1] != "12" {
		t.Errorf("after an orderly stop: show ip cache flow's Total %v, want the 12 expired flows", m)
	}
	send("192, 0, 6,", 3)
	check("3 flows more", 3, 15)
	// Stopped keeping the ports metering, 1 flow created meanwhile: the
	// next daemon goes on from 15, the 4 flows of the table active.
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.cmd.Wait()
	send("192, 0, 7,", 1)
	d.start(t, "--keep-metering")
	consistent("at the start after a second --keep-metering")
	check("after a second --keep-metering", 4, 16)
	if m := total.FindStringSubmatch(d.cli(t, "ios", "show ip cache flow\n")); m == nil || m[1] != "12" {
		t.Errorf("after --keep-metering: show ip cache flow's Total %v, want the 12 expired flows", m)
	}

	// Cleared: the 4 flows were there before it, none was added since;
	// the clear holds across a restart too.
	d.cli(t, "ios", "clear ip flow stats\n")
	check("after clear ip flow stats", 4, 0)
	d.stopAndStart(t, syscall.SIGTERM, "--keep-metering")
	check("after clear ip flow stats and a restart", 4, 0)
	send("192, 0, 8,", 1)
	check("1 flow after the clear", 5, 1)
}

func mustAtoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}
