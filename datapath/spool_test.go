package datapath

import (
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/spool"
)

// spoolFrames are IPv4 and IPv6 flows, a TCP one with flags and a
// capture-field one among them.
func spoolFrames() [][]byte {
	v6a, v6b := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8:1::2")
	var out [][]byte
	for i := range 40 {
		src := netip.AddrFrom4([4]byte{10, 9, 0, byte(i)})
		out = append(out, cat(ethHdr(0x0800), ip4{src: src, dst: v4b, proto: 6, tos: 8, ttl: 60, id: uint16(i)}.bytes(cat(tcpHdr(40000, 443, tcpACK|0x01), make([]byte, 10)))))
		out = append(out, cat(ethHdr(0x86dd), ip6{src: v6a, dst: v6b, nh: 17}.bytes(udpHdr(uint16(1000+i), 53, 20))))
	}
	return out
}

// The harvest writes every record it emits to the spool before it frees
// the entry, and the spool gives back the same records: a daemon killed
// before sending them sends what the harvest emitted, field for field.
func TestSpoolKeepsWhatTheHarvestTook(t *testing.T) {
	d := openTest(t, 4096)
	if err := d.SetCapture(CaptureSettings{Fields: flow.CapIPID | flow.CapPacketLength | flow.CapFlowLabel | flow.CapFragFlags | flow.CapExt6}); err != nil {
		t.Fatal(err)
	}
	// The IPv6 frames of real captures whose flows carry flow labels,
	// extension headers (hop-by-hop, routing, destination options,
	// fragment) and fragment flags: zeek's ipv6-http-atomic-frag and
	// nDPI's dns_fragmented.
	var real [][]byte
	for _, pcap := range []string{"zeek-ipv6-http-atomic-frag.pcap", "ndpi-dns_fragmented.pcap"} {
		for _, fr := range readFrames(t, filepath.Join(pcapDir, pcap)) {
			if len(fr) <= 1514 && binary.BigEndian.Uint16(fr[12:]) == 0x86dd {
				real = append(real, fr)
			}
		}
	}
	// The daemon's spool: a map pinned beside the table.
	pin := tempPinDir(t, "flowtap-spool-test-")
	sp, err := OpenSpool(pin, 1024)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sp.Register("collector")
	if err != nil {
		t.Fatal(err)
	}
	m.Start(1) // given everything, sends nothing: everything stays owed
	d.SetSpool(sp)
	for _, fr := range spoolFrames() {
		feed(t, d, fr, 1)
		feed(t, d, fr, 1)
	}
	for _, fr := range real {
		feed(t, d, fr, 1)
	}
	// An active-timeout split (its entry lives on, the counters leave),
	// then everything forced out.
	var want []flow.Record
	keep := func(r *flow.Record) { want = append(want, *r) }
	if _, err := d.Harvest(HarvestRequest{ActiveBefore: time.Now().Add(time.Hour)}, keep); err != nil {
		t.Fatal(err)
	}
	for _, fr := range spoolFrames()[:10] {
		feed(t, d, fr, 1)
	}
	if _, err := d.Harvest(HarvestRequest{Force: true}, keep); err != nil {
		t.Fatal(err)
	}
	if len(want) != 135 {
		t.Fatalf("harvested %d records, want 80 and the captures' 45 split and 10 forced", len(want))
	}

	var captured, flags, v6, label, fragFlags, ext bool
	for _, r := range want {
		captured = captured || r.Captured.Fields != 0
		flags = flags || r.TCPFlags != 0
		v6 = v6 || r.IsIPv6()
		label = label || r.Captured.FlowLabel != 0
		fragFlags = fragFlags || r.Captured.FragFlags != 0
		ext = ext || r.Captured.Ext6 != 0
	}
	if !captured || !flags || !v6 || !label || !fragFlags || !ext {
		t.Fatalf("records with capture fields %v, TCP flags %v, IPv6 %v, a flow label %v, fragment flags %v, extension headers %v: want all",
			captured, flags, v6, label, fragFlags, ext)
	}

	// The process is gone (its mapping and map closed, its marks never
	// released): the next opener of the pin finds every record.
	d.SetSpool(nil)
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := OpenSpool(pin, 1024)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.Discarded() != nil {
		t.Fatal(again.Discarded())
	}
	got := again.Recovered()
	if len(got) != len(want) {
		t.Fatalf("spool gave back %d records, want %d", len(got), len(want))
	}
	for i, sr := range got {
		var r flow.Record
		if d.SpooledRecord(sr, &r) {
			t.Errorf("record %d: said to be still in the table", i)
		}
		if !r.Replayed || r.SpoolSeq != want[i].SpoolSeq {
			t.Errorf("record %d: seq %d replayed %v, want seq %d", i, r.SpoolSeq, r.Replayed, want[i].SpoolSeq)
		}
		r.Replayed = false
		if !reflect.DeepEqual(r, want[i]) {
			t.Errorf("record %d from the spool:\n%+v\nharvested:\n%+v", i, r, want[i])
		}
	}
}

