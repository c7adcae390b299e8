package datapath

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/cilium/ebpf"
)

// Input filters and per-port samplers (bpf/select.h): which parsed
// packets the meter counts, and through which sampler.

const (
	maxFilters  = int(meterSelectLayoutMAX_FILTERS) // slot 0 is "no filter"
	MaxTerms    = int(meterSelectLayoutMAX_TERMS)
	MaxSamplers = int(meterSelectLayoutMAX_SAMPLERS) // id 0 is the global sampler
)

// Action is what a filter term does with the packets it matches.
type Action uint16

const (
	// Ignore: not metered (IOS deny, JunOS a term without sample).
	Ignore = Action(meterSelectLayoutACT_IGNORE)
	// Meter: metered through the port's sampler (or the global one).
	Meter = Action(meterSelectLayoutACT_METER)
	// Sample: metered through the term's own sampler.
	Sample = Action(meterSelectLayoutACT_SAMPLE)
)

// PortRange is an inclusive range of L4 ports. ICMP's "port" is the
// destination port as the meter keys it: type*256 + code.
type PortRange struct{ Lo, Hi uint16 }

// FlagMatch matches TCP flags: flags&Mask == Value, and when AnyOf is
// non-zero at least one of its flags set (IOS `established` is AnyOf
// ACK|RST). A packet that is not TCP has flags 0.
type FlagMatch struct{ Mask, Value, AnyOf uint8 }

func (m FlagMatch) matches(flags uint8) bool {
	return flags&m.Mask == m.Value && (m.AnyOf == 0 || flags&m.AnyOf != 0)
}

// Term is one first-match filter term. An empty list matches anything.
type Term struct {
	Src, Dst           []netip.Prefix
	Protos             []uint8
	SrcPorts, DstPorts []PortRange
	Flags              *FlagMatch // nil: any flags
	Action             Action
	Sampler            uint16 // for Sample
}

// Filter is a first-match list of terms for one address family; a packet
// no term matches is not metered (the implicit deny or discard).
type Filter struct {
	Family int // 4 or 6
	Terms  []Term
}

// FilterID names an installed filter.
type FilterID uint16

// installed remembers what a filter slot holds, to clear it again.
type installed struct {
	src, dst     []meterFilterAddrKey
	sport, dport []meterFilterPortKey
}

// PortSelect is a port's filters (0: none, every packet is metered) and
// sampler (0: the global sampler).
type PortSelect struct {
	Filter4, Filter6 FilterID
	Sampler          uint16
}

