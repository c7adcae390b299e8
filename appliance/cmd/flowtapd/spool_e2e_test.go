package main

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// The export loss table's columns for the records a killed daemon left
// in the export spool (mgmt/snmp/mib_flowtap.go).
const (
	colResentFlows   = 9
	colResentPackets = 10
	colDoubtFlows    = 11
	colDoubtPackets  = 12
)

var resentLine = regexp.MustCompile(`(\d+) flows \((\d+) packets\) taken but not sent before an unclean stop, exported after it`)
var doubtLine = regexp.MustCompile(`(\d+) flows \((\d+) packets\) of them possibly sent twice`)

// TestKillDuringExpiryBurstLosesNothing: 32,000 flows go idle together,
// and flowtapd is killed (SIGKILL) while the ager's harvest of them is
// being exported: records taken out of the table sit in the exporter's
// open packet and queue. The daemon started again with the same paths
// sends what the killed one had taken and not sent (from the export
// spool, pinned beside the table in --pin-dir); what it had not taken yet
// is still in the pinned table. nfcapd then holds every packet trafgen sent, per flow, exactly,
// less what `show ip flow export` and SNMP count as possibly sent twice
// (a record in the packet being written at the kill), and those two
// show how many records came from the spool. Before the spool, the
// records in flight at the kill were lost and counted nowhere.
func TestKillDuringExpiryBurstLosesNothing(t *testing.T) { killDuringExpiryBurst(t, "") }

// TestKillDuringExpiryBurstThenResize is the kill above, and the daemon
// started again with another cache size: the pinned table is drained as
// the datapath opens, before the spool's records are replayed, and
// still every packet reaches nfcapd once (or is counted as possibly
// twice).
func TestKillDuringExpiryBurstThenResize(t *testing.T) {
	killDuringExpiryBurst(t, "ip flow-cache entries 65536")
}

// Two frames for each of burstFlows flows, then silence: after the
// inactive timeout (10 s) one pass expires them all, about 1,500 v9
// packets at the exporter's 4,000 packets/s.
const burstFlows, burstPerFlow = 32000, 2

// startBurst starts flowtapd exporting to capd with a 128K cache, sends
// the burst's flows and waits until the cache holds them all.
func startBurst(t *testing.T, v *testnet.Veth, capd *collector.Nfcapd) (d *runningDaemon, agent string, sent uint64) {
	t.Helper()
	d = startDaemon(t, lossConfig(v, capd, "ip flow-cache entries 131072\n"))
	agent = "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	sent = startTrafgen(t, v, trafgenFlows, burstFlows*burstPerFlow, 20000).wait(t)
	if sent != burstFlows*burstPerFlow {
		t.Fatalf("trafgen sent %d frames, want %d", sent, burstFlows*burstPerFlow)
	}
	for deadline := time.Now().Add(5 * time.Second); snmpCounter(t, agent, oidActiveFlows) != burstFlows; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the cache holds %d flows, want %d", snmpCounter(t, agent, oidActiveFlows), burstFlows)
		}
	}
	return d, agent, sent
}

// killWhenHarvestFrees kills the daemon (SIGKILL) as soon as the cache
// holds fewer than flows: the expiry harvest has begun freeing entries
// and is in the middle of the burst. It returns the flows left.
func killWhenHarvestFrees(t *testing.T, d *runningDaemon, agent string, flows uint64) (left uint64) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if left = snmpCounter(t, agent, oidActiveFlows); left < flows {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the flows did not expire")
		}
	}
	d.cmd.Process.Kill()
	d.cmd.Wait()
	return left
}

// killDuringExpiryBurst kills flowtapd during an expiry burst and starts
// it again, with resize (an ip flow-cache entries line) in its running
// configuration if set.
func killDuringExpiryBurst(t *testing.T, resize string) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d, agent, sent := startBurst(t, v, capd)
	const flows, perFlow = burstFlows, burstPerFlow
	// The burst has begun once the harvest frees entries: kill then.
	left := killWhenHarvestFrees(t, d, agent, flows)
	t.Logf("killed with %d of %d flows still in the cache", left, flows)

	if resize != "" {
		setCacheLine(t, d, resize)
	}
	d.start(t)
	everyPacketOnce(t, d, agent, capd, sent, fmt.Sprintf("killed with %d flows in the cache", left), 0)
}

