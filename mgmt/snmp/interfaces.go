package snmp

import (
	"net"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/mgmt/netcfg"
)

// Interface is one network interface as IF-MIB needs it.
type Interface struct {
	Index        uint32
	Name         string
	ARPType      uint16 // ARPHRD_*
	MTU          uint32
	HardwareAddr net.HardwareAddr
	Flags        uint32 // IFF_*
	OperState    rtnetlink.OperationalState
	SpeedMbps    uint32 // 0 when unknown
	KernelAlias  string // IFLA_IFALIAS
	Stats        InterfaceStats
}

// InterfaceStats are the kernel's 64-bit link counters.
type InterfaceStats struct {
	RxBytes, RxPackets, RxMulticast, RxErrors, RxDropped, RxNoHandler uint64
	TxBytes, TxPackets, TxErrors, TxDropped                           uint64
}

// InterfaceSource lists the interfaces.
type InterfaceSource interface {
	Interfaces() ([]Interface, error)
}

// NetlinkInterfaces reads interfaces and counters with an RTM_GETLINK
// dump, and the link speed from sysfs (netlink does not carry it).
type NetlinkInterfaces struct{}

// Interfaces dumps the links. A socket per call keeps no state between
// requests; a dump costs far less than the SNMP exchange around it.
func (NetlinkInterfaces) Interfaces() ([]Interface, error) {
	links, err := netcfg.Links()
	if err != nil {
		return nil, err
	}
	out := make([]Interface, 0, len(links))
	for _, l := range links {
		out = append(out, fromLinkMessage(l))
	}
	return out, nil
}

func fromLinkMessage(l rtnetlink.LinkMessage) Interface {
	i := Interface{Index: l.Index, ARPType: l.Type, Flags: l.Flags}
	if at := l.Attributes; at != nil {
		i.Name, i.MTU, i.HardwareAddr, i.OperState = at.Name, at.MTU, at.Address, at.OperationalState
		if at.Alias != nil {
			i.KernelAlias = *at.Alias
		}
		if s := at.Stats64; s != nil {
			i.Stats = InterfaceStats{
				RxBytes: s.RXBytes, RxPackets: s.RXPackets, RxMulticast: s.Multicast,
				RxErrors: s.RXErrors, RxDropped: s.RXDropped, RxNoHandler: s.RXNoHandler,
				TxBytes: s.TXBytes, TxPackets: s.TXPackets, TxErrors: s.TXErrors, TxDropped: s.TXDropped,
			}
		}
	}
	i.SpeedMbps = netcfg.SpeedMbps(i.Name)
	return i
}

// IF-MIB ifType values (IANAifType) for the link types seen on a probe.
func ifType(arp uint16) int32 {
	switch arp {
	case unix.ARPHRD_ETHER:
		return 6 // ethernetCsmacd
	case unix.ARPHRD_LOOPBACK:
		return 24 // softwareLoopback
	case unix.ARPHRD_PPP:
		return 23 // ppp
	case unix.ARPHRD_IPGRE, unix.ARPHRD_TUNNEL, unix.ARPHRD_TUNNEL6, unix.ARPHRD_SIT:
		return 131 // tunnel
	case unix.ARPHRD_NONE:
		return 53 // propVirtual: tun and similar
	}
	return 1 // other
}

// IF-MIB ifOperStatus values.
const (
	operUp             = 1
	operDown           = 2
	operTesting        = 3
	operUnknown        = 4
	operDormant        = 5
	operNotPresent     = 6
	operLowerLayerDown = 7
)

// operStatus maps RFC 2863 operstate as Linux keeps it. Drivers that do
// not track it (lo among them) say "unknown"; with the link administratively
// up and carrier present that is up, as net-snmp reports it too.
func operStatus(i *Interface) int32 {
	switch i.OperState {
	case rtnetlink.OperStateUp:
		return operUp
	case rtnetlink.OperStateDown:
		return operDown
	case rtnetlink.OperStateTesting:
		return operTesting
	case rtnetlink.OperStateDormant:
		return operDormant
	case rtnetlink.OperStateNotPresent:
		return operNotPresent
	case rtnetlink.OperStateLowerLayerDown:
		return operLowerLayerDown
	}
	if i.Flags&unix.IFF_UP != 0 && i.Flags&unix.IFF_LOWER_UP != 0 {
		return operUp
	}
	if i.Flags&unix.IFF_UP == 0 {
		return operDown
	}
	return operUnknown
}

func adminStatus(i *Interface) int32 {
	if i.Flags&unix.IFF_UP != 0 {
		return 1
	}
	return 2
}
