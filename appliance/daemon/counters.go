package daemon

import (
	"errors"
	"reflect"

	"github.com/flowtap/flowtap/datapath"
)

var errNoDatapath = errors.New("the datapath is not open")

// Counters go back to zero only on `clear`. The datapath's counters live
// in BPF maps that a cache resize replaces (apply closes and reopens the
// datapath) and that a sampler change resets; the maps that are not
// carried over (not pinned, or pinned but reloaded) start from zero. The
// daemon keeps what each replaced map had counted in counterBase and adds
// it to the live map's reading, in one place that the CLI, SNMP and
// Prometheus all read: DatapathStats, OverloadCounts and the samplers'
// views (Samplers).

// counterBase is what the counter maps this daemon replaced had counted.
type counterBase struct {
	stats    datapath.Stats // OverloadSampledOut left 0: it is overload's
	overload datapath.OverloadCounts
	samplers map[uint16]datapath.SamplerStats
}

// counterReading is a datapath's counters once its writers have moved to
// its successor.
type counterReading struct {
	maps     datapath.CounterMaps
	stats    datapath.Stats
	statsOK  bool
	overload datapath.OverloadCounts
	ovlOK    bool
	samplers map[uint16]datapath.SamplerStats
}

// readCounters reads dp's counters, with the samplers in ids.
func readCounters(dp *datapath.Datapath, ids map[uint16]datapath.SamplerConfig) counterReading {
	r := counterReading{maps: dp.CounterMaps(), samplers: map[uint16]datapath.SamplerStats{}}
	var err error
	r.stats, err = dp.Stats()
	r.statsOK = err == nil
	r.overload, err = dp.OverloadCounts()
	r.ovlOK = err == nil
	for id := range ids {
		if ss, err := dp.SamplerStats(id); err == nil {
			r.samplers[id] = ss
		}
	}
	return r
}

// carryCounters adds to the base what r (the closed datapath) counted in
// the maps the datapath now open does not share with it, and says whether
// the samplers' map is shared (its entries are then still to be kept
// before SetSampler resets them). d.mu is held.
func (d *Daemon) carryCounters(r counterReading) (samplersShared bool) {
	now := d.dp.CounterMaps()
	same := func(a, b uint32) bool { return a != 0 && a == b }
	if r.statsOK && !same(uint32(r.maps.Stats), uint32(now.Stats)) {
		st := r.stats
		st.OverloadSampledOut = 0
		d.base.stats = addCounters(d.base.stats, st)
	}
	if r.ovlOK && !same(uint32(r.maps.Overload), uint32(now.Overload)) {
		d.base.overload = addCounters(d.base.overload, r.overload)
	}
	b := counterBase{stats: d.base.stats, overload: d.base.overload}
	d.ovl.base.Store(&b)
	if same(uint32(r.maps.Samplers), uint32(now.Samplers)) {
		return true
	}
	for id, ss := range r.samplers {
		d.keepSampler(id, ss)
	}
	return false
}

// keepSampler adds what sampler id counted to its base, before its map
// entry is reset or replaced. d.mu is held.
func (d *Daemon) keepSampler(id uint16, ss datapath.SamplerStats) {
	if d.base.samplers == nil {
		d.base.samplers = map[uint16]datapath.SamplerStats{}
	}
	d.base.samplers[id] = addCounters(d.base.samplers[id], ss)
}

// addCounters adds every counter of b to a: each uint64 field, and each
// array of them, so a counter added to the type is carried without
// touching this. Used for every counter struct the daemon keeps across a
// datapath reopen or an exporter's replacement.
func addCounters[T any](a, b T) T {
	av, bv := reflect.ValueOf(&a).Elem(), reflect.ValueOf(b)
	for i := range av.NumField() {
		switch f := av.Field(i); {
		case f.Kind() == reflect.Uint64:
			f.SetUint(f.Uint() + bv.Field(i).Uint())
		case f.Kind() == reflect.Array && f.Type().Elem().Kind() == reflect.Uint64:
			for j := range f.Len() {
				e := f.Index(j)
				e.SetUint(e.Uint() + bv.Field(i).Index(j).Uint())
			}
		}
	}
	return a
}

// DatapathStats are the meter's counters since the daemon started,
// across cache resizes: what `show ip flow datapath`, SNMP and Prometheus
// report.
func (d *Daemon) DatapathStats() (datapath.Stats, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.datapathStats()
}

// datapathStats is DatapathStats with d.mu held.
func (d *Daemon) datapathStats() (datapath.Stats, error) {
	if d.dp == nil {
		return datapath.Stats{}, errNoDatapath
	}
	return statsWithBase(d.dp, d.base)()
}

// statsWithBase reads dp's counters plus base's.
func statsWithBase(dp *datapath.Datapath, base counterBase) func() (datapath.Stats, error) {
	return func() (datapath.Stats, error) {
		st, err := dp.Stats()
		if err != nil {
			return st, err
		}
		st = addCounters(st, base.stats)
		st.OverloadSampledOut += base.overload.SampledOut
		return st, nil
	}
}

// OverloadCounts are the overload sampler's counters across resizes.
func (d *Daemon) OverloadCounts() (datapath.OverloadCounts, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.overloadCounts()
}

func (d *Daemon) overloadCounts() (datapath.OverloadCounts, error) {
	if d.dp == nil {
		return datapath.OverloadCounts{}, errNoDatapath
	}
	oc, err := d.dp.OverloadCounts()
	if err != nil {
		return oc, err
	}
	oc.Taken += d.base.overload.Taken
	oc.SampledOut += d.base.overload.SampledOut
	return oc, nil
}

// samplerStats is sampler id's counters across resizes and changes of
// its map. d.mu is held.
func (d *Daemon) samplerStats(id uint16) (datapath.SamplerStats, error) {
	if d.dp == nil {
		return datapath.SamplerStats{}, errNoDatapath
	}
	ss, err := d.dp.SamplerStats(id)
	if err != nil {
		return ss, err
	}
	b := d.base.samplers[id]
	ss.Seen += b.Seen
	ss.Taken += b.Taken
	ss.Skipped += b.Skipped
	ss.Capped += b.Capped
	ss.Windows += b.Windows
	ss.LostRaces += b.LostRaces
	return ss, nil
}
