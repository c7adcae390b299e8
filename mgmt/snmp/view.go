package snmp

import "slices"

// View is a set of subtrees an access may see (RFC 3415's MIB view, without
// family masks). The most specific subtree that holds an OID decides; with
// no Include at all, everything not excluded is in the view, unless the
// view is Empty.
type View struct {
	Include []OID
	Exclude []OID
	// Empty is the view that holds nothing: the one a community or group
	// gets when it names a view that is not configured (a zero View is
	// every object, which a mistyped name must not give).
	Empty bool
}

// Contains reports whether o is in the view.
func (v *View) Contains(o OID) bool {
	in, _ := v.match(o)
	return in
}

// match finds the deciding subtree: in reports inclusion, by the subtree
// that decided (nil when nothing matched).
func (v *View) match(o OID) (in bool, by OID) {
	if v.Empty {
		return false, nil
	}
	best := -1
	if len(v.Include) == 0 {
		in, best, by = true, 0, OID{}
	}
	for _, s := range v.Include {
		if len(s) > best && o.HasPrefix(s) {
			in, best, by = true, len(s), s
		}
	}
	for _, s := range v.Exclude {
		// An exclude of the same length as an include wins: the operator
		// said both, and the safe reading is "not visible".
		if len(s) >= best && o.HasPrefix(s) {
			in, best, by = false, len(s), s
		}
	}
	return in, by
}

// resume is where a GetNext that met o outside the view carries on: the
// first OID after o that might be visible. ok is false when nothing after
// o can be.
func (v *View) resume(o OID) (next OID, ok bool) {
	if v.Empty {
		return nil, false
	}
	_, by := v.match(o)
	var limit OID
	if by != nil {
		// Excluded by a subtree: skip it, unless a more specific include
		// inside it lies ahead.
		limit, ok = by.successor()
	}
	for _, s := range v.Include {
		if s.Compare(o) > 0 && (by == nil || s.HasPrefix(by)) && (!ok || s.Compare(limit) < 0) {
			limit, ok = slices.Clone(s), true
		}
	}
	return limit, ok
}
