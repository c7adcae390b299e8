package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// trafgenSYN is a SYN flood: TCP SYNs to 192.0.2.9:80 from random source
// addresses and ports, each a new flow.
const trafgenSYN = `{
  0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
  0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
  c16(0x0800),
  0x45, 0x00, c16(40), c16(0), c16(0), 64, 6, csumip(14, 33),
  drnd(4),
  192, 0, 2, 9,
  drnd(2), c16(80), drnd(4), c32(0), 0x50, 0x02, c16(1024), c16(0), c16(0)
}
`

// TestSYNFloodSeenAndAccounted: a SYN flood (trafgen, 20,000 new flows)
// fills a 1024-entry cache. What the analyst sees agrees: `show ip cache
// flow`'s alloc failures are the datapath's packets refused for a full
// cache, `show logging` says the cache filled (%FLOW-4-CACHE_FULL), and
// nfcapd holds every flow created and every packet not refused.
func TestSYNFloodSeenAndAccounted(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, lossConfig(v, capd, "ip flow-cache entries 1024\n"))
	const sent = 20000
	g := startTrafgen(t, v, trafgenSYN, sent, 10000)
	if n := g.wait(t); n != sent {
		t.Fatalf("trafgen sent %d frames, want %d", n, sent)
	}
	num := func(screen, re string) uint64 {
		t.Helper()
		m := regexp.MustCompile(re).FindStringSubmatch(screen)
		if m == nil {
			t.Fatalf("no %q in:\n%s", re, screen)
		}
		n, _ := strconv.ParseUint(m[1], 10, 64)
		return n
	}
	var dp string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		dp = d.cli(t, "ios", "show ip flow datapath\n")
		if num(dp, `(\d+) packets metered`) == sent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the meter never counted the %d frames:\n%s", sent, dp)
		}
	}
	failed, full, created := num(dp, `(\d+) packets failed flow creation`), num(dp, `(\d+) cache full\n`), num(dp, `(\d+) flows created`)
	if failed == 0 || full != failed || created+failed != sent {
		t.Errorf("%d created + %d refused (%d for a full cache) != %d sent:\n%s", created, failed, full, sent, dp)
	}
	var cache string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		cache = d.cli(t, "ios", "show ip cache flow | include alloc failures\n")
		if num(cache, `(\d+) flow alloc failures`) == failed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("show ip cache flow's alloc failures never reached the datapath's %d:\n%s", failed, cache)
		}
	}
	var logs string
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs, "%FLOW-4-CACHE_FULL: the flow cache is full (1024 entries)"); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("show logging does not say the cache filled:\n%s", logs)
		}
		logs = d.cli(t, "ios", "show logging | include CACHE_FULL\n")
	}
	d.stop(t, os.Interrupt)
	got, log := capd.Stop(t)
	m := nfcapdFlows.FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("no summary in nfcapd's log:\n%s", log)
	}
	if records, _ := strconv.ParseUint(m[1], 10, 64); records != created {
		t.Errorf("%d flows created, nfcapd stored %d", created, records)
	}
	if p := got.Total().Packets; p+failed != sent {
		t.Errorf("nfcapd %d packets + %d refused != %d sent", p, failed, sent)
	}
}
