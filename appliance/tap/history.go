package tap

import (
	"slices"
	"time"
)

// Era is what a port's flows meant until a configuration change ended
// it: the link and side it was a fibre of (Link zero: it was no fibre, a
// port of its own). The datapath keys flows by port, not by the mapping
// in force, so a flow that started before Until was metered under the
// era's mapping, whatever the port is now (`fibre a` and `fibre b`
// swapped, the tap removed whole, a port made a fibre).
type Era struct {
	Port  string
	Link  uint32
	Side  Side
	Until time.Time
}

// History is each port index's eras, oldest first. A History is never
// changed once made: Change returns a new one, so that an Annotator can
// hold it without a lock.
type History struct {
	eras map[uint32][]Era
}

// mapping is what an annotator built from links makes of port index x.
type mapping struct {
	port string
	link uint32
	side Side
}

func mappings(links []Link) map[uint32]mapping {
	a := NewAnnotator(links, &Meters{})
	out := make(map[uint32]mapping, len(a.fibres))
	for x, f := range a.fibres {
		l := a.links[f.link]
		out[x] = mapping{port: portName(l, x, f.side), link: l.IfIndex, side: f.side}
	}
	return out
}

// portName is the name of the port that had index x on side s of l.
func portName(l Link, x uint32, s Side) string {
	for _, p := range append([]Retired{{SideA, l.FibreA}, {SideB, l.FibreB}}, l.Retired...) {
		if p.Side == s && (p.Port.Index == x || slices.Contains(p.Port.Former, x)) {
			return p.Port.Name
		}
	}
	return ""
}

// Change returns h with an era ending at for every port index whose
// mapping differs between the links old and cur, and without the eras
// that ended before horizon (no flow that old is left in the table: the
// active timeout ends every entry).
func (h History) Change(old, cur []Link, at, horizon time.Time) History {
	was, now := mappings(old), mappings(cur)
	out := History{eras: map[uint32][]Era{}}
	for x, eras := range h.eras {
		eras = slices.DeleteFunc(slices.Clone(eras), func(e Era) bool { return e.Until.Before(horizon) })
		if len(eras) > 0 {
			out.eras[x] = eras
		}
	}
	for x, m := range was {
		if n, ok := now[x]; !ok || n.link != m.link || n.side != m.side {
			out.eras[x] = append(out.eras[x], Era{Port: m.port, Link: m.link, Side: m.side, Until: at})
		}
	}
	for x := range now {
		if _, ok := was[x]; !ok {
			// It was no fibre: what it metered before stays the
			// port's own.
			out.eras[x] = append(out.eras[x], Era{Until: at})
		}
	}
	if len(out.eras) == 0 {
		return History{}
	}
	return out
}

// Len is how many eras h keeps.
func (h History) Len() int {
	n := 0
	for _, e := range h.eras {
		n += len(e)
	}
	return n
}

// at returns the era of port index x that a flow started at start was
// metered in, if a change ended it.
func (h History) at(x uint32, start time.Time) *Era {
	for i, e := range h.eras[x] {
		if start.Before(e.Until) {
			return &h.eras[x][i]
		}
	}
	return nil
}
