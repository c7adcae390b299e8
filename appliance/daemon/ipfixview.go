package daemon

import (
	"slices"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/datapath"
)

// What IPFIX-MIB, `show flow-sampler` and Prometheus read of the export
// sessions and the datapath's selectors, with when each count started.

// JunosSamplingInstance names the JunOS sampling instance's sampler.
const JunosSamplingInstance = "sampling instance"

// clearMark is an exporter's `clear ip flow stats`: when, and the
// template sends it had then.
type clearMark struct {
	at        time.Time
	templates export.TemplateSends
	records   map[uint16]uint64 // data records sent with each template
}

// ExportSession is one export destination of a cache, counted since
// Since: its start (or its first predecessor's, when a configuration
// change reopened it), or the last `clear ip flow stats`, as `show ip
// flow export` counts. Each template's Records count from its Since, the
// later of that and the template's own start.
type ExportSession struct {
	Scheme    platform.Scheme // SchemeNone: the main cache
	Config    export.DestinationConfig
	Stats     export.Stats
	Templates export.TemplateSends
	Info      []export.TemplateInfo
	Since     time.Time
}

// ExportSessions are the main cache's destinations, then each running
// aggregation cache's.
func (d *Daemon) ExportSessions() []ExportSession {
	type entry struct {
		scheme  platform.Scheme
		e       *export.Exporter
		base    export.Stats
		cleared *clearMark
	}
	// The exporters are asked outside d.mu: one may be waiting for room
	// in its queue, holding its own lock.
	var list []entry
	d.mu.Lock()
	if d.main != nil {
		for _, e := range d.main.Exporters() {
			x := entry{scheme: platform.SchemeNone, e: e}
			if c, ok := d.clearedAt[e]; ok {
				x.base, x.cleared = d.exportBase[e], &c
			}
			list = append(list, x)
		}
	}
	for _, a := range d.aggs {
		for _, e := range a.dests.Exporters() {
			x := entry{scheme: a.cfg.Cache.Scheme, e: e}
			if c, ok := d.clearedAt[e]; ok {
				x.base, x.cleared = d.exportBase[e], &c
			}
			list = append(list, x)
		}
	}
	d.mu.Unlock()
	out := make([]ExportSession, 0, len(list))
	for _, x := range list {
		e := x.e
		s := ExportSession{Scheme: x.scheme, Config: e.Config(), Stats: e.Stats(), Templates: e.TemplateSends(),
			Info: e.TemplateInfo(), Since: e.Started()}
		if c := x.cleared; c != nil {
			s.Stats = sinceClear(s.Stats, x.base)
			s.Templates.Templates -= min(s.Templates.Templates, c.templates.Templates)
			s.Templates.OptionsTemplates -= min(s.Templates.OptionsTemplates, c.templates.OptionsTemplates)
			s.Since = c.at
			for i := range s.Info {
				t := &s.Info[i]
				if t.Since.Before(c.at) {
					// A template defined after the clear has nothing to subtract.
					t.Records -= min(t.Records, c.records[t.ID])
					t.Since = c.at
				}
			}
		}
		out = append(out, s)
	}
	return out
}

// markSampler notes that sampler id started over. d.mu is held.
func (d *Daemon) markSampler(id uint16) {
	if d.samplerSince == nil {
		d.samplerSince = map[uint16]time.Time{}
	}
	d.samplerSince[id] = time.Now()
}

// SamplerView is one of the datapath's samplers and what it counted
// since Since. ID 0 is the global sampler every port without a sampler
// of its own goes through (a PFC's `mls sampling`; 1-in-1 when none is
// set): it has no counters in the datapath, so its Seen and Taken are
// what the meter counted less the other samplers' share.
type SamplerView struct {
	ID       uint16
	Name     string // the flow-sampler-map; "global" for ID 0
	Mode     datapath.SamplingMode
	Interval uint32
	Seen     uint64 // packets offered
	Taken    uint64 // packets metered
	Since    time.Time
}

// Samplers are the global sampler and the samplers in use, by id. The
// overload sampler after them is OverloadSampler.
func (d *Daemon) Samplers() ([]SamplerView, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st, err := d.datapathStats()
	if err != nil {
		return nil, err
	}
	s := d.settings
	// The overload sampler thins what the samplers passed, and counts
	// what it leaves out in SampledOut too: the samplers passed what was
	// metered and what it left out.
	oc, _ := d.overloadCounts()
	global := SamplerView{Name: "global", Mode: s.Sampling.Mode, Interval: max(s.Sampling.Interval, 1),
		Seen: st.MeteredPackets + st.SampledOut, Taken: st.MeteredPackets + oc.SampledOut, Since: d.dpOpened}
	out := []SamplerView{global}
	ids := slices.Sorted(func(yield func(uint16) bool) {
		for id := range s.Samplers {
			if !yield(id) {
				return
			}
		}
	})
	for _, id := range ids {
		c := s.Samplers[id]
		v := SamplerView{ID: id, Name: s.SamplerNames[id], Mode: c.Mode, Interval: c.Interval, Since: d.samplerSince[id]}
		if ss, err := d.samplerStats(id); err == nil {
			v.Seen, v.Taken = ss.Seen, ss.Taken
		}
		if v.Since.IsZero() {
			v.Since = d.dpOpened
		}
		// The global sampler saw what no other did.
		out[0].Seen -= min(out[0].Seen, v.Seen)
		out[0].Taken -= min(out[0].Taken, v.Taken)
		out = append(out, v)
	}
	return out, nil
}

// FilterView is one port's input filter in the datapath: the packets it
// was offered and those it did not pass to metering, since Since.
type FilterView struct {
	Port, Family    string // "eth1", "inet" or "inet6"
	Ref             string // the access list or firewall filter
	Slot            uint16 // its datapath slot
	Offered, Denied uint64
	Since           time.Time
}

// Filters are the ports' input filters, by port and family.
func (d *Daemon) Filters() []FilterView {
	d.mu.Lock()
	defer d.mu.Unlock()
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range d.filters {
			if !yield(k) {
				return
			}
		}
	})
	var out []FilterView
	for _, k := range keys {
		f := d.filters[k]
		port, fam := k, ""
		if i := strings.LastIndex(k, " "); i >= 0 {
			port, fam = k[:i], k[i+1:]
		}
		v := FilterView{Port: port, Family: fam, Ref: f.def.ref(), Slot: uint16(f.id), Since: f.since}
		counts, err := f.termCounts(d.dp)
		if err != nil {
			continue
		}
		for i, c := range counts {
			v.Offered += c.Packets
			if i >= len(f.def.Filter.Terms) || f.def.Filter.Terms[i].Action == datapath.Ignore {
				v.Denied += c.Packets // the implicit deny, or an ignoring term
			}
		}
		out = append(out, v)
	}
	return out
}

// OverloadSampler is the datapath's overload sampler (appliance/overload):
// it takes 1 in Interval of what the other samplers passed while the
// cache is flooded (Interval 1: off). Seen counts what reached it while
// it was on.
func (d *Daemon) OverloadSampler() (SamplerView, error) {
	oc, err := d.OverloadCounts()
	if err != nil {
		return SamplerView{}, err
	}
	n, err := d.Datapath().OverloadRate()
	if err != nil {
		return SamplerView{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return SamplerView{ID: datapath.OverloadSamplerBase, Name: "overload", Mode: datapath.SampleDeterministic, Interval: max(n, 1),
		Seen: oc.Taken + oc.SampledOut, Taken: oc.Taken, Since: d.dpOpened}, nil
}
