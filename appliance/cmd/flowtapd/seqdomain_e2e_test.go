package main

import (
	"fmt"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

var seqErrorsRE = regexp.MustCompile(`Flows: (\d+), .*Sequence Errors: (\d+)`)

// TestAggregationOwnSequenceDomain: the main cache and an aggregation
// cache export v9 to one nfcapd, which keeps one sequence per exporter
// address and source_id. Each numbers its packets on its own, so each
// has a source_id of its own, and nfcapd counts no sequence error while
// taking both kinds of record. Before, both were source_id 0: the
// collector counted a sequence error at almost every packet, months on
// end, as if the box lost packets.
func TestAggregationOwnSequenceDomain(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname seqdomain
username admin privilege 15 secret adminpass
ip flow-cache timeout inactive 10
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination %s %d
ip flow-aggregation cache protocol-port
 export version 9
 export destination %s %d
 enabled
!
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port(), capd.Addr.Addr(), capd.Addr.Port()))
	d.waitMetering(t, v.Mon)
	// Rounds of flows, each expired (main-cache packets) and folded
	// into the aggregation cache; its inactive timeout sends its packets
	// between the main cache's.
	for round := range 3 {
		frames := make([][]byte, 40)
		for i := range frames {
			frames[i] = udpFrame([4]byte{10, 7, byte(round), byte(i)}, uint16(3000+i), 100)
		}
		v.Send(t, frames)
		time.Sleep(12 * time.Second)
	}
	d.stop(t, os.Interrupt) // exports what both caches hold
	_, logs := capd.Stop(t)
	m := seqErrorsRE.FindStringSubmatch(logs)
	if m == nil {
		t.Fatalf("no nfcapd summary:\n%s", logs)
	}
	if m[1] == "0" || m[1] == "120" {
		t.Errorf("nfcapd stored %s flows: want the main cache's 120 and the aggregation cache's records", m[1])
	}
	if m[2] != "0" {
		t.Errorf("nfcapd counted %s sequence errors:\n%s", m[2], logs)
	}
}