// setCacheLine replaces the burst's cache size line in the running copy
// a killed daemon left, which the next start takes.
func setCacheLine(t *testing.T, d *runningDaemon, line string) {
	t.Helper()
	running := d.argValue(t, "--running")
	b, err := os.ReadFile(running)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "ip flow-cache entries 131072", line, 1)
	if edited == string(b) {
		t.Fatalf("no cache size line in the running copy:\n%s", b)
	}
	if err := os.WriteFile(running, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
}

var drainLine = regexp.MustCompile(`%FLOW-5-CACHE_DRAIN: draining (\d+) flows`)

// TestKillDuringResizeDrain: flowtapd holds 32,000 flows in a 128K
// cache and is killed before they expire; started with a 64K cache, it
// drains the pinned 128K table into nfcapd as its datapath opens, and is
// killed again in the middle of that drain (once it logged that the
// drain began), with records taken from the old table in its exporter's
// open packet and queue. The drain goes through the export spool as a
// harvest does, and the old table stays pinned until it is empty: the
// third start finds fewer flows in it, drains those and sends from the
// spool what the killed drain had taken and not sent. nfcapd then holds
// every packet once, but for those counted as possibly sent twice.
// Before, the drain's records in flight at the kill were lost, counted
// nowhere.
func TestKillDuringResizeDrain(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d, agent, sent := startBurst(t, v, capd)
	d.cmd.Process.Kill()
	d.cmd.Wait()
	setCacheLine(t, d, "ip flow-cache entries 65536")
	// Traffic goes on through both starts and the time between: the
	// pinned links meter it into the old table, then into the new one.
	stream := startTrafgen(t, v, trafgenStream, 0, 1000)

	// Not d.start: the control socket comes up after the drain.
	from := d.log.Len()
	cmd := exec.Command(d.bin, d.args...)
	cmd.Stdout, cmd.Stderr = d.log, d.log
	if err := testproc.Start(cmd); err != nil {
		t.Fatal(err)
	}
	d.cmd = cmd
	for deadline := time.Now().Add(30 * time.Second); !drainLine.MatchString(d.log.String()[from:]); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the start with another cache size never said it drained the old table:\n%s", d.log.String()[from:])
		}
	}
	// Into the drain: its records are being encoded and sent (about
	// 1,100 packets at the exporter's 4,000 a second).
	time.Sleep(100 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	second := d.log.String()[from:]
	if strings.Contains(second, "%FLOW-5-CACHE_DRAINED") {
		t.Fatalf("the drain was over before the kill:\n%s", second)
	}

	time.Sleep(time.Second) // no daemon: the links meter on into the new table
	from = d.log.Len()
	d.start(t)
	third := d.log.String()[from:]
	m := drainLine.FindStringSubmatch(third)
	if m == nil {
		t.Fatalf("the start after the kill found no table of another size to drain:\n%s", third)
	}
	left, _ := strconv.Atoi(m[1])
	if left == 0 || left >= burstFlows {
		t.Fatalf("the kill left %d of %d flows in the old table: want it in the middle of the drain", left, burstFlows)
	}
	t.Logf("killed with %d of %d flows still in the old table", left, burstFlows)
	time.Sleep(time.Second)
	streamSent := stream.stop(t)
	everyPacketOnce(t, d, agent, capd, sent, fmt.Sprintf("killed during the resize drain with %d flows not yet drained, %d frames of traffic through it", left, streamSent), streamSent)
}

// trafgenStream is traffic that goes on while flowtapd restarts: 50
// flows (10.2.0.0-49 to 192.0.2.1), apart from the burst's.
const trafgenStream = `{
  0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
  0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
  c16(0x0800),
  0x45, 0x00, c16(46), c16(0), c16(0), 64, 17, csumip(14, 33),
  10, 2, 0, dinc(0, 49),
  192, 0, 2, 1,
  c16(4000), c16(53), c16(26), c16(0),
  fill(0x00, 18)
}
`

var streamNet = netip.MustParsePrefix("10.2.0.0/16")

