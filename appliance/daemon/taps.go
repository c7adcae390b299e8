package daemon

import (
	"cmp"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/biflow"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/subif"
	"github.com/flowtap/flowtap/appliance/tap"
	"github.com/flowtap/flowtap/cli/show"
	"github.com/flowtap/flowtap/datapath"
)

// Taps is `show flowtap taps`: each tap's fibres, their ports' state as
// the kernel reports it now, and what each metered.
func (c *CLI) Taps() []show.TapView {
	d := c.m.d
	taps := d.Settings().Taps
	input, links := d.sampleFibres(taps, time.Now())
	var out []show.TapView
	for _, t := range taps {
		v := show.TapView{Name: t.Name, IfIndex: t.IfIndex}
		for _, f := range [...]struct {
			side string
			port tap.Port
		}{{"A", t.FibreA}, {"B", t.FibreB}} {
			fv := show.FibreView{Side: f.side, Port: f.port.Name}
			if l, ok := links[f.port.Name]; ok && f.port.Name != "" {
				fv.Present, fv.AdminUp, fv.Carrier = true, l.adminUp, l.carrier
				in := input[f.port.Name]
				fv.Received, fv.LastInput = in.received, in.lastFrame
				if in.silent {
					fv.SilentFor, fv.PartnerReceives = in.idle, in.partnerArm
				}
			}
			if f.port.Name != "" {
				n := d.fibres.Port(f.port.Name)
				fv.Flows, fv.Packets, fv.Bytes = n.Flows, n.Packets, n.Bytes
			}
			v.Fibres = append(v.Fibres, fv)
		}
		out = append(out, v)
	}
	return out
}

// FibreTotal is one tap fibre's counters since the daemon started.
type FibreTotal struct {
	Tap, Side, Port string
	tap.Counters
}

// FibreTotals are the configured fibres' counters since the start, which
// `clear ip flow stats` leaves alone (Prometheus).
func (d *Daemon) FibreTotals() []FibreTotal {
	var out []FibreTotal
	for _, t := range d.Settings().Taps {
		for _, f := range [...]struct {
			side string
			port tap.Port
		}{{"a", t.FibreA}, {"b", t.FibreB}} {
			if f.port.Name != "" {
				out = append(out, FibreTotal{Tap: t.Name, Side: f.side, Port: f.port.Name, Counters: d.fibres.Total(f.port.Name)})
			}
		}
	}
	return out
}

// FibreRow is one tap fibre for FLOWTAP-MIB's flowtapFibreTable: its
// state as show flowtap taps reads it, how long it has been without a
// frame, and its counters since the start.
type FibreRow struct {
	LinkIfIndex uint32
	Side        string // "a" or "b"
	Port        string
	// State is "up", "dark", "silent", "admin-down", "missing" or
	// "not-configured".
	State string
	Idle  time.Duration
	tap.Counters
}

// FibreRows reads every configured fibre's state now.
func (d *Daemon) FibreRows() []FibreRow {
	taps := d.Settings().Taps
	input, links := d.sampleFibres(taps, time.Now())
	var out []FibreRow
	for _, t := range taps {
		for _, f := range [...]struct {
			side string
			port tap.Port
		}{{"a", t.FibreA}, {"b", t.FibreB}} {
			r := FibreRow{LinkIfIndex: t.IfIndex, Side: f.side, Port: f.port.Name, State: "not-configured"}
			// The row's, not the port's: a Counter64 that went back when
			// the side's port is replaced, renamed or taken off would read
			// as a wrap to a manager.
			side := tap.SideA
			if f.side == "b" {
				side = tap.SideB
			}
			r.Counters = d.fibres.Row(t.IfIndex, side)
			if f.port.Name != "" {
				l, ok := links[f.port.Name]
				in := input[f.port.Name]
				r.Idle = in.idle
				switch {
				case !ok:
					r.State = "missing"
				case !l.adminUp:
					r.State = "admin-down"
				case !l.carrier:
					r.State = "dark"
				case in.silent:
					r.State = "silent"
				default:
					r.State = "up"
				}
			}
			out = append(out, r)
		}
	}
	return out
}