// A pinned spool of another geometry (another version's) is replaced,
// and the replacement says so: what it held cannot be read.
func TestSpoolOfAnotherGeometry(t *testing.T) {
	requireRoot(t)
	pin := tempPinDir(t, "flowtap-spool-test-")
	sp, err := OpenSpool(pin, 1024)
	if err != nil {
		t.Fatal(err)
	}
	sp.Close()
	sp, err = OpenSpool(pin, 4096)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if sp.Discarded() == nil {
		t.Fatal("a spool of 1024 records opened as one of 4096 without a word")
	}
}

// spoolUnfreed does to e what the harvest does before a kill that comes
// between the spool's commit and the free: mark it draining, take its
// record, spool and commit it. It returns the spooled record as the next
// daemon reads it, and the record taken.
func spoolUnfreed(t *testing.T, tab *table, e entry) (spool.Record, flow.Record) {
	t.Helper()
	clk, err := readClocks()
	if err != nil {
		t.Fatal(err)
	}
	atomic.OrUint32(tab.slots.u32(e.off()+offAttrs), uint32(stDraining)<<24)
	var r flow.Record
	tab.decode(e, clk, &r)
	seq, p := tab.spoolBegin(e, clk)
	spoolFill(p, &r)
	tab.spoolEnd(seq, &r, 0)
	return spool.Record{Seq: seq, Payload: append([]byte(nil), p...)}, r
}

