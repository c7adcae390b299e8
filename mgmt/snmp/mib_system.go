package snmp

import (
	"errors"
	"os"

	"github.com/flowtap/flowtap/mgmt/hostres"
)

// SystemInfo feeds the SNMPv2-MIB system group.
type SystemInfo struct {
	Descr    string
	Contact  string
	Name     string
	Location string
}

var (
	oidSystem  = mustOID("1.3.6.1.2.1.1")
	oidSysUp   = oidSystem.Append(3, 0)
	oidSnmp    = mustOID("1.3.6.1.2.1.11")
	oidEngine  = mustOID("1.3.6.1.6.3.10.2.1")
	oidTrapOID = mustOID("1.3.6.1.6.3.1.1.4.1.0") // snmpTrapOID.0
	// oidSetSerialNo is snmpSetSerialNo (SNMPv2-MIB snmpSet group).
	oidSetSerialNo = mustOID("1.3.6.1.6.3.1.1.6.1")
)

// sysServices: a host offering end-to-end and application services
// (layers 4 and 7: 8 + 64), as net-snmp answers for a host.
const sysServices = 72

func defaultSystem() SystemInfo {
	name, _ := os.Hostname()
	return SystemInfo{Descr: "flowtap NetFlow probe", Name: name}
}

// sysOR is one sysORTable row: a MIB module this agent serves.
type sysOR struct {
	id    string
	descr string
}

func (a *Agent) registerStandardMIBs(cfg Config) error {
	if err := a.registerSystem(cfg); err != nil {
		return err
	}
	served := []sysOR{
		{"1.3.6.1.6.3.1", "SNMPv2-MIB: the MIB module for SNMP entities (RFC 3418)"},
		{"1.3.6.1.6.3.10", "SNMP-FRAMEWORK-MIB: the SNMP management architecture (RFC 3411)"},
		{"1.3.6.1.6.3.11", "SNMP-MPD-MIB: message processing and dispatching (RFC 3412)"},
		{"1.3.6.1.6.3.15", "SNMP-USER-BASED-SM-MIB: the user-based security model (RFC 3414)"},
		{"1.3.6.1.2.1.31", "IF-MIB: the interfaces (RFC 2863)"},
		{"1.3.6.1.2.1.25.7.1", "HOST-RESOURCES-MIB: processors, storage, running software (RFC 2790)"},
		{"1.3.6.1.4.1.2021", "UCD-SNMP-MIB: memory, load averages and CPU counters"},
	}
	disks := cfg.HostDisks
	if disks == nil {
		disks = []string{"/"}
	}
	host := &hostMIB{cpu: &a.cpu, disks: disks, pid: defaultPID()}
	if err := host.register(a.reg); err != nil {
		return err
	}
	a.cpuAvg = cfg.CPU
	if a.cpuAvg == nil {
		a.cpuAvg, a.ownAvg = &hostres.CPUAverages{}, true
	}
	a.inventory = cfg.Inventory
	if a.inventory == nil {
		a.inventory = a.defaultInventory
	}
	if err := a.registerEntityMIB(); err != nil {
		return err
	}
	proc := &processMIB{cpu: a.cpuAvg, chassis: func() int32 { return 1 }}
	if err := proc.register(a.reg); err != nil {
		return err
	}
	served = append(served,
		sysOR{"1.3.6.1.2.1.47", "ENTITY-MIB: the chassis, its ports and tap fibres (RFC 6933)"},
		sysOR{"1.3.6.1.4.1.9.9.109", "CISCO-PROCESS-MIB: the CPU's busy percentages and memory"},
		sysOR{"1.3.6.1.4.1.9.9.48", "CISCO-MEMORY-POOL-MIB: the processor and I/O memory pools"},
		sysOR{"1.3.6.1.4.1.9.9.221", "CISCO-ENHANCED-MEMPOOL-MIB: the memory pools with 64-bit figures"})
	if err := a.registerSnmpStats(cfg); err != nil {
		return err
	}
	ifs := cfg.Interfaces
	if ifs == nil {
		ifs = NetlinkInterfaces{}
	}
	if err := RegisterIFMIB(a.reg, IFMIBConfig{Interfaces: ifs, Alias: cfg.InterfaceAlias, LinkTrap: cfg.LinkTrap, Setter: cfg.Setter, Uptime: a.ticksAt, Now: a.engine.now}); err != nil {
		return err
	}
	addrs := cfg.Addresses
	if addrs == nil {
		addrs = NetlinkAddresses{}
	}
	if err := registerIPMIB(a.reg, addrs); err != nil {
		return err
	}
	served = append(served, sysOR{"1.3.6.1.2.1.48", "IP-MIB: the interfaces' addresses (RFC 4293)"})
	if cfg.Netflow != nil {
		if err := RegisterNetflowMIB(a.reg, cfg.Netflow, cfg.Setter, cfg.cacheLimits(), a.ticksAt, a.engine.now); err != nil {
			return err
		}
		if err := RegisterIPFIXMIB(a.reg, cfg.Netflow, a.ticksAt, a.engine.now); err != nil {
			return err
		}
		if err := RegisterFlowtapMIB(a.reg, cfg.Netflow); err != nil {
			return err
		}
		served = append(served,
			sysOR{"1.3.6.1.4.1.9.9.387", "CISCO-NETFLOW-MIB: the NetFlow caches, export and top talkers"},
			sysOR{"1.3.6.1.2.1.193", "IPFIX-MIB: the exporting process (RFC 6615)"},
			sysOR{"1.3.6.1.2.1.194", "IPFIX-SELECTOR-MIB: the selector functions (RFC 6615)"},
			sysOR{"1.3.6.1.2.1.212", "PSAMP-MIB: the sampling and filtering functions (RFC 6727)"},
			sysOR{oidFlowtap.Append(3).String(), "flowtap datapath and export loss"})
	}
	if err := a.registerConfigMan(); err != nil {
		return err
	}
	served = append(served, sysOR{"1.3.6.1.4.1.9.9.43", "CISCO-CONFIG-MAN-MIB: the configuration history"})
	return a.registerSysOR(served)
}

