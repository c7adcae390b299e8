package datapath

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/datapath/datapathtest"
)

// The flow table as the meter of commit 49bcc94 (the last before shared
// tails) wrote it, written out here from that version's meter.h and
// meter.c rather than taken from this version's constants and helpers, so
// that a change of the layout that breaks pinned tables fails the test
// instead of moving with it.
const (
	oldLine        = 64     // LINE_BYTES: a slot, a header line
	oldBucketSlots = 31     // BUCKET_SLOTS
	oldTagCont     = 2      // TAG_CONT: an IPv6 entry's second slot
	oldTagUsed     = 0x8000 // TAG_USED
	oldTagV6       = 0x4000 // TAG_V6
	oldTagHashMask = 0x3fff // TAG_HASH_MASK
	oldStLive      = 0x04   // ST_LIVE, in flow_val.attrs byte 3
	oldStDraining  = 0x01   // ST_DRAINING
	oldCtrLive     = 0      // counters[CTR_LIVE]
	oldCtrSeed     = 2      // counters[CTR_SEED]
	oldCtrUnused   = 3      // counters[3]: never written by that version (0)
	oldTimeShift   = 20     // TIME_SHIFT
	// struct flow_val (packed, 44 bytes), then the key.
	oldOffPackets = 0
	oldOffBytes   = 8
	oldOffFirst   = 16
	oldOffLast    = 20
	oldOffTCP     = 24
	oldOffAttrs   = 28
	oldOffSMAC    = 32
	oldOffDMAC    = 38
	oldOffKey     = 44
	// struct flow_key4 (20 bytes) and flow_key6 (44 bytes): addresses as
	// on the wire, ports and ifindex in host (little-endian) order, then
	// proto, tos and the pad carrying the sampler id.
	oldKey4Len = 20
	oldKey6Len = 44
)

// oldKey is a flow's key as the old meter built it (meter4/meter6) with
// the default seven-tuple mask, which keeps every field.
func oldKey(src, dst netip.Addr, sport, dport uint16, ifindex uint32, proto, tos uint8) []byte {
	a, b := src.AsSlice(), dst.AsSlice()
	k := append(append([]byte{}, a...), b...)
	k = binary.LittleEndian.AppendUint16(k, sport)
	k = binary.LittleEndian.AppendUint16(k, dport)
	k = binary.LittleEndian.AppendUint32(k, ifindex)
	return append(k, proto, tos, 0, 0) // pad: sampler 0 (no sampling)
}

// oldPlace is where the old meter's table_meter looked for a key: its
// first bucket and its tag (key_hash over the key's 32-bit words, then
// fmix64; the bucket by multiply-shift of the low half; the tag from the
// hash mixed again).
func oldPlace(key []byte, seed uint64, buckets uint32) (b1 uint32, tag uint16) {
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
	tag = oldTagUsed | uint16(hx&oldTagHashMask)
	if len(key) == oldKey6Len {
		tag |= oldTagV6
	}
	return b1, tag
}

// oldTable writes entries into a pinned table through its own mappings.
type oldTable struct {
	hdrs, slots, counters []byte
	buckets               uint32
	next                  []int // per bucket: the next slot an IPv6 pair starts at
	tails                 []int // absolute slot indexes of the IPv6 tails written
}

