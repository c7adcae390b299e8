package datapath

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/cilium/ebpf"

	"github.com/flowtap/flowtap/appliance/flow"
)

// The table layout before issue 14: per family a slots array (IPv4 64-byte,
// IPv6 88-byte entries) and a tags array of one u64 per group of 8 slots,
// a byte per slot whose top bit says the slot is in use. A daemon started
// over a pin directory left by that version drains that table whole
// through OnResize, as a resize does, instead of losing its flows; its
// live counter and per-CPU reserves go with it.
var legacyMaps = []string{"slots4", "tags4", "slots6", "tags6", "counters", reserveMap}

const legacyGroupSlots = 8

func pinnedLegacyTable(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "slots4"))
	return err == nil
}

// loadOverLegacy loads the meter with a fresh table next to a pinned
// table of the old layout, moves the port links to it, and drains the
// old table once no writer is left in it.
func (d *Datapath) loadOverLegacy(spec *ebpf.CollectionSpec, copts *ebpf.CollectionOptions) error {
	dir := d.opts.PinDir
	old := map[string]*ebpf.Map{}
	defer func() {
		for _, m := range old {
			m.Close()
		}
	}()
	for _, name := range legacyMaps {
		m, err := ebpf.LoadPinnedMap(filepath.Join(dir, name), nil)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("open pinned %s: %w", name, err)
		}
		old[name] = m
	}
	for _, name := range []string{"slots4", "tags4", "slots6", "tags6", "counters"} {
		if old[name] == nil {
			return fmt.Errorf("pinned table in %s is incomplete: %s missing", dir, name)
		}
	}
	// Unpinned, the old maps live on through our descriptors and the old
	// program still attached; the load below pins fresh ones by name.
	for name, m := range old {
		if err := m.Unpin(); err != nil {
			return fmt.Errorf("unpin old %s: %w", name, err)
		}
	}
	if err := d.setKeyHash(spec, hashLanes); err != nil { // a new table
		return err
	}
	if err := spec.LoadAndAssign(&d.objs, copts); err != nil {
		return err
	}
	if err := d.init(); err != nil {
		return err
	}
	if err := d.moveLinks(); err != nil {
		return err
	}
	if err := d.waitForWriters(); err != nil {
		return err
	}
	clk, err := readClocks()
	if err != nil {
		return err
	}
	var rec flow.Record
	for _, fam := range []struct {
		slots, tags *ebpf.Map
		size        int
		v6          bool
	}{{old["slots4"], old["tags4"], slot4Size, false}, {old["slots6"], old["tags6"], slot6Size, true}} {
		slots, err := mmapMap(fam.slots)
		if err != nil {
			return err
		}
		tags, err := mmapMap(fam.tags)
		if err != nil {
			slots.unmap()
			return err
		}
		for g := 0; g < int(fam.tags.MaxEntries()); g++ {
			word := atomic.LoadUint64(tags.u64(8 * g))
			for b := 0; b < legacyGroupSlots; b++ {
				if byte(word>>(8*b))&0x80 == 0 {
					continue
				}
				off := (g*legacyGroupSlots + b) * fam.size
				decodeEntry(slots.mem[off:off+fam.size], fam.v6, clk, &rec)
				rec.EndReason = flow.EndForced
				if (rec.Packets != 0 || rec.Bytes != 0) && d.opts.OnResize != nil {
					d.opts.OnResize(&rec)
				}
			}
		}
		slots.unmap()
		tags.unmap()
	}
	return nil
}
