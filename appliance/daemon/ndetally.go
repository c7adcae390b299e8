package daemon

import (
	"sync/atomic"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
)

// ndeTally counts the flows a PFC's NDE flow filter (`mls nde flow
// include|exclude`) leaves out once per flow, for the device: each
// main-cache destination applies the filter and counts what it left out
// (its own row, what that collector did not get), so their sum counted
// a flow once per destination. It sits in the fanout before the main
// cache's destinations and decides as they do: a tagged record the
// layer-2 VLAN list leaves out is that list's, not the filter's.
type ndeTally struct {
	rule           atomic.Pointer[ndeRule]
	flows, packets atomic.Uint64
}

// ndeRule is the filter and VLAN list the destinations apply; nil rule:
// no filter, nothing counted.
type ndeRule struct {
	filters platform.NDEFilters
	vlans   platform.VLANSet
}

func (n *ndeTally) set(filters platform.NDEFilters, vlans platform.VLANSet) {
	if !filters.Set() {
		n.rule.Store(nil)
		return
	}
	n.rule.Store(&ndeRule{filters: filters, vlans: vlans})
}

func (n *ndeTally) Export(r *flow.Record) {
	rule := n.rule.Load()
	if rule == nil {
		return
	}
	if rule.vlans != nil && r.VLAN != 0 && !rule.vlans.Has(r.VLAN) {
		return
	}
	if !rule.filters.Exports(r.SrcAddr, r.DstAddr, r.SrcPort, r.DstPort, r.Proto) {
		n.flows.Add(1)
		n.packets.Add(r.Packets)
	}
}
