package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Tap is `flowtap tap NAME`: two ports that carry the two directions of
// one link behind a passive optical tap, made one observation point (see
// package tap). The link is an interface of its own, named NAME.
type Tap struct {
	Name string
	// IfIndex is ` ifindex N`; 0 is TapIfIndexBase plus the tap's
	// position (1 for the first tap configured).
	IfIndex uint32
	FibreA  string // ` fibre a PORT`: input on the link
	FibreB  string // ` fibre b PORT`: output on the link
}

// TapIfIndexBase is where the links' default ifIndexes start: above
// the kernel's for any real box, and below 65536 so that NetFlow v5 and
// v7 (16-bit interfaces) carry them.
const TapIfIndexBase = 64000

// TapIfIndex is the ifIndex of the i-th tap.
func (c Config) TapIfIndex(i int) uint32 {
	if c.Taps[i].IfIndex != 0 {
		return c.Taps[i].IfIndex
	}
	return TapIfIndexBase + uint32(i) + 1
}

// FibreOf says which tap and side a port is a fibre of.
func (c Config) FibreOf(port string) (tap int, side string, ok bool) {
	for i, t := range c.Taps {
		switch port {
		case t.FibreA:
			return i, "a", true
		case t.FibreB:
			return i, "b", true
		}
	}
	return 0, "", false
}

func (v *validator) taps(c *Config) {
	used := map[string]string{}
	ifindexes := map[uint32]string{}
	for i, t := range c.Taps {
		path := "taps[" + t.Name + "]"
		if err := CheckIfName(t.Name); err != nil {
			v.bad(path, err)
		}
		if slices.ContainsFunc(c.Interfaces, func(it Interface) bool { return it.Name == t.Name }) {
			v.failf(path, "%s is a port; the link needs a name of its own", t.Name)
		}
		for _, f := range [...]struct{ side, port string }{{"a", t.FibreA}, {"b", t.FibreB}} {
			if f.port == "" {
				continue
			}
			if err := CheckIfName(f.port); err != nil {
				v.bad(path+".fibre-"+f.side, err)
				continue
			}
			if other, ok := used[f.port]; ok {
				v.failf(path+".fibre-"+f.side, "port %s is already %s", f.port, other)
				continue
			}
			used[f.port] = fmt.Sprintf("fibre %s of tap %s", f.side, t.Name)
		}
		if t.IfIndex > 65535 {
			v.failf(path+".ifindex", "ifindex %d: NetFlow v5 carries 1-65535", t.IfIndex)
		}
		n := c.TapIfIndex(i)
		if other, ok := ifindexes[n]; ok {
			v.failf(path+".ifindex", "ifindex %d is already tap %s's", n, other)
		}
		ifindexes[n] = t.Name
	}
}

// SubifIfIndexBase is where subinterfaces' ifIndexes start when no
// kernel device has their name: below the taps', within v5's 16 bits.
const SubifIfIndexBase = 63000

// Subinterface says whether i is a subinterface, PARENT.N: its parent
// port and its VLAN (`encapsulation dot1Q`, else N). flowtap meters a
// subinterface on its parent and gives its VLAN's flows its ifIndex.
func (i Interface) Subinterface() (parent string, vlan uint16, ok bool) {
	dot := strings.LastIndexByte(i.Name, '.')
	if dot <= 0 {
		return "", 0, false
	}
	parent = i.Name[:dot]
	if i.Encapsulation != 0 {
		return parent, i.Encapsulation, true
	}
	n, err := strconv.ParseUint(i.Name[dot+1:], 10, 16)
	if err != nil || n < 1 || n > 4094 {
		return parent, 0, true
	}
	return parent, uint16(n), true
}

func (v *validator) subinterfaces(c *Config) {
	seen := map[string]string{}
	for _, it := range c.Interfaces {
		path := "interfaces[" + it.Name + "]"
		parent, vlan, ok := it.Subinterface()
		if !ok {
			if it.Encapsulation != 0 {
				v.failf(path+".encapsulation", "encapsulation dot1Q is for a subinterface: name it %s.%d", it.Name, it.Encapsulation)
			}
			continue
		}
		if it.Encapsulation > 4094 {
			v.failf(path+".encapsulation", "VLAN %d: want 1-4094", it.Encapsulation)
			continue
		}
		if vlan == 0 {
			v.failf(path, "%s needs encapsulation dot1Q VLAN (its number is not a VLAN)", it.Name)
			continue
		}
		k := fmt.Sprintf("%s/%d", parent, vlan)
		if other, dup := seen[k]; dup {
			v.failf(path+".encapsulation", "VLAN %d on %s is already %s", vlan, parent, other)
		}
		seen[k] = it.Name
		if i, side, fibre := c.FibreOf(parent); fibre {
			v.failf(path, "%s is fibre %s of tap %s: a tap's fibres carry one link, not subinterfaces", parent, side, c.Taps[i].Name)
		}
	}
}

// SubifIfIndex is the ifIndex of a subinterface that has no kernel
// device: SubifIfIndexBase plus its position among the subinterfaces.
func (c Config) SubifIfIndex(name string) uint32 {
	n := uint32(0)
	for _, it := range c.Interfaces {
		if _, _, ok := it.Subinterface(); ok {
			n++
			if it.Name == name {
				return SubifIfIndexBase + n
			}
		}
	}
	return 0
}
