package datapath

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/flowtap/flowtap/appliance/spool"
	"github.com/flowtap/flowtap/internal/prefetch"
	"golang.org/x/sys/unix"
)

// Layout of the shared flow table (bpf/meter.h), taken from bpf2go's
// output so there is no hand-kept copy: an array of 64-byte slots in
// buckets of bucketSlots, and an array of one 64-byte header per bucket (a
// 16-bit tag per slot); an entry is struct flow_val then the key, one slot
// for IPv4; an IPv6 entry's key ends in a half of a neighbouring tail
// slot, which two IPv6 entries share (meter.h).
// flow_val is packed in C (44 bytes) while its Go mirror pads to 48, so
// the key's offset is where the last field ends, not the mirror's size;
// TestTableLayout checks every figure here against the compiled object's
// BTF.
const (
	bucketSlots  = uint32(meterTableLayoutBUCKET_SLOTS)
	lineBytes    = int(meterTableLayoutLINE_BYTES)
	tagUsed      = uint16(meterTableLayoutTAG_USED)
	tagV6        = uint16(meterTableLayoutTAG_V6)
	tagContL     = uint32(meterTableLayoutTAG_CONT_L) // a tail's half for the head on its left
	tagContR     = uint32(meterTableLayoutTAG_CONT_R) // ... for the head on its right
	tailBytes    = int(meterTableLayoutTAIL_BYTES)
	tailOffR     = int(meterTableLayoutTAIL_OFF_R)
	bucketBytes  = (int(bucketSlots) + 1) * lineBytes // its slots and its header
	offHdrFlags  = 2 * int(bucketSlots)               // bucket_hdr.flags
	flowsMapName = "flows"
	hdrsMapName  = "buckets"

	offPackets = int(unsafe.Offsetof(meterFlowVal{}.Packets))
	offBytes   = int(unsafe.Offsetof(meterFlowVal{}.Bytes))
	offFirst   = int(unsafe.Offsetof(meterFlowVal{}.FirstT))
	offLast    = int(unsafe.Offsetof(meterFlowVal{}.LastT))
	offTCP     = int(unsafe.Offsetof(meterFlowVal{}.Tcp))
	offAttrs   = int(unsafe.Offsetof(meterFlowVal{}.Attrs))
	offSMAC    = int(unsafe.Offsetof(meterFlowVal{}.Smac))
	offDMAC    = int(unsafe.Offsetof(meterFlowVal{}.Dmac))
	offKey     = offDMAC + len(meterFlowVal{}.Dmac)

	slot4Size = offKey + int(unsafe.Sizeof(meterFlowKey4{}))
	slot6Size = offKey + int(unsafe.Sizeof(meterFlowKey6{}))

	// Key fields, from the start of the key.
	key4Saddr   = int(unsafe.Offsetof(meterFlowKey4{}.Saddr))
	key4Daddr   = int(unsafe.Offsetof(meterFlowKey4{}.Daddr))
	key4Sport   = int(unsafe.Offsetof(meterFlowKey4{}.Sport))
	key4Dport   = int(unsafe.Offsetof(meterFlowKey4{}.Dport))
	key4Ifindex = int(unsafe.Offsetof(meterFlowKey4{}.Ifindex))
	key4Proto   = int(unsafe.Offsetof(meterFlowKey4{}.Proto))
	key4Sampler = int(unsafe.Offsetof(meterFlowKey4{}.Pad))        // the pad's low byte is the sampler id
	key4Owner   = key4Sampler + int(meterTableLayoutOWNER_SHIFT)/8 // its high byte the owner CPU + 1 (meter.h)
	key6Saddr   = int(unsafe.Offsetof(meterFlowKey6{}.Saddr))
	key6Daddr   = int(unsafe.Offsetof(meterFlowKey6{}.Daddr))
	key6Sport   = int(unsafe.Offsetof(meterFlowKey6{}.Sport))
	key6Dport   = int(unsafe.Offsetof(meterFlowKey6{}.Dport))
	key6Ifindex = int(unsafe.Offsetof(meterFlowKey6{}.Ifindex))
	key6Proto   = int(unsafe.Offsetof(meterFlowKey6{}.Proto))
	key6Sampler = int(unsafe.Offsetof(meterFlowKey6{}.Pad))
	key6Owner   = key6Sampler + int(meterTableLayoutOWNER_SHIFT)/8

	stDraining    = byte(meterTableLayoutST_DRAINING)
	stFinEvent    = byte(meterTableLayoutST_FIN_EV)
	stTailLeft    = byte(meterTableLayoutST_TAIL_LEFT)
	stReasonShift = int(meterTableLayoutST_REASON_SHIFT)

	ctrLive      = int(meterTableLayoutCTR_LIVE)
	ctrHarvested = int(meterTableLayoutCTR_HARVESTED)
	ctrSeed      = int(meterTableLayoutCTR_SEED)
	ctrHash      = int(meterTableLayoutCTR_HASH)

	// The key hashes (bpf/meter.c): a table keeps the one it was created
	// with, so a restart over pins finds the entries where they are.
	hashChain = uint64(meterTableLayoutHASH_CHAIN) // tables created before the choice (counters[CTR_HASH] 0)
	hashLanes = uint64(meterTableLayoutHASH_LANES) // what a new table gets
)

