package daemon

import (
	"net"
	"slices"

	"github.com/flowtap/flowtap/appliance/export"
)

// followNames keeps the `ip flow-export interface-names` rows on the
// ports' devices, at each port pass: a port deleted and added again (a
// driver reloaded, a NIC replaced or plugged in again) has another
// ifindex, and one missing when the configuration was read appears
// later; its flows carry the ifindex it has now, so that is the one the
// rows must name. Before, the rows were resolved once per configuration,
// and a box left alone while its ports came and went sent a table that
// named ifindexes no flow had any more and left the ports' new ones
// unnamed. The destinations are reconfigured in place (their sequence
// goes on) and send the options afresh. d.mu is held.
func (d *Daemon) followNames() {
	ports := false
	for _, c := range d.settings.Exports {
		ports = ports || slices.ContainsFunc(c.Encoder.InterfaceNames, func(n export.InterfaceName) bool { return n.Port })
	}
	if !ports {
		return
	}
	index, ok := d.portIndexes()
	if !ok {
		return
	}
	s := d.settings
	changed := false
	for i, c := range s.Exports {
		names := c.Encoder.InterfaceNames
		var moved []export.InterfaceName
		for j, n := range names {
			if !n.Port || index(n.Name) == n.IfIndex {
				continue
			}
			if moved == nil {
				moved = slices.Clone(names)
			}
			moved[j].IfIndex = index(n.Name)
			if i == 0 {
				d.log.Info("export interface names: port has another ifindex", "port", n.Name, "ifindex", moved[j].IfIndex, "was", n.IfIndex)
			}
		}
		if moved != nil {
			if !changed {
				s.Exports, changed = slices.Clone(s.Exports), true
			}
			s.Exports[i].Encoder.InterfaceNames = moved
		}
	}
	if !changed {
		return
	}
	// apply reports what else it could not put in effect (a port still
	// missing); only a failure to move the rows is this pass's news.
	if err := d.apply(d.settings, s); err != nil && !sameNames(d.settings.Exports, s.Exports) {
		d.log.Warn("export interface names not moved to the ports' ifindexes", "err", err)
	}
}

// sameNames says whether a and b name the same interfaces alike.
func sameNames(a, b []export.DestinationConfig) bool {
	return slices.EqualFunc(a, b, func(x, y export.DestinationConfig) bool {
		return slices.Equal(x.Encoder.InterfaceNames, y.Encoder.InterfaceNames)
	})
}

// portIndexes returns the kernel's ifindex of a port by name (0: none
// now), read once for the pass; false if the kernel's list could not be
// read (nothing moves then). The port passes (resolvePorts, followNames)
// both read it.
func (d *Daemon) portIndexes() (func(name string) uint32, bool) {
	if d.lookupPort != nil {
		return func(name string) uint32 {
			x, _ := d.lookupPort(name)
			return x
		}, true
	}
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, false
	}
	m := make(map[string]uint32, len(ifs))
	for _, ifc := range ifs {
		m[ifc.Name] = uint32(ifc.Index)
	}
	return func(name string) uint32 { return m[name] }, true
}
