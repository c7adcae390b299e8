package snmp

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"
)

// IP-MIB's address tables (RFC 4293): what an NMS reads to learn a
// device's addresses (LibreNMS and Observium discover IPv4 addresses
// from ipAddrTable and IPv6 ones from ipAddressTable, with the prefix
// length from ipAddressPrefix's pointer): ipAddrTable (IPv4, deprecated
// but what most still read), ipAddressTable and ipAddressPrefixTable.

var (
	oidIP              = mustOID("1.3.6.1.2.1.4")
	oidIPAddrEntry     = oidIP.Append(20, 1)
	oidIPAddressEntry  = oidIP.Append(34, 1)
	oidIPAddrPfxEntry  = oidIP.Append(32, 1)
	ipAddrPfxOriginCol = uint32(5)
)

// InterfaceAddress is one address of an interface.
type InterfaceAddress struct {
	IfIndex uint32
	Prefix  netip.Prefix // the address and its prefix length
	// Dynamic: given by DHCP or router advertisement (the kernel's
	// address has a lifetime), not configured.
	Dynamic    bool
	Deprecated bool // IFA_F_DEPRECATED: preferred lifetime over
	Tentative  bool // IFA_F_TENTATIVE: duplicate address detection not done
}

// AddressSource lists the interfaces' addresses.
type AddressSource interface {
	Addresses() ([]InterfaceAddress, error)
}

// NetlinkAddresses reads the addresses with an RTM_GETADDR dump.
type NetlinkAddresses struct{}

func (NetlinkAddresses) Addresses() ([]InterfaceAddress, error) {
	c, err := rtnetlink.Dial(nil)
	if err != nil {
		return nil, fmt.Errorf("netlink dial: %w", err)
	}
	defer c.Close()
	msgs, err := c.Address.List()
	if err != nil {
		return nil, fmt.Errorf("netlink address dump: %w", err)
	}
	out := make([]InterfaceAddress, 0, len(msgs))
	for _, m := range msgs {
		at := m.Attributes
		if at == nil {
			continue
		}
		ip := at.Local // the address itself on point-to-point links
		if ip == nil {
			ip = at.Address
		}
		addr, ok := netip.AddrFromSlice(ip)
		if !ok {
			continue
		}
		flags := at.Flags
		if flags == 0 {
			flags = uint32(m.Flags)
		}
		out = append(out, InterfaceAddress{IfIndex: m.Index, Prefix: netip.PrefixFrom(addr.Unmap(), int(m.PrefixLength)),
			Dynamic: flags&unix.IFA_F_PERMANENT == 0, Deprecated: flags&unix.IFA_F_DEPRECATED != 0, Tentative: flags&unix.IFA_F_TENTATIVE != 0})
	}
	return out, nil
}

type ipMIB struct{ src AddressSource }

func registerIPMIB(r *Registry, src AddressSource) error {
	m := &ipMIB{src: src}
	ipAddrTable := Table{Entry: oidIPAddrEntry, Name: "ipAddrTable", Columns: []Column{
		{ID: 1, Name: "ipAdEntAddr"}, {ID: 2, Name: "ipAdEntIfIndex"}, {ID: 3, Name: "ipAdEntNetMask"},
		{ID: 4, Name: "ipAdEntBcastAddr"}, {ID: 5, Name: "ipAdEntReasmMaxSize"},
	}, Rows: m.ipAddrRows}
	ipAddressTable := Table{Entry: oidIPAddressEntry, Name: "ipAddressTable", Columns: []Column{
		{ID: 3, Name: "ipAddressIfIndex"}, {ID: 4, Name: "ipAddressType"}, {ID: 5, Name: "ipAddressPrefix"},
		{ID: 6, Name: "ipAddressOrigin"}, {ID: 7, Name: "ipAddressStatus"}, {ID: 8, Name: "ipAddressCreated"},
		{ID: 9, Name: "ipAddressLastChanged"}, {ID: 10, Name: "ipAddressRowStatus"}, {ID: 11, Name: "ipAddressStorageType"},
	}, Rows: m.ipAddressRows}
	prefixTable := Table{Entry: oidIPAddrPfxEntry, Name: "ipAddressPrefixTable", Columns: []Column{
		{ID: ipAddrPfxOriginCol, Name: "ipAddressPrefixOrigin"}, {ID: 6, Name: "ipAddressPrefixOnLinkFlag"},
		{ID: 7, Name: "ipAddressPrefixAutonomousFlag"}, {ID: 8, Name: "ipAddressPrefixAdvPreferredLifetime"},
		{ID: 9, Name: "ipAddressPrefixAdvValidLifetime"},
	}, Rows: m.prefixRows}
	return registerAll(r, nil, []Table{ipAddrTable, ipAddressTable, prefixTable})
}