// tableBuckets sizes the table for a cache of capacity flows: two lines
// (128 bytes) per configured flow, header lines included, so the pool
// holds the whole cache in IPv4 entries with about half its slots free,
// or in IPv6 entries (two per three slots) with a fifth of them free. The meter maps a hash
// onto any number of buckets (multiply-shift), so no power-of-two rounding
// doubles the memory; at least two, so every key has two buckets.
func tableBuckets(capacity int) uint32 {
	per := uint64(bucketBytes / lineBytes) // lines per bucket, its header included
	n := (2*uint64(capacity) + per - 1) / per
	return uint32(max(n, 2))
}

// mapping is a map's value array shared with the kernel through mmap.
type mapping struct {
	mem []byte
}

func mmapMap(m *ebpf.Map) (mapping, error) {
	elem := (int(m.ValueSize()) + 7) &^ 7
	size := elem * int(m.MaxEntries())
	page := unix.Getpagesize()
	size = (size + page - 1) &^ (page - 1)
	mem, err := unix.Mmap(m.FD(), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return mapping{}, fmt.Errorf("mmap %s: %w", m, err)
	}
	return mapping{mem: mem}, nil
}

// unmap releases the mapping once: x/sys/unix finds mappings by address,
// so a second Munmap could hit another mapping now at that address.
func (m *mapping) unmap() error {
	if m.mem == nil {
		return nil
	}
	err := unix.Munmap(m.mem)
	m.mem = nil
	return err
}

func (m mapping) u64(off int) *uint64 { return (*uint64)(unsafe.Pointer(&m.mem[off])) }
func (m mapping) u32(off int) *uint32 { return (*uint32)(unsafe.Pointer(&m.mem[off])) }

// table is the whole shared flow table.
type table struct {
	hdrs     mapping // the buckets map: a header line per bucket
	slots    mapping // the flows map: bucketSlots slots per bucket
	buckets  uint32
	counters mapping
	live     *uint64 // flows in the cache, both families: one pool
	// extras are the capture maps ([0] IPv4, [1] IPv6; nil in a table
	// pinned without them). captureOn says they may hold entries: capture
	// is on, or was, or the pinned maps had some.
	extras    [2]*ebpf.Map
	captureOn bool
	// sp is where the harvest writes each record before it frees the
	// entry (nil: nowhere); see spool.go.
	sp *spool.Spool
	// freeProg frees a batch of entries in the kernel (flowtap_free in
	// bpf/meter.c), where no signal splits the tags' stores from the live
	// count's. nil for a table the daemon only drains (the old table of a
	// resize, whose count is discarded with it): free serves there.
	freeProg *ebpf.Program
	// freeBuf is the batch freeProg frees (the free_batch map, mmap'd).
	freeBuf mapping
	// batch holds a collect's records between their spool commit and
	// their free: kept with the table (harvests take the datapath's
	// lock) rather than made, 360 KB, at each pass.
	batch *collectBatch
	// marked is the last harvest's list of the entries it marked, kept
	// for the next (emptied): at most an entry per slot.
	marked []entry
	// afterStore, when set (tests), is called after each store a free
	// makes that another could be split from: a kill there.
	afterStore func()
}

