package mgmtplane

import (
	"slices"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/mgmt/snmp"
)

// withVirtual is IF-MIB's interface list: the kernel's links, then
// flowtap's own interfaces, which collectors see in exported records and
// must be able to name: each tap's link (its input is fibre A's frames,
// its output fibre B's, as the router on the link counts them) and each
// subinterface without a kernel device (the parent's state; no counters
// of its own).
type withVirtual struct{ m *daemon.Manager }

func (w withVirtual) Interfaces() ([]snmp.Interface, error) {
	list, err := snmp.NetlinkInterfaces{}.Interfaces()
	if err != nil {
		return nil, err
	}
	byName := map[string]snmp.Interface{}
	byIndex := map[uint32]bool{}
	for _, i := range list {
		byName[i.Name] = i
		byIndex[i.Index] = true
	}
	s := w.m.Daemon().Settings()
	for _, t := range s.Taps {
		a, okA := byName[t.FibreA.Name]
		b, okB := byName[t.FibreB.Name]
		up := okA && okB && a.OperState == rtnetlink.OperStateUp && b.OperState == rtnetlink.OperStateUp
		v := snmp.Interface{Index: t.IfIndex, Name: t.Name, ARPType: unix.ARPHRD_ETHER, MTU: a.MTU, Flags: unix.IFF_UP,
			OperState: rtnetlink.OperStateDown, SpeedMbps: a.SpeedMbps}
		if up {
			v.Flags |= unix.IFF_RUNNING
			v.OperState = rtnetlink.OperStateUp
		}
		v.Stats.RxBytes, v.Stats.RxPackets, v.Stats.RxMulticast = a.Stats.RxBytes, a.Stats.RxPackets, a.Stats.RxMulticast
		v.Stats.TxBytes, v.Stats.TxPackets = b.Stats.RxBytes, b.Stats.RxPackets
		list = append(list, v)
	}
	for _, sub := range s.Subifs {
		if byIndex[sub.IfIndex] {
			continue // a kernel VLAN device of that name
		}
		p := byName[sub.Parent]
		list = append(list, snmp.Interface{Index: sub.IfIndex, Name: sub.Name, ARPType: unix.ARPHRD_ETHER, MTU: p.MTU,
			Flags: p.Flags, OperState: p.OperState, SpeedMbps: p.SpeedMbps})
	}
	slices.SortFunc(list, func(a, b snmp.Interface) int { return int(a.Index) - int(b.Index) })
	return list, nil
}
