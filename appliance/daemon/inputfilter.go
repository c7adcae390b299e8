package daemon

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/datapath"
)

// An input filter is an access list applied with `ip flow ingress
// input-filter ACL`: each entry is a datapath filter term, permit meters
// and deny (and the implicit deny) does not. The datapath counts what
// each entry matched; `show access-lists` adds those counts to the
// management plane's.

// InputFilter is a port's filter: the access list, JunOS firewall
// filter or IOS policy map, and the datapath form of it.
type InputFilter struct {
	List     config.AccessList
	Firewall *config.FirewallFilter // set for a JunOS filter
	Policy   string                 // set for `service-policy input`
	Filter   datapath.Filter
	// Sources says, per term of Filter, which access-list entry and
	// policy class it stands for (nil for a JunOS filter).
	Sources []TermSource
}

// TermSource is what one datapath term of an IOS filter stands for.
type TermSource struct {
	List  string // the access list's reference; "" for class-default's catch-all
	Entry config.ACE
	Class string // the policy class that takes the packet; "" outside a policy
	// Also are the later entries a denied packet matched on its way to
	// Class (a policy's deny sends it on).
	Also []config.EntryRef
}

// entries are the access-list entries a packet of this term matched.
func (s TermSource) entries() []config.EntryRef {
	if s.List == "" {
		return nil
	}
	return append([]config.EntryRef{{List: s.List, Entry: s.Entry}}, s.Also...)
}

