package daemon

import (
	"bytes"
	"log/slog"
	"net/netip"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/appliance/spool"
)

// What a killed daemon's holding destinations held is counted lost, with
// the records the kill kept from each (above the last it took), apart
// from those it was never to get: none for an Unstarted consumer, none
// for one Stopped (out of the fanout, closing). clear ip flow stats
// zeroes the CLI's view, not the totals.
func TestCountHeld(t *testing.T) {
	var log bytes.Buffer
	d := &Daemon{log: slog.New(slog.NewTextHandler(&log, nil))}
	c1 := netip.MustParseAddrPort("192.0.2.1:9996")
	c2 := netip.MustParseAddrPort("192.0.2.2:4739")
	late := []takenLate{{seq: 41, packets: 5}, {seq: 42, packets: 7}}
	d.countHeld([]spool.Held{
		{Kind: spool.HeldAggregation, Sub: byte(platform.SchemePrefix), Collector: c1, Seq: 41,
			Holds: spool.Tally{Flows: 10, Packets: 100, Bytes: 1000}, Sending: spool.Tally{Flows: 2, Packets: 20}},
		{Kind: spool.HeldBiflow, Collector: c2, Seq: 40, Holds: spool.Tally{Flows: 1, Packets: 1}},
		{Kind: spool.HeldAggregation, Sub: byte(platform.SchemeAS), Collector: c1, Seq: spool.Stopped, Holds: spool.Tally{Flows: 3, Packets: 3}},
		{Kind: spool.HeldAggregation, Sub: byte(platform.SchemeProtocolPort), Collector: c1, Seq: spool.Unstarted},
	}, late)
	total, since := d.UncleanStopHeld()
	want := []HeldLoss{
		{Kind: spool.HeldAggregation, Scheme: platform.SchemePrefix, Collector: c1, UncleanStopLoss: UncleanStopLoss{Records: 11, Packets: 107, Doubt: 2, DoubtPackets: 20}},
		{Kind: spool.HeldBiflow, Collector: c2, UncleanStopLoss: UncleanStopLoss{Records: 3, Packets: 13}},
		{Kind: spool.HeldAggregation, Scheme: platform.SchemeAS, Collector: c1, UncleanStopLoss: UncleanStopLoss{Records: 3, Packets: 3}},
	}
	if len(total) != len(want) || len(since) != len(want) {
		t.Fatalf("counted %+v (since clear %+v), want %+v", total, since, want)
	}
	for i := range want {
		if total[i] != want[i] {
			t.Errorf("loss %d: %+v, want %+v", i, total[i], want[i])
		}
	}
	if got := total[1].Reason(); got != "held for biflow pairing" {
		t.Errorf("biflow reason %q", got)
	}
	if got := total[0].Reason(); got != "held in aggregation cache prefix" {
		t.Errorf("aggregation reason %q", got)
	}
	for _, s := range []string{"%FLOW-3-UNCLEAN_STOP_LOST: 11 flows (107 packets) held in aggregation cache prefix for 192.0.2.1:9996 lost in an unclean stop (2 of them possibly received)",
		"%FLOW-3-UNCLEAN_STOP_LOST: 3 flows (13 packets) held for biflow pairing for 192.0.2.2:4739"} {
		if !strings.Contains(log.String(), s) {
			t.Errorf("the log lacks %q:\n%s", s, log.String())
		}
	}
	d.ClearExportStats()
	if total, since := d.UncleanStopHeld(); len(since) != 0 || len(total) != 3 {
		t.Errorf("after clear: since %+v, total %+v", since, total)
	}
	// A later kill adds to the same destination's count.
	d.countHeld([]spool.Held{{Kind: spool.HeldBiflow, Collector: c2, Seq: spool.Unstarted, Holds: spool.Tally{Flows: 1, Packets: 4}}}, nil)
	if total, since := d.UncleanStopHeld(); len(since) != 1 || since[0].Packets != 4 || total[1].Packets != 17 {
		t.Errorf("after a second kill: since %+v, total %+v", since, total)
	}
}
