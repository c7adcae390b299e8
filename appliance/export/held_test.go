package export_test

import (
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/appliance/spool"
)

// heldNow reads, as the next daemon would after a kill now, what the
// spool in mem says its holding consumers held.
func heldNow(t *testing.T, mem spoolMem) []spool.Held {
	t.Helper()
	return mem.open(t, 64).HeldBefore()
}

// waitHeld waits until the one consumer of sp holds want, then checks
// that a daemon killed now would find that in mem.
func waitHeld(t *testing.T, sp *spool.Spool, mem spoolMem, want spool.Tally) spool.Held {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		h := sp.HeldNow()
		if len(h) == 1 && h[0].Holds == want {
			// The consumer's lock orders its stores before these reads.
			if after := heldNow(t, mem); len(after) != 1 || after[0] != h[0] {
				t.Fatalf("the spool's memory says %+v, the consumer %+v", after, h[0])
			}
			return h[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("held %+v, want one consumer holding %+v", h, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// An aggregation cache's destination holds, in the spool, every record
// folded in until the aggregate carrying it is written: a kill before
// that finds the flows, packets and bytes there, and the last record
// taken; once written, nothing; closed, no entry.
func TestAggregationHeldUntilWritten(t *testing.T) {
	for _, v := range []export.Version{export.V8, export.V9} {
		t.Run(v.Label(), func(t *testing.T) { aggregationHeldUntilWritten(t, v) })
	}
}

func aggregationHeldUntilWritten(t *testing.T, version export.Version) {
	collector := udpSink(t)
	mem := newSpoolMem(64)
	sp := mem.open(t, 64)
	dests, err := export.NewDestinations([]export.DestinationConfig{{Collector: collector, MaxRate: -1,
		Encoder: export.EncoderConfig{Version: version, BootTime: boot, Scheme: platform.SchemeProtocolPort}}})
	if err != nil {
		t.Fatal(err)
	}
	clk := newFakeClock(time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC))
	c, err := export.NewAggregationCache(export.AggregationConfig{Scheme: platform.SchemeProtocolPort, Clock: clk}, dests)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.UseSpool(sp); err != nil {
		t.Fatal(err)
	}
	for i, r := range []flow.Record{
		rec("10.0.0.1", "10.0.0.2", 1000, 53, 17, 0, 1, 2, 0, 0, 24, 24),
		rec("10.0.0.3", "10.0.0.2", 1000, 53, 17, 0, 1, 2, 0, 0, 24, 24),
		rec("10.0.0.1", "10.0.0.2", 1000, 80, 6, 0, 1, 2, 0, 0, 24, 24),
	} {
		r.Packets, r.Bytes, r.SpoolSeq = uint64(10*(i+1)), uint64(1000*(i+1)), uint64(i+1)
		c.Add(&r)
	}
	v6 := v6Record()
	v6.SpoolSeq = 4
	c.Add(&v6) // left out (counted as skipped), but taken
	h := waitHeld(t, sp, mem, spool.Tally{Flows: 3, Packets: 60, Bytes: 6000})
	if h.Kind != spool.HeldAggregation || h.Sub != byte(platform.SchemeProtocolPort) || h.Collector != collector || h.Seq != 4 {
		t.Errorf("held %+v", h)
	}
	c.FlushAll()
	dests.Flush()
	waitHeld(t, sp, mem, spool.Tally{})
	if err := dests.Close(); err != nil {
		t.Fatal(err)
	}
	if h := heldNow(t, mem); len(h) != 0 {
		t.Errorf("a closed destination left %+v", h)
	}
}

// A biflow destination holds each direction from the moment it is given
// it until the biflow (or the direction alone) is written.
func TestBiflowHeldUntilWritten(t *testing.T) {
	collector := udpSink(t)
	mem := newSpoolMem(64)
	sp := mem.open(t, 64)
	e, err := export.NewExporter(export.DestinationConfig{Collector: collector, MaxRate: -1, BiflowHold: time.Hour,
		Encoder: export.EncoderConfig{Version: export.IPFIX, BootTime: boot, Biflow: true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.UseSpool(sp); err != nil {
		t.Fatal(err)
	}
	a := rec("10.0.0.1", "10.0.0.2", 1000, 53, 17, 0, 1, 2, 0, 0, 24, 24)
	a.Packets, a.Bytes, a.SpoolSeq = 3, 300, 7
	b := rec("10.0.0.2", "10.0.0.1", 53, 1000, 17, 0, 1, 2, 0, 0, 24, 24)
	b.Packets, b.Bytes, b.SpoolSeq = 2, 200, 8
	lone := rec("10.0.0.9", "10.0.0.1", 5, 6, 17, 0, 1, 2, 0, 0, 24, 24)
	lone.Packets, lone.Bytes, lone.SpoolSeq = 1, 100, 9
	for _, r := range []*flow.Record{&a, &b, &lone} {
		e.Export(r)
	}
	// The pair went into the open packet, the lone one waits: all held.
	h := waitHeld(t, sp, mem, spool.Tally{Flows: 3, Packets: 6, Bytes: 600})
	if h.Kind != spool.HeldBiflow || h.Seq != 9 || h.Collector != collector {
		t.Errorf("held %+v", h)
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	waitHeld(t, sp, mem, spool.Tally{})
	e.Close()
	if h := heldNow(t, mem); len(h) != 0 {
		t.Errorf("a closed destination left %+v", h)
	}
}
