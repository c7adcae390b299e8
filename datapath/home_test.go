package datapath

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/appliance/flow"
)

// keyHash is bpf/meter.c's key hash of version hash (hashChain or
// hashLanes), written out here rather than taken from the program.
func keyHash(key []byte, seed, hash uint64) uint64 {
	le := binary.LittleEndian
	if hash == hashChain {
		h := seed
		for i := 0; i < len(key); i += 4 {
			h = (h ^ uint64(le.Uint32(key[i:]))) * 0x9e3779b97f4a7c15
		}
		h ^= h >> 33
		h *= 0xff51afd7ed558ccd
		h ^= h >> 33
		h *= 0xc4ceb9fe1a85ec53
		h ^= h >> 33
		return h
	}
	// hashLanes: 64-bit words alternately into two lanes, an odd last
	// 32-bit word added, a two-multiply finaliser.
	a, b := seed, bits.RotateLeft64(seed, 32)
	n := len(key) / 8
	for i := 0; i < n; i++ {
		x := le.Uint64(key[8*i:])
		if i%2 == 0 {
			a = (a ^ x) * 0x9e3779b97f4a7c15
		} else {
			b = (b ^ x) * 0xc2b2ae3d27d4eb4f
		}
	}
	h := a ^ bits.RotateLeft64(b, 32)
	if len(key)%8 != 0 {
		h += uint64(le.Uint32(key[8*n:]))
	}
	h ^= h >> 32
	h *= 0xff51afd7ed558ccd
	h ^= h >> 29
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 32
	return h
}

// homePlace is where table_meter puts and first looks for a key, written
// out here rather than taken from the program: the first bucket by
// multiply-shift of the low half of the key's hash; the tag and the home
// slot, for hashChain from the hash mixed again (the tag its low bits, the
// home its high half), for hashLanes from the hash's bits 0-13 and 32-47.
func homePlace(key []byte, seed, hash uint64, buckets uint32) (b1 uint32, tag uint16, home uint32) {
	h := keyHash(key, seed, hash)
	b1 = uint32((h & 0xffffffff) * uint64(buckets) >> 32)
	var tag14 uint64
	if hash == hashChain {
		hx := h * 0xc4ceb9fe1a85ec53
		hx ^= hx >> 31
		tag14, home = hx, uint32(((hx>>32)*uint64(bucketSlots))>>32)
	} else {
		tag14, home = h, uint32((((h>>32)&0xffff)*uint64(bucketSlots))>>16)
	}
	tag = tagUsed | uint16(tag14&uint64(meterTableLayoutTAG_HASH_MASK))
	if len(key) > 20 {
		tag |= tagV6
	}
	return b1, tag, home
}

// homeRate counts the table's entries that sit in their home slot (in
// whichever bucket), of them those in their first bucket, and all
// entries. Every flow of a live benchmark sends as many packets, so the
// first figure over the last is the share of hits found at home.
func homeRate(d *Datapath) (home, homeB1, total int) {
	t := d.tab
	seed, hash := *t.seed(), *t.hash()
	var buf [slot6Size]byte
	t.forEachUsed(func(e entry) {
		b := t.bytes(e, &buf)
		n := slot4Size - offKey
		if e.v6 {
			n = slot6Size - offKey
		}
		b1, _, hs := homePlace(b[offKey:offKey+n], seed, hash, t.buckets)
		total++
		if e.slot%bucketSlots == hs {
			home++
			if e.slot/bucketSlots == b1 {
				homeB1++
			}
		}
	})
	return
}

// TestHomeSlot: a key takes its home slot when it can start there (an
// IPv4 key when it is free, an IPv6 key in a cache of HOME6_MIN_ENTRIES
// (batchAdaptMinEntries) or more and an empty bucket when it is free and so is the slot after
// it), and a key whose home is taken by
// another key with the same tag (the lookup's one-tag test then matches a
// wrong key) is placed elsewhere and still found, by the scan of the
// whole header that follows a failed home probe. Both count exactly. With
// either key hash (a table keeps the one it was created with), for either
// family.
func TestHomeSlot(t *testing.T) {
	for _, hash := range []uint64{hashChain, hashLanes} {
		for _, v6 := range []bool{false, true} {
			t.Run(fmt.Sprintf("hash%d/v6=%v", hash, v6), func(t *testing.T) { testHomeSlot(t, hash, v6) })
		}
	}
}