// registerSysOR is sysORLastChange and sysORTable. Every module is there
// from the start, so each sysORUpTime and sysORLastChange is 0.
func (a *Agent) registerSysOR(served []sysOR) error {
	rows := make([]Row, len(served))
	for i, s := range served {
		rows[i] = Row{Index: OID{uint32(i + 1)}, Values: []Value{ObjectID(mustOID(s.id)), String(s.descr), TimeTicks(0)}}
	}
	return registerAll(a.reg,
		[]Scalar{{OID: oidSystem.Append(8), Name: "sysORLastChange", Get: constant(TimeTicks(0))}},
		[]Table{{Entry: oidSystem.Append(9, 1), Name: "sysORTable",
			Columns: []Column{{ID: 2, Name: "sysORID"}, {ID: 3, Name: "sysORDescr"}, {ID: 4, Name: "sysORUpTime"}},
			Rows:    func() ([]Row, error) { return rows, nil }}})
}

// sysName is the host name the agent's messages give.
func (a *Agent) sysName() string {
	if a.system == nil {
		return defaultSystem().Name
	}
	return a.system().Name
}

func (a *Agent) registerSystem(cfg Config) error {
	sys := cfg.System
	if sys == nil {
		d := defaultSystem()
		sys = func() SystemInfo { return d }
	}
	a.system = sys
	str := func(f func(SystemInfo) string) func() (Value, error) {
		return func() (Value, error) { return String(f(sys())), nil }
	}
	get := func(f func(SystemInfo) string) func() (string, error) {
		return func() (string, error) { return f(sys()), nil }
	}
	contact := func(s SystemInfo) string { return s.Contact }
	name := func(s SystemInfo) string { return s.Name }
	location := func(s SystemInfo) string { return s.Location }
	var wContact, wName, wLocation *Write
	if st := cfg.Setter; st != nil {
		var tryContact, tryName, tryLocation func(string) error
		if dry := dryRun(st); dry != nil {
			tryContact, tryName, tryLocation = dry.SetSysContact, dry.SetSysName, dry.SetSysLocation
		}
		wContact = displayStringWrite("sysContact", 255, get(contact), st.SetSysContact, tryContact)
		wName = displayStringWrite("sysName", 255, get(name), st.SetSysName, tryName)
		wLocation = displayStringWrite("sysLocation", 255, get(location), st.SetSysLocation, tryLocation)
	}
	scalars := []Scalar{
		{OID: oidSystem.Append(1), Name: "sysDescr", Get: str(func(s SystemInfo) string { return s.Descr })},
		{OID: oidSystem.Append(2), Name: "sysObjectID", Get: constant(ObjectID(oidProbe))},
		{OID: oidSystem.Append(3), Name: "sysUpTime", Get: func() (Value, error) { return TimeTicks(a.Uptime()), nil }},
		{OID: oidSystem.Append(4), Name: "sysContact", Get: str(contact), Write: wContact},
		{OID: oidSystem.Append(5), Name: "sysName", Get: str(name), Write: wName},
		{OID: oidSystem.Append(6), Name: "sysLocation", Get: str(location), Write: wLocation},
		{OID: oidSystem.Append(7), Name: "sysServices", Get: constant(Integer(sysServices))},
	}
	return registerAll(a.reg, scalars, nil)
}

