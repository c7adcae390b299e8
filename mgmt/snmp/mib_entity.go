package snmp

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// ENTITY-MIB (RFC 6933): the box's inventory as an NMS discovers it.
// The chassis is entPhysicalIndex 1; what it contains follows in the
// order the Inventory first listed it, and each keeps its index while
// the agent runs, across going and coming back.

var (
	oidEntity          = mustOID("1.3.6.1.2.1.47")
	oidEntPhysEntry    = oidEntity.Append(1, 1, 1, 1)
	oidEntAliasEntry   = oidEntity.Append(1, 3, 2, 1)
	oidEntContainEntry = oidEntity.Append(1, 3, 3, 1)
	oidEntLastChange   = oidEntity.Append(1, 4, 1)
	oidEntConfigChange = oidEntity.Append(2, 0, 1)
	oidIfIndexColumn   = mustOID("1.3.6.1.2.1.2.2.1.1")
)

// Physical classes (IANA-ENTITY-MIB IANAPhysicalClass).
const (
	PhysicalOther   = 1
	PhysicalChassis = 3
	PhysicalPort    = 10
)

// PhysicalEntity is one part of the box: an entPhysicalTable row. Key
// tells the part apart across reads; IfIndex is its interface
// (entAliasMappingTable), 0 for none.
type PhysicalEntity struct {
	Key                                   string
	Class                                 int32
	Name, Descr                           string
	HardwareRev, FirmwareRev, SoftwareRev string
	Serial, MfgName, Model                string
	FRU                                   bool
	IfIndex                               uint32
}

// Inventory lists the box's parts: the chassis first, then what it
// contains (one level: everything is in the chassis).
type Inventory func() ([]PhysicalEntity, error)

// entityState numbers the parts and notices when the list changes.
type entityState struct {
	mu      sync.Mutex
	index   map[string]int32 // Key -> entPhysicalIndex
	next    int32
	last    string    // the last list read, as text, to see a change
	changed time.Time // when a change was first seen; zero: none since the start
	seen    bool
	// notify is when entConfigChange last went out and whether a change
	// waits for the throttle (RFC 6933: one per 5 s at most).
	sentAt  time.Time
	pending bool
	// list is the last inventory read and when: one reading serves a
	// walk's tables for stateTTL, so a GetBulk flood is not a flood of
	// inventory reads (each lists the links).
	list   []PhysicalEntity
	listAt time.Time
}

// physRow is a part with its index.
type physRow struct {
	PhysicalEntity
	index int32
}

// entityThrottle is RFC 6933's suggested least time between two
// entConfigChange notifications.
const entityThrottle = 5 * time.Second

// physical reads the inventory, numbers it and notes a change.
func (a *Agent) physical() ([]physRow, error) {
	s := &a.entity
	s.mu.Lock()
	defer s.mu.Unlock()
	now := a.engine.now()
	list := s.list
	if s.listAt.IsZero() || now.Sub(s.listAt) < 0 || now.Sub(s.listAt) >= stateTTL {
		var err error
		if list, err = a.inventory(); err != nil {
			return nil, err
		}
		s.list, s.listAt = list, now
	}
	if s.index == nil {
		s.index, s.next = map[string]int32{}, 2
	}
	rows := make([]physRow, 0, len(list))
	var text strings.Builder
	for i, e := range list {
		idx := int32(1)
		if i > 0 {
			var ok bool
			if idx, ok = s.index[e.Key]; !ok {
				idx = s.next
				s.index[e.Key] = idx
				s.next++
			}
		}
		rows = append(rows, physRow{e, idx})
		fmt.Fprintf(&text, "%d %+v\n", idx, e)
	}
	if t := text.String(); t != s.last {
		if s.seen {
			s.changed = now
			s.pending = true
		}
		s.last, s.seen = t, true
	}
	// Rows in index order, as the tables walk them.
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && rows[j].index < rows[j-1].index; j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
	return rows, nil
}

// defaultInventory is a chassis named by the system group alone.
func (a *Agent) defaultInventory() ([]PhysicalEntity, error) {
	return []PhysicalEntity{{Key: "chassis", Class: PhysicalChassis, Name: "Chassis", Descr: a.sysDescr()}}, nil
}

func (a *Agent) sysDescr() string {
	if a.system == nil {
		return defaultSystem().Descr
	}
	return a.system().Descr
}

