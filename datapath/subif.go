package datapath

import (
	"errors"
	"fmt"
	"maps"

	"github.com/cilium/ebpf"
)

// VLANPort is a subinterface's parent port (kernel ifindex) and outer VLAN
// id.
type VLANPort struct {
	Port uint32
	VID  uint16
}

// MaxSubinterfaces is how many subinterfaces the meter maps.
const MaxSubinterfaces = 4096 // MAX_SUBIFS in meter.h

// SetSubinterfaces makes each (port, VID) key its flows with the
// subinterface's ifIndex instead of the port's, so two VLANs carrying the
// same 5-tuple on one port are two flows, each on its own subinterface.
// It replaces the whole set; an empty one turns the lookup off.
func (d *Datapath) SetSubinterfaces(subs map[VLANPort]uint32) error {
	if len(subs) > MaxSubinterfaces {
		return fmt.Errorf("%d subinterfaces: the meter maps %d", len(subs), MaxSubinterfaces)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if maps.Equal(subs, d.subifs) {
		return nil
	}
	// Off while the map changes, so no packet sees half a set; on again
	// when there is something to map.
	if err := d.objs.SubifOn.Set(uint32(0)); err != nil {
		return fmt.Errorf("write subinterface switch: %w", err)
	}
	var stale []meterVlanPort
	var k meterVlanPort
	var v uint32
	it := d.objs.Subifs.Iterate()
	for it.Next(&k, &v) {
		if _, ok := subs[VLANPort{k.Ifindex, k.Vid}]; !ok {
			stale = append(stale, k)
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("read subinterfaces: %w", err)
	}
	for _, k := range stale {
		if err := d.objs.Subifs.Delete(k); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return fmt.Errorf("remove subinterface %d.%d: %w", k.Ifindex, k.Vid, err)
		}
	}
	for vp, ifindex := range subs {
		if err := d.objs.Subifs.Put(meterVlanPort{Ifindex: vp.Port, Vid: vp.VID}, ifindex); err != nil {
			return fmt.Errorf("map subinterface %d.%d: %w", vp.Port, vp.VID, err)
		}
	}
	d.subifs = maps.Clone(subs)
	if len(subs) > 0 {
		if err := d.objs.SubifOn.Set(uint32(1)); err != nil {
			return fmt.Errorf("write subinterface switch: %w", err)
		}
	}
	return nil
}
