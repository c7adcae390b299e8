package snmp

import (
	"fmt"
	"slices"
	"sort"
)

// mibRequest is the registry as one request sees it: a fixed node list and
// each table's rows fetched at most once, sorted by index.
type mibRequest struct {
	nodes []*node
	rows  map[*Table][]Row
}

func newMIBRequest(r *Registry) *mibRequest {
	return &mibRequest{nodes: r.current(), rows: map[*Table][]Row{}}
}

func (q *mibRequest) tableRows(t *Table) ([]Row, error) {
	if rows, ok := q.rows[t]; ok {
		return rows, nil
	}
	rows, err := t.Rows()
	if err != nil {
		return nil, fmt.Errorf("%s rows: %w", t.Name, err)
	}
	rows = slices.Clone(rows)
	slices.SortStableFunc(rows, func(a, b Row) int { return a.Index.Compare(b.Index) })
	// A duplicate index would make GetNext loop on one instance.
	rows = slices.CompactFunc(rows, func(a, b Row) bool { return a.Index.Equal(b.Index) })
	q.rows[t] = rows
	return rows, nil
}

// owner is the node whose subtree holds o, if any.
func (q *mibRequest) owner(o OID) (*node, int) {
	i := sort.Search(len(q.nodes), func(i int) bool { return q.nodes[i].oid.Compare(o) > 0 })
	if i > 0 && o.HasPrefix(q.nodes[i-1].oid) {
		return q.nodes[i-1], i - 1
	}
	return nil, i
}

func cell(t *Table, r *Row, col int) Value {
	if col < len(r.Values) {
		return r.Values[col]
	}
	return Value{}
}

func columnIndex(t *Table, id uint32) int {
	i, ok := slices.BinarySearchFunc(t.Columns, id, func(c Column, id uint32) int {
		switch {
		case c.ID < id:
			return -1
		case c.ID > id:
			return 1
		}
		return 0
	})
	if !ok {
		return -1
	}
	return i
}

func findRow(rows []Row, index OID) (*Row, bool) {
	i, ok := slices.BinarySearchFunc(rows, index, func(r Row, o OID) int { return r.Index.Compare(o) })
	if !ok {
		return nil, false
	}
	return &rows[i], true
}

// get answers a Get for one name: a value or one of the exceptions.
func (q *mibRequest) get(o OID) (Value, error) {
	n, _ := q.owner(o)
	if n == nil {
		return Value{Kind: kindNoSuchObject}, nil
	}
	if s := n.scalar; s != nil {
		if len(o) != len(n.oid)+1 || o[len(o)-1] != 0 {
			return Value{Kind: kindNoSuchInstance}, nil
		}
		v, err := s.Get()
		if err != nil {
			return Value{}, fmt.Errorf("%s: %w", s.Name, err)
		}
		if v.Kind == KindNone {
			return Value{Kind: kindNoSuchInstance}, nil
		}
		return v, nil
	}
	t := n.table
	if len(o) <= len(n.oid) {
		return Value{Kind: kindNoSuchObject}, nil
	}
	col := columnIndex(t, o[len(n.oid)])
	if col < 0 {
		return Value{Kind: kindNoSuchObject}, nil
	}
	rows, err := q.tableRows(t)
	if err != nil {
		return Value{}, err
	}
	r, ok := findRow(rows, o[len(n.oid)+1:])
	if !ok || len(o) == len(n.oid)+1 {
		return Value{Kind: kindNoSuchInstance}, nil
	}
	v := cell(t, r, col)
	if v.Kind == KindNone {
		return Value{Kind: kindNoSuchInstance}, nil
	}
	return v, nil
}

// ceiling is the first instance whose name is at or after start.
func (q *mibRequest) ceiling(start OID) (VarBind, bool, error) {
	_, i := q.owner(start)
	for ; i < len(q.nodes); i++ {
		vb, ok, err := q.nodeCeiling(q.nodes[i], start)
		if err != nil || ok {
			return vb, ok, err
		}
	}
	return VarBind{}, false, nil
}

