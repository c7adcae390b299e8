package daemon

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/datapath"
)

// An input filter is an access list applied with `ip flow ingress
// input-filter ACL`: each entry is a datapath filter term, permit meters
// and deny (and the implicit deny) does not. The datapath counts what
// each entry matched; `show access-lists` adds those counts to the
// management plane's.

// InputFilter is a port's filter: the list and the datapath form of it.
type InputFilter struct {
	List   config.AccessList
	Filter datapath.Filter
}

// inputFilter converts list l. Validation has checked that it is usable
// (config.InputFilterUsable).
func inputFilter(l config.AccessList) (*InputFilter, error) {
	f := datapath.Filter{Family: 4}
	for _, e := range l.Entries {
		if e.Remark != "" {
			continue
		}
		src, ok := config.WildcardPrefix(e.Addr, e.Wildcard)
		if !ok {
			return nil, fmt.Errorf("access list %s entry %d: source wildcard %s is not a prefix", l.Ref(), e.Seq, e.Wildcard)
		}
		t := datapath.Term{Src: []netip.Prefix{src}, Action: datapath.Ignore}
		if e.Permit {
			t.Action = datapath.Meter
		}
		if l.Extended {
			dst, ok := config.WildcardPrefix(e.DstAddr, e.DstWild)
			if !ok {
				return nil, fmt.Errorf("access list %s entry %d: destination wildcard %s is not a prefix", l.Ref(), e.Seq, e.DstWild)
			}
			t.Dst = []netip.Prefix{dst}
			if e.Protocol != 0 {
				t.Protos = []uint8{e.Protocol}
			}
			t.SrcPorts, t.DstPorts = portRanges(e.SrcPort), portRanges(e.DstPort)
		}
		f.Terms = append(f.Terms, t)
	}
	if len(f.Terms) > datapath.MaxTerms {
		return nil, fmt.Errorf("access list %s has %d entries: an input filter takes at most %d", l.Ref(), len(f.Terms), datapath.MaxTerms)
	}
	return &InputFilter{List: l, Filter: f}, nil
}

// portRanges is an IOS port comparison as ranges; nil is any port.
func portRanges(m config.PortMatch) []datapath.PortRange {
	switch m.Op {
	case config.PortEq:
		return []datapath.PortRange{{Lo: m.Lo, Hi: m.Lo}}
	case config.PortNeq:
		var out []datapath.PortRange
		if m.Lo > 0 {
			out = append(out, datapath.PortRange{Lo: 0, Hi: m.Lo - 1})
		}
		if m.Lo < 65535 {
			out = append(out, datapath.PortRange{Lo: m.Lo + 1, Hi: 65535})
		}
		return out
	case config.PortLt:
		if m.Lo == 0 {
			return []datapath.PortRange{{Lo: 1, Hi: 0}} // matches nothing: refused by the datapath
		}
		return []datapath.PortRange{{Lo: 0, Hi: m.Lo - 1}}
	case config.PortGt:
		if m.Lo == 65535 {
			return []datapath.PortRange{{Lo: 1, Hi: 0}}
		}
		return []datapath.PortRange{{Lo: m.Lo + 1, Hi: 65535}}
	case config.PortRange:
		return []datapath.PortRange{{Lo: m.Lo, Hi: m.Hi}}
	}
	return nil
}

// installedFilter is a port's filter in the datapath.
type installedFilter struct {
	def *InputFilter
	id  datapath.FilterID
}

// portFilter returns the datapath filter for port p, installing it when
// it changed; retire, when not nil, removes the filter it replaces once
// the port points at the new one. d.mu is held.
func (d *Daemon) portFilter(p Port) (id datapath.FilterID, retire func() error, err error) {
	cur := d.filters[p.Name]
	if p.InputFilter == nil {
		if cur == nil {
			return 0, nil, nil
		}
		delete(d.filters, p.Name)
		return 0, func() error { return d.retireFilter(cur) }, nil
	}
	if cur != nil && reflect.DeepEqual(cur.def.Filter, p.InputFilter.Filter) && cur.def.List.Ref() == p.InputFilter.List.Ref() {
		cur.def = p.InputFilter // same terms: the entries' counts go on
		return cur.id, nil, nil
	}
	id, err = d.dp.InstallFilter(p.InputFilter.Filter)
	if err != nil {
		return 0, nil, fmt.Errorf("ip flow ingress input-filter %s on %s: %w", p.InputFilter.List.Ref(), p.Name, err)
	}
	if d.filters == nil {
		d.filters = map[string]*installedFilter{}
	}
	d.filters[p.Name] = &installedFilter{def: p.InputFilter, id: id}
	if cur == nil {
		return id, nil, nil
	}
	return id, func() error { return d.retireFilter(cur) }, nil
}

// retireFilter keeps what the filter's entries counted (an entry that
// is unchanged in the new list goes on from there) and frees its slot.
func (d *Daemon) retireFilter(f *installedFilter) error {
	counts, err := d.dp.FilterCounts(f.id)
	if err == nil {
		if d.filterBase == nil {
			d.filterBase = map[aclKey]uint64{}
		}
		for i, e := range entries(f.def.List) {
			d.filterBase[aclKey{f.def.List.Ref(), e}] += counts[i].Packets
		}
	}
	return errors.Join(err, d.dp.RemoveFilter(f.id))
}

// entries are a list's entries without its remarks: the filter's terms.
func entries(l config.AccessList) []config.ACE {
	var out []config.ACE
	for _, e := range l.Entries {
		if e.Remark == "" {
			out = append(out, e)
		}
	}
	return out
}

// InputFilterMatches is how many packets entry e of list ref matched as
// an input filter, on every port.
func (d *Daemon) InputFilterMatches(ref string, e config.ACE) uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := d.filterBase[aclKey{ref, e}]
	for _, f := range d.filters {
		if f.def.List.Ref() != ref {
			continue
		}
		i := -1
		for j, x := range entries(f.def.List) {
			if x == e {
				i = j
				break
			}
		}
		if i < 0 {
			continue
		}
		if counts, err := d.dp.FilterCounts(f.id); err == nil {
			n += counts[i].Packets
		}
	}
	return n
}

// ClearInputFilterCounters is the input filters' part of `clear
// access-list counters`.
func (d *Daemon) ClearInputFilterCounters() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.filterBase = nil
	var errs []error
	for _, f := range d.filters {
		errs = append(errs, d.dp.ClearFilterCounts(f.id))
	}
	return errors.Join(errs...)
}

// selectPort points port p (ifindex) at its input filter and sampler,
// then frees the filter they replace.
func (d *Daemon) selectPort(ifindex int, p Port) error {
	id, retire, err := d.portFilter(p)
	if err != nil {
		return err
	}
	if err := d.dp.SetPortSelect(ifindex, datapath.PortSelect{Filter4: id, Sampler: p.Sampler}); err != nil {
		return err
	}
	if retire != nil {
		return retire()
	}
	return nil
}
