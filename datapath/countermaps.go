package datapath

import "github.com/cilium/ebpf"

// CounterMaps name the kernel maps that hold the meter's counters, by
// kernel map id. A caller that reopens the datapath (a cache resize, a
// restart over pinned maps) compares them: the same id means the counters
// were carried over (the map is pinned and was reused), another that they
// start from zero and what the old map counted must be kept elsewhere.
type CounterMaps struct {
	Stats, Overload, Samplers ebpf.MapID
}

// CounterMaps identifies this datapath's counter maps; an id the kernel
// does not report is 0, which never matches.
func (d *Datapath) CounterMaps() CounterMaps {
	return CounterMaps{Stats: mapID(d.objs.Stats), Overload: mapID(d.objs.OverloadCounts), Samplers: mapID(d.objs.SamplerStates)}
}

func mapID(m *ebpf.Map) ebpf.MapID {
	if m == nil {
		return 0
	}
	info, err := m.Info()
	if err != nil {
		return 0
	}
	id, _ := info.ID()
	return id
}
