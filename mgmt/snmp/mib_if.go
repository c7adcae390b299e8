package snmp

import (
	"fmt"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// IFMIBConfig wires IF-MIB to its sources.
type IFMIBConfig struct {
	Interfaces InterfaceSource
	// Alias gives ifAlias, the interface description of the configuration
	// model; nil falls back to the kernel's alias.
	Alias func(ifName string) string
	// LinkTrap gives ifLinkUpDownTrapEnable (`[no] snmp trap
	// link-status`); nil: enabled everywhere.
	LinkTrap func(ifName string) bool
	// Setter, when set, makes ifAlias and ifLinkUpDownTrapEnable
	// writable.
	Setter Setter
	Uptime func(time.Time) uint32 // sysUpTime at a time, for ifLastChange
	Now    func() time.Time
}

var (
	oidIfNumber = mustOID("1.3.6.1.2.1.2.1")
	oidIfEntry  = mustOID("1.3.6.1.2.1.2.2.1")
	oidIfXEntry = mustOID("1.3.6.1.2.1.31.1.1.1")
)

// IF-MIB column numbers used elsewhere (notifications).
const (
	ifIndexColumn       = 1
	ifAdminStatusColumn = 7
	ifOperStatusColumn  = 8
)

// ifMIB remembers each interface's last operational status, to answer
// ifLastChange: the kernel keeps no such time.
type ifMIB struct {
	cfg  IFMIBConfig
	mu   sync.Mutex
	seen map[uint32]lastChange
}

type lastChange struct {
	oper  int32
	ticks uint32
}

// RegisterIFMIB adds ifNumber, ifTable and ifXTable.
func RegisterIFMIB(r *Registry, cfg IFMIBConfig) error {
	if cfg.Interfaces == nil || cfg.Uptime == nil || cfg.Now == nil {
		return fmt.Errorf("snmp: IF-MIB needs Interfaces, Uptime and Now")
	}
	m := &ifMIB{cfg: cfg, seen: map[uint32]lastChange{}}
	ifNumber := Scalar{OID: oidIfNumber, Name: "ifNumber", Get: func() (Value, error) {
		l, err := cfg.Interfaces.Interfaces()
		if err != nil {
			return Value{}, err
		}
		return Integer(int32(len(l))), nil
	}}
	ifTable := Table{Entry: oidIfEntry, Name: "ifTable", Columns: []Column{
		{ID: 1, Name: "ifIndex"}, {ID: 2, Name: "ifDescr"}, {ID: 3, Name: "ifType"},
		{ID: 4, Name: "ifMtu"}, {ID: 5, Name: "ifSpeed"}, {ID: 6, Name: "ifPhysAddress"},
		{ID: 7, Name: "ifAdminStatus"}, {ID: 8, Name: "ifOperStatus"}, {ID: 9, Name: "ifLastChange"},
		{ID: 10, Name: "ifInOctets"}, {ID: 11, Name: "ifInUcastPkts"}, {ID: 13, Name: "ifInDiscards"},
		{ID: 14, Name: "ifInErrors"}, {ID: 15, Name: "ifInUnknownProtos"}, {ID: 16, Name: "ifOutOctets"},
		{ID: 17, Name: "ifOutUcastPkts"}, {ID: 19, Name: "ifOutDiscards"}, {ID: 20, Name: "ifOutErrors"},
	}, Rows: m.ifRows}
	var aliasWrite, linkTrapWrite *Write
	if cfg.Setter != nil {
		aliasWrite = m.aliasWrite()
		linkTrapWrite = m.linkTrapWrite()
	}
	ifXTable := Table{Entry: oidIfXEntry, Name: "ifXTable", Columns: []Column{
		{ID: 1, Name: "ifName"}, {ID: 2, Name: "ifInMulticastPkts"}, {ID: 6, Name: "ifHCInOctets"},
		{ID: 7, Name: "ifHCInUcastPkts"}, {ID: 8, Name: "ifHCInMulticastPkts"}, {ID: 10, Name: "ifHCOutOctets"},
		{ID: 11, Name: "ifHCOutUcastPkts"}, {ID: 14, Name: "ifLinkUpDownTrapEnable", Write: linkTrapWrite}, {ID: 15, Name: "ifHighSpeed"},
		{ID: 16, Name: "ifPromiscuousMode"}, {ID: 18, Name: "ifAlias", Write: aliasWrite},
		{ID: 19, Name: "ifCounterDiscontinuityTime"},
	}, Rows: m.ifXRows}
	return registerAll(r, []Scalar{ifNumber}, []Table{ifTable, ifXTable})
}

func (m *ifMIB) lastChange(i *Interface, oper int32) uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	lc, ok := m.seen[i.Index]
	if !ok {
		// First sight: the change happened before the agent could see
		// it, which IF-MIB reports as 0.
		m.seen[i.Index] = lastChange{oper: oper}
		return 0
	}
	if lc.oper != oper {
		lc = lastChange{oper: oper, ticks: m.cfg.Uptime(m.cfg.Now())}
		m.seen[i.Index] = lc
	}
	return lc.ticks
}