// registerSnmpStats adds the snmp group, snmpEngine, the MPD, target
// and USM statistics, and flowtap's own (flowtapSnmpAgent).
func (a *Agent) registerSnmpStats(cfg Config) error {
	var scalars []Scalar
	for _, o := range counterObjects {
		c := o.c
		scalars = append(scalars, Scalar{OID: mustOID(o.oid), Name: o.name,
			Get: func() (Value, error) { return Counter32(a.ctr.get(c)), nil }})
	}
	scalars = append(scalars,
		// enabled(1) and disabled(2), as a TruthValue.
		Scalar{OID: oidSnmp.Append(30), Name: "snmpEnableAuthenTraps",
			Get: func() (Value, error) { return TruthValue(a.authenTraps.Load()), nil }, Write: a.authenTrapsWrite(cfg.Setter)},
		Scalar{OID: oidSetSerialNo, Name: "snmpSetSerialNo",
			Get: func() (Value, error) { return Integer(a.setSerial.Load()), nil }, Write: a.setSerialWrite()},
		Scalar{OID: oidEngine.Append(1), Name: "snmpEngineID", Get: constant(OctetString(a.engine.id))},
		Scalar{OID: oidEngine.Append(2), Name: "snmpEngineBoots", Get: constant(Integer(a.engine.boots))},
		Scalar{OID: oidEngine.Append(3), Name: "snmpEngineTime", Get: func() (Value, error) { return Integer(a.engine.time()), nil }},
		Scalar{OID: oidEngine.Append(4), Name: "snmpEngineMaxMessageSize", Get: constant(Integer(int32(a.maxSize)))},
		// An NMS that polls usmStatsUnknownUserNames can tell a user's
		// access list at work from a mistyped user name by this one.
		Scalar{OID: oidSnmpAgent.Append(1), Name: UserACLRefused,
			Get: func() (Value, error) { return Counter32(a.ctr.get(cUserACLRefused)), nil }},
	)
	return registerAll(a.reg, scalars, nil)
}

// authenTrapsWrite makes snmpEnableAuthenTraps writable when the Setter
// takes it: the same change as `[no] snmp-server enable traps snmp
// authentication`.
func (a *Agent) authenTrapsWrite(st Setter) *Write {
	ats, ok := st.(AuthenTrapsSetter)
	if !ok {
		return nil
	}
	return &Write{
		Kind: KindInteger,
		Test: func(_ OID, v Value) error {
			if v.Int != 1 && v.Int != 2 {
				return Errorf(WrongValue, "snmpEnableAuthenTraps: %d, want enabled(1) or disabled(2)", v.Int)
			}
			return nil
		},
		Commit: func(_ OID, v Value) (func() error, error) {
			old := a.authenTraps.Load()
			if err := ats.SetAuthenTraps(v.Int == 1); err != nil {
				return nil, writeError("snmpEnableAuthenTraps", err)
			}
			return func() error { return writeError("snmpEnableAuthenTraps", ats.SetAuthenTraps(old)) }, nil
		},
	}
}

// setSerialWrite is snmpSetSerialNo's TestAndIncr (SNMPv2-TC): a Set
// naming the current value succeeds and moves it on by one (2147483647
// to 0), any other value is inconsistentValue. Managers put it in their
// Sets to find out whether another one set something since they read it.
func (a *Agent) setSerialWrite() *Write {
	return &Write{
		Kind: KindInteger,
		Test: func(_ OID, v Value) error {
			if v.Int < 0 || v.Int > 2147483647 {
				return Errorf(WrongValue, "snmpSetSerialNo: %d not in 0..2147483647", v.Int)
			}
			if int32(v.Int) != a.setSerial.Load() {
				return Errorf(InconsistentValue, "snmpSetSerialNo: %d is not the current value", v.Int)
			}
			return nil
		},
		Commit: func(_ OID, v Value) (func() error, error) {
			old := int32(v.Int)
			if !a.setSerial.CompareAndSwap(old, (old+1)&0x7fffffff) {
				return nil, errors.New("snmpSetSerialNo changed under the Set")
			}
			return func() error { a.setSerial.Store(old); return nil }, nil
		},
	}
}
