package datapath

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/appliance/flow"
)

// TestEveryMapClassified: every map of the meter is either pinned by
// name in bpf/ or listed in unpinnedMaps with the reason it need not
// outlive the process, and not both; a map added without that decision
// fails here. Every pinned map is one the loader can reach by name
// (pinMissing), and the table's own maps are pinned.
func TestEveryMapClassified(t *testing.T) {
	spec, err := loadMeter()
	if err != nil {
		t.Fatal(err)
	}
	names := (&Datapath{}).mapsByName()
	for name, ms := range spec.Maps {
		if _, ok := names[name]; !ok && !strings.HasPrefix(name, ".") {
			t.Errorf("map %s of the spec is not one the loader assigns", name)
		}
		why, listed := unpinnedMaps[name]
		switch pinned := ms.Pinning == ebpf.PinByName; {
		case pinned && listed:
			t.Errorf("map %s is pinned in bpf/ and listed in unpinnedMaps (%q): which?", name, why)
		case !pinned && !listed:
			t.Errorf("map %s is neither pinned in bpf/ nor listed in unpinnedMaps: decide whether its contents outlive the process", name)
		case !pinned && why == "":
			t.Errorf("map %s is listed in unpinnedMaps without a reason", name)
		}
	}
	for name := range unpinnedMaps {
		if _, ok := spec.Maps[name]; !ok {
			t.Errorf("unpinnedMaps lists %s, which the meter does not have", name)
		}
	}
	for _, name := range ownTableMaps {
		if ms, ok := spec.Maps[name]; !ok || ms.Pinning != ebpf.PinByName {
			t.Errorf("the table's map %s is not pinned by name", name)
		}
	}
}

// startPaths are the kinds of start over pins an older version (one
// without the maps missing) left. Each path's starts call count with
// every datapath that may count into those maps after the start (for a
// killed resize, the killed start's, which the links meter into while no
// daemon runs, and the finishing start's during its drain), and end with
// the pins at the cache size returned, for a plain restart.
var startPaths = []struct {
	name string
	run  func(t *testing.T, pin string, missing []string, open func(entries int, before func(*Datapath, int)) *Datapath, count func(*Datapath)) int
}{
	{"plain start", func(t *testing.T, pin string, missing []string, open func(int, func(*Datapath, int)) *Datapath, count func(*Datapath)) int {
		open(64, nil).Close()
		unpin(t, pin, missing...)
		d := open(64, nil)
		count(d)
		d.Close()
		return 64
	}},
	{"resize", func(t *testing.T, pin string, missing []string, open func(int, func(*Datapath, int)) *Datapath, count func(*Datapath)) int {
		open(64, nil).Close()
		unpin(t, pin, missing...)
		d := open(128, nil)
		count(d)
		d.Close()
		return 128
	}},
	{"resize killed, then finished", func(t *testing.T, pin string, missing []string, open func(int, func(*Datapath, int)) *Datapath, count func(*Datapath)) int {
		open(64, nil).Close()
		unpin(t, pin, missing...)
		killed := openKilled(t, pin, 128, open)
		count(killed) // the links meter on into the killed start's maps
		killed.Close()
		d := open(128, func(dp *Datapath, _ int) { count(dp) })
		count(d)
		d.Close()
		return 128
	}},
	{"older version's resize killed, finished by this one", func(t *testing.T, pin string, missing []string, open func(int, func(*Datapath, int)) *Datapath, count func(*Datapath)) int {
		open(64, nil).Close()
		killed := openKilled(t, pin, 128, open)
		killed.Close()
		unpin(t, pin, missing...) // the killed start was of a version without it
		d := open(128, func(dp *Datapath, _ int) { count(dp) })
		count(d)
		d.Close()
		return 128
	}},
	{"over the table layout before issue 14", func(t *testing.T, pin string, missing []string, open func(int, func(*Datapath, int)) *Datapath, count func(*Datapath)) int {
		open(64, nil).Close()
		unpin(t, pin, missing...)
		pinLegacyTable(t, pin)
		d := open(64, nil)
		count(d)
		d.Close()
		return 64
	}},
}