// ref names the filter: an ACL's number or name, "inet NAME" for JunOS,
// "policy NAME" for a policy map.
func (f *InputFilter) ref() string {
	switch {
	case f.Firewall != nil:
		return f.Firewall.Key()
	case f.Policy != "":
		return "policy " + f.Policy
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

// inputFilter converts access list name of c. Validation
// (config.Normalize) has checked that it is configured and usable
// (config.InputFilterUsable), and blamed the line when it was not: an
// error here is a model that skipped it.
func inputFilter(c config.Config, name string) (*InputFilter, error) {
	l, ok := c.FindAccessList(name)
	if !ok {
		return nil, fmt.Errorf("access list %s is not configured", name)
	}
	f := &InputFilter{List: l, Filter: datapath.Filter{Family: l.Family()}}
	for _, e := range l.Entries {
		if e.Remark != "" {
			continue
		}
		t, err := aceTerm(l, e)
		if err != nil {
			return nil, err
		}
		t.Action = datapath.Ignore
		if e.Permit {
			t.Action = datapath.Meter
		}
		f.Filter.Terms = append(f.Filter.Terms, t)
		f.Sources = append(f.Sources, TermSource{List: l.Ref(), Entry: e})
	}
	if len(f.Filter.Terms) > datapath.MaxTerms {
		return nil, fmt.Errorf("access list %s has %d entries: an input filter takes at most %d", l.Ref(), len(f.Filter.Terms), datapath.MaxTerms)
	}
	return f, nil
}

// aceTerm is entry e of list l as a datapath term's match (no action).
func aceTerm(l config.AccessList, e config.ACE) (datapath.Term, error) {
	src, dst, err := l.EntryPrefixes(e)
	if err != nil {
		return datapath.Term{}, err
	}
	t := datapath.Term{Src: []netip.Prefix{src}}
	if l.Extended {
		t.Dst = []netip.Prefix{dst}
		if e.Protocol != 0 {
			t.Protos = []uint8{e.Protocol}
		}
		t.SrcPorts, t.DstPorts = portRanges(e.SrcPort), portRanges(e.DstPort)
	}
	return t, nil
}

// policyFilter converts policy map p for family 4 or 6: each class's
// access-list entries in class order, a permit metered through the
// class's netflow-sampler (ids numbers the maps), a deny or a class with
// no sampler not metered; class-default's sampler, if any, takes the
// rest. Validation has checked that config.PolicyTerms can lay it out.
func policyFilter(c config.Config, p config.PolicyMap, family int, ids map[string]uint16) (*InputFilter, error) {
	terms, err := c.PolicyTerms(p, family)
	if err != nil {
		return nil, err
	}
	f := &InputFilter{Policy: p.Name, Filter: datapath.Filter{Family: family}}
	for _, ct := range terms {
		var t datapath.Term
		if ct.List != "" {
			l, _ := c.FindAccessList(ct.List)
			// A standard list's entry crossed with an extended list's
			// (a match-all class) has the extended one's fields.
			l.Extended = l.Extended || ct.MatchACE().DstAddr.IsValid()
			if t, err = aceTerm(l, ct.MatchACE()); err != nil {
				return nil, err
			}
		}
		t.Action = datapath.Ignore
		if ct.Meter {
			t.Action, t.Sampler = datapath.Sample, ids[ct.Sampler]
		}
		f.Filter.Terms = append(f.Filter.Terms, t)
		f.Sources = append(f.Sources, TermSource{List: ct.List, Entry: ct.Entry, Class: ct.Class, Also: ct.Also})
	}
	return f, nil
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
	port  string
	// carried is what the same filter counted, term by term, in the
	// datapaths a resize closed since: the IPFIX-MIB selection process
	// (Filters) counts on from since.
	carried []datapath.TermCount
}

// termCounts are the filter's counts in the datapath plus carried.
func (f *installedFilter) termCounts(dp *datapath.Datapath) ([]datapath.TermCount, error) {
	counts, err := dp.FilterCounts(f.id)
	if err != nil {
		return nil, err
	}
	for i := range min(len(counts), len(f.carried)) {
		counts[i].Packets += f.carried[i].Packets
		counts[i].Bytes += f.carried[i].Bytes
	}
	return counts, nil
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
	port, _, _ := strings.Cut(key, " ")
	d.filters[key] = &installedFilter{def: want, id: id, since: time.Now(), port: port}
	if cur == nil {
		return id, nil, nil
	}
	return id, func() error { return d.retireFilter(cur) }, nil
}

// retireFilter keeps what the filter's terms counted (an entry, class
// or JunOS term that is unchanged in the new filter goes on from there)
// and frees its slot.
func (d *Daemon) retireFilter(f *installedFilter) error {
	counts, err := d.dp.FilterCounts(f.id)
	if err == nil {
		d.keep(f, counts, kept{acl: true, class: true, firewall: true})
	}
	return errors.Join(err, d.dp.RemoveFilter(f.id))
}

// kept names the counters keep carries over: access-list entries
// (`show access-lists`), policy classes (`show policy-map interface`),
// JunOS terms (`show firewall filter`).
type kept struct{ acl, class, firewall bool }

// keep adds what filter f counted (counts) to the bases of the views in
// what, before its counters are zeroed or its slot freed: each view
// clears only on its own command. d.mu is held.
func (d *Daemon) keep(f *installedFilter, counts []datapath.TermCount, what kept) {
	if fw := f.def.Firewall; fw != nil && what.firewall {
		if d.firewallBase == nil {
			d.firewallBase = map[termKey]TermCount{}
		}
		for i, t := range fw.Terms {
			k := firewallTermKey(*fw, t)
			b := d.firewallBase[k]
			b.Packets += counts[i].Packets
			b.Bytes += counts[i].Bytes
			d.firewallBase[k] = b
		}
	}
	if what.acl {
		for i, src := range f.def.Sources {
			for _, e := range src.entries() {
				if d.filterBase == nil {
					d.filterBase = map[aclKey]uint64{}
				}
				d.filterBase[aclKey{e.List, e.Entry}] += counts[i].Packets
			}
		}
	}
	if f.def.Policy != "" && what.class {
		if d.policyBase == nil {
			d.policyBase = map[classKey]TermCount{}
		}
		for class, n := range classCounts(f.def, counts) {
			k := classKey{f.port, f.def.Policy, class}
			b := d.policyBase[k]
			b.Packets += n.Packets
			b.Bytes += n.Bytes
			d.policyBase[k] = b
		}
	}
}

// InputFilterMatches is how many packets entry e of list ref matched as
// an input filter (directly, or in a policy's class), on every port.
func (d *Daemon) InputFilterMatches(ref string, e config.ACE) uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	n, zero := d.filterMatches(ref, e), d.filterZero[aclKey{ref, e}]
	if n < zero {
		return 0 // counts lost since the clear (a datapath that failed to read)
	}
	return n - zero
}

// ClearInputFilterMatches zeroes the counts of the entries of lists as
// show access-lists gives them, and nothing else: the datapath's term
// counters go on for the other lists' entries that share their terms,
// the classes and the IPFIX-MIB selection process.
func (d *Daemon) ClearInputFilterMatches(lists []config.AccessList) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.filterZero == nil {
		d.filterZero = map[aclKey]uint64{}
	}
	for _, l := range lists {
		for _, e := range l.Entries {
			k := aclKey{l.Ref(), e}
			d.filterZero[k] = d.filterMatches(k.ref, e)
		}
	}
}

