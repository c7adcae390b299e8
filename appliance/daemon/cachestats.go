package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cilium/ebpf"

	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/tap"
	"github.com/flowtap/flowtap/internal/syncfile"
)

// The cache's statistics (`show ip cache flow`, the JunOS accounting
// totals) go back to zero only on `clear`. They live in the engine, in
// this process; the flows and the meter's counters live in pinned maps
// that the next daemon takes over. A daemon that stops in order saves the
// statistics in the state directory, with the id of the pinned counter
// map they go with; the next one takes them back if it took that map over
// (a restart, an upgrade with --keep-metering), so that flows added stays
// expired + active across the restart. A map of another id (the machine
// rebooted, the pins were removed) starts everything from zero, as a
// router's reload does, and so does a crash: the file is removed once
// read, so that a later crash never brings back stale counts.

const cacheStatsFile = "cache-stats.json"

// savedCacheStats is the file's content.
type savedCacheStats struct {
	// BootID and StatsMap name the pinned counter map they go with: map
	// ids are counted from each boot, so an id alone may come back after
	// a reboot, on a map that counts from zero.
	BootID   string
	StatsMap ebpf.MapID
	Stats    flowcache.SavedStats
	// SizeBase is the packet-size distribution's base (sizeBase): the
	// distribution belongs to the same screen and goes on with it.
	SizeBase [26]uint64
	// SizeBase6 is the IPv6 share's base (sizeBase6); a daemon older
	// than it saved none, and its IPv6 packets since the last clear stay
	// in the IPv4 distribution until the next.
	SizeBase6 [26]uint64
	// Fibres are the tap fibres' counters by port: `show flowtap taps`
	// prints them under the cache's, counted as the same flows expire.
	Fibres map[string]tap.Counters `json:",omitempty"`
}

// bootID is the kernel's id of this boot ("" if unknown: never matches).
func bootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// saveCacheStats writes e's statistics for the next daemon. d.mu is held.
func (d *Daemon) saveCacheStats(e *flowcache.Engine) error {
	if d.opts.StateDir == "" || e == nil || d.dp == nil {
		return nil
	}
	b, err := json.Marshal(savedCacheStats{BootID: bootID(), StatsMap: d.dp.CounterMaps().Stats, Stats: e.Save(),
		SizeBase: d.sizeBase, SizeBase6: d.sizeBase6, Fibres: d.fibres.Save()})
	if err != nil {
		return fmt.Errorf("save cache statistics: %w", err)
	}
	path := filepath.Join(d.opts.StateDir, cacheStatsFile)
	if err := syncfile.Write(path, b); err != nil {
		return fmt.Errorf("save cache statistics: %w", err)
	}
	return nil
}

// restoreCacheStats gives e the statistics the previous daemon saved, if
// this one took its pinned maps over, and removes the file. d.mu is held.
func (d *Daemon) restoreCacheStats(e *flowcache.Engine) {
	if d.opts.StateDir == "" {
		return
	}
	path := filepath.Join(d.opts.StateDir, cacheStatsFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err == nil {
		err = os.Remove(path)
	}
	var s savedCacheStats
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	if err != nil {
		d.log.Warn("cache statistics of the previous daemon not restored", "file", path, "err", err)
		return
	}
	if id, boot := d.dp.CounterMaps().Stats, bootID(); id == 0 || id != s.StatsMap || boot == "" || boot != s.BootID {
		d.log.Info("cache statistics start from zero: the pinned maps are not the previous daemon's", "file", path)
		return
	}
	e.Restore(s.Stats)
	d.sizeBase, d.sizeBase6 = s.SizeBase, s.SizeBase6
	d.fibres.Restore(s.Fibres)
}
