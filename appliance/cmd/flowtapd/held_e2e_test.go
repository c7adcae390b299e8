package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestKillWithAggregatesHeldCountsTheLoss: an aggregation cache (source
// prefixes by /24, v9 to its own nfcapd) folds the 32,000 flows of a
// burst into 256 aggregates, which it holds for its inactive timeout.
// flowtapd is killed (SIGKILL) while the main cache's harvest of them
// runs: what was folded in is lost with the daemon, what was still in the
// pinned table is folded into the restarted daemon's cache. The restarted
// daemon counts the loss from the totals the killed one kept in the
// export spool: `show ip flow export`, SNMP (flowtap.4.6-9) and the log
// say the same, and what the aggregation collector got plus what is
// counted lost is exactly what trafgen sent (less the packet in doubt).
// The main cache's collector still gets every packet exactly once. A
// clean restart after it counts nothing more.
func TestKillWithAggregatesHeldCountsTheLoss(t *testing.T) {
	killWithHeldRecords(t, "held in aggregation cache source-prefix", 6, func(v *testnet.Veth, capd, held *collector.Nfcapd) string {
		return lossConfig(v, capd, fmt.Sprintf(`ip flow-cache entries 131072
ip flow-aggregation cache source-prefix
 mask source minimum 24
 export version 9
 export destination %s %d
 enabled
!
`, held.Addr.Addr(), held.Addr.Port()))
	})
}

// TestKillWithAggregatesBeingWrittenCountsTheLoss is the kill above with
// the aggregation cache too small for the burst (1,024 entries, 6,400
// source /32s): aggregates are expired to make room while the harvest
// folds, so the kill also finds them in the exporter's open packet, its
// queue and the packet being written, not only in the cache. What left
// the totals was written; what the packet being written carried is
// counted lost and possibly received.
func TestKillWithAggregatesBeingWrittenCountsTheLoss(t *testing.T) {
	killWithHeldRecords(t, "held in aggregation cache source-prefix", 6, func(v *testnet.Veth, capd, held *collector.Nfcapd) string {
		return lossConfig(v, capd, fmt.Sprintf(`ip flow-cache entries 131072
ip flow-aggregation cache source-prefix
 cache entries 1024
 mask source minimum 32
 export version 9
 export destination %s %d
 enabled
!
`, held.Addr.Addr(), held.Addr.Port()))
	})
}

// TestKillWithBiflowsHeldCountsTheLoss: the same kill with a biflow
// destination (IPFIX to its own nfcapd) beside the main one. The burst's
// flows are one-way, so each direction waits for a partner for the
// inactive timeout (10 s) and then goes out alone: the kill finds them
// held for pairing. They are counted lost (flowtap.4.10-13), and what
// the collector got plus that count is what trafgen sent.
func TestKillWithBiflowsHeldCountsTheLoss(t *testing.T) {
	killWithHeldRecords(t, "held for biflow pairing", 10, func(v *testnet.Veth, capd, held *collector.Nfcapd) string {
		c := lossConfig(v, capd, "ip flow-cache entries 131072\n")
		c = strings.Replace(c, "ip flow-export version 9\n", "ip flow-export version ipfix\n", 1)
		return c + fmt.Sprintf("ip flow-export destination %s %d biflow\n", held.Addr.Addr(), held.Addr.Port())
	})
}

// killWithHeldRecords runs the kill of the two tests above: config makes
// the startup-config exporting the main cache to capd and the holding
// destination to held; reason is what the CLI says it held, scalar the
// first of its four SNMP scalars under flowtap.4.
func killWithHeldRecords(t *testing.T, reason string, scalar int, config func(v *testnet.Veth, capd, held *collector.Nfcapd) string) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	heldCapd := collector.StartNfcapd(t)
	d := startDaemon(t, config(v, capd, heldCapd))
	agent := "udp:" + d.snmpAddr
	waitSNMP(t, agent)
	const flows, perFlow = burstFlows, burstPerFlow
	sent := startTrafgen(t, v, trafgenFlows, flows*perFlow, 20000).wait(t)
	if sent != flows*perFlow {
		t.Fatalf("trafgen sent %d frames, want %d", sent, flows*perFlow)
	}
	for deadline := time.Now().Add(5 * time.Second); snmpCounter(t, agent, oidActiveFlows) != flows; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the cache holds %d flows, want %d", snmpCounter(t, agent, oidActiveFlows), flows)
		}
	}
	// Kill once the harvest has taken some flows out of the table (and
	// given them to the holding destination), before all.
	left := killWhenHarvestFrees(t, d, agent, flows)
	d.start(t)
	waitSNMP(t, agent)
	waitCacheEmpty(t, d, agent, 60*time.Second)

	get := func(id int) uint64 {
		v := snmpTool(t, "snmpget", "-v2c", "-cpublic", "-Oqv", agent, fmt.Sprintf("1.3.6.1.4.1.32473.1.4.%d.0", id))
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("SNMP flowtap.4.%d: %q", id, v)
		}
		return n
	}
	lost, lostPkts, doubt, doubtPkts := get(scalar), get(scalar+1), get(scalar+2), get(scalar+3)
	exp := d.cli(t, "ios", "show ip flow export\n")
	want := fmt.Sprintf("%d flows (%d packets) lost at an unclean stop: %s for %s", lost, lostPkts, reason, heldCapd.Addr)
	if lost == 0 || !strings.Contains(exp, want) {
		t.Errorf("SNMP says %d flows (%d packets) lost; show ip flow export has no %q:\n%s", lost, lostPkts, want, exp)
	}
	if !strings.Contains(exp, want+"\n  "+fmt.Sprintf("%d flows (%d packets) of them possibly received", doubt, doubtPkts)) {
		t.Errorf("show ip flow export does not say %d flows (%d packets) possibly received:\n%s", doubt, doubtPkts, exp)
	}
	logLine := regexp.MustCompile(`%FLOW-3-UNCLEAN_STOP_LOST: (\d+) flows \((\d+) packets\) ` + regexp.QuoteMeta(reason))
	if m := logLine.FindStringSubmatch(d.log.String()); m == nil || m[1] != strconv.FormatUint(lost, 10) || m[2] != strconv.FormatUint(lostPkts, 10) {
		t.Errorf("the log's loss %q, SNMP %d flows %d packets:\n%s", m, lost, lostPkts, d.log)
	}
	if strings.HasPrefix(reason, "held in aggregation cache ") {
		// The cache's own verbose screen says it too.
		scheme := strings.TrimPrefix(reason, "held in aggregation cache ")
		screen := d.cli(t, "ios", "show ip cache verbose flow aggregation "+scheme+"\n")
		if want := fmt.Sprintf("%d main cache flows (%d packets) held for %s lost at an unclean stop", lost, lostPkts, heldCapd.Addr); !strings.Contains(screen, want) {
			t.Errorf("show ip cache verbose flow aggregation %s has no %q:\n%s", scheme, want, screen)
		}
	}
	if get(2) != 0 {
		t.Errorf("flowtap.4.2 counts %d flows owed to a removed destination; none was removed", get(2))
	}

	// Clean restarts, keeping the metering (an upgrade) and not:
	// everything held is exported at the stop, and the next daemon finds
	// nothing held and counts nothing.
	for _, extra := range [][]string{{"--keep-metering"}, nil} {
		mark := len(d.log.String())
		d.stopAndStart(t, syscall.SIGTERM, extra...)
		waitSNMP(t, agent)
		if after := d.log.String()[mark:]; strings.Contains(after, "UNCLEAN_STOP") {
			t.Errorf("a clean restart %v reports an unclean stop:\n%s", extra, after)
		}
		if exp := d.cli(t, "ios", "show ip flow export\n"); strings.Contains(exp, "unclean stop") {
			t.Errorf("show ip flow export after a clean restart %v:\n%s", extra, exp)
		}
		for id := scalar; id < scalar+4; id++ {
			if n := get(id); n != 0 {
				t.Errorf("flowtap.4.%d is %d after a clean restart %v, want 0", id, n, extra)
			}
		}
	}
	d.stop(t, syscall.SIGTERM)

	main, _ := capd.Stop(t)
	got, log := heldCapd.Stop(t)
	gotPkts := got.Total().Packets
	t.Logf("FIGURE held-kill (%s): trafgen sent %d frames in %d flows; killed with %d flows in the cache; the collector stored %d packets in %d tuples; "+
		"%d flows (%d packets) counted lost, %d (%d packets) of them possibly received; the main collector stored %d packets",
		reason, sent, flows, left, gotPkts, len(got), lost, lostPkts, doubt, doubtPkts, main.Total().Packets)
	// Exactly once or counted: what was not received is what was
	// counted, but for the packet being written at the kill, which the
	// collector may have got.
	if gotPkts+lostPkts < sent || gotPkts+lostPkts-doubtPkts > sent {
		t.Errorf("the collector got %d packets, %d counted lost (%d possibly received): %d sent\n%s\n%s",
			gotPkts, lostPkts, doubtPkts, sent, exp, log)
	}
	// The main cache's destination lost nothing (the spool).
	if total := main.Total().Packets; total < sent || len(main) != flows {
		t.Errorf("the main collector stored %d packets in %d flows, want %d in %d", total, len(main), sent, flows)
	}
}
