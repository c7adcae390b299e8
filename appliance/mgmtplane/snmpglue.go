package mgmtplane

import (
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/appliance/spool"
	"github.com/flowtap/flowtap/cli/show"
	"github.com/flowtap/flowtap/mgmt/snmp"
)

// snmpAccess turns the model's snmp-server lines into the agent's
// communities, users and notification receivers; acl applies and counts
// their access lists.
func snmpAccess(c config.Config, acl *daemon.ACLCounts) ([]snmp.Community, []snmp.User, []snmp.Receiver) {
	var comms []snmp.Community
	for _, cm := range c.SNMP.Communities {
		comms = append(comms, snmp.Community{Name: cm.Name, Write: cm.RW, Allow: snmpACL(c, acl, cm.ACL), View: snmpView(c.SNMP, cm.View)})
	}
	users := map[string]snmp.User{}
	var list []snmp.User
	remote := map[string]snmp.User{}
	for _, u := range c.SNMP.Users {
		su := snmp.User{Name: u.Name, Auth: u.Auth, Priv: u.Priv}
		// The model keeps keys localized to its engine ID (snmpEngineID),
		// never passphrases.
		su.AuthKey, _ = hex.DecodeString(string(u.AuthKey))
		su.PrivKey, _ = hex.DecodeString(string(u.PrivKey))
		ref := u.ACL
		// No group, no access (RFC 3415 3.2: noGroupName), as on IOS: a
		// user in a mistyped group must not read everything; nor may one
		// whose group asks for more security than it has.
		g, refused := c.SNMP.GroupOf(u)
		su.NoAccess = refused != ""
		if ref == "" {
			ref = g.ACL
		}
		su.View = snmpView(c.SNMP, g.Read)
		if g.Write != "" {
			su.Write, su.WriteView = true, snmpView(c.SNMP, g.Write)
		}
		su.Allow = snmpACL(c, acl, ref)
		if u.Remote.IsValid() {
			// A receiver's user, for informs: not one of ours.
			remote[u.Name+"@"+netip.AddrPortFrom(u.Remote, portOr162(u.RemotePort)).String()] = su
			continue
		}
		users[u.Name] = su
		list = append(list, su)
	}
	var recv []snmp.Receiver
	for _, h := range c.SNMP.Hosts {
		port := h.Port
		if port == 0 {
			port = 162
		}
		r := snmp.Receiver{Addr: netip.AddrPortFrom(h.Addr, port)}
		switch {
		case h.Version == config.SNMPv3 && h.Informs:
			// The receiver is authoritative: its user's keys are
			// localized to its engine ID (the model requires both).
			if u, ok := remote[h.Name+"@"+r.Addr.String()]; ok {
				r.User = &u
				r.EngineID, _ = hex.DecodeString(c.SNMP.RemoteEngineID(h.Addr, h.Port))
			}
		case h.Version == config.SNMPv3:
			if u, ok := users[h.Name]; ok {
				// Traps: this engine is authoritative, so the keys
				// localized to it serve.
				r.User, r.Trap = &u, true
			}
		default:
			// Version 1 and 2c; informs need 2c (the model refuses
			// informs version 1).
			r.Community, r.Inform, r.V1 = h.Name, h.Informs, h.Version == config.SNMPv1
		}
		recv = append(recv, r)
	}
	return comms, list, recv
}

// snmpView is the agent's view named name: the configured view, or IOS's
// built-in v1default (config.V1DefaultView, which `show snmp view` lists
// too) for "" and for v1default unless a view is configured under that
// name; nothing for a view that is not configured (IOS: the community or
// group sees nothing until the view exists).
func snmpView(s config.SNMP, name string) snmp.View {
	v, ok := s.ReadView(name)
	if !ok {
		return snmp.View{Empty: true}
	}
	var out snmp.View
	for _, t := range v.Subtrees {
		o, err := config.ViewOID(t.OID)
		if err != nil {
			continue // the model refuses it; never widen the view
		}
		if t.Excluded {
			out.Exclude = append(out.Exclude, snmp.OID(o))
		} else {
			out.Include = append(out.Include, snmp.OID(o))
		}
	}
	if len(out.Include) == 0 {
		// Only excluded subtrees: RFC 3415 has nothing in such a view
		// (the agent's zero View would be everything but them).
		out.Empty = true
	}
	return out
}

