package datapath

import (
	"bytes"
	"fmt"
	"sync/atomic"

	"github.com/cilium/ebpf"

	"github.com/flowtap/flowtap/appliance/flow"
)

// CaptureSettings are `ip flow-capture ip-id|packet-length|icmp|
// fragment-offset` and `ip flow-cache mpls label-positions`: what the
// meter records per flow beyond the table entry.
//
// The extras live in hash maps of their own (extras4, extras6), keyed by
// the flow's masked key, so the table's slot does not grow. The meter
// reads capcfg.fields once per metered packet and touches the maps only
// when it is not zero; a harvest joins each exported flow with its entry
// and deletes it.
type CaptureSettings struct {
	Fields flow.CaptureFields
	// LabelPositions are the 1-based label stack positions kept for
	// Captured.Labels[0..2] (IOS's label-positions); 0 leaves one out.
	LabelPositions [flow.MaxLabels]uint8
}

// MaxLabelPosition is the deepest label position the meter walks to.
const MaxLabelPosition = 8 // MAX_LABELS in meter.c

const (
	xfFragSeen = uint16(meterCaptureBitsXF_FRAG_SEEN)
	capFields  = uint8(meterCaptureBitsCAP_FIELDS)
)

// SetCapture changes what the meter captures, at once. Flows already in
// the cache keep the fields their entry was made with.
func (d *Datapath) SetCapture(c CaptureSettings) error {
	if uint8(c.Fields)&^capFields != 0 {
		return fmt.Errorf("unknown capture fields %#x", uint8(c.Fields))
	}
	var cfg meterCaptureCfg
	cfg.Fields = uint32(c.Fields)
	for i, p := range c.LabelPositions {
		if p > MaxLabelPosition {
			return fmt.Errorf("label position %d: the meter walks %d labels", p, MaxLabelPosition)
		}
		cfg.MplsPos[i] = p
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if c.Fields != 0 {
		d.tab.captureOn = true
	}
	if err := d.objs.Capcfg.Set(cfg); err != nil {
		return fmt.Errorf("write capture settings: %w", err)
	}
	d.capture = c
	// With capture on, packets go to the table directly: the records
	// buffered before go in now, so a flow's packets keep their order
	// but for the few that raced this.
	if c.Fields != 0 {
		return d.FlushBatches()
	}
	return nil
}

// Capture returns the capture settings in force.
func (d *Datapath) Capture() CaptureSettings {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.capture
}

// extrasMaps are the capture maps: they are sized with the table, so
// they go with it on a resize; a table pinned by a version without them
// has none.
var extrasMaps = []string{"extras4", "extras6"}

// hasEntries reports whether m holds anything (nil: no).
func hasEntries(m *ebpf.Map) bool {
	if m == nil {
		return false
	}
	var k []byte
	err := m.NextKey(nil, &k)
	return err == nil
}

// family is the capture map's index for e: 0 IPv4, 1 IPv6.
func (e entry) family() int {
	if e.v6 {
		return 1
	}
	return 0
}

// key is e's key as the meter built it (masked, with the sampler id): for
// IPv6 a copy, its head's part then its tail's.
func (t *table) key(e entry) []byte {
	if !e.v6 {
		return t.slots.mem[e.off()+offKey : e.off()+slot4Size]
	}
	var buf [slot6Size]byte
	return t.bytes(e, &buf)[offKey:]
}

// takeExtras joins the flow in e with its capture entry, deleting the
// entry: the flow's next packet starts a new one, as a new cache entry.
// A flow without one (capture was off, or the map was full when it
// began) leaves with Captured zero: its fields export as 0, its counters
// are whole.
func (t *table) takeExtras(e entry, r *flow.Record) {
	m := t.extras[e.family()]
	if !t.captureOn || m == nil {
		return
	}
	key := t.key(e)
	var x meterFlowExtra
	if err := m.LookupAndDelete(key, &x); err != nil {
		return
	}
	if x.FirstT == atomic.LoadUint32(t.slots.u32(e.off()+offFirst)) {
		x.decode(&r.Captured)
		return
	}
	// Another flow's entry under the same key: a draining predecessor's
	// (this flow began during its harvest) or a live successor's (this
	// flow had none). It goes back for its owner; one whose owner left
	// the table (a packet that raced an active-timeout split, its
	// continuation never counted) is an orphan and stays deleted.
	if t.holds(e, key, x.FirstT) {
		// A packet of the same key that made an entry in the meantime
		// keeps it: the owner then leaves without its capture fields.
		_ = m.Update(key, &x, ebpf.UpdateNoExist)
	}
}

// holds reports whether an entry other than e has key and first_t first:
// the owner of a capture entry is still in the table. A scan, but only
// for the rare entry that is not its key's current flow's.
func (t *table) holds(e entry, key []byte, first uint32) bool {
	found := false
	t.forEachUsed(func(o entry) {
		if found || o == e || o.family() != e.family() {
			return
		}
		if atomic.LoadUint32(t.slots.u32(o.off()+offFirst)) == first && bytes.Equal(t.key(o), key) {
			found = true
		}
	})
	return found
}

// peekExtras reads every capture entry of one family, by key.
func (t *table) peekExtras(fi int) map[string]meterFlowExtra {
	m := t.extras[fi]
	if !t.captureOn || m == nil {
		return nil
	}
	out := map[string]meterFlowExtra{}
	var k []byte
	var x meterFlowExtra
	// An iteration cut short (the map changing under it) leaves the rest
	// of the flows' capture lines off this one view.
	it := m.Iterate()
	for it.Next(&k, &x) {
		out[string(k)] = x
	}
	return out
}

func (x *meterFlowExtra) decode(c *flow.Captured) {
	*c = flow.Captured{
		Fields:       flow.CaptureFields(uint8(x.Flags) & capFields),
		IPID:         x.IpId,
		FragOffset:   x.FragOff,
		FragSeen:     x.Flags&xfFragSeen != 0,
		ICMPTypeCode: x.Icmp,
		MinLength:    x.MinLen,
		MaxLength:    x.MaxLen,
		Labels:       x.Labels,
		Depth:        x.Nlabels,
	}
	// The meter reads both whatever the settings; a record carries them
	// only when its entry was made with them asked for.
	if c.Fields&flow.CapFlowLabel != 0 {
		c.FlowLabel = x.FlowLabel
	}
	if c.Fields&flow.CapFragFlags != 0 {
		c.FragFlags = x.FragFlags
	}
	if c.Fields&flow.CapExt6 != 0 {
		// The meter keeps the top 16 of IE 64's 32 bits, where every
		// bit that names a header is.
		c.Ext6 = uint32(x.Ext6) << 16
	}
}
