package snmp

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Scalar is a scalar object; its one instance is OID.0.
type Scalar struct {
	OID   OID
	Name  string
	Get   func() (Value, error)
	Write *Write // nil: read-only
}

// Write makes an object writable with the two phases of RFC 3416 4.2.5:
// every varbind of a Set is tested before any is committed, and commits
// already made are undone when a later one fails.
type Write struct {
	// Kind is the syntax a Set must carry; anything else is wrongType.
	Kind Kind
	// Test checks v without side effects. Return a *StatusError (see
	// Errorf) to pick the error-status; other errors mean wrongValue.
	Test func(index OID, v Value) error
	// Commit applies v. The undo it returns restores the state before the
	// commit and may be nil when there is nothing to restore. An error
	// here is reported as commitFailed.
	Commit func(index OID, v Value) (undo func() error, err error)
}

// Column is one accessible column of a table.
type Column struct {
	ID    uint32
	Name  string
	Write *Write // nil: read-only
	// Creates marks a read-create column (a RowStatus): a Set may name a
	// row that does not exist yet, and Test decides.
	Creates bool
}

// Table is a conceptual table. Its instances are Entry.column.index, and a
// GetNext walks them column by column, rows in index order within each.
type Table struct {
	Entry   OID // the xxxEntry OID, the table's OID with .1 appended
	Name    string
	Columns []Column
	// Rows returns every row, in any order. It is called at most once per
	// request, so one request sees one consistent snapshot.
	Rows func() ([]Row, error)
}

// Row is one conceptual row. Values line up with Table.Columns; a value
// of KindNone means this row has no instance in that column.
type Row struct {
	Index  OID
	Values []Value
}

// Registry holds the MIB objects the agent serves. Other packages add
// their MIBs with RegisterScalar and RegisterTable; registrations may
// happen while the agent runs.
type Registry struct {
	mu    sync.Mutex
	nodes []*node // sorted by OID; replaced, never changed in place
}

type node struct {
	oid    OID
	scalar *Scalar
	table  *Table
}

func (n *node) name() string {
	if n.scalar != nil {
		return n.scalar.Name
	}
	return n.table.Name
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

// RegisterScalar adds a scalar object.
func (r *Registry) RegisterScalar(s Scalar) error {
	if len(s.OID) == 0 || s.Get == nil {
		return fmt.Errorf("snmp: register scalar %q: needs an OID and a Get", s.Name)
	}
	if err := checkWrite(s.Write); err != nil {
		return fmt.Errorf("snmp: register scalar %s (%s): %w", s.Name, s.OID, err)
	}
	s.OID = s.OID.Append()
	return r.add(&node{oid: s.OID, scalar: &s})
}

// RegisterTable adds a table.
func (r *Registry) RegisterTable(t Table) error {
	if len(t.Entry) == 0 || t.Rows == nil || len(t.Columns) == 0 {
		return fmt.Errorf("snmp: register table %q: needs an Entry OID, Columns and Rows", t.Name)
	}
	t.Columns = slices.Clone(t.Columns)
	for _, c := range t.Columns {
		if err := checkWrite(c.Write); err != nil {
			return fmt.Errorf("snmp: register table %s column %s: %w", t.Name, c.Name, err)
		}
		if c.Creates && c.Write == nil {
			return fmt.Errorf("snmp: register table %s column %s: a read-create column needs a Write", t.Name, c.Name)
		}
	}
	if !slices.IsSortedFunc(t.Columns, func(a, b Column) int { return cmp.Compare(a.ID, b.ID) }) {
		return fmt.Errorf("snmp: register table %s: columns must be in ascending ID order", t.Name)
	}
	for i := 1; i < len(t.Columns); i++ {
		if t.Columns[i].ID == t.Columns[i-1].ID {
			return fmt.Errorf("snmp: register table %s: column %d twice", t.Name, t.Columns[i].ID)
		}
	}
	t.Entry = t.Entry.Append()
	return r.add(&node{oid: t.Entry, table: &t})
}

func checkWrite(w *Write) error {
	if w == nil {
		return nil
	}
	if w.Commit == nil || w.Kind == KindNone {
		return errors.New("a Write needs a Kind and a Commit")
	}
	return nil
}

func (r *Registry) add(n *node) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	i, _ := slices.BinarySearchFunc(r.nodes, n.oid, func(m *node, o OID) int { return m.oid.Compare(o) })
	// Subtrees must not nest, or an instance would have two owners.
	for _, j := range []int{i - 1, i} {
		if j >= 0 && j < len(r.nodes) {
			m := r.nodes[j]
			if m.oid.HasPrefix(n.oid) || n.oid.HasPrefix(m.oid) {
				return fmt.Errorf("snmp: register %s (%s): overlaps %s (%s)", n.name(), n.oid, m.name(), m.oid)
			}
		}
	}
	nodes := make([]*node, 0, len(r.nodes)+1)
	nodes = append(append(append(nodes, r.nodes[:i]...), n), r.nodes[i:]...)
	r.nodes = nodes
	return nil
}

// current is the node list a request works on.
func (r *Registry) current() []*node {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.nodes
}