// SetPortSelect sets a port's filters and sampler; it applies at once.
func (d *Datapath) SetPortSelect(ifindex int, s PortSelect) error {
	if ifindex <= 0 || ifindex >= maxPorts {
		if s == (PortSelect{}) {
			return nil // nothing to select: the global sampler applies
		}
		return fmt.Errorf("port %d: filters and samplers need an ifindex below %d", ifindex, maxPorts)
	}
	if int(s.Sampler) >= MaxSamplers {
		return fmt.Errorf("sampler id %d out of range 1-%d", s.Sampler, MaxSamplers-1)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	// The meter reads a port's entry only while meter_cfg.selects is set:
	// set before the first port's entry, cleared after the last one's is
	// zeroed, so no packet skips an entry that is in force.
	on := s != PortSelect{}
	if on && len(d.selecting) == 0 {
		if err := d.setCfg(func(c *meterMeterCfg) { c.Selects |= selectsPorts }); err != nil {
			return err
		}
	}
	v := meterPortSelect{Filter4: uint16(s.Filter4), Filter6: uint16(s.Filter6), Sampler: s.Sampler}
	if err := d.objs.PortSelects.Put(uint32(ifindex), v); err != nil {
		return fmt.Errorf("set port %d filters: %w", ifindex, err)
	}
	if d.selecting == nil {
		d.selecting = map[int]bool{}
	}
	if on {
		d.selecting[ifindex] = true
	} else {
		delete(d.selecting, ifindex)
	}
	if len(d.selecting) == 0 {
		return d.setCfg(func(c *meterMeterCfg) { c.Selects &^= selectsPorts })
	}
	return nil
}

// ErrNoFilterSlot: every filter slot is in use.
var ErrNoFilterSlot = errors.New("no free filter slot")

// InstallFilter writes f into a free slot, with zeroed counters. It does
// not touch any port: to change a port's filter, install the new one,
// point the port at it, then RemoveFilter the old one.
func (d *Datapath) InstallFilter(f Filter) (FilterID, error) {
	if f.Family != 4 && f.Family != 6 {
		return 0, fmt.Errorf("filter family %d: want 4 or 6", f.Family)
	}
	if len(f.Terms) > MaxTerms {
		return 0, fmt.Errorf("filter has %d terms, at most %d", len(f.Terms), MaxTerms)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.filters == nil {
		d.filters = map[FilterID]*installed{}
	}
	var id FilterID
	for i := 1; i < maxFilters; i++ {
		if d.filters[FilterID(i)] == nil {
			id = FilterID(i)
			break
		}
	}
	if id == 0 {
		return 0, ErrNoFilterSlot
	}
	in := &installed{}
	d.filters[id] = in
	if err := d.writeFilter(id, f, in); err != nil {
		d.clearFilter(id, in)
		delete(d.filters, id)
		return 0, fmt.Errorf("install filter: %w", err)
	}
	return id, nil
}

// RemoveFilter clears a slot. Ports must no longer point at it.
func (d *Datapath) RemoveFilter(id FilterID) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	in := d.filters[id]
	if in == nil {
		return fmt.Errorf("filter %d is not installed", id)
	}
	delete(d.filters, id)
	return d.clearFilter(id, in)
}

func (d *Datapath) writeFilter(id FilterID, f Filter, in *installed) error {
	slot := uint32(id)
	// Protocol and flags: the term bitmap for every byte value.
	var proto, flags [256]uint64
	for t, term := range f.Terms {
		protos := term.Protos
		if term.Flags != nil && len(protos) == 0 {
			protos = []uint8{6}
		}
		for b := 0; b < 256; b++ {
			if len(protos) == 0 || slices.Contains(protos, uint8(b)) {
				proto[b] |= 1 << t
			}
			if term.Flags == nil || term.Flags.matches(uint8(b)) {
				flags[b] |= 1 << t
			}
		}
	}
	for b := 0; b < 256; b++ {
		if err := d.objs.FilterProto.Put(slot*256+uint32(b), proto[b]); err != nil {
			return fmt.Errorf("protocol bitmap: %w", err)
		}
		if err := d.objs.FilterFlags.Put(slot*256+uint32(b), flags[b]); err != nil {
			return fmt.Errorf("flags bitmap: %w", err)
		}
	}
	for t := 0; t < MaxTerms; t++ {
		a := meterTermAction{}
		if t < len(f.Terms) {
			a = meterTermAction{Action: uint16(f.Terms[t].Action), Sampler: f.Terms[t].Sampler}
		}
		if err := d.objs.FilterAction.Put(slot*uint32(MaxTerms)+uint32(t), a); err != nil {
			return fmt.Errorf("term action: %w", err)
		}
	}
	if err := d.zeroFilterCounts(slot); err != nil {
		return err
	}
	addrBits := func(sel func(Term) []netip.Prefix) (map[netip.Prefix]uint64, error) {
		var sets [][]netip.Prefix
		for _, term := range f.Terms {
			ps := sel(term)
			for _, p := range ps {
				if (f.Family == 4) != p.Addr().Is4() {
					return nil, fmt.Errorf("prefix %s in an IPv%d filter", p, f.Family)
				}
			}
			if len(ps) == 0 {
				ps = []netip.Prefix{anyPrefix(f.Family)}
			}
			sets = append(sets, ps)
		}
		return lpmBitmaps(sets, func(outer, inner netip.Prefix) bool {
			return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
		}, anyPrefix(f.Family)), nil
	}
	for _, dir := range []struct {
		sel  func(Term) []netip.Prefix
		keys *[]meterFilterAddrKey
		put  func(meterFilterAddrKey, uint64) error
	}{
		{func(t Term) []netip.Prefix { return t.Src }, &in.src, func(k meterFilterAddrKey, v uint64) error { return d.objs.FilterSrc.Put(k, v) }},
		{func(t Term) []netip.Prefix { return t.Dst }, &in.dst, func(k meterFilterAddrKey, v uint64) error { return d.objs.FilterDst.Put(k, v) }},
	} {
		bits, err := addrBits(dir.sel)
		if err != nil {
			return err
		}
		for p, b := range bits {
			k := addrKey(slot, p)
			if err := dir.put(k, b); err != nil {
				return fmt.Errorf("prefix %s: %w", p, err)
			}
			*dir.keys = append(*dir.keys, k)
		}
	}
	for _, dir := range []struct {
		sel  func(Term) []PortRange
		keys *[]meterFilterPortKey
		put  func(meterFilterPortKey, uint64) error
	}{
		{func(t Term) []PortRange { return t.SrcPorts }, &in.sport, func(k meterFilterPortKey, v uint64) error { return d.objs.FilterSport.Put(k, v) }},
		{func(t Term) []PortRange { return t.DstPorts }, &in.dport, func(k meterFilterPortKey, v uint64) error { return d.objs.FilterDport.Put(k, v) }},
	} {
		var sets [][]portPrefix
		for _, term := range f.Terms {
			var ps []portPrefix
			for _, r := range dir.sel(term) {
				if r.Lo > r.Hi {
					return fmt.Errorf("port range %d-%d is empty", r.Lo, r.Hi)
				}
				ps = append(ps, rangePrefixes(r)...)
			}
			if len(ps) == 0 {
				ps = []portPrefix{{}}
			}
			sets = append(sets, ps)
		}
		bits := lpmBitmaps(sets, func(outer, inner portPrefix) bool { return outer.contains(inner) }, portPrefix{})
		for p, b := range bits {
			k := meterFilterPortKey{Prefixlen: 32 + uint32(p.bits)}
			binary.BigEndian.PutUint32(k.Data[:4], slot)
			binary.BigEndian.PutUint16(k.Data[4:], p.port)
			if err := dir.put(k, b); err != nil {
				return fmt.Errorf("port prefix %d/%d: %w", p.port, p.bits, err)
			}
			*dir.keys = append(*dir.keys, k)
		}
	}
	return nil
}

func anyPrefix(family int) netip.Prefix {
	if family == 4 {
		return netip.PrefixFrom(netip.IPv4Unspecified(), 0)
	}
	return netip.PrefixFrom(netip.IPv6Unspecified(), 0)
}

func addrKey(slot uint32, p netip.Prefix) meterFilterAddrKey {
	k := meterFilterAddrKey{Prefixlen: 32 + uint32(p.Bits())}
	binary.BigEndian.PutUint32(k.Data[:4], slot)
	a := p.Masked().Addr().AsSlice()
	copy(k.Data[4:], a)
	return k
}

// lpmBitmaps gives, for every prefix any term names (and root, which
// catches what no prefix covers), the bitmap of terms with a prefix that
// contains it. The longest prefix containing an address then carries
// every term that matches the address: a term's prefix containing the
// address is itself inserted and, prefixes being nested, contains the
// longest one.
func lpmBitmaps[P comparable](sets [][]P, contains func(outer, inner P) bool, root P) map[P]uint64 {
	out := map[P]uint64{root: 0}
	for _, ps := range sets {
		for _, p := range ps {
			out[p] = 0
		}
	}
	for p := range out {
		for t, ps := range sets {
			for _, q := range ps {
				if contains(q, p) {
					out[p] |= 1 << t
					break
				}
			}
		}
	}
	return out
}

// portPrefix is a prefix of the 16-bit port space.
type portPrefix struct {
	port uint16
	bits uint8
}

func (o portPrefix) contains(i portPrefix) bool {
	if o.bits > i.bits {
		return false
	}
	mask := uint16(0xffff) << (16 - o.bits)
	if o.bits == 0 {
		mask = 0
	}
	return i.port&mask == o.port&mask
}

// rangePrefixes splits an inclusive port range into prefixes.
func rangePrefixes(r PortRange) []portPrefix {
	var out []portPrefix
	lo, hi := uint32(r.Lo), uint32(r.Hi)
	for lo <= hi {
		size := uint32(1)
		bits := uint8(16)
		for bits > 0 && lo&(size*2-1) == 0 && lo+size*2-1 <= hi {
			size *= 2
			bits--
		}
		out = append(out, portPrefix{port: uint16(lo), bits: bits})
		lo += size
	}
	return out
}

// ClearFilterCounts zeroes an installed filter's counters.
func (d *Datapath) ClearFilterCounts(id FilterID) error {
	if id == 0 || int(id) >= maxFilters {
		return fmt.Errorf("filter %d out of range", id)
	}
	return d.zeroFilterCounts(uint32(id))
}

func (d *Datapath) zeroFilterCounts(slot uint32) error {
	cpus, err := ebpf.PossibleCPU()
	if err != nil {
		return fmt.Errorf("zero term counters: %w", err)
	}
	zero := make([]meterTermCount, cpus)
	for t := 0; t <= MaxTerms; t++ {
		if err := d.objs.FilterCount.Put(slot*uint32(MaxTerms+1)+uint32(t), zero); err != nil {
			return fmt.Errorf("zero term counters: %w", err)
		}
	}
	return nil
}

func (d *Datapath) clearFilter(id FilterID, in *installed) error {
	var errs []error
	for _, k := range in.src {
		errs = append(errs, d.objs.FilterSrc.Delete(k))
	}
	for _, k := range in.dst {
		errs = append(errs, d.objs.FilterDst.Delete(k))
	}
	for _, k := range in.sport {
		errs = append(errs, d.objs.FilterSport.Delete(k))
	}
	for _, k := range in.dport {
		errs = append(errs, d.objs.FilterDport.Delete(k))
	}
	slot := uint32(id)
	for b := uint32(0); b < 256; b++ {
		errs = append(errs, d.objs.FilterProto.Put(slot*256+b, uint64(0)))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("clear filter %d: %w", id, err)
	}
	return nil
}

// TermCount is what one term (or the implicit end, index len(Terms))
// matched.
type TermCount struct{ Packets, Bytes uint64 }

// FilterCounts returns the match counters of an installed filter: one
// per term of its slot (MaxTerms), then the packets no term matched.
func (d *Datapath) FilterCounts(id FilterID) ([]TermCount, error) {
	if id == 0 || int(id) >= maxFilters {
		return nil, fmt.Errorf("filter %d out of range", id)
	}
	out := make([]TermCount, MaxTerms+1)
	var per []meterTermCount
	for t := range out {
		if err := d.objs.FilterCount.Lookup(uint32(id)*uint32(MaxTerms+1)+uint32(t), &per); err != nil {
			return nil, fmt.Errorf("read term counters: %w", err)
		}
		for _, c := range per {
			out[t].Packets += c.Packets
			out[t].Bytes += c.Bytes
		}
	}
	return out, nil
}

// SamplerConfig is one sampler: 1-in-Interval (deterministic or random),
// RunLength more packets after each sampled one, at most MaxPPS packets
// a second (0: no cap).
type SamplerConfig struct {
	Mode      SamplingMode
	Interval  uint32
	RunLength uint32
	MaxPPS    uint32
}

// SamplerStats count what a sampler was offered and what it did.
// Capped includes LostRaces: packets under the cap refused because the
// CPU lost CAS_TRIES compare-and-swaps in a row on the window (the cap is
// never exceeded; a saturated window takes at least cap - LostRaces).
type SamplerStats struct {
	Seen, Taken, Skipped, Capped, Windows, LostRaces uint64
}

// SetSampler configures sampler id (1..MaxSamplers-1) and resets its
// state and counters; it applies at once.
func (d *Datapath) SetSampler(id uint16, s SamplerConfig) error {
	if id == 0 || int(id) >= MaxSamplers {
		return fmt.Errorf("sampler id %d out of range 1-%d", id, MaxSamplers-1)
	}
	if s.Mode > SampleRandom {
		return fmt.Errorf("unknown sampling mode %d", s.Mode)
	}
	c := meterSamplerCfg{Mode: uint32(s.Mode), N: s.Interval, RunLength: s.RunLength, MaxPps: s.MaxPPS}
	if err := d.objs.Samplers.Put(uint32(id), c); err != nil {
		return fmt.Errorf("set sampler %d: %w", id, err)
	}
	if err := d.objs.SamplerStates.Put(uint32(id), meterSamplerState{}); err != nil {
		return fmt.Errorf("reset sampler %d: %w", id, err)
	}
	return nil
}

// SamplerStats reads sampler id's counters.
func (d *Datapath) SamplerStats(id uint16) (SamplerStats, error) {
	var s meterSamplerState
	if err := d.objs.SamplerStates.Lookup(uint32(id), &s); err != nil {
		return SamplerStats{}, fmt.Errorf("read sampler %d: %w", id, err)
	}
	return SamplerStats{Seen: s.Seen, Taken: s.Taken, Skipped: s.Skipped, Capped: s.Capped, Windows: s.Windows, LostRaces: s.LostRaces}, nil
}