func portOr162(p uint16) uint16 {
	if p == 0 {
		return config.DefaultTrapPort
	}
	return p
}

// snmpEngineID is the configured snmpEngineID; nil lets the agent choose
// its default (no SNMPv3 user needs a fixed one).
func snmpEngineID(c config.Config) []byte {
	id, err := hex.DecodeString(c.SNMP.EngineID)
	if err != nil || len(id) == 0 {
		return nil
	}
	return id
}

// snmpACL applies an access list to SNMP requests (UDP from the manager
// to the agent); nil when no list is applied.
func snmpACL(c config.Config, acl *daemon.ACLCounts, ref string) snmp.Access {
	if ref == "" {
		return nil
	}
	return func(from, to netip.AddrPort) bool {
		return acl.Permits(c, ref, config.Packet{Src: from.Addr(), Dst: to.Addr(), Protocol: 17, SrcPort: from.Port(), DstPort: to.Port()})
	}
}

// snmpNetflow is the CISCO-NETFLOW-MIB provider over the running engine
// and exporters.
func snmpNetflow(m *daemon.Manager) snmp.NetflowProvider {
	d := m.Daemon()
	return &snmp.FlowtapSource{
		Taps:             func() []snmp.Fibre { return fibreRows(d) },
		Engine:           d.Engine,
		ExportersRetired: d.ExportersRetired,
		CacheExport:      d.CacheExportTotal,
		UncleanStopLost: func() snmp.UncleanStopLoss {
			l, _ := d.UncleanStopLost()
			return snmp.UncleanStopLoss{Records: l.Records, Packets: l.Packets, Doubt: l.Doubt, DoubtPackets: l.DoubtPackets}
		},
		UncleanStopHeld: func() (agg, bi snmp.UncleanStopLoss) {
			held, _ := d.UncleanStopHeld()
			for _, h := range held {
				t := &agg
				if h.Kind == spool.HeldBiflow {
					t = &bi
				}
				t.Records += h.Records
				t.Packets += h.Packets
				t.Doubt += h.Doubt
				t.DoubtPackets += h.DoubtPackets
			}
			return agg, bi
		},
		Version: func() uint32 {
			_, set, _ := m.Config().Setting()
			return uint32(set.Export)
		},
		MaxCollectors: 8,
		Datapath: func() (snmp.DatapathStats, error) {
			st, err := snmpDatapath(d)
			st.Overload = d.OverloadView()
			return st, err
		},
		PacketSizes: func() [26]uint16 {
			var out [26]uint16
			// IPv4's: the distribution show ip cache flow prints, which
			// the MIB's description names.
			h, _, err := d.SizeHistograms()
			if err != nil {
				return out
			}
			var total uint64
			for _, n := range h {
				total += n
			}
			for i, n := range h {
				out[i] = show.Thousandths(n, total)
			}
			return out
		},
		Occupancy: func() (int, int, error) { return d.Datapath().Usage() },
		// A port metered by a Flexible NetFlow monitor is enabled too.
		Interfaces:   func() []snmp.InterfaceFlow { return snmpInterfaces(m.Config().Effective()) },
		Aggregations: func() []snmp.AggregationCacheStats { return snmpAggregations(d, m.Config()) },
		IPFIXState:   snmpIPFIX(m),
		SampledPackets: func() uint64 {
			// What the samplers that sample (1 in N > 1) selected: the
			// same counts as show flow-sampler and IPFIX-MIB's.
			var n uint64
			views, _ := d.Samplers()
			for _, v := range views {
				if v.Interval > 1 {
					n += v.Taken
				}
			}
			return n
		},
	}
}

