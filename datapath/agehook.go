package datapath

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"
)

// AgePinned is a test hook (no daemon path calls it): it makes the table
// pinned in dir look as if nobody had harvested it for absence, with every
// flow's stamps moved back by back. It lets a test start a daemon over a
// table kept away longer than the 32-bit stamps cover without waiting 26
// days. Moving stamps back by a multiple of 2^32 ticks (52 days) leaves
// them as they are: that is the case only the recorded absence reveals.
func AgePinned(dir string, absence, back time.Duration) (err error) {
	maps := map[string]*ebpf.Map{}
	defer func() {
		for _, m := range maps {
			m.Close()
		}
	}()
	for _, name := range []string{hdrsMapName, flowsMapName, "counters"} {
		m, err := ebpf.LoadPinnedMap(filepath.Join(dir, name), nil)
		if err != nil {
			return fmt.Errorf("open pinned %s: %w", name, err)
		}
		maps[name] = m
	}
	t, err := openTable(maps[hdrsMapName], maps[flowsMapName], maps["counters"], nil, nil)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, t.close()) }()
	clk, err := readClocks()
	if err != nil {
		return err
	}
	atomic.StoreUint64(t.harvestedAt(), uint64(clk.monoNs-absence.Nanoseconds()))
	ticks := uint32(back.Nanoseconds() >> timeShift)
	t.forEachUsed(func(e entry) {
		for _, off := range []int{offFirst, offLast} {
			p := t.slots.u32(e.off() + off)
			if v := atomic.LoadUint32(p); v != 0 || off == offLast {
				atomic.StoreUint32(p, v-ticks)
			}
		}
	})
	return nil
}