func mmapPinned(t *testing.T, path string) ([]byte, uint32) {
	t.Helper()
	m, err := ebpf.LoadPinnedMap(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	size := (int(m.ValueSize())*int(m.MaxEntries()) + os.Getpagesize() - 1) &^ (os.Getpagesize() - 1)
	mem, err := unix.Mmap(m.FD(), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		t.Fatalf("mmap %s: %v", path, err)
	}
	t.Cleanup(func() { unix.Munmap(mem) })
	return mem, m.MaxEntries()
}

// put writes one live entry as the old meter left it once published:
// IPv6 at an even slot with its tail in the next (tag TAG_CONT, the key's
// last 24 bytes at the tail's start), both pairs of a bucket two slots
// apart; IPv4 in a single slot, from the bucket's end down. All go to the
// key's first bucket (no overflow flags).
func (o *oldTable) put(t *testing.T, key []byte, seed uint64, packets, bytes uint64, now uint32) {
	t.Helper()
	le := binary.LittleEndian
	b, tag := oldPlace(key, seed, o.buckets)
	hdr := o.hdrs[int(b)*oldLine:]
	tagAt := func(j int) uint16 { return le.Uint16(hdr[2*j:]) }
	j := -1
	if len(key) == oldKey6Len {
		for ; o.next[b]+1 < oldBucketSlots; o.next[b] += 4 {
			if s := o.next[b]; tagAt(s) == 0 && tagAt(s+1) == 0 {
				j = s
				break
			}
		}
	} else {
		for s := oldBucketSlots - 1; s >= 0; s-- {
			if tagAt(s) == 0 {
				j = s
				break
			}
		}
	}
	if j < 0 {
		t.Fatalf("old table: bucket %d has no room for another entry (pick other flows)", b)
	}
	idx := int(b)*oldBucketSlots + j
	v := o.slots[idx*oldLine : (idx+1)*oldLine]
	le.PutUint64(v[oldOffPackets:], packets)
	le.PutUint64(v[oldOffBytes:], bytes)
	le.PutUint32(v[oldOffFirst:], now)
	le.PutUint32(v[oldOffLast:], now)
	le.PutUint32(v[oldOffTCP:], 64<<24|64<<16) // max and min TTL 64, ToS 0, no flags
	copy(v[oldOffSMAC:], mac2)
	copy(v[oldOffDMAC:], mac1)
	n := copy(v[oldOffKey:], key)
	if n < len(key) {
		tail := o.slots[(idx+1)*oldLine : (idx+2)*oldLine]
		if len(o.tails)%2 == 1 {
			// The old meter wrote only the key's 24 bytes into a tail:
			// past them, what an entry harvested from that slot before
			// left (here a drained IPv4 entry's state and key bytes).
			for i := oldKey6Len - n; i < oldLine; i++ {
				tail[i] = 0xa5
			}
			tail[oldOffAttrs+3] = oldStLive | oldStDraining
		}
		copy(tail, key[n:])
		le.PutUint16(hdr[2*(j+1):], oldTagCont)
		o.tails = append(o.tails, idx+1)
	}
	le.PutUint32(v[oldOffAttrs:], uint32(oldStLive)<<24)
	le.PutUint16(hdr[2*j:], tag)
	atomic.AddUint64((*uint64)(unsafe.Pointer(&o.counters[8*oldCtrLive])), 1)
}

// oldFlow is one flow of the test: its frame, and its record's key and
// counts once harvested.
type oldFlow struct {
	frame   []byte
	key     string
	packets uint64 // in its old entry
	fed     uint64 // fed since the restart: in an entry of this version's
	ipLen   uint64
}

func oldFlowOf(frame []byte) oldFlow {
	ip := frame[14:]
	var src, dst netip.Addr
	var ipLen uint64
	var proto uint8
	if ip[0]>>4 == 4 {
		src, dst = netip.AddrFrom4([4]byte(ip[12:])), netip.AddrFrom4([4]byte(ip[16:]))
		ipLen, proto = uint64(binary.BigEndian.Uint16(ip[2:])), ip[9]
		ip = ip[4*int(ip[0]&15):]
	} else {
		src, dst = netip.AddrFrom16([16]byte(ip[8:])), netip.AddrFrom16([16]byte(ip[24:]))
		ipLen, proto = 40+uint64(binary.BigEndian.Uint16(ip[4:])), ip[6]
		ip = ip[40:]
	}
	sport, dport := binary.BigEndian.Uint16(ip), binary.BigEndian.Uint16(ip[2:])
	return oldFlow{frame: frame, ipLen: ipLen, key: recordKey(src, dst, sport, dport, proto, 1)}
}

func recordKey(src, dst netip.Addr, sport, dport uint16, proto uint8, ifindex uint32) string {
	return fmt.Sprintf("%v %v %d %d proto %d if %d", src, dst, sport, dport, proto, ifindex)
}

// TestOldTwoSlotPins is the restart of flowtapd over a table pinned by
// the version before shared tails (commit 49bcc94): IPv4 entries and
// IPv6 entries of two slots (head at an even slot, the next its tail with
// the old TAG_CONT, the key's tail in its first 24 bytes, no side bit in
// the state) are written into a real pinned table as that meter wrote
// them, and the meter is opened over the pins as the daemon does. Packets
// of those flows make entries of their own: this version's keys carry the
// metering CPU (meter.h), so it never matches (nor adds without atomics
// to) an entry an older version wrote, which keeps its counters and ages
// out. (Before entries had owners, those packets counted into the old
// entries.) The new entries and new IPv6 flows take the free halves of
// the old tails, and a forced harvest gives each old flow its old
// entry's exact record and its new entry's, each new flow its own, and
// leaves every lane free.
func TestOldTwoSlotPins(t *testing.T) {
	requireRoot(t)
	pin := tempPinDir(t, "flowtap-oldpins-test-")
	const entries = 256

	// The maps as a daemon leaves them pinned: created by a load over the
	// pin directory, then the daemon goes away. Their shapes (a header
	// line per bucket, 64-byte slots, the counters) are the old version's.
	d0, err := Open(Options{PinDir: pin, Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	d0.Close()
	var o oldTable
	o.hdrs, o.buckets = mmapPinned(t, filepath.Join(pin, "buckets"))
	o.slots, _ = mmapPinned(t, filepath.Join(pin, "flows"))
	o.counters, _ = mmapPinned(t, filepath.Join(pin, "counters"))
	o.next = make([]int, o.buckets)
	const seed = 0x5eed_01d0_01d5_0001
	binary.LittleEndian.PutUint64(o.counters[8*oldCtrSeed:], seed)
	// The maps were created by this version, which records its key hash
	// where that version left 0.
	binary.LittleEndian.PutUint64(o.counters[8*oldCtrUnused:], 0)
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		t.Fatal(err)
	}
	now := uint32(uint64(ts.Nano()) >> oldTimeShift)

	var old, fresh []oldFlow
	for i := 0; i < 40; i++ {
		f := oldFlowOf(flow6(i))
		old = append(old, f)
	}
	for i := 0; i < 12; i++ {
		f := oldFlowOf(udp4([4]byte{10, 9, 0, byte(i)}, [4]byte{10, 9, 1, byte(i)}, uint16(2000+i), 80, 0))
		old = append(old, f)
	}
	for i := range old {
		f := &old[i]
		f.packets = uint64(5 + i)
		ip := f.frame[14:]
		var key []byte
		if ip[0]>>4 == 4 {
			l4 := ip[4*int(ip[0]&15):]
			key = oldKey(netip.AddrFrom4([4]byte(ip[12:])), netip.AddrFrom4([4]byte(ip[16:])),
				binary.BigEndian.Uint16(l4), binary.BigEndian.Uint16(l4[2:]), 1, ip[9], ip[1])
		} else {
			l4 := ip[40:]
			key = oldKey(netip.AddrFrom16([16]byte(ip[8:])), netip.AddrFrom16([16]byte(ip[24:])),
				binary.BigEndian.Uint16(l4), binary.BigEndian.Uint16(l4[2:]), 1, ip[6], ip[0]<<4|ip[1]>>4)
		}
		if len(key) != oldKey4Len && len(key) != oldKey6Len {
			t.Fatalf("key of %d bytes", len(key))
		}
		o.put(t, key, seed, f.packets, f.packets*f.ipLen, now)
	}

	// The daemon restarts over the pins.
	d, err := Open(Options{PinDir: pin, Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if h := *d.tab.hash(); h != hashChain {
		t.Fatalf("reopened over the old pins: key hash %d, want the chain hash (%d) the old entries were placed by", h, hashChain)
	}
	if used, _, err := d.Usage(); err != nil || used != len(old) {
		t.Fatalf("reopened over the old pins: %d flows in use (%v), want %d", used, err, len(old))
	}
	if heads, _ := checkTails(t, d.tab); heads != 40 {
		t.Fatalf("old table read as %d IPv6 heads, want 40", heads)
	}
	feedN := func(f *oldFlow, n uint32) {
		t.Helper()
		if _, err := datapathtest.FeedRepeat(d.objs.FlowtapMeter, f.frame, 1, n); err != nil {
			t.Fatal(err)
		}
		f.fed += uint64(n)
	}
	for i := range old {
		feedN(&old[i], uint32(1+i%3))
	}
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if used, _, _ := d.Usage(); used != 2*len(old) || st.FlowsCreated != uint64(len(old)) {
		t.Fatalf("packets of the old flows: %d flows in use, %d created; want %d and %d (an entry of this version's each, the old one left alone)",
			used, st.FlowsCreated, 2*len(old), len(old))
	}

	// New IPv6 flows: the free right halves of the old tails are the best
	// fit, so new heads share them.
	for i := 0; i < 40; i++ {
		f := oldFlowOf(flow6(200 + i))
		feedN(&f, uint32(1+i%2))
		fresh = append(fresh, f)
	}
	heads, shared := checkTails(t, d.tab)
	oldShared := 0
	for _, tl := range o.tails {
		b, j := tl/oldBucketSlots, tl%oldBucketSlots
		if binary.LittleEndian.Uint16(o.hdrs[b*oldLine+2*j:]) == uint16(tagContL|tagContR) {
			oldShared++
		}
	}
	t.Logf("after the new flows: %d IPv6 heads, %d tails shared by two, %d of them old tails", heads, shared, oldShared)
	if heads != 120 || oldShared == 0 {
		t.Fatalf("%d IPv6 heads (want 120: 40 old, 40 of their packets since, 40 new), %d old tails shared (want some)", heads, oldShared)
	}
	if st, _ := d.Stats(); st.FlowsCreated != uint64(len(old)+len(fresh)) || st.CreateFailPackets != 0 {
		t.Fatalf("%d flows created, %d creation failures; want %d and none", st.FlowsCreated, st.CreateFailPackets, len(old)+len(fresh))
	}

	// Per flow, its records in packet order: the old entry's (as the old
	// version left it) and the new one's.
	want := map[string]string{}
	for _, f := range old {
		a, b := fmt.Sprintf("%d packets %d bytes", f.packets, f.packets*f.ipLen), fmt.Sprintf("%d packets %d bytes", f.fed, f.fed*f.ipLen)
		if f.fed < f.packets {
			a, b = b, a
		}
		want[f.key] = a + ", " + b
	}
	for _, f := range fresh {
		want[f.key] = fmt.Sprintf("%d packets %d bytes", f.fed, f.fed*f.ipLen)
	}
	recs := harvestAll(t, d)
	sort.Slice(recs, func(i, j int) bool { return recs[i].Packets < recs[j].Packets })
	got := map[string]string{}
	for _, r := range recs {
		k := recordKey(r.SrcAddr, r.DstAddr, r.SrcPort, r.DstPort, r.Proto, r.InputIf)
		rec := fmt.Sprintf("%d packets %d bytes", r.Packets, r.Bytes)
		if g, ok := got[k]; ok {
			rec = g + ", " + rec
		}
		got[k] = rec
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		var diff []string
		for k, w := range want {
			if got[k] != w {
				diff = append(diff, fmt.Sprintf("%s: got %q want %q", k, got[k], w))
			}
		}
		for k, g := range got {
			if _, ok := want[k]; !ok {
				diff = append(diff, fmt.Sprintf("%s: got %q, not a flow sent", k, g))
			}
		}
		sort.Strings(diff)
		t.Fatalf("forced harvest: %d records, want %d:\n%v", len(got), len(want), diff)
	}
	allFree(t, d.tab)
	if used, _, _ := d.Usage(); used != 0 {
		t.Errorf("%d flows left after a forced harvest", used)
	}
}
