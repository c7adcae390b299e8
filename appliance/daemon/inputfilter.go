package daemon

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/datapath"
)

// An input filter is an access list applied with `ip flow ingress
// input-filter ACL`: each entry is a datapath filter term, permit meters
// and deny (and the implicit deny) does not. The datapath counts what
// each entry matched; `show access-lists` adds those counts to the
// management plane's.

// InputFilter is a port's filter: the access list or JunOS firewall
// filter, and the datapath form of it.
type InputFilter struct {
	List     config.AccessList
	Firewall *config.FirewallFilter // set for a JunOS filter
	Filter   datapath.Filter
}

// ref names the filter: an ACL's number or name, "inet NAME" for JunOS.
func (f *InputFilter) ref() string {
	if f.Firewall != nil {
		return f.Firewall.Key()
	}
	return f.List.Ref()
}

// firewallFilter converts a JunOS filter: `then sample` terms meter
// through the sampling instance, the others (accept, discard) do not.
func firewallFilter(f config.FirewallFilter) *InputFilter {
	df := datapath.Filter{Family: 4}
	if f.Family == "inet6" {
		df.Family = 6
	}
	for _, t := range f.Terms {
		dt := datapath.Term{Src: t.SourceAddresses, Dst: t.DestinationAddresses, Protos: t.Protocols, Action: datapath.Ignore}
		if t.Sample {
			dt.Action = datapath.Meter
		}
		for _, r := range t.SourcePorts {
			dt.SrcPorts = append(dt.SrcPorts, datapath.PortRange{Lo: r.Lo, Hi: r.Hi})
		}
		for _, r := range t.DestinationPorts {
			dt.DstPorts = append(dt.DstPorts, datapath.PortRange{Lo: r.Lo, Hi: r.Hi})
		}
		const syn, rst, ack = 0x02, 0x04, 0x10
		if t.TCPInitial || t.TCPEstablished {
			m := datapath.FlagMatch{}
			if t.TCPInitial {
				m.Mask, m.Value = syn|ack, syn
			}
			if t.TCPEstablished {
				m.AnyOf = ack | rst
			}
			dt.Flags = &m
		}
		df.Terms = append(df.Terms, dt)
	}
	return &InputFilter{Firewall: &f, Filter: df}
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
	def   *InputFilter
	id    datapath.FilterID
	since time.Time // installed, or its counters last cleared
}

// portFilter returns the datapath filter for port p, installing it when
// it changed; retire, when not nil, removes the filter it replaces once
// the port points at the new one. d.mu is held.
func (d *Daemon) portFilter(key string, want *InputFilter) (id datapath.FilterID, retire func() error, err error) {
	cur := d.filters[key]
	if want == nil {
		if cur == nil {
			return 0, nil, nil
		}
		delete(d.filters, key)
		return 0, func() error { return d.retireFilter(cur) }, nil
	}
	if cur != nil && reflect.DeepEqual(cur.def.Filter, want.Filter) && cur.def.ref() == want.ref() &&
		reflect.DeepEqual(cur.def.Firewall, want.Firewall) {
		cur.def = want // same terms: the entries' counts go on
		return cur.id, nil, nil
	}
	id, err = d.dp.InstallFilter(want.Filter)
	if err != nil {
		return 0, nil, fmt.Errorf("input filter %s on %s: %w", want.ref(), key, err)
	}
	if d.filters == nil {
		d.filters = map[string]*installedFilter{}
	}
	d.filters[key] = &installedFilter{def: want, id: id, since: time.Now()}
	if cur == nil {
		return id, nil, nil
	}
	return id, func() error { return d.retireFilter(cur) }, nil
}