// everyPacketOnce waits for the restarted daemon to empty its cache and
// checks what it exported after a kill left records in the spool: every
// packet of the burst reaches nfcapd once, but for those counted as
// possibly sent twice; the CLI says what SNMP says of the records sent
// again; some were, and the log says so. streamSent are the frames of
// trafgenStream sent besides the burst (its flows are checked as a whole:
// restarts split them into several records).
func everyPacketOnce(t *testing.T, d *runningDaemon, agent string, capd *collector.Nfcapd, sent uint64, figure string, streamSent uint64) {
	t.Helper()
	const flows, perFlow = burstFlows, burstPerFlow
	waitSNMP(t, agent)
	waitCacheEmpty(t, d, agent, 60*time.Second)

	exp := d.cli(t, "ios", "show ip flow export\n")
	port := int(capd.Addr.Port())
	snmp := func(col int) uint64 {
		v := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", agent, lossOID(col, port))
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Errorf("SNMP flowtapExportLossTable column %d: %q", col, v)
		}
		return n
	}
	resent, resentPkts, doubt, doubtPkts := snmp(colResentFlows), snmp(colResentPackets), snmp(colDoubtFlows), snmp(colDoubtPackets)
	got, log := capd.Stop(t)
	var streamGot collector.Counts
	for tu, c := range got {
		if streamNet.Contains(tu.Src) {
			streamGot.Packets += c.Packets
			streamGot.Bytes += c.Bytes
			delete(got, tu)
		}
	}
	if streamGot.Bytes != 46*streamGot.Packets {
		t.Errorf("traffic through the restarts: %d packets, %d bytes", streamGot.Packets, streamGot.Bytes)
	}
	if streamSent != 0 {
		t.Logf("FIGURE spool-kill-traffic: trafgen sent %d frames through the restarts, nfcapd stored %d", streamSent, streamGot.Packets)
	}
	total := got.Total()
	t.Logf("FIGURE spool-kill: trafgen sent %d frames in %d flows; %s; nfcapd stored %d packets in %d flows; "+
		"%d flows (%d packets) resent from the spool, %d (%d packets) possibly twice", sent, flows, figure, total.Packets, len(got), resent, resentPkts, doubt, doubtPkts)

	// The CLI says what SNMP says.
	if m := resentLine.FindStringSubmatch(exp); m == nil {
		t.Errorf("show ip flow export says nothing of the records sent after the unclean stop:\n%s", exp)
	} else if m[1] != strconv.FormatUint(resent, 10) || m[2] != strconv.FormatUint(resentPkts, 10) {
		t.Errorf("CLI: %s flows (%s packets) resent, SNMP %d (%d)", m[1], m[2], resent, resentPkts)
	}
	if m := doubtLine.FindStringSubmatch(exp); m == nil || m[1] != strconv.FormatUint(doubt, 10) || m[2] != strconv.FormatUint(doubtPkts, 10) {
		t.Errorf("CLI's possibly-twice line %q, SNMP %d flows %d packets", m, doubt, doubtPkts)
	}
	// `show ip cache flow` counts every flow this daemon sent from the
	// cache, those the spool replayed and the start's drain included, as
	// show ip flow export does: an operator comparing the two (or either
	// with the collector) finds no difference. Before, the records sent
	// before the first engine ran (a drain of a table of another size,
	// the replay before it) were exported but not in the cache's totals.
	cacheTotal := regexp.MustCompile(`\nTotal:\s+(\d+)`).FindStringSubmatch(d.cli(t, "ios", "show ip cache flow\n"))
	exported := regexp.MustCompile(`(\d+) flows exported in`).FindStringSubmatch(exp)
	if cacheTotal == nil || exported == nil || cacheTotal[1] != exported[1] {
		t.Errorf("show ip cache flow counts %v flows, show ip flow export %v exported:\n%s", cacheTotal, exported, exp)
	}
	// A burst was in flight: records came from the spool, and the log
	// says so.
	if resent == 0 {
		t.Errorf("nothing was resent from the spool: the kill found no record in flight\n%s", exp)
	}
	if !strings.Contains(d.log.String(), "%FLOW-4-UNCLEAN_STOP") {
		t.Errorf("the log does not report the records sent again after the unclean stop")
	}

	// Every metered packet is exported: per flow, exactly what trafgen
	// sent, but for records of the packet being written at the kill,
	// which the collector may hold twice (and which are counted).
	if len(got) != flows {
		t.Errorf("nfcapd has %d flows, want %d", len(got), flows)
	}
	var over, under uint64
	for tu, c := range got {
		if c.Bytes != 46*c.Packets {
			t.Errorf("flow %s: %d packets, %d bytes", tu, c.Packets, c.Bytes)
		}
		switch {
		case c.Packets > perFlow:
			over += c.Packets - perFlow
		case c.Packets < perFlow:
			under += perFlow - c.Packets
			if under <= 10*perFlow {
				t.Errorf("flow %s: nfcapd has %d packets, trafgen sent %d", tu, c.Packets, perFlow)
			}
		}
	}
	under += uint64(flows-len(got)) * perFlow
	burstOver := over
	if streamGot.Packets < streamSent {
		t.Errorf("nfcapd stored %d packets of the %d sent through the restarts", streamGot.Packets, streamSent)
	} else {
		over += streamGot.Packets - streamSent
	}
	if under != 0 || over > doubtPkts {
		t.Errorf("nfcapd stored %d packets of %d sent: %d missing, %d twice (%d counted as possibly twice)\n%s\n%s",
			total.Packets, sent, under, over, doubtPkts, exp, log)
	}
	if total.Packets != sent+burstOver {
		t.Errorf("nfcapd stored %d packets, want %d", total.Packets, sent+burstOver)
	}
}

