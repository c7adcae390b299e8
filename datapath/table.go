package datapath

import (
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// Layout of the shared flow table (bpf/meter.h), taken from bpf2go's
// output so there is no hand-kept copy: slots hold struct flow_val then
// the key; tags hold one byte per slot. flow_val is packed in C (44
// bytes) while its Go mirror pads to 48, so the key's offset is where the
// last field ends, not the mirror's size; TestTableLayout checks every
// figure here against the compiled object's BTF.
const (
	groupSlots = uint32(meterTableLayoutGROUP_SLOTS)
	tagClaimed = byte(meterTableLayoutTAG_CLAIMED)

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

// tableGeometry sizes one family's table for a cache of capacity flows:
// twice as many slots, a power of two, so a key's two groups rarely both
// fill up. Each family's table can hold the whole cache, which is one pool
// of flows as on IOS.
func tableGeometry(capacity int) (slots, groups uint32) {
	n := uint32(64)
	for n < uint32(2*capacity) {
		n <<= 1
	}
	return n, n / groupSlots
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

// family is one address family's half of the table.
type family struct {
	v4       bool
	slots    mapping
	tags     mapping
	slotSize int
	groups   uint32
	live     *uint64 // shared by both families: one cache
}

// table is the whole shared flow table.
type table struct {
	fam      [2]family // [0] IPv4, [1] IPv6
	counters mapping
}

func openTable(slots4, tags4, slots6, tags6, counters *ebpf.Map) (*table, error) {
	t := &table{}
	var err error
	if t.counters, err = mmapMap(counters); err != nil {
		return nil, err
	}
	for i, m := range []struct {
		slots, tags *ebpf.Map
		size        int
	}{{slots4, tags4, slot4Size}, {slots6, tags6, slot6Size}} {
		f := &t.fam[i]
		f.v4 = i == 0
		f.slotSize = m.size
		f.groups = m.tags.MaxEntries()
		f.live = t.counters.u64(8 * ctrLive)
		if f.slots, err = mmapMap(m.slots); err != nil {
			t.close()
			return nil, err
		}
		if f.tags, err = mmapMap(m.tags); err != nil {
			t.close()
			return nil, err
		}
	}
	return t, nil
}

func (t *table) close() error {
	var first error
	for _, m := range []*mapping{&t.counters, &t.fam[0].slots, &t.fam[0].tags, &t.fam[1].slots, &t.fam[1].tags} {
		if err := m.unmap(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (t *table) seed() *uint64 { return t.counters.u64(8 * ctrSeed) }

// slotRef names one occupied slot.
type slotRef struct {
	fam  uint8
	slot uint32
}

// forEachUsed calls fn for every slot whose tag is published.
func (f *family) forEachUsed(fn func(slot uint32)) {
	for g := uint32(0); g < f.groups; g++ {
		tags := atomic.LoadUint64(f.tags.u64(int(g) * 8))
		if tags == 0 {
			continue
		}
		for b := uint32(0); b < groupSlots; b++ {
			if byte(tags>>(8*b))&0x80 != 0 {
				fn(g*groupSlots + b)
			}
		}
	}
}

func (f *family) slotOff(slot uint32) int { return int(slot) * f.slotSize }

// free releases a collected slot: its tag byte goes back to 0 and the
// live count down by one. Writers may claim it from then on.
func (f *family) free(slot uint32) {
	g, b := slot/groupSlots, slot%groupSlots
	word := f.tags.u32(int(g)*8 + int(b/4)*4)
	atomic.AndUint32(word, ^(uint32(0xff) << (8 * (b % 4))))
	atomic.AddUint64(f.live, ^uint64(0))
}

// TableBytes is the kernel memory the flow table holds (both families'
// slots and tags): what `show ip cache flow` reports as the cache's size.
func (d *Datapath) TableBytes() int {
	slots, groups := tableGeometry(d.opts.Entries)
	return int(slots)*(slot4Size+slot6Size) + 2*int(groups)*8
}
