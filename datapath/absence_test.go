package datapath

import (
	"encoding/binary"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

// etherLen is what a frame has before the IP header, where bytes count from.
const etherLen = 14

// ticksPerDay is a day in datapath stamps (2^20 ns).
const ticksPerDay = int64(24*time.Hour) >> timeShift

// setStamps moves the flow stamps of the entry whose source port is sport
// to ages (in ticks before now) first and last: the test's hook for
// "the daemon was away this long" without waiting for it.
func setStamps(t *testing.T, tab *table, sport uint16, first, last int64) {
	t.Helper()
	clk, err := readClocks()
	if err != nil {
		t.Fatal(err)
	}
	now := clk.monoNs >> timeShift
	found := false
	var rec flow.Record
	tab.forEachUsed(func(e entry) {
		tab.decode(e, clk, &rec)
		if rec.SrcPort != sport {
			return
		}
		found = true
		atomic.StoreUint32(tab.slots.u32(e.off()+offFirst), uint32(now-first))
		atomic.StoreUint32(tab.slots.u32(e.off()+offLast), uint32(now-last))
	})
	if !found {
		t.Fatalf("no entry with source port %d", sport)
	}
}

// engineRequest is what the flow cache engine asks of a harvest with the
// IOS timeouts (inactive 15 s, active 30 min).
func engineRequest() HarvestRequest {
	now := time.Now()
	return HarvestRequest{IdleBefore: now.Add(-15 * time.Second), ActiveBefore: now.Add(-30 * time.Minute), EndOfFlow: true}
}

func harvestBySport(t *testing.T, d *Datapath, req HarvestRequest) map[uint16][]flow.Record {
	t.Helper()
	got := map[uint16][]flow.Record{}
	if _, err := d.Harvest(req, func(r *flow.Record) { got[r.SrcPort] = append(got[r.SrcPort], *r) }); err != nil {
		t.Fatalf("harvest: %v", err)
	}
	return got
}

// A flow whose last packet is 30 days old is idle, though the daemon
// harvested a moment ago: the stamps' ages are read modulo 2^32 ticks
// (52 days), where a signed comparison flipped past 26 days and kept it.
func TestIdleOlderThanSignedWindow(t *testing.T) {
	d := openTest(t, 64)
	a := udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1001, 53, 0)
	b := udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1002, 53, 0)
	for i := 0; i < 3; i++ {
		feed(t, d, a, 1)
	}
	feed(t, d, b, 1)
	setStamps(t, d.tab, 1001, 30*ticksPerDay, 30*ticksPerDay)
	got := harvestBySport(t, d, engineRequest())
	if len(got) != 1 || len(got[1001]) != 1 {
		t.Fatalf("want only the 30-day-old flow, got %v", got)
	}
	if r := got[1001][0]; r.EndReason != flow.EndIdle || r.Packets != 3 || r.Bytes != 3*uint64(len(a)-etherLen) {
		t.Fatalf("30-day-old flow: %+v", r)
	}
	if used, _, _ := d.Usage(); used != 1 {
		t.Fatalf("the fresh flow must stay: %d used", used)
	}
}

