package snmp

import (
	"net/netip"
	"sync"
)

// CISCO-CONFIG-MAN-MIB's configuration history (ccmHistory,
// 1.3.6.1.4.1.9.9.43.1.1) and its ciscoConfigManEvent notification: what
// an NMS polls (ccmHistoryRunningLastChanged against
// ccmHistoryRunningLastSaved: changed and not saved) and the trap it takes
// as the cue to fetch the configuration (LibreNMS and Oxidized do). An
// event is a configuration session ended (the CLI's `end`, a JunOS
// commit), an SNMP Set that changed the configuration, or `write memory`.

var (
	oidCcmHistory      = mustOID("1.3.6.1.4.1.9.9.43.1.1")
	oidCcmEventEntry   = oidCcmHistory.Append(6, 1)
	oidCiscoConfigMan  = mustOID("1.3.6.1.4.1.9.9.43.2.0.1")
	ccmMaxEventEntries = 10 // the MIB's recommended size
)

// ConfigCommandSource is ccmHistoryEventCommandSource.
type ConfigCommandSource int32

const (
	ConfigFromCLI  ConfigCommandSource = 1 // commandLine
	ConfigFromSNMP ConfigCommandSource = 2 // snmp
)

// ConfigMedium is HistoryEventMedium.
type ConfigMedium int32

const (
	MediumCommandSource ConfigMedium = 2
	MediumRunning       ConfigMedium = 3
	MediumStartup       ConfigMedium = 4
)

// ConfigTerminal is ccmHistoryEventTerminalType.
type ConfigTerminal int32

const (
	TerminalNotApplicable ConfigTerminal = 1
	TerminalUnknown       ConfigTerminal = 2
	TerminalConsole       ConfigTerminal = 3
	TerminalVirtual       ConfigTerminal = 5
)

// ConfigEvent is one row of ccmHistoryEventTable.
type ConfigEvent struct {
	Source      ConfigCommandSource
	From, To    ConfigMedium
	Terminal    ConfigTerminal
	TerminalNum int32
	User        string
	// Addr is the manager of an SNMP Set or the remote end of a vty.
	Addr netip.Addr
}

type ccmEvent struct {
	index int32
	at    uint32
	ConfigEvent
}

type configHistory struct {
	mu                                           sync.Mutex
	runningChanged, runningSaved, startupChanged uint32
	events                                       []ccmEvent
	next                                         int32
	bumped                                       uint32
}

// ConfigEvent records e in ccmHistoryEventTable and moves the
// ccmHistory*Last* stamps it concerns before it returns, and sends
// ciscoConfigManEvent from a goroutine of its own when notifications are
// on (`snmp-server enable traps`), so that a slow inform never holds the
// CLI or the Set that made the change.
func (a *Agent) ConfigEvent(e ConfigEvent) {
	h := &a.ccm
	now := a.Uptime()
	h.mu.Lock()
	if h.next == 0 || h.next == 1<<31-1 {
		h.next = 1 // the MIB: wraps back to 1
	}
	ev := ccmEvent{index: h.next, at: now, ConfigEvent: e}
	h.next++
	if len(h.events) == ccmMaxEventEntries {
		h.events = h.events[1:]
		h.bumped++
	}
	h.events = append(h.events, ev)
	if e.To == MediumRunning {
		h.runningChanged = now
	}
	if e.From == MediumRunning {
		// The MIB: any write of the running configuration saves it.
		h.runningSaved = now
	}
	if e.To == MediumStartup {
		h.startupChanged = now
	}
	h.mu.Unlock()
	if !a.sends(TrapConfig) {
		return
	}
	idx := OID{uint32(ev.index)}
	go a.Notify(a.ctx, Notification{OID: oidCiscoConfigMan, VarBinds: []VarBind{
		{Name: oidCcmEventEntry.Append(3).Append(idx...), Value: Integer(int32(e.Source))},
		{Name: oidCcmEventEntry.Append(4).Append(idx...), Value: Integer(int32(e.From))},
		{Name: oidCcmEventEntry.Append(5).Append(idx...), Value: Integer(int32(e.To))},
		{Name: oidCcmEventEntry.Append(8).Append(idx...), Value: String(truncate(e.User, 64))},
	}}) // Notify logs what it could not deliver
}

func (a *Agent) registerConfigMan() error {
	h := &a.ccm
	stamp := func(f func() uint32) func() (Value, error) {
		return func() (Value, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			return TimeTicks(f()), nil
		}
	}
	scalars := []Scalar{
		{OID: oidCcmHistory.Append(1), Name: "ccmHistoryRunningLastChanged", Get: stamp(func() uint32 { return h.runningChanged })},
		{OID: oidCcmHistory.Append(2), Name: "ccmHistoryRunningLastSaved", Get: stamp(func() uint32 { return h.runningSaved })},
		{OID: oidCcmHistory.Append(3), Name: "ccmHistoryStartupLastChanged", Get: stamp(func() uint32 { return h.startupChanged })},
		{OID: oidCcmHistory.Append(4), Name: "ccmHistoryMaxEventEntries", Get: constant(Integer(int32(ccmMaxEventEntries)))},
		{OID: oidCcmHistory.Append(5), Name: "ccmHistoryEventEntriesBumped", Get: func() (Value, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			return Counter32(h.bumped), nil
		}},
	}
	table := Table{Entry: oidCcmEventEntry, Name: "ccmHistoryEventTable",
		Columns: []Column{{ID: 2, Name: "ccmHistoryEventTime"}, {ID: 3, Name: "ccmHistoryEventCommandSource"},
			{ID: 4, Name: "ccmHistoryEventConfigSource"}, {ID: 5, Name: "ccmHistoryEventConfigDestination"},
			{ID: 6, Name: "ccmHistoryEventTerminalType"}, {ID: 7, Name: "ccmHistoryEventTerminalNumber"},
			{ID: 8, Name: "ccmHistoryEventTerminalUser"}, {ID: 9, Name: "ccmHistoryEventTerminalLocation"},
			{ID: 11, Name: "ccmHistoryEventVirtualHostName"}, {ID: 13, Name: "ccmHistoryEventFile"},
			{ID: 14, Name: "ccmHistoryEventRcpUser"}, {ID: 15, Name: "ccmHistoryCLICmdEntriesBumped"},
			{ID: 16, Name: "ccmHistoryEventCommandSourceAddrType"}, {ID: 17, Name: "ccmHistoryEventCommandSourceAddrRev1"},
			{ID: 18, Name: "ccmHistoryEventServerAddrType"}, {ID: 19, Name: "ccmHistoryEventServerAddrRev1"}},
		Rows: func() ([]Row, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			rows := make([]Row, 0, len(h.events))
			for _, e := range h.events {
				terminal, num := e.Terminal, e.TerminalNum
				if terminal == 0 {
					terminal = TerminalNotApplicable
				}
				typ, addr := inetAddress(e.Addr)
				location := ""
				if e.Addr.IsValid() {
					location = e.Addr.String()
				}
				srvType, srv := inetAddress(netip.Addr{})
				rows = append(rows, Row{Index: OID{uint32(e.index)}, Values: []Value{
					TimeTicks(e.at), Integer(int32(e.Source)), Integer(int32(e.From)), Integer(int32(e.To)),
					Integer(int32(terminal)), Integer(num), String(truncate(e.User, 64)), String(truncate(location, 64)),
					String(""), String(""), String(""), Counter32(0),
					Integer(typ), OctetString(addr), Integer(srvType), OctetString(srv),
				}})
			}
			return rows, nil
		},
	}
	return registerAll(a.reg, scalars, []Table{table})
}