func (m *ipMIB) ipAddrRows() ([]Row, error) {
	list, err := m.src.Addresses()
	if err != nil {
		return nil, err
	}
	var rows []Row
	seen := map[netip.Addr]bool{}
	for _, a := range list {
		addr := a.Prefix.Addr()
		if !addr.Is4() || seen[addr] {
			continue // one row per address: the index is the address
		}
		seen[addr] = true
		b := addr.As4()
		mask := netip.AddrFrom4([4]byte(net.CIDRMask(a.Prefix.Bits(), 32)))
		rows = append(rows, Row{Index: OID{uint32(b[0]), uint32(b[1]), uint32(b[2]), uint32(b[3])}, Values: []Value{
			IPAddress(addr), Integer(int32(a.IfIndex)), IPAddress(mask),
			Integer(1),     // Linux broadcasts to all ones
			Integer(65535), // IP's largest datagram, reassembled
		}})
	}
	return rows, nil
}

// prefixIndex is an ipAddressPrefixTable index: ifIndex, then the prefix
// as InetAddressType and InetAddress, then its length.
func prefixIndex(a InterfaceAddress) OID {
	o := OID{a.IfIndex}
	o = append(o, inetIndex(a.Prefix.Masked().Addr())...)
	return append(o, uint32(a.Prefix.Bits()))
}

// RFC 4293 values.
const (
	ipOriginManual    = 2
	ipOriginDHCP      = 4
	ipOriginLinkLayer = 5
	ipPrefixManual    = 2
	ipPrefixWellKnown = 3
	ipPrefixDHCP      = 4
	ipPrefixRA        = 5
)

func (m *ipMIB) ipAddressRows() ([]Row, error) {
	list, err := m.src.Addresses()
	if err != nil {
		return nil, err
	}
	var rows []Row
	seen := map[netip.Addr]bool{}
	for _, a := range list {
		addr := a.Prefix.Addr()
		if seen[addr] {
			continue
		}
		seen[addr] = true
		origin := int32(ipOriginManual)
		switch {
		case addr.Is6() && (addr.IsLinkLocalUnicast() || a.Dynamic):
			// fe80::/10, and an IPv6 address with a lifetime: formed
			// from the link-layer address (SLAAC) by the kernel.
			origin = ipOriginLinkLayer
		case a.Dynamic:
			origin = ipOriginDHCP
		}
		status := int32(1) // IpAddressStatusTC preferred
		switch {
		case a.Tentative:
			status = 6 // tentative
		case a.Deprecated:
			status = 2 // deprecated
		}
		rows = append(rows, Row{Index: inetIndex(addr), Values: []Value{
			Integer(int32(a.IfIndex)), Integer(1), // unicast
			ObjectID(oidIPAddrPfxEntry.Append(ipAddrPfxOriginCol).Append(prefixIndex(a)...)),
			Integer(origin), Integer(status),
			TimeTicks(0), TimeTicks(0), // before the agent could see: unknown, as 0
			Integer(1), // active
			Integer(2), // volatile: the kernel's, not the agent's to keep
		}})
	}
	return rows, nil
}

func (m *ipMIB) prefixRows() ([]Row, error) {
	list, err := m.src.Addresses()
	if err != nil {
		return nil, err
	}
	var rows []Row
	seen := map[string]bool{}
	for _, a := range list {
		idx := prefixIndex(a)
		if seen[idx.String()] {
			continue
		}
		seen[idx.String()] = true
		origin := int32(ipPrefixManual)
		switch {
		case a.Prefix.Addr().Is6() && a.Prefix.Addr().IsLinkLocalUnicast():
			origin = ipPrefixWellKnown
		case a.Dynamic && a.Prefix.Addr().Is6():
			origin = ipPrefixRA
		case a.Dynamic:
			origin = ipPrefixDHCP
		}
		rows = append(rows, Row{Index: idx, Values: []Value{
			Integer(origin), TruthValue(true), TruthValue(false),
			Unsigned32(0xffffffff), Unsigned32(0xffffffff), // infinite: no advertisement
		}})
	}
	return rows, nil
}