// pinLegacyTable replaces the pinned table with an empty one of the
// layout before issue 14 (legacy.go), which Open drains and replaces.
func pinLegacyTable(t *testing.T, pin string) {
	t.Helper()
	unpin(t, pin, ownTableMaps...)
	for _, m := range []struct {
		name           string
		value, entries uint32
	}{{"slots4", uint32(slot4Size), 64}, {"tags4", 8, 8}, {"slots6", uint32(slot6Size), 64}, {"tags6", 8, 8}, {"counters", 8, 4}} {
		mm, err := ebpf.NewMap(&ebpf.MapSpec{Name: m.name, Type: ebpf.Array, KeySize: 4, ValueSize: m.value, MaxEntries: m.entries, Flags: unix.BPF_F_MMAPABLE})
		if err != nil {
			t.Fatal(err)
		}
		err = mm.Pin(filepath.Join(pin, m.name))
		mm.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// unpin removes the pins of the maps names, as a version without them
// left the pin directory.
func unpin(t *testing.T, pin string, names ...string) {
	t.Helper()
	for _, name := range names {
		if err := os.Remove(filepath.Join(pin, name)); err != nil {
			t.Fatalf("unpin %s: %v", name, err)
		}
	}
}

// openKilled starts the datapath with another cache size and kills the
// start as its drain of the old table begins, returning the killed
// start's datapath (its program's maps, which the links would meter
// into).
func openKilled(t *testing.T, pin string, entries int, open func(int, func(*Datapath, int)) *Datapath) *Datapath {
	t.Helper()
	var killed *Datapath
	done := make(chan struct{})
	go func() {
		defer close(done)
		open(entries, func(dp *Datapath, _ int) {
			killed = dp
			runtime.Goexit()
		})
	}()
	<-done
	if killed == nil {
		t.Fatal("no drain to kill")
	}
	if _, err := os.Stat(filepath.Join(pin, pendingDir)); err != nil {
		t.Fatalf("the killed resize left no %s: %v", pendingDir, err)
	}
	return killed
}

// carriedMaps are the pinned maps that are not the table's own: the
// maps every start over pins must find or pin.
func carriedMaps(t *testing.T) []string {
	t.Helper()
	spec, err := loadMeter()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, name := range pinnedMaps(spec) {
		if !isOwnTableMap(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		t.Fatal("no pinned map besides the table's")
	}
	return names
}

// TestPinnedMapsSurviveStartsOverOlderPins: on every kind of start over
// pins of a version without the pinned maps that are not the table's own
// (all of them, derived from the spec, so a map added later is covered),
// each such map every datapath counted into after that start is the map
// the next restart finds: the same kernel map, so its counts go on
// exactly. A resize loads with pinning off; before pinMissing only batch
// and size_hist6 were pinned when the older pins lacked them, and
// capture_full, subifs, events, ports and stats were created and left
// unpinned.
func TestPinnedMapsSurviveStartsOverOlderPins(t *testing.T) {
	requireRoot(t)
	names := carriedMaps(t)
	for _, path := range startPaths {
		t.Run(path.name, func(t *testing.T) {
			pin := tempPinDir(t, "flowtap-pins-")
			open := func(entries int, before func(*Datapath, int)) *Datapath {
				d, err := Open(Options{PinDir: pin, Entries: entries, BeforeDrain: before, OnResize: func(*flow.Record) {}})
				if err != nil {
					t.Fatal(err)
				}
				return d
			}
			counted := map[string][]ebpf.MapID{}
			count := func(d *Datapath) {
				maps := d.mapsByName()
				for _, name := range names {
					counted[name] = append(counted[name], mapID(maps[name]))
				}
			}
			entries := path.run(t, pin, names, open, count)
			d := open(entries, nil)
			defer d.Close()
			maps := d.mapsByName()
			for _, name := range names {
				now := mapID(maps[name])
				for i, id := range counted[name] {
					if id == 0 || id != now {
						t.Errorf("%s: datapath %d after the start counted into map %d; the restart found map %d", name, i, id, now)
					}
				}
			}
		})
	}
}

// TestCaptureFullSurvivesStartsOverOlderPins: the packets counted as
// "capture entries not stored" after a start over pins of a version
// without capture_full are all still counted after the next restart, on
// every kind of start (before pinMissing a resize left the map unpinned
// and the restart counted from 0).
func TestCaptureFullSurvivesStartsOverOlderPins(t *testing.T) {
	requireRoot(t)
	for _, path := range startPaths {
		t.Run(path.name, func(t *testing.T) {
			pin := tempPinDir(t, "flowtap-capfull-")
			open := func(entries int, before func(*Datapath, int)) *Datapath {
				d, err := Open(Options{PinDir: pin, Entries: entries, captureEntries: 4, BeforeDrain: before, OnResize: func(*flow.Record) {}})
				if err != nil {
					t.Fatal(err)
				}
				return d
			}
			var total uint64
			next := 0
			count := func(d *Datapath) {
				if err := d.SetCapture(CaptureSettings{Fields: flow.CapIPID}); err != nil {
					t.Fatal(err)
				}
				before := captureFull(t, d)
				for range 12 { // new flows, more than the capture map holds
					next++
					feed(t, d, udp4([4]byte{10, 79, byte(next >> 8), byte(next)}, [4]byte{10, 0, 0, 2}, 1000, 53, 0), 1)
				}
				n := captureFull(t, d) - before
				if n == 0 {
					t.Fatalf("no packet counted as capture entry not stored (%d before, datapath %d, entries %d)", before, d.opts.Entries, d.objs.Extras4.MaxEntries())
				}
				total += n
			}
			entries := path.run(t, pin, []string{"capture_full"}, open, count)
			d := open(entries, nil)
			defer d.Close()
			if got := captureFull(t, d); got != total {
				t.Errorf("after the restart %d capture entries not stored, want the %d counted since the start over older pins", got, total)
			}
		})
	}
}

func captureFull(t *testing.T, d *Datapath) uint64 {
	t.Helper()
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	return st.CaptureFull
}

// pinnedLayouts are the layouts this version pins its carried maps with.
// Pins of the version before hold these maps as they were: a map whose
// layout changes is refused as a replacement (ErrMapIncompatible) and
// every start over such pins fails. Change a layout only with a start
// that takes the older pins over (as growPinnedPorts does for ports of
// 1024 entries), or in a map of a new name; then record it here.
var pinnedLayouts = map[string]struct {
	typ                      ebpf.MapType
	key, value, entries, flg uint32
}{
	"batch":        {ebpf.PerCPUArray, 4, 1544, 1, 0},
	"capture_full": {ebpf.PerCPUArray, 4, 8, 1, 0},
	"events":       {ebpf.RingBuf, 0, 0, 262144, 0},
	"ports":        {ebpf.Array, 4, 4, 65536, 0},
	"size_hist6":   {ebpf.PerCPUArray, 4, 208, 1, 0},
	"stats":        {ebpf.PerCPUArray, 4, 408, 1, 0},
	"subifs":       {ebpf.Hash, 8, 4, 4096, 0},
}

// TestPinnedMapLayoutsKept: every carried pinned map keeps the layout
// recorded in pinnedLayouts, so that a start over the pins of the
// version before loads.
func TestPinnedMapLayoutsKept(t *testing.T) {
	spec, err := loadMeter()
	if err != nil {
		t.Fatal(err)
	}
	names := carriedMaps(t)
	for _, name := range names {
		ms := spec.Maps[name]
		want, ok := pinnedLayouts[name]
		if !ok {
			t.Errorf("pinned map %s has no recorded layout: record it in pinnedLayouts", name)
			continue
		}
		if got := (struct {
			typ                      ebpf.MapType
			key, value, entries, flg uint32
		}{ms.Type, ms.KeySize, ms.ValueSize, ms.MaxEntries, ms.Flags}); got != want {
			t.Errorf("pinned map %s is now %+v, pinned as %+v by the version before: a start over its pins would fail (ErrMapIncompatible); take the older pins over, then record the new layout", name, got, want)
		}
	}
	for name := range pinnedLayouts {
		if !slices.Contains(names, name) {
			t.Errorf("pinnedLayouts records %s, which is not a carried pinned map", name)
		}
	}
}