// A daemon gone for 60 days (--keep-metering: the pinned link went on
// metering, nobody harvested) starts over the pinned table. Its first
// harvest cannot date the stamps that read as young, so it empties the
// table: each flow once, counters whole, idle where the stamps prove it
// and active otherwise.
func TestHarvestAfterLongAbsence(t *testing.T) {
	requireRoot(t)
	pin := tempPinDir(t, "flowtap-absence-test-")
	d0, err := Open(Options{PinDir: pin, Entries: 64})
	if err != nil {
		t.Fatal(err)
	}
	packets := map[uint16]int{2001: 3, 2002: 5, 2003: 2, 2004: 4}
	frames := map[uint16][]byte{}
	for sport, n := range packets {
		frames[sport] = udp4([4]byte{10, 0, 1, 1}, [4]byte{10, 0, 1, 2}, sport, 53, 0)
		for i := 0; i < n; i++ {
			feed(t, d0, frames[sport], 1)
		}
	}
	if err := d0.Close(); err != nil {
		t.Fatal(err)
	}
	// The pinned table says its last harvest was 60 days ago.
	counters, _ := mmapPinned(t, filepath.Join(pin, "counters"))
	clk, err := readClocks()
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint64(counters[8*ctrHarvested:], uint64(clk.monoNs-60*24*int64(time.Hour)))

	d, err := Open(Options{PinDir: pin, Entries: 64})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	// The stamps are set just before the harvest: 2002's reads 10 s old
	// against an idle timeout of 15, so the seconds a loaded machine can
	// take between here and the pass must not be spent in between (it
	// was set before the close and the reopen, and a slow run expired it
	// as idle).
	wrap := int64(1) << 32
	// 2001: last packet 40 days ago, past the signed window: idle.
	setStamps(t, d.tab, 2001, 40*ticksPerDay, 40*ticksPerDay)
	// 2002: last packet 52 days and 10 s ago: its stamp reads 10 s old.
	setStamps(t, d.tab, 2002, wrap+3600_000, wrap+10_000)
	// 2003: 53 days ago, reads as a day old: idle is certain all the same.
	setStamps(t, d.tab, 2003, wrap+ticksPerDay, wrap+ticksPerDay)
	// 2004: its packets came now, after the absence.
	got := harvestBySport(t, d, engineRequest())
	want := map[uint16]flow.EndReason{2001: flow.EndIdle, 2002: flow.EndActive, 2003: flow.EndIdle, 2004: flow.EndActive}
	if len(got) != len(want) {
		t.Fatalf("records for %d flows, want %d: %v", len(got), len(want), got)
	}
	for sport, reason := range want {
		rs := got[sport]
		if len(rs) != 1 {
			t.Fatalf("flow %d: %d records, want 1", sport, len(rs))
		}
		r := rs[0]
		n := uint64(packets[sport])
		if r.EndReason != reason || r.Packets != n || r.Bytes != n*uint64(len(frames[sport])-etherLen) {
			t.Errorf("flow %d: reason %v, %d packets, %d bytes; want %v, %d, %d", sport, r.EndReason, r.Packets, r.Bytes, reason, n, n*uint64(len(frames[sport])-etherLen))
		}
	}
	if used, _, _ := d.Usage(); used != 0 {
		t.Fatalf("%d flows left after the first harvest after the absence", used)
	}
	// The harvest is recorded: the next pass is an ordinary one.
	if h := int64(atomic.LoadUint64(d.tab.harvestedAt())); clk.monoNs-h > 0 {
		t.Fatalf("last harvest %d ns before the test's clock read, want after", clk.monoNs-h)
	}
	feed(t, d, frames[2004], 1)
	if got := harvestBySport(t, d, engineRequest()); len(got) != 0 {
		t.Fatalf("a fresh flow after the absence must stay: %v", got)
	}
	if r := harvestAll(t, d); len(r) != 1 || r[0].Packets != 1 || r[0].EndReason != flow.EndForced {
		t.Fatalf("the fresh flow: %+v", r)
	}
}

// A packet metered while a harvest pass runs is stamped after the clock
// reading the pass decides by. Such a flow is not idle, and its record,
// when it ends, dates its last packet after its first: read as an age
// modulo 2^32 the stamp was 52 days old, the busy flow was expired as idle
// and exported with its last packet 52 days before its first (the image's
// collector showed 55 records dated 1970 after ten minutes of the demo).
func TestStampAheadOfThePassClock(t *testing.T) {
	d := openTest(t, 64)
	a := udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1001, 53, 0)
	feed(t, d, a, 1)
	feed(t, d, a, 1)
	// First packet a second ago, last one stamped 10 s ahead: the pass
	// below reads its clock well before that stamp.
	setStamps(t, d.tab, 1001, 1000, -10_000)
	if got := harvestBySport(t, d, engineRequest()); len(got) != 0 {
		t.Fatalf("a flow whose last packet came after the pass's clock was expired: %+v", got)
	}
	before := time.Now()
	got := harvestBySport(t, d, HarvestRequest{Force: true})
	if len(got[1001]) != 1 {
		t.Fatalf("forced harvest: %+v", got)
	}
	r := got[1001][0]
	if r.Packets != 2 || r.End.Before(r.Start) || r.End.Before(before) || r.End.After(before.Add(time.Minute)) {
		t.Fatalf("flow with a stamp ahead of the pass: %d packets, start %s, end %s (harvested at %s)", r.Packets, r.Start, r.End, before)
	}
}