// TestSpoolCleanRestartAndOldPins: what operators do around the spool
// that is not a kill. An orderly stop, then a stop that keeps metering
// (an upgrade), and a start on pins a version without the spool left
// (the flow table and no export_spool): each daemon starts clean, replays
// nothing, says nothing of an unclean stop and counts nothing resent,
// and nfcapd holds every packet exactly once.
func TestSpoolCleanRestartAndOldPins(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, lossConfig(v, capd, ""))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	pin := d.argValue(t, "--pin-dir")

	const flows, perFlow = 2000, 1 // trafgenFlows: 2000 frames, 2000 flows
	var sent uint64
	burst := func() {
		t.Helper()
		n := startTrafgen(t, v, trafgenFlows, flows*perFlow, 20000).wait(t)
		if n != flows*perFlow {
			t.Fatalf("trafgen sent %d frames, want %d", n, flows*perFlow)
		}
		sent += n
		for deadline := time.Now().Add(5 * time.Second); snmpCounter(t, agent, oidActiveFlows) != flows; time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the cache holds %d flows, want %d", snmpCounter(t, agent, oidActiveFlows), flows)
			}
		}
	}
	// Exported through the spool (marks move), then an orderly stop with
	// flows in the cache: they are exported at the stop.
	burst()
	waitCacheEmpty(t, d, agent, 30*time.Second)
	burst()
	d.stopAndStart(t, syscall.SIGTERM, "--keep-metering")
	waitSNMP(t, agent)
	// Flows in the pinned table, and the pins of a version before the
	// spool: the table and no export_spool.
	burst()
	d.stop(t, syscall.SIGTERM)
	if err := os.Remove(filepath.Join(pin, "export_spool")); err != nil {
		t.Fatalf("remove the export spool's pin: %v", err)
	}
	d.start(t, "--keep-metering")
	waitSNMP(t, agent)
	waitCacheEmpty(t, d, agent, 60*time.Second)
	if _, err := os.Stat(filepath.Join(pin, "export_spool")); err != nil {
		t.Errorf("no export spool pinned after a start on old pins: %v", err)
	}

	exp := d.cli(t, "ios", "show ip flow export\n")
	if strings.Contains(exp, "unclean stop") {
		t.Errorf("show ip flow export reports an unclean stop after orderly ones:\n%s", exp)
	}
	for _, col := range []int{colResentFlows, colResentPackets, colDoubtFlows, colDoubtPackets} {
		if v := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", agent, lossOID(col, int(capd.Addr.Port()))); v != "0" {
			t.Errorf("flowtapExportLossTable column %d is %q after orderly stops, want 0", col, v)
		}
	}
	for _, s := range []string{"UNCLEAN_STOP", "SPOOL"} {
		if strings.Contains(d.log.String(), s) {
			t.Errorf("the log reports %s after orderly stops:\n%s", s, d.log)
		}
	}
	got, _ := capd.Stop(t)
	if total := got.Total(); total.Packets != sent || len(got) != flows {
		t.Errorf("nfcapd stored %d packets in %d flows, want %d in %d", total.Packets, len(got), sent, flows)
	}
}

