package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/datapath"
	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// A cache of 128K entries is metered in batches (datapath/README.md,
// "Metering in batches"): each CPU buffers up to 16 metered packets,
// pinned beside the table, before they go into their flows.
const batchCache = "ip flow-cache entries 131072\n"

// pinnedPending is how many packets the pinned buffers hold, per CPU.
func pinnedPending(t *testing.T, d *runningDaemon) []int {
	t.Helper()
	n, err := datapath.PinnedBatchPending(d.argValue(t, "--pin-dir"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func sum(xs []int) (n int) {
	for _, x := range xs {
		n += x
	}
	return n
}

// TestKillWithPacketsBufferedExportsThemOnce: flowtapd meters a 128K
// cache in batches and is killed (SIGKILL) right after a burst whose
// last packets are still in a CPU's buffer, not yet in any flow (checked
// in the pins after the kill). The next daemon, started on the same pins,
// applies them with its first harvest: nfcapd holds every packet trafgen
// sent, each flow exactly once. Without the buffers pinned, or without
// the harvest applying them, those packets were lost, counted nowhere.
func TestKillWithPacketsBufferedExportsThemOnce(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, lossConfig(v, capd, batchCache))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	d.waitMetering(t, v.Mon)
	// 1,009 flows of one packet each: 63 batches and 1 packet over. The
	// ager applies the buffers each second; a kill within milliseconds
	// of the burst's end finds the last ones buffered, nearly always
	// (else the test tries again, adding to what it sent).
	const burst = 1009
	var sent uint64
	var pending []int
	for try := 0; try < 5 && sum(pending) == 0; try++ {
		if try > 0 {
			d.start(t)
			d.waitMetering(t, v.Mon)
		}
		sent += startTrafgen(t, v, trafgenFlows, burst, 0).wait(t)
		d.cmd.Process.Kill()
		d.cmd.Wait()
		pending = pinnedPending(t, d)
	}
	if sum(pending) == 0 {
		t.Fatal("no kill found a packet buffered")
	}
	t.Logf("killed with %v packets buffered per CPU", pending)
	d.start(t)
	waitSNMP(t, agent)
	waitCacheEmpty(t, d, agent, 60*time.Second)
	if left := pinnedPending(t, d); sum(left) != 0 {
		t.Errorf("the next daemon left %v packets buffered", left)
	}
	got, _ := capd.Stop(t)
	total := got.Total()
	// trafgen's flows are in order: the bursts' flows (the first sent
	// twice or more when a kill had to be tried again) are each 46 bytes
	// a packet.
	for tu, c := range got {
		if c.Bytes != 46*c.Packets {
			t.Errorf("flow %s: %d packets, %d bytes", tu, c.Packets, c.Bytes)
		}
	}
	if total.Packets != sent {
		t.Fatalf("nfcapd stored %d packets in %d flows, trafgen sent %d (%v were buffered at the kill)", total.Packets, len(got), sent, pending)
	}
}

// TestStopWithPartBatchOnEachCPU: trafgen sends from two CPUs into a
// two-queue veth, so the meter runs on both, a number of packets that
// leaves each CPU's buffer partly filled (about 7 of 16 each; trafgen's
// split is not exact), and flowtapd is stopped at once (an orderly
// stop): its final export applies both CPUs' buffers, and nfcapd holds
// every packet sent.
func TestStopWithPartBatchOnEachCPU(t *testing.T) {
	v := testnet.EnterQueues(t, 2)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, lossConfig(v, capd, batchCache))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	d.waitMetering(t, v.Mon)
	if out, err := testproc.CombinedOutput(exec.Command("ip", "netns", "exec", v.NS, "tc", "qdisc", "replace", "dev", v.Src, "root", "mq")); err != nil {
		t.Fatalf("tc qdisc mq on %s: %v\n%s", v.Src, err, out)
	}
	// Two packets in the configuration, one per CPU (trafgen splits them
	// between its CPUs); no pacing, which trafgen does on one CPU only.
	cfg := filepath.Join(t.TempDir(), "two.cfg")
	pkt := "{ eth(da=02:00:00:00:00:02, sa=02:00:00:00:00:01), ipv4(sa=10.3.0.%d, da=198.51.100.7), udp(sp=4000, dp=53), fill(0, 18) }\n"
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(pkt, 1)+fmt.Sprintf(pkt, 2)), 0o644); err != nil {
		t.Fatal(err)
	}
	// Two senders can outrun the socket's send buffer (the host's
	// net.core.wmem_default, which a test leaves alone): trafgen then gives
	// up part way with "Flushing TX_RING failed: Resource temporarily
	// unavailable". What was sent is the sending veth's own count.
	const perCPU = 16*40 + 7
	txPackets := func() uint64 {
		out, err := testproc.CombinedOutput(exec.Command("ip", "netns", "exec", v.NS, "cat", "/sys/class/net/"+v.Src+"/statistics/tx_packets"))
		n, perr := strconv.ParseUint(strings.TrimSpace(string(out)), 10, 64)
		if err != nil || perr != nil {
			t.Fatalf("%s's tx_packets: %v %v: %s", v.Src, err, perr, out)
		}
		return n
	}
	tx0 := txPackets()
	var pending []int
	for tries := 0; tries < 5 && !everyCPU(pending); tries++ {
		args := []string{"netns", "exec", v.NS, "trafgen", "-i", cfg, "-o", v.Src, "--cpus", "2", "-n", fmt.Sprint(2 * perCPU), "-q", "--no-sock-mem"}
		if out, err := testproc.CombinedOutput(exec.Command("ip", args...)); err != nil && !strings.Contains(string(out), "TX_RING failed: Resource temporarily unavailable") {
			t.Fatalf("trafgen %v: %v\n%s", args, err, out)
		}
		pending = pinnedPending(t, d)
	}
	sent := txPackets() - tx0
	if !everyCPU(pending) {
		t.Fatalf("the buffers of both CPUs were never found holding packets: %v", pending)
	}
	t.Logf("stopping with %v packets buffered per CPU", pending)
	d.stop(t, os.Interrupt)
	got, _ := capd.Stop(t)
	total := got.Total()
	if total.Packets != sent || len(got) != 2 {
		t.Fatalf("nfcapd stored %d packets in %d flows, trafgen sent %d in 2: %v", total.Packets, len(got), sent, got)
	}
	// trafgen's two CPUs do not send exactly half each, nor each flow
	// from one CPU alone: the total is what is exact.
	for tu, c := range got {
		if c.Bytes != 46*c.Packets {
			t.Errorf("flow %s: %d packets, %d bytes", tu, c.Packets, c.Bytes)
		}
	}
}

// everyCPU says whether the first two CPUs' buffers hold packets.
func everyCPU(pending []int) bool {
	return len(pending) >= 2 && pending[0] > 0 && pending[1] > 0
}