// snmpInterfaces is every link with its `ip flow ingress|egress`.
func snmpInterfaces(c config.Config) []snmp.InterfaceFlow {
	links, err := net.Interfaces()
	if err != nil {
		return nil
	}
	out := make([]snmp.InterfaceFlow, 0, len(links))
	for _, l := range links {
		i, _ := c.Interface(l.Name)
		out = append(out, snmp.InterfaceFlow{IfIndex: uint32(l.Index), Ingress: i.Ingress, Egress: i.Egress})
	}
	return out
}

// snmpAggregations are the running aggregation caches' rows, with the
// export version and destinations c gives each.
func snmpAggregations(d *daemon.Daemon, c config.Config) []snmp.AggregationCacheStats {
	var out []snmp.AggregationCacheStats
	for _, a := range d.AggregationCaches() {
		row := snmp.AggregationCacheStats{
			Type: uint32(a.Config.Scheme), Enabled: true,
			Entries: snmp.Clamp32(uint64(max(a.Stats.Capacity, 0))), Active: snmp.Clamp32(uint64(max(a.Stats.Entries, 0))),
			ActiveTimeout:   cmp.Or(a.Config.ActiveTimeout, export.DefaultActiveTimeout),
			InactiveTimeout: cmp.Or(a.Config.InactiveTimeout, export.DefaultInactiveTimeout),
			SourceMinMask:   a.Config.SourceMinMask, DestinationMinMask: a.Config.DestinationMinMask,
		}
		if i := slices.IndexFunc(c.Aggregations, func(g config.Aggregation) bool { return g.Scheme == a.Config.Scheme }); i >= 0 {
			g := c.Aggregations[i]
			row.ExportVersion = uint32(cmp.Or(g.Version, platform.V8))
			row.Collectors = g.Destinations
		}
		out = append(out, row)
	}
	return out
}

// snmpDatapath is the flowtap datapath MIB's view of the meter.
func snmpDatapath(d *daemon.Daemon) (snmp.DatapathStats, error) {
	st, err := d.DatapathStats()
	if err != nil {
		return snmp.DatapathStats{}, err
	}
	return st.Counters(), nil
}

// snmpSystem is sysDescr, sysContact, sysName and sysLocation.
func snmpSystem(m *daemon.Manager) func() snmp.SystemInfo {
	return func() snmp.SystemInfo {
		c := m.Config()
		return snmp.SystemInfo{Descr: "flowtap " + m.Version() + " (" + c.PlatformName() + " persona)",
			Contact: c.SNMP.Contact, Name: c.HostnameOrDefault(), Location: c.SNMP.Location}
	}
}

// interfaceAlias is ifAlias: the interface's description.
func interfaceAlias(m *daemon.Manager) func(name string) string {
	return func(name string) string {
		i, _ := m.Config().Interface(name)
		return i.Description
	}
}

// linkTrap is ifLinkUpDownTrapEnable: on unless the interface has `no
// snmp trap link-status`, as on IOS (an interface the configuration does
// not name has it on).
func linkTrap(m *daemon.Manager) func(name string) bool {
	return func(name string) bool {
		i, _ := m.Config().Interface(name)
		return !i.NoLinkTrap
	}
}

// setter makes each SNMP Set the same model change as its CLI line; a
// dry one only checks that the model would take it.
type setter struct {
	m   *daemon.Manager
	dry bool
}

func (s setter) edit(f func(c *config.Config) error) error {
	if s.dry {
		return s.m.Check(f)
	}
	return s.m.Edit(f)
}

// DryRun is the setter that checks without changing (snmp.DryRunner).
func (s setter) DryRun() snmp.Setter { return setter{m: s.m, dry: true} }

