package datapath

import (
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// Layout of the shared flow table (bpf/meter.h), taken from bpf2go's
// output so there is no hand-kept copy: an array of 64-byte slots in
// buckets of bucketSlots, and an array of one 64-byte header per bucket (a
// 16-bit tag per slot); an entry is struct flow_val then the key, one slot
// for IPv4, two for IPv6.
// flow_val is packed in C (44 bytes) while its Go mirror pads to 48, so
// the key's offset is where the last field ends, not the mirror's size;
// TestTableLayout checks every figure here against the compiled object's
// BTF.
const (
	bucketSlots  = uint32(meterTableLayoutBUCKET_SLOTS)
	lineBytes    = int(meterTableLayoutLINE_BYTES)
	tagUsed      = uint16(meterTableLayoutTAG_USED)
	tagV6        = uint16(meterTableLayoutTAG_V6)
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
	key4Sampler = int(unsafe.Offsetof(meterFlowKey4{}.Pad)) // the pad carries the sampler id
	key6Saddr   = int(unsafe.Offsetof(meterFlowKey6{}.Saddr))
	key6Daddr   = int(unsafe.Offsetof(meterFlowKey6{}.Daddr))
	key6Sport   = int(unsafe.Offsetof(meterFlowKey6{}.Sport))
	key6Dport   = int(unsafe.Offsetof(meterFlowKey6{}.Dport))
	key6Ifindex = int(unsafe.Offsetof(meterFlowKey6{}.Ifindex))
	key6Proto   = int(unsafe.Offsetof(meterFlowKey6{}.Proto))
	key6Sampler = int(unsafe.Offsetof(meterFlowKey6{}.Pad))

	stDraining    = byte(meterTableLayoutST_DRAINING)
	stFinEvent    = byte(meterTableLayoutST_FIN_EV)
	stReasonShift = int(meterTableLayoutST_REASON_SHIFT)

	ctrLive = int(meterTableLayoutCTR_LIVE)
	ctrSeed = int(meterTableLayoutCTR_SEED)
)

// tableBuckets sizes the table for a cache of capacity flows: two lines
// (128 bytes) per configured flow, header lines included, so the pool
// holds the whole cache in IPv4 entries with about half its slots free,
// or nearly all of it (15 of 16) in IPv6 entries. The meter maps a hash
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
}

func openTable(hdrs, flows, counters, extras4, extras6 *ebpf.Map) (*table, error) {
	t := &table{buckets: hdrs.MaxEntries(), extras: [2]*ebpf.Map{extras4, extras6}}
	t.captureOn = hasEntries(extras4) || hasEntries(extras6)
	var err error
	if t.counters, err = mmapMap(counters); err != nil {
		return nil, err
	}
	t.live = t.counters.u64(8 * ctrLive)
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
	return errors.Join(t.counters.unmap(), t.hdrs.unmap(), t.slots.unmap())
}

func (t *table) seed() *uint64 { return t.counters.u64(8 * ctrSeed) }

// entry names one occupied entry: its first slot.
type entry struct {
	slot uint32
	v6   bool
}

func (e entry) off() int { return int(e.slot) * lineBytes }

func (e entry) size() int {
	if e.v6 {
		return slot6Size
	}
	return slot4Size
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
				if tag&tagUsed != 0 && j < bucketSlots {
					fn(entry{slot: b*bucketSlots + j, v6: tag&tagV6 != 0})
				}
			}
		}
	}
}

// free releases a collected entry: its tag (both for IPv6) goes back to
// free and the live count down by one. Writers may claim it from then
// on; its state still says draining until a writer rewrites it.
func (t *table) free(e entry) {
	b, j := e.slot/bucketSlots, e.slot%bucketSlots
	word := t.hdrs.u32(int(b)*lineBytes + int(j/2)*4)
	mask := uint32(0xffff) << (16 * (j % 2))
	if e.v6 {
		mask = ^uint32(0) // an IPv6 entry starts at an even slot: both tags are this word
	}
	atomic.AndUint32(word, ^mask)
	atomic.AddUint64(t.live, ^uint64(0))
}

// TableBytes is the kernel memory the flow table holds: what `show ip
// cache flow` reports as the cache's size.
func (d *Datapath) TableBytes() int {
	return int(tableBuckets(d.opts.Entries)) * bucketBytes
}