func testHomeSlot(t *testing.T, hash uint64, v6 bool) {
	// IPv6 entries go home only in caches of HOME6_MIN_ENTRIES or more:
	// every cache that may batch them, from batchAdaptMinEntries (the
	// flush loads a record's home slot ahead).
	entries := 64
	if v6 {
		entries = batchAdaptMinEntries
	}
	var d *Datapath
	if hash != hashChain {
		d = openTest(t, entries)
	} else {
		// A table pinned with the chain hash (as by a version before the
		// choice), which the meter opened over it keeps.
		pin := tempPinDir(t, "flowtap-home-test-")
		d0, err := Open(Options{PinDir: pin, Entries: entries})
		if err != nil {
			t.Fatal(err)
		}
		*d0.tab.hash() = hashChain
		d0.Close()
		if d, err = Open(Options{PinDir: pin, Entries: entries}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
	}
	if h := *d.tab.hash(); h != hash {
		t.Fatalf("table's key hash %d, want %d", h, hash)
	}
	seed, nb := *d.tab.seed(), d.tab.buckets
	type place struct {
		b1   uint32
		tag  uint16
		home uint32
	}
	dst := netip.AddrFrom4([4]byte{192, 0, 2, 9})
	addr := func(i int) netip.Addr {
		return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
	}
	frame := func(src netip.Addr) []byte {
		return udp4(src.As4(), dst.As4(), 1000, 53, 0)
	}
	if v6 {
		dst = netip.MustParseAddr("2001:db8:1::9")
		addr = func(i int) netip.Addr {
			return netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 13: byte(i >> 16), 14: byte(i >> 8), 15: byte(i)})
		}
		frame = func(src netip.Addr) []byte {
			return cat(ethHdr(0x86dd), ip6{src: src, dst: dst, nh: 17}.bytes(udpHdr(1000, 53, 0)))
		}
	}
	key := func(src netip.Addr) []byte {
		return fedKey(t, src, dst, 1000, 53, 1, 17, 0)
	}
	// Two sources whose keys agree in first bucket, tag and home (for
	// IPv6 not the last slot: in an empty bucket no tail fits after it).
	seen := map[place]netip.Addr{}
	var a, b netip.Addr
	found := false
	for i := 0; i < 1<<24 && !found; i++ {
		src := addr(i)
		b1, tag, home := homePlace(key(src), seed, hash, nb)
		if v6 && home == bucketSlots-1 {
			continue
		}
		p := place{b1, tag, home}
		if o, ok := seen[p]; ok {
			a, b, found = o, src, true
		}
		seen[p] = src
	}
	if !found {
		t.Fatal("no two keys with one bucket, tag and home")
	}
	_, tag, home := homePlace(key(a), seed, hash, nb)
	feed(t, d, frame(a), 1)
	feed(t, d, frame(b), 1)
	// A cache this size meters in batches: the two packets into the
	// table before it is read.
	if err := d.FlushBatches(); err != nil {
		t.Fatal(err)
	}
	// Where they went: a at home, b elsewhere with the same tag.
	slots := map[netip.Addr]uint32{}
	var buf [slot6Size]byte
	d.tab.forEachUsed(func(e entry) {
		k := d.tab.bytes(e, &buf)[offKey:]
		src := netip.AddrFrom4([4]byte(k[:4]))
		if e.v6 {
			src = netip.AddrFrom16([16]byte(k[:16]))
		}
		slots[src] = e.slot
	})
	b1, _, _ := homePlace(key(a), seed, hash, nb)
	if slots[a] != b1*bucketSlots+home {
		t.Errorf("first key in slot %d, want its home %d", slots[a], b1*bucketSlots+home)
	}
	if sb, ok := slots[b]; !ok || sb == slots[a] || sb/bucketSlots != b1 {
		t.Errorf("second key in slot %d (present %v), want another slot of bucket %d", sb, ok, b1)
	}
	if got := *d.tab.hdrs.u32(int(b1)*lineBytes + 2*int(home&^1)) >> (16 * (home & 1)); uint16(got) != tag {
		t.Errorf("home tag %#x, want %#x", uint16(got), tag)
	}
	for range 2 {
		feed(t, d, frame(a), 1)
	}
	for range 3 {
		feed(t, d, frame(b), 1)
	}
	if err := d.FlushBatches(); err != nil {
		t.Fatal(err)
	}
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.FlowsCreated != 2 {
		t.Errorf("%d flows created, want 2", st.FlowsCreated)
	}
	want := map[netip.Addr]uint64{a: 3, b: 4}
	recs := harvestAll(t, d)
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2: %+v", len(recs), recs)
	}
	for _, r := range recs {
		if r.Packets != want[r.SrcAddr] {
			t.Errorf("%v: %d packets, want %d", r.SrcAddr, r.Packets, want[r.SrcAddr])
		}
	}
}