// interfaceRows is one row per interface, indexed by ifIndex, with the
// values values gives.
func (m *ifMIB) interfaceRows(values func(i *Interface) []Value) ([]Row, error) {
	list, err := m.cfg.Interfaces.Interfaces()
	if err != nil {
		return nil, err
	}
	rows := make([]Row, 0, len(list))
	for k := range list {
		rows = append(rows, Row{Index: OID{list[k].Index}, Values: values(&list[k])})
	}
	return rows, nil
}

func (m *ifMIB) ifRows() ([]Row, error) {
	rows, err := m.interfaceRows(func(i *Interface) []Value {
		s := &i.Stats
		oper := operStatus(i)
		speed := uint64(i.SpeedMbps) * 1000000
		return []Value{
			Integer(int32(i.Index)), String(i.Name), Integer(ifType(i.ARPType)),
			Integer(int32(i.MTU)), Gauge32(Clamp32(speed)), OctetString(i.HardwareAddr),
			Integer(adminStatus(i)), Integer(oper), TimeTicks(m.lastChange(i, oper)),
			Counter32(Wrap32(s.RxBytes)), Counter32(Wrap32(unicast(s.RxPackets, s.RxMulticast))),
			Counter32(Wrap32(s.RxDropped)), Counter32(Wrap32(s.RxErrors)), Counter32(Wrap32(s.RxNoHandler)),
			Counter32(Wrap32(s.TxBytes)), Counter32(Wrap32(s.TxPackets)),
			Counter32(Wrap32(s.TxDropped)), Counter32(Wrap32(s.TxErrors)),
		}
	})
	if err == nil {
		m.forget(rows)
	}
	return rows, err
}

// forget drops what it remembers of the interfaces that are gone. The
// kernel does not reuse an ifIndex, so on a host whose links come and go
// (containers' veths, tunnels) an entry per link ever seen would pile up
// for as long as the agent runs.
func (m *ifMIB) forget(rows []Row) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.seen) <= len(rows) {
		return // every row's interface is in seen: nothing else is
	}
	now := make(map[uint32]bool, len(rows))
	for _, r := range rows {
		now[r.Index[0]] = true
	}
	for k := range m.seen {
		if !now[k] {
			delete(m.seen, k)
		}
	}
}

// unicast: Linux counts received multicast (broadcast included) apart
// from the total, and nothing finer.
func unicast(total, multicast uint64) uint64 {
	if multicast > total {
		return 0
	}
	return total - multicast
}

func (m *ifMIB) alias(i *Interface) string {
	if m.cfg.Alias != nil {
		return m.cfg.Alias(i.Name)
	}
	return i.KernelAlias
}