func openTable(hdrs, flows, counters, extras4, extras6 *ebpf.Map) (*table, error) {
	t := &table{buckets: hdrs.MaxEntries(), extras: [2]*ebpf.Map{extras4, extras6}}
	t.captureOn = hasEntries(extras4) || hasEntries(extras6)
	var err error
	if t.counters, err = mmapMap(counters); err != nil {
		return nil, err
	}
	t.live = t.counters.u64(8 * ctrLive)
	// A new table, or one pinned by a version that did not record its
	// harvests: its stamps are taken as read now (see harvestedAt).
	if atomic.LoadUint64(t.harvestedAt()) == 0 {
		clk, err := readClocks()
		if err != nil {
			t.close()
			return nil, err
		}
		atomic.StoreUint64(t.harvestedAt(), uint64(clk.monoNs))
	}
	if t.hdrs, err = mmapMap(hdrs); err != nil {
		t.close()
		return nil, err
	}
	if t.slots, err = mmapMap(flows); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

func (t *table) close() error {
	return errors.Join(t.counters.unmap(), t.hdrs.unmap(), t.slots.unmap(), t.freeBuf.unmap())
}

func (t *table) seed() *uint64 { return t.counters.u64(8 * ctrSeed) }

// harvestedAt is the CLOCK_MONOTONIC time (ns) of the table's last
// harvest, kept in the pinned counters so that a daemon started over the
// table knows how long nobody read its 32-bit flow stamps.
func (t *table) harvestedAt() *uint64 { return t.counters.u64(8 * ctrHarvested) }

// hash is the table's key hash (hashChain, hashLanes), kept with it.
func (t *table) hash() *uint64 { return t.counters.u64(8 * ctrHash) }

// entry names one occupied entry: its first slot, and for IPv6 which
// side its tail slot is on.
type entry struct {
	slot uint32
	v6   bool
	left bool // IPv6: the tail is the slot before (ST_TAIL_LEFT), else after
}

func (e entry) off() int { return int(e.slot) * lineBytes }

// tailSlot is an IPv6 entry's tail slot (in the same bucket), tailOff
// where its half of that slot starts: bytes 0.. for the head on the
// tail's left, tailOffR.. for the head on its right.
func (e entry) tailSlot() uint32 {
	if e.left {
		return e.slot - 1
	}
	return e.slot + 1
}

func (e entry) tailOff() int {
	off := int(e.tailSlot()) * lineBytes
	if e.left {
		off += tailOffR
	}
	return off
}

// bytes is the entry as one struct flow_val then the key: the slot
// itself for IPv4, its head and tail copied into buf for IPv6.
func (t *table) bytes(e entry, buf *[slot6Size]byte) []byte {
	if !e.v6 {
		return t.slots.mem[e.off() : e.off()+slot4Size]
	}
	n := copy(buf[:], t.slots.mem[e.off():e.off()+lineBytes])
	copy(buf[n:], t.slots.mem[e.tailOff():e.tailOff()+tailBytes])
	return buf[:]
}

// forEachUsed calls fn for every entry whose tag is published, bucket by
// bucket in memory order.
func (t *table) forEachUsed(fn func(e entry)) {
	for b := uint32(0); b < t.buckets; b++ {
		hdr := int(b) * lineBytes
		for w := 0; w < lineBytes/8; w++ {
			tags := atomic.LoadUint64(t.hdrs.u64(hdr + 8*w))
			if tags&0x8000800080008000 == 0 {
				continue
			}
			for l := 0; l < 4; l++ {
				tag := uint16(tags >> (16 * l))
				j := uint32(4*w + l)
				if tag&tagUsed == 0 || j >= bucketSlots {
					continue
				}
				e := entry{slot: b*bucketSlots + j, v6: tag&tagV6 != 0}
				if e.v6 {
					// Set with ST_LIVE before the tag was published.
					state := byte(atomic.LoadUint32(t.slots.u32(e.off()+offAttrs)) >> 24)
					e.left = state&stTailLeft != 0
				}
				fn(e)
			}
		}
	}
}

// prefetchEntry asks for e's line, for a pass that reads entries in a
// known order to have them on their way from memory a few entries before
// their turn (the harvest's collect spent a tenth of its time waiting
// for the first load of each entry; asking for them took 4 ns/entry off
// its CPU).
func (t *table) prefetchEntry(e entry) { prefetch.Line(unsafe.Pointer(&t.slots.mem[e.off()])) }

// free releases a collected entry: for IPv6 its half of the tail slot
// first (the slot is free again once neither half is in use, a tail's tag
// being its halves' bits), then its tag, and the live count goes down by
// one. Writers may claim it from then on; its state still says draining
// until a writer rewrites it.
func (t *table) free(e entry) {
	b := e.slot / bucketSlots
	lane := func(j uint32) (*uint32, uint32) {
		return t.hdrs.u32(int(b)*lineBytes + int(j/2)*4), 16 * (j % 2)
	}
	if e.v6 {
		half := tagContL
		if e.left {
			half = tagContR
		}
		word, shift := lane(e.tailSlot() % bucketSlots)
		atomic.AndUint32(word, ^(half << shift))
	}
	word, shift := lane(e.slot % bucketSlots)
	atomic.AndUint32(word, ^(uint32(0xffff) << shift))
	if t.afterStore != nil {
		t.afterStore()
	}
	atomic.AddUint64(t.live, ^uint64(0))
}

// freeBatchSize is how many entries one run of freeProg frees.
const freeBatchSize = int(meterTableLayoutFREE_BATCH)

// freeBatch releases collected entries (at most freeBatchSize) as free
// does, in one run of freeProg: their tags and the live count change
// together or not at all.
func (t *table) freeBatch(es []entry) error {
	if len(es) > freeBatchSize {
		return fmt.Errorf("free %d entries in one run: at most %d", len(es), freeBatchSize)
	}
	if t.freeProg == nil {
		for _, e := range es {
			t.free(e)
		}
		return nil
	}
	buf := t.freeBuf.mem
	le := binary.LittleEndian
	le.PutUint32(buf, uint32(len(es)))
	for i, e := range es {
		b := e.slot / bucketSlots
		if b > uint32(meterTableLayoutFREE_BUCKET_MASK) {
			return fmt.Errorf("free entry at slot %d: past the %d buckets a batch names", e.slot, meterTableLayoutFREE_BUCKET_MASK+1)
		}
		v := b<<meterTableLayoutFREE_BUCKET_SHIFT | e.slot%bucketSlots
		if e.v6 {
			v |= uint32(meterTableLayoutFREE_V6)
		}
		if e.left {
			v |= uint32(meterTableLayoutFREE_LEFT)
		}
		le.PutUint32(buf[4*(1+i):], v)
	}
	n, err := t.freeProg.Run(&ebpf.RunOptions{})
	if err != nil {
		return fmt.Errorf("free %d entries in the kernel: %w", len(es), err)
	}
	if t.afterStore != nil {
		t.afterStore()
	}
	if int(n) != len(es) {
		return fmt.Errorf("freed %d of %d entries: the others were free already", n, len(es))
	}
	return nil
}

// TableBytes is the kernel memory the flow table holds: what `show ip
// cache flow` reports as the cache's size.
func (d *Datapath) TableBytes() int {
	return int(tableBuckets(d.opts.Entries)) * bucketBytes
}
