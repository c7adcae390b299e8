package platform

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// VLAN ids a VLAN list may name: 802.1Q's 1-4094 (0 and 4095 are
// reserved).
const (
	MinVLAN = 1
	MaxVLAN = 4094
)

// VLANRange is Lo..Hi inclusive.
type VLANRange struct{ Lo, Hi uint16 }

// VLANSet is a set of VLAN ids as sorted, disjoint, non-adjacent ranges:
// an IOS VLAN list (`10,20-30`). The zero value is empty.
type VLANSet []VLANRange

// ParseVLANList reads an IOS VLAN list: ids and ranges separated by
// commas, each id 1-4094.
func ParseVLANList(s string) (VLANSet, error) {
	var out VLANSet
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := vlanID(lo)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = vlanID(hi); err != nil {
				return nil, err
			}
			if b < a {
				return nil, fmt.Errorf("VLAN range %s ends before it starts", part)
			}
		}
		out = out.Add(VLANRange{a, b})
	}
	return out, nil
}

func vlanID(s string) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n < MinVLAN || n > MaxVLAN {
		return 0, fmt.Errorf("%q is not a VLAN id (%d-%d)", s, MinVLAN, MaxVLAN)
	}
	return uint16(n), nil
}

// Has reports whether v is in the set.
func (s VLANSet) Has(v uint16) bool {
	_, found := slices.BinarySearchFunc(s, v, func(r VLANRange, v uint16) int {
		switch {
		case r.Hi < v:
			return -1
		case r.Lo > v:
			return 1
		}
		return 0
	})
	return found
}

// Add returns the set with r added.
func (s VLANSet) Add(r VLANRange) VLANSet {
	out := make(VLANSet, 0, len(s)+1)
	for _, x := range s {
		switch {
		case int(x.Hi)+1 < int(r.Lo), int(r.Hi)+1 < int(x.Lo):
			out = append(out, x) // apart: kept as is
		default:
			r = VLANRange{min(r.Lo, x.Lo), max(r.Hi, x.Hi)} // touching: merged
		}
	}
	out = append(out, r)
	slices.SortFunc(out, func(a, b VLANRange) int { return int(a.Lo) - int(b.Lo) })
	return out
}

// Remove returns the set without the ids of o.
func (s VLANSet) Remove(o VLANSet) VLANSet {
	var out VLANSet
	for _, x := range s {
		parts := []VLANRange{x}
		for _, r := range o {
			var next []VLANRange
			for _, p := range parts {
				if r.Hi < p.Lo || r.Lo > p.Hi {
					next = append(next, p)
					continue
				}
				if r.Lo > p.Lo {
					next = append(next, VLANRange{p.Lo, r.Lo - 1})
				}
				if r.Hi < p.Hi {
					next = append(next, VLANRange{r.Hi + 1, p.Hi})
				}
			}
			parts = next
		}
		out = append(out, parts...)
	}
	return out
}

// Valid reports whether s is in normal form with ids in 1-4094.
func (s VLANSet) Valid() bool {
	for i, r := range s {
		if r.Lo < MinVLAN || r.Hi > MaxVLAN || r.Hi < r.Lo || i > 0 && int(s[i-1].Hi)+1 >= int(r.Lo) {
			return false
		}
	}
	return true
}

// String is the IOS list: `10,20-30`.
func (s VLANSet) String() string {
	parts := make([]string, len(s))
	for i, r := range s {
		parts[i] = strconv.Itoa(int(r.Lo))
		if r.Hi != r.Lo {
			parts[i] += "-" + strconv.Itoa(int(r.Hi))
		}
	}
	return strings.Join(parts, ",")
}