// Biflows is `show ip cache biflow`: the live cache, tap fibres given
// their direction, paired into conversations.
func (c *CLI) Biflows() show.BiflowView {
	d := c.m.d
	s := d.Settings()
	rw := tap.NewAnnotator(s.Taps, &tap.Meters{}) // a reader: counts nothing that lasts
	rw.History = d.TapHistory()
	var recs []flow.Record
	d.Datapath().Peek(func(r *flow.Record) {
		x := *r
		rw.Rewrite(&x)
		recs = append(recs, x)
	})
	pairs := biflow.Join(recs)
	slices.SortStableFunc(pairs, func(a, b flow.Record) int {
		return cmp.Or(a.Start.Compare(b.Start), a.SrcAddr.Compare(b.SrcAddr), cmp.Compare(a.SrcPort, b.SrcPort))
	})
	links := map[uint32]string{}
	for _, t := range s.Taps {
		links[t.IfIndex] = t.Name
	}
	name := func(r *flow.Record) string {
		i := biflow.ObservationPoint(r)
		if n, ok := links[i]; ok && r.Direction != flow.DirUnknown {
			return n
		}
		if n := ifName(i); n != "" {
			return n
		}
		return strconv.FormatUint(uint64(i), 10)
	}
	return show.BiflowView{Flows: pairs, Link: name}
}

// fibreName is "Tap NAME fibre A|B" for a tap's port, "" for others.
func (m *Manager) fibreName(port string) string {
	c := m.Config()
	i, side, ok := c.FibreOf(port)
	if !ok {
		return ""
	}
	return "Tap " + c.Taps[i].Name + " fibre " + strings.ToUpper(side)
}

// subifKeys is the meter's map of subinterfaces whose parent exists: a
// VLAN's flows on that port are keyed by the subinterface's ifIndex, so
// two VLANs carrying one 5-tuple are two flows (the annotator still
// rewrites flows metered before the map had them).
func subifKeys(subs []subif.Sub) map[datapath.VLANPort]uint32 {
	m := map[datapath.VLANPort]uint32{}
	for _, s := range subs {
		if s.ParentIndex != 0 {
			m[datapath.VLANPort{Port: s.ParentIndex, VID: s.VLAN}] = s.IfIndex
		}
	}
	return m
}

// resolvePorts gives the taps' fibres and the subinterfaces' parents the
// ifindex of a port that appeared since the settings were derived, so
// that its flows get their link or subinterface from the first one on;
// d.mu is held.
func (d *Daemon) resolvePorts(now time.Time) {
	index, ok := d.portIndexes()
	if !ok {
		return
	}
	s := &d.settings
	changed := false
	resolve := func(name string, was *uint32) bool {
		if name == "" {
			return false
		}
		if x := index(name); x != 0 && x != *was {
			*was = x
			changed = true
			return true
		}
		return false
	}
	s.Taps = slices.Clone(s.Taps)
	for i := range s.Taps {
		for _, f := range [...]*tap.Port{&s.Taps[i].FibreA, &s.Taps[i].FibreB} {
			was := f.Index
			if resolve(f.Name, &f.Index) && was != 0 {
				// The port was deleted and added again: the flows it
				// metered before are in the table under its old index.
				f.Former = append(slices.Clone(f.Former), was)
				if d.formerAt == nil {
					d.formerAt = map[uint32]time.Time{}
				}
				d.formerAt[was] = now
			}
		}
	}
	s.Subifs = slices.Clone(s.Subifs)
	for i := range s.Subifs {
		resolve(s.Subifs[i].Parent, &s.Subifs[i].ParentIndex)
	}
	if changed && d.dp != nil {
		if err := d.dp.SetSubinterfaces(subifKeys(s.Subifs)); err != nil {
			d.log.Error("map subinterfaces in the meter", "err", err)
		}
	}
	if changed && d.running && d.pipe != nil {
		d.pipe.Engine().SetAnnotator(d.annotator(*s))
	}
}

// dropFormer forgets the fibres' former ifindexes (and those of ports
// taken off a tap) under which no flow can be left in the table: the
// device is gone, so its flows saw their last packet before the index
// became a former one, and the timeouts have ended them since. Each
// delete and add of a fibre's port (a driver reloaded, a USB NIC that
// drops off) adds an index, and before they were kept for the daemon's
// life. With no timeout at all, flows never leave and nothing is
// dropped. d.mu is held.
func (d *Daemon) dropFormer(now time.Time) {
	life := max(d.settings.Aging.Active, d.settings.Aging.Inactive)
	if life == 0 {
		return
	}
	// A minute's margin for the ager's pass, as tapHorizon.
	horizon := now.Add(-life - time.Minute)
	used := map[uint32]bool{}
	keep := func(former []uint32) ([]uint32, bool) {
		out := former[:0:0]
		for _, x := range former {
			at, ok := d.formerAt[x]
			if !ok {
				// Not seen to go (carried over from a configuration
				// before): counted from now.
				if d.formerAt == nil {
					d.formerAt = map[uint32]time.Time{}
				}
				d.formerAt[x], at = now, now
			}
			if at.Before(horizon) {
				continue
			}
			used[x] = true
			out = append(out, x)
		}
		return out, len(out) != len(former)
	}
	taps, changed := d.settings.Taps, false
	for i := range taps {
		l := taps[i]
		c := false
		for _, f := range [...]*tap.Port{&l.FibreA, &l.FibreB} {
			var dropped bool
			if f.Former, dropped = keep(f.Former); dropped {
				c = true
			}
		}
		if len(l.Retired) > 0 {
			l.Retired = slices.Clone(l.Retired)
			for j := range l.Retired {
				var dropped bool
				if l.Retired[j].Port.Former, dropped = keep(l.Retired[j].Port.Former); dropped {
					c = true
				}
			}
		}
		if c {
			if !changed {
				taps, changed = slices.Clone(taps), true
			}
			taps[i] = l
		}
	}
	for x := range d.formerAt {
		if !used[x] {
			delete(d.formerAt, x)
		}
	}
	if !changed {
		return
	}
	d.settings.Taps = taps
	if d.running && d.pipe != nil {
		d.pipe.Engine().SetAnnotator(d.annotator(d.settings))
	}
}

