package datapath

import (
	"fmt"
	"path/filepath"
	"reflect"

	"github.com/cilium/ebpf"
)

// Which of the meter's maps outlive the process is decided once per map,
// in bpf/ (LIBBPF_PIN_BY_NAME) and here: a map without pinning is listed
// in unpinnedMaps with the reason, and TestEveryMapClassified fails for a
// map that is neither, so a map added to the meter cannot be left
// undecided. Every path that loads the meter pins every pinned map the
// pin directory lacks (a pin directory of a version without the map):
// a plain start through the collection's PinPath, a resize and the
// finish of a killed one through pinMissing. A counter left unpinned
// there would count from zero again at the next start without a clear.
var unpinnedMaps = map[string]string{
	"batch_progs": "program array: its entries are this load's programs",
	"flow_clock":  "per-CPU clock cache and flush cursor: a new program starts it afresh",
	"free_batch":  "the harvest's batch to free: the daemon's own, filled before each run",
	// The counters below start over with the process, as on a router's
	// reload (docs/architecture.md, "Counters across changes"); within a
	// process the daemon carries them across a resize (counterBase).
	"overload_counts": "overload sampler's position and counts: start over with the process",
	"filter_count":    "input filters' term counters: start over with the process, carried by the filters' keep",
	"sampler_states":  "samplers' positions and counts: start over with the process, reset by SetSampler",
	// Configuration the daemon installs on every start.
	"port_selects":  "ports' selections: installed by the daemon on each start",
	"filter_src":    "input filters' source prefixes: installed on each start",
	"filter_dst":    "input filters' destination prefixes: installed on each start",
	"filter_sport":  "input filters' source ports: installed on each start",
	"filter_dport":  "input filters' destination ports: installed on each start",
	"filter_proto":  "input filters' protocols: installed on each start",
	"filter_flags":  "input filters' flags: installed on each start",
	"filter_action": "input filters' actions: installed on each start",
	"samplers":      "samplers' configuration: installed on each start",
	// Global data: not maps the loader assigns.
	".bss":    "the meter's settings (cfg, capcfg, subif_on, overload): set by Open from the pinned table (seed, size) and by the daemon on each start",
	".rodata": "load-time constants (key_hash_kind): set before each load from the pinned table's counters",
}

// pinnedMaps are the maps of spec pinned by name, read before a load
// that turns pinning off.
func pinnedMaps(spec *ebpf.CollectionSpec) []string {
	var names []string
	for name, ms := range spec.Maps {
		if ms.Pinning == ebpf.PinByName {
			names = append(names, name)
		}
	}
	return names
}

// mapsByName are the maps the loader assigns, by their names in bpf/
// (nil before a load).
func (d *Datapath) mapsByName() map[string]*ebpf.Map {
	maps := map[string]*ebpf.Map{}
	v := reflect.ValueOf(&d.objs.meterMaps).Elem()
	for i := range v.NumField() {
		if m, ok := v.Field(i).Interface().(*ebpf.Map); ok {
			maps[v.Type().Field(i).Tag.Get("ebpf")] = m
		}
	}
	return maps
}

// pinMissing pins, under the pin directory, each map of pinned that is
// not the table's own (a resize pins those in pendingDir) and that was
// not found there (old: the pinned maps the load reused): the maps a
// version without them left no pin for. A load with pinning off creates
// them; unpinned, what they count from now would be lost at the next
// start. Before the links move to this program, so that nothing is
// counted into a map no later start can reach.
func (d *Datapath) pinMissing(pinned []string, old map[string]*ebpf.Map) error {
	maps := d.mapsByName()
	for _, name := range pinned {
		if isOwnTableMap(name) || old[name] != nil {
			continue
		}
		m := maps[name]
		if m == nil {
			return fmt.Errorf("pin %s: the meter has no such map", name)
		}
		if err := m.Pin(filepath.Join(d.opts.PinDir, name)); err != nil {
			return fmt.Errorf("pin %s, which the pins of an older version lack: %w", name, err)
		}
	}
	return nil
}
