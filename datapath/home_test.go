package datapath

import (
	"encoding/binary"
	"net/netip"
	"testing"
)

// homePlace is where table_meter puts and first looks for a key, written
// out here rather than taken from the program: key_hash over the key's
// 32-bit words and fmix64; the first bucket by multiply-shift of the low
// half; the tag, and the home slot from the high half of the hash mixed
// again.
func homePlace(key []byte, seed uint64, buckets uint32) (b1 uint32, tag uint16, home uint32) {
	h := seed
	for i := 0; i < len(key); i += 4 {
		h = (h ^ uint64(binary.LittleEndian.Uint32(key[i:]))) * 0x9e3779b97f4a7c15
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	b1 = uint32((h & 0xffffffff) * uint64(buckets) >> 32)
	hx := h * 0xc4ceb9fe1a85ec53
	hx ^= hx >> 31
	tag = tagUsed | uint16(hx&uint64(meterTableLayoutTAG_HASH_MASK))
	if len(key) > 20 {
		tag |= tagV6
	}
	return b1, tag, uint32(((hx >> 32) * uint64(bucketSlots)) >> 32)
}

// homeRate counts the table's entries that sit in their home slot (in
// whichever bucket), of them those in their first bucket, and all
// entries. Every flow of a live benchmark sends as many packets, so the
// first figure over the last is the share of hits found at home.
func homeRate(d *Datapath) (home, homeB1, total int) {
	t := d.tab
	seed := *t.seed()
	var buf [slot6Size]byte
	t.forEachUsed(func(e entry) {
		b := t.bytes(e, &buf)
		n := slot4Size - offKey
		if e.v6 {
			n = slot6Size - offKey
		}
		b1, _, hs := homePlace(b[offKey:offKey+n], seed, t.buckets)
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

// TestHomeSlot: an IPv4 key takes its home slot when it is free, and a
// key whose home is taken by another key with the same tag (the lookup's
// one-tag test then matches a wrong key) is placed elsewhere and still
// found, by the scan of the whole header that follows a failed home probe.
// Both count exactly.
func TestHomeSlot(t *testing.T) {
	d := openTest(t, 64)
	seed, nb := *d.tab.seed(), d.tab.buckets
	type place struct {
		b1   uint32
		tag  uint16
		home uint32
	}
	dst := [4]byte{192, 0, 2, 9}
	key := func(src [4]byte) []byte {
		return oldKey(netip.AddrFrom4(src), netip.AddrFrom4(dst), 1000, 53, 1, 17, 0)
	}
	// Two sources whose keys agree in first bucket, tag and home.
	seen := map[place][4]byte{}
	var a, b [4]byte
	found := false
	for i := 0; i < 1<<24 && !found; i++ {
		src := [4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}
		b1, tag, home := homePlace(key(src), seed, nb)
		p := place{b1, tag, home}
		if o, ok := seen[p]; ok {
			a, b, found = o, src, true
		}
		seen[p] = src
	}
	if !found {
		t.Fatal("no two keys with one bucket, tag and home")
	}
	_, tag, home := homePlace(key(a), seed, nb)
	feed(t, d, udp4(a, dst, 1000, 53, 0), 1)
	feed(t, d, udp4(b, dst, 1000, 53, 0), 1)
	// Where they went: a at home, b elsewhere with the same tag.
	slots := map[[4]byte]uint32{}
	var buf [slot6Size]byte
	d.tab.forEachUsed(func(e entry) {
		var src [4]byte
		copy(src[:], d.tab.bytes(e, &buf)[offKey:])
		slots[src] = e.slot
	})
	b1, _, _ := homePlace(key(a), seed, nb)
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
		feed(t, d, udp4(a, dst, 1000, 53, 0), 1)
	}
	for range 3 {
		feed(t, d, udp4(b, dst, 1000, 53, 0), 1)
	}
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.FlowsCreated != 2 {
		t.Errorf("%d flows created, want 2", st.FlowsCreated)
	}
	want := map[netip.Addr]uint64{netip.AddrFrom4(a): 3, netip.AddrFrom4(b): 4}
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