// portGone says whether an attached port's device went away (ip link
// del; perhaps added again, as another device with another ifindex): its
// XDP link went with the device, so the port is detached here and the
// next applyPorts attaches the meter to the new device. d.mu is held.
func (d *Daemon) portGone(p *datapath.Port) bool {
	if ifc, err := net.InterfaceByName(p.Name); err == nil && ifc.Index == p.Index {
		return false
	}
	d.log.Warn("monitored port went away; metering it again when it is back", "port", p.Name, "ifindex", p.Index)
	if err := d.dp.Detach(p); err != nil {
		d.log.Debug("detach a port that went away", "port", p.Name, "err", err)
	}
	if err := d.dp.SetPortSelect(p.Index, datapath.PortSelect{}); err != nil {
		d.log.Debug("forget a gone port's input selection", "port", p.Name, "err", err)
	}
	delete(d.ports, p.Name)
	return true
}

// carryFormer keeps, across a configuration change, the former ifindexes
// of fibres whose port is still a fibre, except those another device has
// now, and the ports a tap that remains lost as fibres (Retired), unless
// they are metered as ports of their own now: flows metered under them
// may still be in the table.
func carryFormer(old, cur []tap.Link, ports []Port) []tap.Link {
	cur = carryFormerIndexes(old, cur)
	fibre := map[string]bool{}
	for _, l := range cur {
		fibre[l.FibreA.Name], fibre[l.FibreB.Name] = true, true
	}
	metered := map[string]bool{}
	for _, p := range ports {
		metered[p.Name] = p.Meter && !fibre[p.Name]
	}
	byName := map[string]tap.Link{}
	for _, l := range old {
		byName[l.Name] = l
	}
	for i := range cur {
		was, ok := byName[cur[i].Name]
		if !ok {
			continue
		}
		var retired []tap.Retired
		for _, r := range append([]tap.Retired{{Side: tap.SideA, Port: was.FibreA}, {Side: tap.SideB, Port: was.FibreB}}, was.Retired...) {
			if r.Port.Name == "" || fibre[r.Port.Name] || metered[r.Port.Name] || r.Port.Index == 0 && len(r.Port.Former) == 0 {
				continue
			}
			if slices.ContainsFunc(retired, func(x tap.Retired) bool { return x.Port.Name == r.Port.Name }) {
				continue
			}
			retired = append(retired, r)
		}
		if len(retired) > 0 {
			cur = slices.Clone(cur)
			cur[i].Retired = retired
		}
	}
	return cur
}

func carryFormerIndexes(old, cur []tap.Link) []tap.Link {
	former := map[string][]uint32{}
	for _, l := range old {
		for _, f := range [...]tap.Port{l.FibreA, l.FibreB} {
			if f.Name != "" && len(f.Former) > 0 {
				former[f.Name] = f.Former
			}
		}
	}
	if len(former) == 0 {
		return cur
	}
	cur = slices.Clone(cur)
	for i := range cur {
		for _, f := range [...]*tap.Port{&cur[i].FibreA, &cur[i].FibreB} {
			for _, x := range former[f.Name] {
				if ifc, err := net.InterfaceByIndex(int(x)); (err != nil || ifc.Name == f.Name) && x != f.Index && !slices.Contains(f.Former, x) {
					f.Former = append(f.Former, x)
				}
			}
		}
	}
	return cur
}

// TapHistory is what the tap fibres' ports meant before the configuration
// changes whose flows may still be cached.
func (d *Daemon) TapHistory() tap.History {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.tapHistory
}

// tapHorizon is how far back a flow still in the table can have started:
// the active timeout ends every entry (a minute's margin for the ager's
// pass); with none, any flow may still be there.
func tapHorizon(old, cur Settings) time.Time {
	active := max(old.Aging.Active, cur.Aging.Active)
	if active == 0 {
		return time.Time{}
	}
	return time.Now().Add(-active - time.Minute)
}