// TestKillThenCollectorRemovedCountsTheLoss: flowtapd is killed during
// an expiry burst and started again with its collector replaced by
// another (the running copy edited meanwhile). Nothing sends the first
// collector what the killed daemon owed it: that loss is counted, in
// `show ip flow export` and SNMP (flowtap.4.2-5), and it is exactly what
// nfcapd lacks, but for the packet being written at the kill, which it
// may or may not have got (counted apart).
func TestKillThenCollectorRemovedCountsTheLoss(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	other := collector.StartNfcapd(t)
	d, agent, _ := startBurst(t, v, capd)
	const flows, perFlow = burstFlows, burstPerFlow
	killWhenHarvestFrees(t, d, agent, flows)
	// Give the first collector time to take what was written before the
	// kill, then replace it.
	time.Sleep(500 * time.Millisecond)
	running := d.argValue(t, "--running")
	b, err := os.ReadFile(running)
	if err != nil {
		t.Fatal(err)
	}
	from := fmt.Sprintf("ip flow-export destination %s %d", capd.Addr.Addr(), capd.Addr.Port())
	edited := strings.Replace(string(b), from, fmt.Sprintf("ip flow-export destination %s %d", other.Addr.Addr(), other.Addr.Port()), 1)
	if edited == string(b) {
		t.Fatalf("no %q in the running copy:\n%s", from, b)
	}
	if err := os.WriteFile(running, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	d.start(t)
	waitSNMP(t, agent)
	waitCacheEmpty(t, d, agent, 60*time.Second)

	scalar := func(id int) uint64 {
		v := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", agent, fmt.Sprintf("1.3.6.1.4.1.32473.1.4.%d.0", id))
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("SNMP flowtap.4.%d: %q", id, v)
		}
		return n
	}
	lost, lostPkts, doubt, doubtPkts := scalar(2), scalar(3), scalar(4), scalar(5)
	exp := d.cli(t, "ios", "show ip flow export\n")
	want := fmt.Sprintf("%d flows (%d packets) taken but not sent before an unclean stop were lost: destination no longer configured", lost, lostPkts)
	if lost == 0 || !strings.Contains(exp, want) || !strings.Contains(exp, fmt.Sprintf("%d flows (%d packets) of them possibly received", doubt, doubtPkts)) {
		t.Errorf("SNMP says %d flows (%d packets) lost, %d (%d) possibly received; show ip flow export:\n%s", lost, lostPkts, doubt, doubtPkts, exp)
	}
	if !strings.Contains(d.log.String(), "%FLOW-3-UNCLEAN_STOP_LOST") {
		t.Error("the log does not report the loss")
	}
	// `clear ip flow stats` zeroes the CLI's count; SNMP's Counter64s go on.
	if out := d.cli(t, "ios", "clear ip flow stats\nshow ip flow export\n"); strings.Contains(out, "unclean stop") {
		t.Errorf("show ip flow export after clear ip flow stats still counts the loss:\n%s", out)
	}
	if n := scalar(3); n != lostPkts {
		t.Errorf("SNMP's lost packets went from %d to %d at clear ip flow stats", lostPkts, n)
	}
	// The flows still in the cache at the kill went to the new collector;
	// what else the first one lacks is what was counted lost, less what
	// of the packet in doubt it did get. Nobody got anything twice.
	moved, _ := other.Stop(t)
	got, _ := capd.Stop(t)
	var missing, over uint64
	for _, c := range got {
		if c.Packets > perFlow {
			over += c.Packets - perFlow
		} else {
			missing += perFlow - c.Packets
		}
	}
	missing += uint64(flows-len(got)) * perFlow
	for _, c := range moved {
		if c.Packets > perFlow {
			over += c.Packets - perFlow
		}
	}
	movedPkts := moved.Total().Packets
	t.Logf("FIGURE spool-orphan: %d flows (%d packets) counted lost, %d (%d) of them possibly received; the first collector lacks %d packets, the new one has %d",
		lost, lostPkts, doubt, doubtPkts, missing, movedPkts)
	if over != 0 || missing < movedPkts || missing-movedPkts > lostPkts || missing-movedPkts < lostPkts-doubtPkts {
		t.Errorf("the first collector lacks %d packets, the new one has %d (%d twice in all); counted lost %d, %d of them possibly received",
			missing, movedPkts, over, lostPkts, doubtPkts)
	}
}