func (a *Agent) registerEntityMIB() error {
	tv := func(b bool) Value {
		if b {
			return Integer(1)
		}
		return Integer(2)
	}
	phys := Table{
		Entry: oidEntPhysEntry, Name: "entPhysicalTable",
		// entPhysicalMfgDate, Uris and UUID are not instantiated: flowtap
		// knows none of them. Alias and AssetID read empty and are not
		// writable (nothing keeps them).
		Columns: []Column{{ID: 2, Name: "entPhysicalDescr"}, {ID: 3, Name: "entPhysicalVendorType"},
			{ID: 4, Name: "entPhysicalContainedIn"}, {ID: 5, Name: "entPhysicalClass"}, {ID: 6, Name: "entPhysicalParentRelPos"},
			{ID: 7, Name: "entPhysicalName"}, {ID: 8, Name: "entPhysicalHardwareRev"}, {ID: 9, Name: "entPhysicalFirmwareRev"},
			{ID: 10, Name: "entPhysicalSoftwareRev"}, {ID: 11, Name: "entPhysicalSerialNum"}, {ID: 12, Name: "entPhysicalMfgName"},
			{ID: 13, Name: "entPhysicalModelName"}, {ID: 14, Name: "entPhysicalAlias"}, {ID: 15, Name: "entPhysicalAssetID"},
			{ID: 16, Name: "entPhysicalIsFRU"}},
		Rows: func() ([]Row, error) {
			rows, err := a.physical()
			if err != nil {
				return nil, err
			}
			out := make([]Row, 0, len(rows))
			pos := map[int32]int32{} // class -> siblings so far
			for _, r := range rows {
				contained, rel := int32(0), int32(-1)
				if r.index != 1 {
					contained = 1
					pos[r.Class]++
					rel = pos[r.Class]
				}
				out = append(out, Row{Index: OID{uint32(r.index)}, Values: []Value{String(r.Descr), ObjectID(oidZeroZero),
					Integer(contained), Integer(r.Class), Integer(rel), String(r.Name), String(r.HardwareRev), String(r.FirmwareRev),
					String(r.SoftwareRev), String(r.Serial), String(r.MfgName), String(r.Model), String(""), String(""), tv(r.FRU)}})
			}
			return out, nil
		},
	}
	alias := Table{
		Entry: oidEntAliasEntry, Name: "entAliasMappingTable",
		Columns: []Column{{ID: 2, Name: "entAliasMappingIdentifier"}},
		Rows: func() ([]Row, error) {
			rows, err := a.physical()
			if err != nil {
				return nil, err
			}
			var out []Row
			for _, r := range rows {
				if r.IfIndex != 0 {
					// entAliasLogicalIndexOrZero 0: the interface in
					// every naming scope (there is one).
					out = append(out, Row{Index: OID{uint32(r.index), 0}, Values: []Value{ObjectID(oidIfIndexColumn.Append(r.IfIndex))}})
				}
			}
			return out, nil
		},
	}
	contains := Table{
		Entry: oidEntContainEntry, Name: "entPhysicalContainsTable",
		Columns: []Column{{ID: 1, Name: "entPhysicalChildIndex"}},
		Rows: func() ([]Row, error) {
			rows, err := a.physical()
			if err != nil {
				return nil, err
			}
			var out []Row
			for _, r := range rows {
				if r.index != 1 {
					out = append(out, Row{Index: OID{1, uint32(r.index)}, Values: []Value{Integer(r.index)}})
				}
			}
			return out, nil
		},
	}
	last := Scalar{OID: oidEntLastChange, Name: "entLastChangeTime", Get: func() (Value, error) {
		if _, err := a.physical(); err != nil {
			return Value{}, err
		}
		a.entity.mu.Lock()
		at := a.entity.changed
		a.entity.mu.Unlock()
		return TimeTicks(a.ticksAt(at)), nil
	}}
	if err := registerAll(a.reg, []Scalar{last}, []Table{phys, alias, contains}); err != nil {
		return fmt.Errorf("ENTITY-MIB: %w", err)
	}
	return nil
}

// EntityWatch sets how often WatchEntities reads the inventory.
type EntityWatch struct {
	Interval time.Duration // 0 means 5 s
}

// WatchEntities reads the inventory every Interval and, when it changed
// (a port metered or no longer, a tap configured or removed, a part
// renamed), sends entConfigChange if `snmp-server enable traps [entity]`
// is on: at most one per 5 s, a change within that sent when it ends.
// It returns when ctx ends or the agent closes.
func (a *Agent) WatchEntities(ctx context.Context, w EntityWatch) error {
	ctx, cancel := a.alive(ctx)
	defer cancel()
	if w.Interval <= 0 {
		w.Interval = entityThrottle
	}
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		_, _ = a.physical()
		s := &a.entity
		s.mu.Lock()
		now := a.engine.now()
		send := s.pending && now.Sub(s.sentAt) >= entityThrottle
		if send {
			s.pending, s.sentAt = false, now
		}
		s.mu.Unlock()
		if send && a.sends(TrapEntity) {
			_ = a.Notify(ctx, Notification{OID: oidEntConfigChange}) // Notify logs failures
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