func (q *mibRequest) nodeCeiling(n *node, start OID) (VarBind, bool, error) {
	if s := n.scalar; s != nil {
		name := n.oid.Append(0)
		if name.Compare(start) < 0 {
			return VarBind{}, false, nil
		}
		v, err := s.Get()
		if err != nil {
			return VarBind{}, false, fmt.Errorf("%s: %w", s.Name, err)
		}
		return VarBind{Name: name, Value: v}, v.Kind != KindNone, nil
	}
	t := n.table
	rows, err := q.tableRows(t)
	if err != nil {
		return VarBind{}, false, err
	}
	var startCol uint32
	var startIndex OID
	inside := start.HasPrefix(n.oid) && len(start) > len(n.oid)
	if inside {
		startCol, startIndex = start[len(n.oid)], start[len(n.oid)+1:]
	}
	for c, col := range t.Columns {
		if inside && col.ID < startCol {
			continue
		}
		first := 0
		if inside && col.ID == startCol {
			first = sort.Search(len(rows), func(i int) bool { return rows[i].Index.Compare(startIndex) >= 0 })
		}
		for r := first; r < len(rows); r++ {
			if v := cell(t, &rows[r], c); v.Kind != KindNone {
				return VarBind{Name: n.oid.Append(col.ID).Append(rows[r].Index...), Value: v}, true, nil
			}
		}
	}
	return VarBind{}, false, nil
}

// next is GetNext for one name under view; v1 skips Counter64 objects,
// which SNMPv1 cannot carry (RFC 3584 section 4.2.2.1).
func (q *mibRequest) next(from OID, view *View, v1 bool) (VarBind, bool, error) {
	start := from.Append(0) // the smallest OID after from
	for {
		vb, ok, err := q.ceiling(start)
		if err != nil || !ok {
			return VarBind{}, false, err
		}
		if !view.Contains(vb.Name) {
			if start, ok = view.resume(vb.Name); !ok {
				return VarBind{}, false, nil
			}
			continue
		}
		if v1 && vb.Value.Kind == KindCounter64 {
			start = vb.Name.Append(0)
			continue
		}
		return vb, true, nil
	}
}

// target is a writable instance a Set names.
type target struct {
	name   OID
	label  string
	write  *Write
	index  OID // the instance part after the object: 0 for a scalar
	exists bool
}

// writable finds what a Set may change at o, or the error-status that
// says why not (RFC 3416 4.2.5 steps 2, 7 and 9).
func (q *mibRequest) writable(o OID) (target, ErrorStatus, error) {
	n, _ := q.owner(o)
	if n == nil {
		return target{}, NotWritable, nil
	}
	if s := n.scalar; s != nil {
		if s.Write == nil {
			return target{}, NotWritable, nil
		}
		if len(o) != len(n.oid)+1 || o[len(o)-1] != 0 {
			return target{}, NoCreation, nil
		}
		return target{name: o, label: s.Name, write: s.Write, index: OID{0}, exists: true}, NoError, nil
	}
	t := n.table
	if len(o) <= len(n.oid) {
		return target{}, NotWritable, nil
	}
	col := columnIndex(t, o[len(n.oid)])
	if col < 0 || t.Columns[col].Write == nil {
		return target{}, NotWritable, nil
	}
	c := t.Columns[col]
	index := o[len(n.oid)+1:]
	if len(index) == 0 {
		return target{}, NoCreation, nil
	}
	rows, err := q.tableRows(t)
	if err != nil {
		return target{}, GenErr, err
	}
	r, ok := findRow(rows, index)
	exists := ok && cell(t, r, col).Kind != KindNone
	if !exists && !c.Creates {
		return target{}, NoCreation, nil
	}
	return target{name: o, label: t.Name + "." + c.Name, write: c.Write, index: index, exists: exists}, NoError, nil
}