func (s setter) SetSysContact(v string) error {
	return s.edit(func(c *config.Config) error { c.SNMP.Contact = v; return nil })
}
func (s setter) SetSysName(v string) error {
	return s.edit(func(c *config.Config) error { c.Hostname = v; return nil })
}
func (s setter) SetSysLocation(v string) error {
	return s.edit(func(c *config.Config) error { c.SNMP.Location = v; return nil })
}
func (s setter) SetInterfaceDescription(name, d string) error {
	return s.edit(func(c *config.Config) error {
		i := slices.IndexFunc(c.Interfaces, func(it config.Interface) bool { return it.Name == name })
		if i < 0 {
			c.Interfaces = append(c.Interfaces, config.Interface{Name: name, Description: d})
			return nil
		}
		c.Interfaces[i].Description = d
		return nil
	})
}

// SetInterfaceLinkTrap is ifLinkUpDownTrapEnable: `[no] snmp trap
// link-status` under the interface (added to the configuration when it
// names it not yet, as a description set by SNMP is).
func (s setter) SetInterfaceLinkTrap(name string, on bool) error {
	return s.edit(func(c *config.Config) error {
		i := slices.IndexFunc(c.Interfaces, func(it config.Interface) bool { return it.Name == name })
		if i < 0 {
			if on {
				return nil // the default
			}
			c.Interfaces = append(c.Interfaces, config.Interface{Name: name, NoLinkTrap: true})
			return nil
		}
		c.Interfaces[i].NoLinkTrap = !on
		return nil
	})
}

// SetAuthenTraps is snmpEnableAuthenTraps: `[no] snmp-server enable traps
// snmp authentication`. Under `snmp-server enable traps` (every
// notification) authenticationFailure cannot be turned off alone.
func (s setter) SetAuthenTraps(on bool) error {
	return s.edit(func(c *config.Config) error {
		if c.SNMP.Traps {
			if !on {
				return errors.New("snmp-server enable traps sends every notification, authenticationFailure among them")
			}
			return nil
		}
		c.SNMP.AuthTraps = on
		return nil
	})
}
func (s setter) SetCacheEntries(n uint32) error {
	return s.edit(func(c *config.Config) error { c.Cache.Entries = int(n); return nil })
}
func (s setter) SetActiveTimeout(d time.Duration) error {
	return s.edit(func(c *config.Config) error { c.Cache.Active = d; return nil })
}
func (s setter) SetInactiveTimeout(d time.Duration) error {
	return s.edit(func(c *config.Config) error { c.Cache.Inactive = d; return nil })
}
func (s setter) SetExportVersion(v uint32) error {
	return s.edit(func(c *config.Config) error { c.Export.Version = platform.ExportVersion(v); return nil })
}
func (s setter) AddCollector(a netip.AddrPort) error {
	return s.edit(func(c *config.Config) error {
		for _, d := range c.Export.Destinations {
			if d.Addr == a {
				return nil
			}
		}
		c.Export.Destinations = append(c.Export.Destinations, config.Destination{Addr: a})
		return nil
	})
}
func (s setter) RemoveCollector(a netip.AddrPort) error {
	return s.edit(func(c *config.Config) error {
		i := slices.IndexFunc(c.Export.Destinations, func(d config.Destination) bool { return d.Addr == a })
		if i < 0 {
			return fmt.Errorf("no collector %s", a)
		}
		c.Export.Destinations = slices.Delete(c.Export.Destinations, i, i+1)
		return nil
	})
}
func (s setter) SetTopFlowsTopN(n uint32) error {
	return s.edit(func(c *config.Config) error {
		if n == 0 {
			c.TopTalkers = config.TopTalkers{}
			return nil
		}
		c.TopTalkers.Configured, c.TopTalkers.Top = true, int(n)
		return nil
	})
}
func (s setter) SetTopFlowsSortBy(v snmp.SortBy) error {
	return s.edit(func(c *config.Config) error {
		c.TopTalkers.Configured = true
		c.TopTalkers.SortBy = platform.SortBy(v) // the MIB's values, as the model keeps them
		return nil
	})
}
func (s setter) SetTopFlowsMatch(mt flowcache.Match) error {
	return s.edit(func(c *config.Config) error {
		c.TopTalkers.Configured = true
		old := c.TopTalkers.Match
		c.TopTalkers.Match = config.TopTalkersMatch{ProtocolSet: mt.ProtocolSet, Protocol: mt.Protocol, Src: mt.Src, Dst: mt.Dst,
			SrcPort: config.TopPorts(mt.SrcPort), DstPort: config.TopPorts(mt.DstPort),
			Bytes: config.TopCounts(mt.Bytes), Packets: config.TopCounts(mt.Packets),
			ToS: matchToS(old.ToS, mt.ToS), InputIf: matchIfName(*c, old.InputIf, mt.InputIf),
			OutputIf: matchIfName(*c, old.OutputIf, mt.OutputIf), NextHop: mt.NextHop, SrcAS: mt.SrcAS, DstAS: mt.DstAS}
		return nil
	})
}