// filterMatches is every packet the entry matched since the last clear
// of all lists. d.mu is held.
func (d *Daemon) filterMatches(ref string, e config.ACE) uint64 {
	n := d.filterBase[aclKey{ref, e}]
	for _, f := range d.filters {
		var counts []datapath.TermCount
		for i, src := range f.def.Sources {
			for _, x := range src.entries() {
				if x.List != ref || x.Entry != e {
					continue
				}
				if counts == nil {
					var err error
					if counts, err = d.dp.FilterCounts(f.id); err != nil {
						return n
					}
				}
				n += counts[i].Packets
			}
		}
	}
	return n
}

// classKey names a policy class's counters on a port.
type classKey struct{ port, policy, class string }

// classCounts sums a policy filter's term counters per class; packets no
// term matched are class-default's.
func classCounts(f *InputFilter, counts []datapath.TermCount) map[string]datapath.TermCount {
	out := map[string]datapath.TermCount{}
	add := func(class string, c datapath.TermCount) {
		o := out[class]
		o.Packets += c.Packets
		o.Bytes += c.Bytes
		out[class] = o
	}
	for i, src := range f.Sources {
		add(src.Class, counts[i])
	}
	add(config.ClassDefault, counts[datapath.MaxTerms])
	return out
}

// PolicyCounts are the packets and bytes each class of the policy on
// port matched (before sampling), both families, since the last `clear
// counters`; policy is the policy applied now.
func (d *Daemon) PolicyCounts(port, policy string) map[string]TermCount {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]TermCount{}
	for k, b := range d.policyBase {
		if k.port == port && k.policy == policy {
			out[k.class] = b
		}
	}
	for _, f := range d.filters {
		if f.port != port || f.def.Policy != policy {
			continue
		}
		counts, err := d.dp.FilterCounts(f.id)
		if err != nil {
			continue
		}
		for class, n := range classCounts(f.def, counts) {
			o := out[class]
			o.Packets += n.Packets
			o.Bytes += n.Bytes
			out[class] = o
		}
	}
	return out
}

// ClearPolicyCounters is the policy maps' part of `clear counters
// [INTERFACE]` (port "" for every port). The entries' matches in `show
// access-lists` go on: `clear access-list counters` clears those.
func (d *Daemon) ClearPolicyCounters(port string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var errs []error
	for k := range d.policyBase {
		if port == "" || k.port == port {
			delete(d.policyBase, k)
		}
	}
	now := time.Now()
	for _, f := range d.filters {
		if f.def.Policy == "" || port != "" && f.port != port {
			continue
		}
		if counts, err := d.dp.FilterCounts(f.id); err == nil {
			d.keep(f, counts, kept{acl: true})
		}
		f.since, f.carried = now, nil // IPFIX-MIB's selection process restarts here
		errs = append(errs, d.dp.ClearFilterCounts(f.id))
	}
	return errors.Join(errs...)
}

// ClearInputFilterCounters is the input filters' part of `clear
// access-list counters`; the policy classes and JunOS terms keep their
// counts.
func (d *Daemon) ClearInputFilterCounters() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.filterBase, d.filterZero = nil, nil
	var errs []error
	now := time.Now()
	for _, f := range d.filters {
		if f.def.Sources == nil {
			continue // a JunOS filter: no access list in it
		}
		if counts, err := d.dp.FilterCounts(f.id); err == nil {
			d.keep(f, counts, kept{class: true})
		}
		f.since, f.carried = now, nil
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