// retireFilter keeps what the filter's entries counted (an entry that
// is unchanged in the new list goes on from there) and frees its slot.
func (d *Daemon) retireFilter(f *installedFilter) error {
	counts, err := d.dp.FilterCounts(f.id)
	if err == nil && f.def.Firewall != nil {
		if d.firewallBase == nil {
			d.firewallBase = map[termKey]TermCount{}
		}
		for i, t := range f.def.Firewall.Terms {
			k := firewallTermKey(*f.def.Firewall, t)
			b := d.firewallBase[k]
			b.Packets += counts[i].Packets
			b.Bytes += counts[i].Bytes
			d.firewallBase[k] = b
		}
	} else if err == nil {
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
		if f.def.Firewall != nil || f.def.List.Ref() != ref {
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
	now := time.Now()
	for _, f := range d.filters {
		f.since = now
		errs = append(errs, d.dp.ClearFilterCounts(f.id))
	}
	return errors.Join(errs...)
}

// selectPort points port p (ifindex) at its input filter and sampler,
// then frees the filter they replace.
func (d *Daemon) selectPort(ifindex int, p Port) error {
	id4, retire4, err := d.portFilter(p.Name+" inet", p.InputFilter)
	if err != nil {
		return err
	}
	id6, retire6, err := d.portFilter(p.Name+" inet6", p.InputFilter6)
	if err != nil {
		return errors.Join(err, d.runRetire(retire4))
	}
	if err := d.dp.SetPortSelect(ifindex, datapath.PortSelect{Filter4: id4, Filter6: id6, Sampler: p.Sampler}); err != nil {
		return err
	}
	return errors.Join(d.runRetire(retire4), d.runRetire(retire6))
}

func (d *Daemon) runRetire(retire func() error) error {
	if retire == nil {
		return nil
	}
	return retire()
}

// releasePort drops a detached port's filters.
func (d *Daemon) releasePort(name string) error {
	var errs []error
	for _, fam := range []string{" inet", " inet6"} {
		_, retire, err := d.portFilter(name+fam, nil)
		errs = append(errs, err, d.runRetire(retire))
	}
	return errors.Join(errs...)
}

// TermCount is one JunOS filter term's counter for show firewall.
type TermCount struct {
	Name           string // the term's count name, or the term's name
	Bytes, Packets uint64
}

// termKey names a JunOS filter term by its filter and its whole
// definition: a term that a commit leaves as it was keeps counting from
// where it was, one that changed starts from zero (JunOS keeps counters
// until `clear firewall`; a changed term is a new counter).
type termKey struct{ filter, term string }

func firewallTermKey(f config.FirewallFilter, t config.FilterTerm) termKey {
	return termKey{f.Key(), fmt.Sprintf("%+v", t)}
}

// FirewallCounts are the counters of each term of JunOS filter f (as
// configured now), summed over the ports using it and the filters a
// commit replaced; false when nothing ever counted for it.
func (d *Daemon) FirewallCounts(f config.FirewallFilter) ([]TermCount, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]TermCount, len(f.Terms))
	found := false
	at := map[termKey]int{}
	for i, t := range f.Terms {
		n := t.Count
		if n == "" {
			n = t.Name
		}
		out[i].Name = n
		k := firewallTermKey(f, t)
		at[k] = i
		if b, ok := d.firewallBase[k]; ok {
			out[i].Packets, out[i].Bytes = b.Packets, b.Bytes
			found = true
		}
	}
	for _, inst := range d.filters {
		fw := inst.def.Firewall
		if fw == nil || fw.Key() != f.Key() {
			continue
		}
		counts, err := d.dp.FilterCounts(inst.id)
		if err != nil {
			continue
		}
		found = true
		for j, t := range fw.Terms {
			if i, ok := at[firewallTermKey(*fw, t)]; ok {
				out[i].Packets += counts[j].Packets
				out[i].Bytes += counts[j].Bytes
			}
		}
	}
	return out, found
}

// ClearFirewall is JunOS `clear firewall filter NAME` (both families),
// or `clear firewall all` with name "".
func (d *Daemon) ClearFirewall(name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k := range d.firewallBase {
		if name == "" || k.filter == "inet "+name || k.filter == "inet6 "+name {
			delete(d.firewallBase, k)
		}
	}
	var errs []error
	for _, f := range d.filters {
		if fw := f.def.Firewall; fw != nil && (name == "" || fw.Name == name) {
			errs = append(errs, d.dp.ClearFilterCounts(f.id))
		}
	}
	return errors.Join(errs...)
}