func (m *ifMIB) ifXRows() ([]Row, error) {
	return m.interfaceRows(func(i *Interface) []Value {
		s := &i.Stats
		return []Value{
			String(i.Name), Counter32(Wrap32(s.RxMulticast)), Counter64(s.RxBytes),
			Counter64(unicast(s.RxPackets, s.RxMulticast)), Counter64(s.RxMulticast), Counter64(s.TxBytes),
			Counter64(s.TxPackets), Integer(m.linkTrapValue(i.Name)), Gauge32(i.SpeedMbps),
			TruthValue(i.Flags&unix.IFF_PROMISC != 0), String(m.alias(i)),
			TimeTicks(0),
		}
	})
}

func (m *ifMIB) byIndex(index OID) (*Interface, error) {
	list, err := m.cfg.Interfaces.Interfaces()
	if err != nil {
		return nil, err
	}
	for k := range list {
		if len(index) == 1 && list[k].Index == index[0] {
			return &list[k], nil
		}
	}
	return nil, fmt.Errorf("ifIndex %s: no such interface", index)
}

// aliasWrite sets an interface description (`interface X` /
// ` description ...`), which IF-MIB limits to 64 octets.
func (m *ifMIB) aliasWrite() *Write {
	check := displayStringWrite("ifAlias", 64, nil, nil, nil).Test
	dry := dryRun(m.cfg.Setter)
	return &Write{
		Kind: KindOctetString,
		Test: func(index OID, v Value) error {
			if err := check(index, v); err != nil || dry == nil {
				return err
			}
			i, err := m.byIndex(index)
			if err != nil {
				return nil // the commit says so
			}
			if err := dry.SetInterfaceDescription(i.Name, string(v.Bytes)); err != nil {
				return Errorf(WrongValue, "ifAlias: %v", err)
			}
			return nil
		},
		Commit: func(index OID, v Value) (func() error, error) {
			i, err := m.byIndex(index)
			if err != nil {
				return nil, writeError("ifAlias", err)
			}
			old, name := m.alias(i), i.Name
			if err := m.cfg.Setter.SetInterfaceDescription(name, string(v.Bytes)); err != nil {
				return nil, writeError("ifAlias", err)
			}
			return func() error { return writeError("ifAlias", m.cfg.Setter.SetInterfaceDescription(name, old)) }, nil
		},
	}
}

// ifLinkUpDownTrapEnable's values (IF-MIB).
const (
	linkTrapEnabled  = 1
	linkTrapDisabled = 2
)

func (m *ifMIB) linkTrapValue(name string) int32 {
	if m.cfg.LinkTrap == nil || m.cfg.LinkTrap(name) {
		return linkTrapEnabled
	}
	return linkTrapDisabled
}

// linkTrapWrite sets ifLinkUpDownTrapEnable: the interface's `[no] snmp
// trap link-status`, so that the configuration (show running-config,
// write memory) says what the MIB does.
func (m *ifMIB) linkTrapWrite() *Write {
	dry := dryRun(m.cfg.Setter)
	return &Write{
		Kind: KindInteger,
		Test: func(index OID, v Value) error {
			if v.Int != linkTrapEnabled && v.Int != linkTrapDisabled {
				return Errorf(WrongValue, "ifLinkUpDownTrapEnable: %d: want enabled(1) or disabled(2)", v.Int)
			}
			if dry == nil {
				return nil
			}
			i, err := m.byIndex(index)
			if err != nil {
				return nil // the commit says so
			}
			if err := dry.SetInterfaceLinkTrap(i.Name, v.Int == linkTrapEnabled); err != nil {
				return Errorf(WrongValue, "ifLinkUpDownTrapEnable: %v", err)
			}
			return nil
		},
		Commit: func(index OID, v Value) (func() error, error) {
			i, err := m.byIndex(index)
			if err != nil {
				return nil, writeError("ifLinkUpDownTrapEnable", err)
			}
			old, name := m.linkTrapValue(i.Name) == linkTrapEnabled, i.Name
			if err := m.cfg.Setter.SetInterfaceLinkTrap(name, v.Int == linkTrapEnabled); err != nil {
				return nil, writeError("ifLinkUpDownTrapEnable", err)
			}
			return func() error {
				return writeError("ifLinkUpDownTrapEnable", m.cfg.Setter.SetInterfaceLinkTrap(name, old))
			}, nil
		},
	}
}