// A kill between the spool's commit and the free leaves the entry in the
// table, draining, and its record in the spool without Freed: the next
// daemon must not send it twice (the table's harvest sends it), and once
// the entry is freed the spool's copy is the only one.
func TestSpooledRecordStillInTable(t *testing.T) {
	d := openTest(t, 4096)
	sp, err := spool.New(make([]byte, spool.Size(64, SpoolPayload)), 64, SpoolPayload, func() error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	d.SetSpool(sp)
	for _, fr := range spoolFrames()[:2] {
		feed(t, d, fr, 1)
	}
	tab := d.tab
	var seen int
	tab.forEachUsed(func(e entry) {
		seen++
		sr, r := spoolUnfreed(t, tab, e)
		var back flow.Record
		if !d.SpooledRecord(sr, &back) {
			t.Errorf("entry %+v: marked and not freed, but not found in the table", e)
		}
		tab.free(e)
		if d.SpooledRecord(sr, &back) {
			t.Errorf("entry %+v: freed, but found in the table", e)
		}
		if back.Packets != 1 || back.Key != r.Key {
			t.Errorf("entry %+v: spooled %+v, took %+v", e, back, r)
		}
	})
	if seen != 2 {
		t.Fatalf("%d entries, want an IPv4 and an IPv6 one", seen)
	}
}

// A kill between the spool's commit and the free, then a start with
// another cache size: the pinned table is drained at Open, the entry the
// killed harvest had marked with it, so the spool's copy must not go out
// too. The new table cannot say so (the entry was never in it): Open
// remembers what the drain took.
func TestSpooledRecordDrainedByResize(t *testing.T) {
	requireRoot(t)
	pin := tempPinDir(t, "flowtap-spoolqa-")
	d, err := Open(Options{PinDir: pin, Entries: 4096})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := spool.New(make([]byte, spool.Size(64, SpoolPayload)), 64, SpoolPayload, func() error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	d.SetSpool(sp)
	for _, fr := range spoolFrames()[:2] {
		feed(t, d, fr, 1)
	}
	// The killed harvest: the first entry marked, spooled and committed,
	// not freed; the second not touched.
	tab := d.tab
	var sr spool.Record
	tab.forEachUsed(func(e entry) {
		if sr.Seq != 0 {
			return
		}
		sr, _ = spoolUnfreed(t, tab, e)
	})
	d.Close()

	var drained []flow.Record
	d2, err := Open(Options{PinDir: pin, Entries: 8192, OnResize: func(r *flow.Record) { drained = append(drained, *r) }})
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	if len(drained) != 2 {
		t.Fatalf("the resize drained %d flows, want 2", len(drained))
	}
	var back flow.Record
	if !d2.SpooledRecord(sr, &back) {
		t.Errorf("a record whose entry the resize drained exported is replayed from the spool too: %v", back.Key)
	}
	// A record whose entry was freed before the kill is the spool's alone.
	sr.Flags = spool.Freed
	if d2.SpooledRecord(sr, &back) {
		t.Error("a record flagged freed is left to the table")
	}
}

// drainKill is a daemon's start over a pinned table of another size with
// the spool sp: it replays what sp kept as a daemon does (BeforeDrain:
// SpooledRecord, Retaken for what the table still has), then drains the
// old table through sp into drained, and is killed after kill drained
// records (0: never), as a kill -9 during the drain would stop it. The
// mark of the one destination stays where the first daemon left it, as
// if nothing was ever sent: every record spooled is owed.
func drainKill(t *testing.T, pin string, entries int, sp *spool.Spool, kill int, after [][]byte) (replayed, drained []flow.Record) {
	t.Helper()
	if _, err := sp.Register("collector"); err != nil {
		t.Fatal(err)
	}
	var d *Datapath
	replayedOnce := false
	done := make(chan error, 1)
	go func() {
		dp, err := Open(Options{PinDir: pin, Entries: entries, Spool: sp,
			BeforeDrain: func(dp *Datapath, _ int) {
				d = dp
				if replayedOnce {
					return // a second drain in one start (a killed resize finished first)
				}
				replayedOnce = true
				if len(drained) != 0 {
					t.Error("BeforeDrain ran after the drain began")
				}
				var r flow.Record
				for _, sr := range sp.Recovered() {
					if dp.SpooledRecord(sr, &r) {
						sp.SetFlags(sr.Seq, spool.Retaken)
						continue
					}
					replayed = append(replayed, r)
				}
			},
			OnResize: func(r *flow.Record) {
				if r.SpoolSeq == 0 {
					t.Errorf("drained record %v not spooled", r.Key)
				}
				drained = append(drained, *r)
				if len(drained) == kill {
					done <- nil
					runtime.Goexit() // the kill: nothing after this record
				}
			}})
		if err == nil {
			d = dp
		}
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if d == nil {
		t.Fatal("no table of another size was drained")
	}
	// The port links meter into the new table while no daemon runs.
	for _, fr := range after {
		feed(t, d, fr, 1)
	}
	d.Close()
	return replayed, drained
}

// The drain of a pinned table of another size goes through the spool
// as a harvest does. A daemon killed during it leaves the old table
// pinned, with the entries it had not freed, and what it took in the
// spool: the next start drains the rest and replays the rest, and each
// flow comes out exactly once, including the one a harvest before both
// kills had spooled and not freed (Retaken: the first drain took its
// entry again, so the second start must not replay the old copy).
func TestKillDuringResizeDrain(t *testing.T) {
	requireRoot(t)
	pin := tempPinDir(t, "flowtap-draink-")
	d, err := Open(Options{PinDir: pin, Entries: 4096})
	if err != nil {
		t.Fatal(err)
	}
	frames := spoolFrames()
	for _, fr := range frames {
		feed(t, d, fr, 1)
		feed(t, d, fr, 1)
	}
	sp, err := OpenSpool(pin, 1024)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sp.Register("collector")
	if err != nil {
		t.Fatal(err)
	}
	m.Start(1)
	// The first daemon's harvest, killed between a commit and its free.
	d.SetSpool(sp)
	var unfreed spool.Record
	d.tab.forEachUsed(func(e entry) {
		if unfreed.Seq == 0 {
			unfreed, _ = spoolUnfreed(t, d.tab, e)
		}
	})
	d.Close()
	sp.Close()

	// The second: another size, killed after 30 drained records.
	sp, err = OpenSpool(pin, 1024)
	if err != nil {
		t.Fatal(err)
	}
	// Flows the links meter after the kill: into the new table, which
	// only the second start knew of.
	var later [][]byte
	for i := range 5 {
		later = append(later, udp4([4]byte{10, 77, 0, byte(i)}, [4]byte{10, 0, 0, 2}, 1000, 53, 0))
	}
	replayed, drained := drainKill(t, pin, 8192, sp, 30, later)
	if len(replayed) != 0 || len(drained) != 30 {
		t.Fatalf("second start replayed %d, drained %d before the kill: want 0 and 30", len(replayed), len(drained))
	}
	sp.Close()

	// The third: yet another size, not killed. Nothing was sent, so what
	// it replays and drains is every flow, once, with both its packets.
	sp, err = OpenSpool(pin, 1024)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	for _, sr := range sp.Recovered() {
		if sr.Seq == unfreed.Seq && sr.Flags&spool.Retaken == 0 {
			t.Error("the record whose entry the second start left in the table is not flagged Retaken")
		}
	}
	replayed, drained = drainKill(t, pin, 16384, sp, 0, nil)
	frames = append(frames, later...)
	if len(replayed) != 30 {
		t.Errorf("third start replayed %d records, want the 30 the killed drain took", len(replayed))
	}
	seen := map[flow.Key]uint64{}
	for _, r := range append(replayed, drained...) {
		seen[r.Key] += r.Packets
	}
	if len(seen) != len(frames) || len(replayed)+len(drained) != len(frames) {
		t.Fatalf("%d records of %d flows after the kill, want %d flows once each", len(replayed)+len(drained), len(seen), len(frames))
	}
	for k, p := range seen {
		if want := uint64(2); p != want && !(k.SrcAddr.Is4() && k.SrcAddr.As4()[1] == 77 && p == 1) {
			t.Errorf("flow %v: %d packets, want %d", k, p, want)
		}
	}
	if _, err := os.Stat(filepath.Join(pin, pendingDir)); err == nil {
		t.Errorf("%s left in the pin directory after a start that finished its resize", pendingDir)
	}
}

// A start with another cache size can be killed anywhere in its resize;
// the next start finishes it and keeps what the links metered into the
// new table, whichever step the kill fell in: before the links moved
// (the new table half pinned in resizing_new, never used), during the
// drain (the old table pinned, the new one in resizing), as the drained
// old table was being unpinned, and as the new table's maps were being
// moved to the table's names.
func TestFinishResizeAfterKill(t *testing.T) {
	requireRoot(t)
	old := udp4([4]byte{10, 78, 0, 1}, [4]byte{10, 0, 0, 2}, 1000, 53, 0)
	later := udp4([4]byte{10, 78, 0, 2}, [4]byte{10, 0, 0, 2}, 1000, 53, 0)
	for _, tc := range []struct {
		name string
		// kill does to the pins what the killed start had done past
		// the drain's start; drained says the old table's flow was
		// drained before the kill.
		kill    func(t *testing.T, pin string)
		drained bool
	}{
		{"before the links moved", func(t *testing.T, pin string) {
			if err := os.Rename(filepath.Join(pin, pendingDir), filepath.Join(pin, pendingDir+"_new")); err != nil {
				t.Fatal(err)
			}
			os.Remove(filepath.Join(pin, pendingDir+"_new", "extras6"))
		}, false},
		{"during the drain", func(*testing.T, string) {}, false},
		{"unpinning the old table", func(t *testing.T, pin string) {
			for _, name := range ownTableMaps[:2] {
				if err := os.Remove(filepath.Join(pin, name)); err != nil {
					t.Fatal(err)
				}
			}
		}, true},
		{"moving the new table's pins", func(t *testing.T, pin string) {
			for _, name := range ownTableMaps {
				if err := os.Remove(filepath.Join(pin, name)); err != nil {
					t.Fatal(err)
				}
			}
			for _, name := range ownTableMaps[:3] {
				if err := os.Rename(filepath.Join(pin, pendingDir, name), filepath.Join(pin, name)); err != nil {
					t.Fatal(err)
				}
			}
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pin := tempPinDir(t, "flowtap-finish-")
			d, err := Open(Options{PinDir: pin, Entries: 4096})
			if err != nil {
				t.Fatal(err)
			}
			feed(t, d, old, 1)
			d.Close()
			// The second start, killed as its drain begins.
			var second *Datapath
			done := make(chan error, 1)
			go func() {
				_, err := Open(Options{PinDir: pin, Entries: 8192, BeforeDrain: func(dp *Datapath, _ int) {
					second = dp
					done <- nil
					runtime.Goexit()
				}})
				done <- err
			}()
			if err := <-done; err != nil || second == nil {
				t.Fatalf("no drain to kill: %v", err)
			}
			if tc.name != "before the links moved" {
				feed(t, second, later, 1) // the links meter on into the new table
			}
			second.Close()
			tc.kill(t, pin)

			var got []flow.Record
			keep := func(r *flow.Record) { got = append(got, *r) }
			third, err := Open(Options{PinDir: pin, Entries: 8192, OnResize: keep})
			if err != nil {
				t.Fatal(err)
			}
			defer third.Close()
			if _, err := third.Harvest(HarvestRequest{Force: true}, keep); err != nil {
				t.Fatal(err)
			}
			want := 2
			if tc.drained {
				want = 1 // the drain sent the old table's flow before the kill
			}
			if tc.name == "before the links moved" {
				want = 1 // nothing reached the new table
			}
			if len(got) != want {
				t.Fatalf("the third start exported %d flows, want %d: %+v", len(got), want, got)
			}
			for _, p := range []string{pendingDir, pendingDir + "_new"} {
				if _, err := os.Stat(filepath.Join(pin, p)); err == nil {
					t.Errorf("%s still pinned", p)
				}
			}
		})
	}
}
