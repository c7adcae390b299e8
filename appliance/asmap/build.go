package asmap

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
)

// New builds a table from routes. Prefixes must be in canonical form (no
// bits set past the length) and appear once.
func New(routes []Route) (*Table, error) {
	t := &Table{routes: slices.Clone(routes)}
	seen := make(map[netip.Prefix]struct{}, len(routes))
	var v4, v6 []span
	for i, r := range t.routes {
		p := r.Prefix
		if !p.IsValid() || p != p.Masked() {
			return nil, fmt.Errorf("asmap: route %d: prefix %v is not canonical", i, p)
		}
		if _, dup := seen[p]; dup {
			return nil, fmt.Errorf("asmap: route %d: duplicate prefix %v", i, p)
		}
		seen[p] = struct{}{}
		s := span{bits: p.Bits(), route: int32(i)}
		if p.Addr().Is4() {
			s.start = u128{lo: uint64(addr4(p.Addr()))}
			s.end = u128{lo: s.start.lo | (1<<(32-p.Bits()) - 1)}
			v4 = append(v4, s)
		} else {
			s.start, s.end = addr6(p.Addr()), lastAddr6(addr6(p.Addr()), p.Bits())
			v6 = append(v6, s)
		}
	}
	starts, idx := flatten(v4, u128{lo: 1<<32 - 1})
	t.v4 = ranges4{starts: make([]uint32, len(starts)), route: idx}
	for i, s := range starts {
		t.v4.starts[i] = uint32(s.lo)
	}
	t.v6.starts, t.v6.route = flatten(v6, u128{^uint64(0), ^uint64(0)})
	return t, nil
}

func lastAddr6(a u128, bits int) u128 {
	switch {
	case bits == 0:
		return u128{^uint64(0), ^uint64(0)}
	case bits <= 64:
		return u128{a.hi | (^uint64(0) >> bits), ^uint64(0)}
	case bits == 128:
		return a
	}
	return u128{a.hi, a.lo | (^uint64(0) >> (bits - 64))}
}

// span is one prefix as an inclusive address interval.
type span struct {
	start, end u128
	bits       int
	route      int32
}

// flatten turns nested prefixes into disjoint ranges, each labelled with
// its most specific prefix: a sweep over the prefixes in address order
// with a stack of the ones still open. max is the family's last address.
func flatten(spans []span, max u128) ([]u128, []int32) {
	slices.SortFunc(spans, func(a, b span) int {
		if a.start != b.start {
			if a.start.less(b.start) {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.bits, b.bits) // the enclosing prefix first
	})
	var starts []u128
	var idx []int32
	mark := func(at u128, route int32) {
		if n := len(starts); n > 0 && starts[n-1] == at {
			idx[n-1] = route
			return
		}
		if n := len(idx); n > 0 && idx[n-1] == route {
			return // the range before already says this
		}
		starts, idx = append(starts, at), append(idx, route)
	}
	var open []span
	closeBefore := func(at u128, all bool) {
		for len(open) > 0 {
			top := open[len(open)-1]
			if !all && !top.end.less(at) {
				return
			}
			open = open[:len(open)-1]
			if top.end == max {
				continue
			}
			parent := int32(-1)
			if len(open) > 0 {
				parent = open[len(open)-1].route
			}
			mark(top.end.addOne(), parent)
		}
	}
	for _, s := range spans {
		closeBefore(s.start, false)
		mark(s.start, s.route)
		open = append(open, s)
	}
	closeBefore(u128{}, true)
	return slices.Clip(starts), slices.Clip(idx)
}
