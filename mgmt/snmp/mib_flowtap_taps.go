package snmp

import "context"

// Fibre states as FLOWTAP-MIB's flowtapFibreState numbers them.
const (
	FibreUp = 1 + iota
	FibreDark
	FibreSilent
	FibreAdminDown
	FibreMissing
	FibreNotConfigured
)

// Fibre is one row of flowtapFibreTable (flowtap.7.1.1.COLUMN.LINK.SIDE).
type Fibre struct {
	LinkIfIndex uint32
	Side        uint32 // 1 a, 2 b
	Port        string
	State       int32 // Fibre*
	IdleSeconds uint32
	Flows       uint64
	Packets     uint64
	Octets      uint64
}

// TapProvider is a NetflowProvider that also reports the taps' fibres.
type TapProvider interface {
	Fibres() ([]Fibre, error)
}

var oidTaps = oidFlowtap.Append(7)

func fibreTable(p TapProvider) Table {
	return Table{
		Entry: oidTaps.Append(1, 1), Name: "flowtapFibreTable",
		Columns: []Column{{ID: 3, Name: "flowtapFibrePort"}, {ID: 4, Name: "flowtapFibreState"},
			{ID: 5, Name: "flowtapFibreIdleSeconds"}, {ID: 6, Name: "flowtapFibreFlows"},
			{ID: 7, Name: "flowtapFibrePackets"}, {ID: 8, Name: "flowtapFibreOctets"}},
		Rows: func() ([]Row, error) {
			fs, err := p.Fibres()
			if err != nil {
				return nil, err
			}
			rows := make([]Row, 0, len(fs))
			for _, f := range fs {
				rows = append(rows, Row{Index: OID{f.LinkIfIndex, f.Side}, Values: []Value{String(f.Port), Integer(f.State),
					Gauge32(f.IdleSeconds), Counter64(f.Flows), Counter64(f.Packets), Counter64(f.Octets)}})
			}
			return rows, nil
		},
	}
}

// The fibre notifications: flowtapFibreSilent and its clearing
// flowtapFibreReceives (flowtapNotifications.2 and .3).
var (
	oidFibreSilent   = oidFlowtap.Append(2, 0, 2)
	oidFibreReceives = oidFlowtap.Append(2, 0, 3)
)

// FibreSilence sends flowtapFibreSilent (silent) or flowtapFibreReceives
// for f, the fibre's flowtapFibreTable row as it reads now, when
// `snmp-server enable traps` or `snmp-server enable traps fibre` is on.
func (a *Agent) FibreSilence(ctx context.Context, f Fibre, silent bool) error {
	if !a.sends(TrapFibre) {
		return nil
	}
	oid := oidFibreReceives
	if silent {
		oid = oidFibreSilent
	}
	entry := oidTaps.Append(1, 1)
	return a.Notify(ctx, Notification{OID: oid, VarBinds: []VarBind{
		{Name: entry.Append(3, f.LinkIfIndex, f.Side), Value: String(f.Port)},
		{Name: entry.Append(4, f.LinkIfIndex, f.Side), Value: Integer(f.State)},
		{Name: entry.Append(5, f.LinkIfIndex, f.Side), Value: Gauge32(f.IdleSeconds)},
	}})
}
