// Package subif gives 802.1Q subinterfaces (IOS `interface eth1.190` /
// `encapsulation dot1Q 190`) their own ifIndex: the meter runs on the
// parent port and records each flow's outer VLAN, and the Annotator makes
// a flow of that VLAN on that port input on the subinterface, as a
// router shows and exports it.
//
// The daemon also gives the datapath each subinterface's (port, VLAN):
// the meter then keys that VLAN's flows by the subinterface's ifIndex,
// so two VLANs carrying one 5-tuple are two flows, and the rewrite here
// only touches flows metered before the map had the subinterface.
package subif

import "github.com/flowtap/flowtap/appliance/flow"

// Sub is one subinterface.
type Sub struct {
	Name        string
	IfIndex     uint32
	Parent      string
	ParentIndex uint32 // kernel ifindex of the parent; 0 while it is missing
	VLAN        uint16
}

type key struct {
	port uint32
	vlan uint16
}

// Annotator rewrites the input interface of subinterfaces' flows. Safe
// for concurrent use (read-only after New).
type Annotator struct {
	subs  map[key]uint32
	names map[uint32]string
	// Next annotates every record after the rewrite.
	Next interface{ Annotate(*flow.Record) }
}

// New indexes the subinterfaces by parent port and VLAN.
func New(subs []Sub) *Annotator {
	a := &Annotator{subs: map[key]uint32{}, names: map[uint32]string{}}
	for _, s := range subs {
		if s.ParentIndex != 0 {
			a.subs[key{s.ParentIndex, s.VLAN}] = s.IfIndex
		}
		a.names[s.IfIndex] = s.Name
	}
	return a
}

// Annotate implements flowcache.Annotator.
func (a *Annotator) Annotate(r *flow.Record) {
	a.Rewrite(r)
	if a.Next != nil {
		a.Next.Annotate(r)
	}
}

// Rewrite makes a subinterface's flow input on it.
func (a *Annotator) Rewrite(r *flow.Record) {
	if r.VLAN == 0 {
		return
	}
	if i, ok := a.subs[key{r.InputIf, r.VLAN}]; ok {
		r.InputIf = i
	}
}

// Name is the subinterface with ifIndex i, if any.
func (a *Annotator) Name(i uint32) (string, bool) {
	n, ok := a.names[i]
	return n, ok
}