// TestHashKeptAcrossRestart: a table this version creates records the
// lanes hash with its seed, and a daemon restarted over its pins keeps
// both, so packets of the flows already in it count into their entries
// (none created again: the feeds run on the same CPU before and after, and
// the key holds the metering CPU, meter.h); the homes the Go mirror of the hash computes are
// where the program put the IPv4 entries. (A table pinned before there was
// a choice keeps the chain hash: TestOldTwoSlotPins.)
func TestHashKeptAcrossRestart(t *testing.T) {
	requireRoot(t)
	pin := tempPinDir(t, "flowtap-hash-test-")
	var frames [][]byte
	for i := 0; i < 20; i++ {
		frames = append(frames, udp4([4]byte{10, 14, 0, byte(i)}, [4]byte{10, 14, 1, 1}, uint16(3000+i), 53, 0), flow6(i))
	}
	d0, err := Open(Options{PinDir: pin, Entries: 256})
	if err != nil {
		t.Fatal(err)
	}
	if h := *d0.tab.hash(); h != hashLanes {
		d0.Close()
		t.Fatalf("new table's key hash %d, want %d", h, hashLanes)
	}
	seed := *d0.tab.seed()
	for _, f := range frames {
		feed(t, d0, f, 1)
	}
	home, homeB1, total := homeRate(d0)
	d0.Close()
	if total != len(frames) || homeB1 < 15 {
		t.Fatalf("%d entries, %d at home in their first bucket (%d at home); want %d entries, most IPv4 ones at home",
			total, homeB1, home, len(frames))
	}

	d, err := Open(Options{PinDir: pin, Entries: 256})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if h, s := *d.tab.hash(), *d.tab.seed(); h != hashLanes || s != seed {
		t.Fatalf("after the restart: key hash %d seed %#x, want %d and %#x", h, s, hashLanes, seed)
	}
	before, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range frames {
		feed(t, d, f, 1)
	}
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if n := st.FlowsCreated - before.FlowsCreated; n != 0 {
		t.Fatalf("%d flows created again after the restart, want 0", n)
	}
	recs := harvestAll(t, d)
	if len(recs) != len(frames) {
		t.Fatalf("%d records, want %d", len(recs), len(frames))
	}
	for _, r := range recs {
		if r.Packets != 2 {
			t.Errorf("%v -> %v: %d packets, want 2", r.SrcAddr, r.DstAddr, r.Packets)
		}
	}
}