// matchToS is the configuration's form of a ToS criterion SNMP set: the
// CLI's `dscp`/`precedence` form while it compares the same bits, else
// the whole byte (all cnfTopFlowsMatchTOSByte can say).
func matchToS(old config.TopToS, m flowcache.ToSMatch) config.TopToS {
	if mask, v := old.MaskValue(); mask == m.Mask && v == m.Value {
		return old
	}
	if m.Mask == 0 {
		return config.TopToS{}
	}
	return config.TopToS{Kind: config.TopToSByte, Value: m.Value}
}

// matchIfName names the interface of an ifIndex SNMP set: the name the
// configuration has while it still resolves to that index (an absent
// interface's name stays as typed), else the kernel's name.
func matchIfName(c config.Config, old string, index uint32) string {
	if index == 0 {
		return ""
	}
	if old != "" && daemon.MatchIfIndex(c, old) == index {
		return old
	}
	if l, err := net.InterfaceByIndex(int(index)); err == nil {
		return l.Name
	}
	for _, it := range c.Interfaces {
		if c.SubifIfIndex(it.Name) == index {
			return it.Name
		}
	}
	return fmt.Sprintf("ifindex%d", index)
}

func (s setter) SetInterfaceFlow(ifIndex uint32, ingress, egress bool) error {
	l, err := net.InterfaceByIndex(int(ifIndex))
	if err != nil {
		return fmt.Errorf("ifIndex %d: %w", ifIndex, err)
	}
	return s.edit(func(c *config.Config) error {
		i := slices.IndexFunc(c.Interfaces, func(it config.Interface) bool { return it.Name == l.Name })
		if i < 0 {
			c.Interfaces = append(c.Interfaces, config.Interface{Name: l.Name})
			i = len(c.Interfaces) - 1
		}
		c.Interfaces[i].Ingress, c.Interfaces[i].Egress = ingress, egress
		return nil
	})
}
func (s setter) SetTopFlowsCacheTimeout(d time.Duration) error {
	return s.edit(func(c *config.Config) error {
		c.TopTalkers.Configured = true
		c.TopTalkers.CacheTimeout = d
		return nil
	})
}

// SetAggregationMinMask is ` mask source|destination minimum N` (0: the
// `no` form) under `ip flow-aggregation cache SCHEME`.
func (s setter) SetAggregationMinMask(scheme platform.Scheme, source bool, bits uint8) error {
	return s.edit(func(c *config.Config) error {
		i := slices.IndexFunc(c.Aggregations, func(a config.Aggregation) bool { return a.Scheme == scheme })
		if i < 0 {
			return fmt.Errorf("ip flow-aggregation cache %s is not configured", scheme)
		}
		if source {
			c.Aggregations[i].SourceMask = int(bits)
		} else {
			c.Aggregations[i].DestinationMask = int(bits)
		}
		return nil
	})
}

