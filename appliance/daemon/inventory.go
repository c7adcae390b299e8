package daemon

import (
	"net"
	"os"
	"slices"
	"strings"
)

// Inventory classes: what kind of part an InventoryItem is.
const (
	InventoryChassis = "chassis"
	InventoryPort    = "port" // a metered port or a tap fibre
	InventoryTap     = "tap"  // a passive tap's link, the interface flows name
)

// InventoryItem is one part of the box as `show inventory` and
// ENTITY-MIB's entPhysicalTable list it. Key names it across reads (a
// port's link name, a tap's name), so that its entPhysicalIndex stays
// put; IfIndex is the interface IF-MIB gives it (entAliasMappingTable),
// 0 for the chassis.
type InventoryItem struct {
	Key, Class  string
	Name, Descr string
	// PID is the model (entPhysicalModelName), VID its version and SN the
	// serial number, as IOS's screen heads them.
	PID, VID, SN             string
	FirmwareRev, SoftwareRev string
	IfIndex                  uint32
}

// imageRelease is where the appliance image says which build it is
// (image/build writes it); a host install has none.
const imageRelease = "/etc/image-release"

// Inventory is the box: the chassis first (the persona its model, the
// machine's DMI serial or else its machine ID its serial, the image its
// firmware and flowtapd its software), then each metered port and tap
// fibre in name order, then each tap's link. A port the kernel no longer
// has is left out until it is back.
func (m *Manager) Inventory() []InventoryItem {
	cfg := m.Config()
	mach := readMachine()
	persona := cfg.PlatformName()
	descr := "flowtap NetFlow probe"
	if p, err := cfg.Persona(); err == nil {
		descr += ", " + p.Description + " persona"
	}
	if mach.Model != "" {
		descr += ", on " + mach.Model
	}
	serial := mach.Serial
	if serial == "" {
		if b, err := os.ReadFile("/etc/machine-id"); err == nil {
			serial = strings.TrimSpace(string(b))
		}
	}
	firmware := m.opts.Version
	if b, err := os.ReadFile(imageRelease); err == nil {
		if first, _, _ := strings.Cut(string(b), "\n"); strings.TrimSpace(first) != "" {
			firmware = strings.TrimSpace(first)
		}
	}
	out := []InventoryItem{{Key: "chassis", Class: InventoryChassis, Name: "Chassis", Descr: descr,
		PID: "FLOWTAP-" + strings.ToUpper(persona), SN: serial, FirmwareRev: firmware, SoftwareRev: m.opts.Version}}

	taps := m.d.Settings().Taps
	fibre := map[string]string{} // port -> "Tap NAME fibre A"
	for _, t := range taps {
		if t.FibreA.Name != "" {
			fibre[t.FibreA.Name] = "Tap " + t.Name + " fibre A"
		}
		if t.FibreB.Name != "" {
			fibre[t.FibreB.Name] = "Tap " + t.Name + " fibre B"
		}
	}
	var ports []InventoryItem
	index := map[string]int{} // the kernel's links, listed once
	if links, err := net.Interfaces(); err == nil {
		for _, l := range links {
			index[l.Name] = l.Index
		}
	}
	for name, mode := range m.d.PortModes() {
		ifIndex, ok := index[name]
		if !ok {
			continue // gone from the kernel
		}
		d := "Metered port " + name + " (XDP " + mode + ")"
		if f, ok := fibre[name]; ok {
			d = f + ", port " + name + " (XDP " + mode + ")"
		}
		ports = append(ports, InventoryItem{Key: "port:" + name, Class: InventoryPort, Name: name, Descr: d, IfIndex: uint32(ifIndex)})
	}
	slices.SortFunc(ports, func(a, b InventoryItem) int { return strings.Compare(a.Name, b.Name) })
	out = append(out, ports...)
	for _, t := range taps {
		var fibres []string
		if t.FibreA.Name != "" {
			fibres = append(fibres, "A "+t.FibreA.Name)
		}
		if t.FibreB.Name != "" {
			fibres = append(fibres, "B "+t.FibreB.Name)
		}
		d := "Passive tap " + t.Name
		if len(fibres) > 0 {
			d += " (fibre " + strings.Join(fibres, ", fibre ") + ")"
		}
		out = append(out, InventoryItem{Key: "tap:" + t.Name, Class: InventoryTap, Name: t.Name, Descr: d, IfIndex: t.IfIndex})
	}
	return out
}