// TestResizeTakesLanesHash: a table pinned with the chain hash keeps it
// across a restart of the same size; a restart with another cache size
// drains it whole (exact counts) into a new table, which takes the lanes
// hash, and the same flows are created in it and counted.
func TestResizeTakesLanesHash(t *testing.T) {
	requireRoot(t)
	pin := tempPinDir(t, "flowtap-hashresize-test-")
	d0, err := Open(Options{PinDir: pin, Entries: 64})
	if err != nil {
		t.Fatal(err)
	}
	*d0.tab.hash() = hashChain // as a version before the choice left it
	d0.Close()
	d1, err := Open(Options{PinDir: pin, Entries: 64})
	if err != nil {
		t.Fatal(err)
	}
	if h := *d1.tab.hash(); h != hashChain {
		d1.Close()
		t.Fatalf("reopened chain table has key hash %d", h)
	}
	var frames [][]byte
	for i := 0; i < 6; i++ {
		frames = append(frames, udp4([4]byte{10, 15, 0, byte(i)}, [4]byte{10, 15, 1, 1}, uint16(4000+i), 53, 0))
	}
	for _, f := range frames {
		feed(t, d1, f, 1)
		feed(t, d1, f, 1)
	}
	if hm, hb1, tot := homeRate(d1); tot != len(frames) || hb1 < 4 {
		d1.Close()
		t.Fatalf("chain table: %d entries, %d at home (%d in the first bucket), want %d mostly at home", tot, hm, hb1, len(frames))
	}
	d1.Close()

	var drained []flow.Record
	d, err := Open(Options{PinDir: pin, Entries: 256, OnResize: func(r *flow.Record) { drained = append(drained, *r) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if len(drained) != len(frames) {
		t.Fatalf("resize drained %d records, want %d", len(drained), len(frames))
	}
	for _, r := range drained {
		if r.Packets != 2 {
			t.Errorf("drained %v: %d packets, want 2", r.SrcAddr, r.Packets)
		}
	}
	if h := *d.tab.hash(); h != hashLanes {
		t.Fatalf("resized table's key hash %d, want %d", h, hashLanes)
	}
	for _, f := range frames {
		feed(t, d, f, 1)
	}
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if hm, hb1, tot := homeRate(d); tot != len(frames) || hb1 < 4 {
		t.Fatalf("resized table: %d entries, %d at home (%d in the first bucket), want %d mostly at home", tot, hm, hb1, len(frames))
	}
	recs := harvestAll(t, d)
	if len(recs) != len(frames) {
		t.Fatalf("%d records after the resize, want %d (%d flows created)", len(recs), len(frames), st.FlowsCreated)
	}
	for _, r := range recs {
		if r.Packets != 1 {
			t.Errorf("%v: %d packets in the new table, want 1", r.SrcAddr, r.Packets)
		}
	}
}

// TestHome6SmallCache: below HOME6_MIN_ENTRIES an IPv6 entry is placed by
// best fit alone, as before there were IPv6 homes (in a 16K cache that
// measured better than the home): into an empty table, the first slot of
// its first bucket, not its home.
// fedKey is the key the meter makes for a frame this test feeds: oldKey's
// with the owner byte (meter.h) of the CPU datapathtest.Feed runs it on,
// the lowest the thread may use, plus one.
func fedKey(t *testing.T, src, dst netip.Addr, sport, dport uint16, ifindex uint32, proto, tos uint8) []byte {
	t.Helper()
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	cpu := 0
	for !set.IsSet(cpu) {
		cpu++
	}
	k := oldKey(src, dst, sport, dport, ifindex, proto, tos)
	k[len(k)-1] = byte(cpu + 1)
	return k
}

func TestHome6SmallCache(t *testing.T) {
	d := openTest(t, 64)
	seed, nb := *d.tab.seed(), d.tab.buckets
	dst := netip.MustParseAddr("2001:db8:1::9")
	for i := 0; ; i++ {
		src := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(i)})
		b1, _, home := homePlace(fedKey(t, src, dst, 1000, 53, 1, 17, 0), seed, *d.tab.hash(), nb)
		if home < 2 || home == bucketSlots-1 {
			continue
		}
		feed(t, d, cat(ethHdr(0x86dd), ip6{src: src, dst: dst, nh: 17}.bytes(udpHdr(1000, 53, 0))), 1)
		var slots []uint32
		d.tab.forEachUsed(func(e entry) { slots = append(slots, e.slot) })
		if len(slots) != 1 || slots[0] != b1*bucketSlots {
			t.Fatalf("IPv6 entry in slots %v, want [%d] (its home is %d)", slots, b1*bucketSlots, b1*bucketSlots+home)
		}
		return
	}
}