// configEvent is a configuration event as CISCO-CONFIG-MAN-MIB records
// it: a session's end changes the running configuration from the command
// source, a save writes it to the startup configuration. The session is
// "console", "USER on vtyN (ADDR)" (a vty) or a JunOS user.
func configEvent(n daemon.ConfigNote) snmp.ConfigEvent {
	if n.Saved {
		return snmp.ConfigEvent{Source: snmp.ConfigFromCLI, From: snmp.MediumRunning, To: snmp.MediumStartup, Terminal: snmp.TerminalUnknown}
	}
	e := snmp.ConfigEvent{Source: snmp.ConfigFromCLI, From: snmp.MediumCommandSource, To: snmp.MediumRunning}
	by := n.By
	if by == "console" {
		e.Terminal = snmp.TerminalConsole
		return e
	}
	user, line, ok := strings.Cut(by, " on ")
	e.User = user
	if !ok {
		e.Terminal = snmp.TerminalUnknown
		return e
	}
	e.Terminal = snmp.TerminalVirtual
	line, addr, _ := strings.Cut(line, " (")
	if num, err := strconv.Atoi(strings.TrimPrefix(line, "vty")); err == nil {
		e.TerminalNum = int32(num)
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(addr, ")")); err == nil {
		e.Addr = a.Unmap()
	}
	return e
}

// fibreRows maps the daemon's tap fibres to flowtapFibreTable's rows.
func fibreRows(d *daemon.Daemon) []snmp.Fibre {
	states := map[string]int32{"up": snmp.FibreUp, "dark": snmp.FibreDark, "silent": snmp.FibreSilent,
		"admin-down": snmp.FibreAdminDown, "missing": snmp.FibreMissing, "not-configured": snmp.FibreNotConfigured}
	var out []snmp.Fibre
	for _, f := range d.FibreRows() {
		side := uint32(1)
		if f.Side == "b" {
			side = 2
		}
		out = append(out, snmp.Fibre{LinkIfIndex: f.LinkIfIndex, Side: side, Port: f.Port, State: states[f.State],
			IdleSeconds: uint32(min(f.Idle/time.Second, 1<<32-1)), Flows: f.Flows, Packets: f.Packets, Octets: f.Bytes})
	}
	return out
}

// snmpInventory is ENTITY-MIB's view of the daemon's inventory, the one
// `show inventory` prints.
func snmpInventory(m *daemon.Manager) snmp.Inventory {
	return func() ([]snmp.PhysicalEntity, error) {
		items := m.Inventory()
		out := make([]snmp.PhysicalEntity, 0, len(items))
		for _, it := range items {
			e := snmp.PhysicalEntity{Key: it.Key, Class: snmp.PhysicalPort, Name: it.Name, Descr: it.Descr,
				FirmwareRev: it.FirmwareRev, SoftwareRev: it.SoftwareRev, Serial: it.SN, Model: it.PID, IfIndex: it.IfIndex}
			switch it.Class {
			case daemon.InventoryChassis:
				e.Class, e.MfgName, e.FRU = snmp.PhysicalChassis, "flowtap", true
			case daemon.InventoryTap:
				e.Class = snmp.PhysicalOther
			}
			out = append(out, e)
		}
		return out, nil
	}
}

// fibreChange is the flowtapFibreTable row a fibre notification carries:
// the fibre as its change left it (silent, or up again).
func fibreChange(c daemon.FibreChange) snmp.Fibre {
	f := snmp.Fibre{LinkIfIndex: c.LinkIfIndex, Side: 1, Port: c.Port, State: snmp.FibreUp,
		IdleSeconds: uint32(min(c.Idle/time.Second, 1<<32-1))}
	if c.Side == "b" {
		f.Side = 2
	}
	if c.Silent {
		f.State = snmp.FibreSilent
	}
	return f
}
