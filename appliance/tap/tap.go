// Package tap makes the two fibres of a passive optical tap one
// observation point. Behind a tap each direction of a link arrives on its
// own port; configured as a tap (`flowtap tap NAME` / ` fibre a PORT` /
// ` fibre b PORT`), the link gets an ifIndex of its own and every flow
// says which way it crossed it, as the router on the link would: traffic
// on fibre A is input on the link's interface (flowDirection ingress),
// traffic on fibre B is output on it (flowDirection egress).
//
// The datapath keys flows by the port they arrived on; the Annotator
// rewrites the interfaces of harvested records and counts each fibre's
// metered packets and bytes. A History keeps what a port meant before a
// configuration change (the fibres swapped, the tap removed), so that a
// flow that started before it leaves as it was metered.
package tap

import (
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/flowtap/flowtap/appliance/flow"
)

// Link is one tap: the link's interface and the ports its fibres arrive on.
type Link struct {
	Name    string
	IfIndex uint32
	FibreA  Port
	FibreB  Port
	// Retired are ports that were this link's fibres before a
	// configuration change took them off it (` no fibre b`): the flows
	// they metered then may still be in the table, and are the link's.
	Retired []Retired
}

// Retired is a port that was a fibre of the link, and on which side.
type Retired struct {
	Side Side
	Port Port
}

// Port is a fibre's port: its name and kernel ifindex (zero while the
// port does not exist).
type Port struct {
	Name  string
	Index uint32
	// Former are the ifindexes the port had before it was deleted and
	// added again (ip link del/add, a driver reloaded): the flows it
	// metered then stay in the table under the old index until they
	// expire, and are still this fibre's.
	Former []uint32
}

// Side is a fibre's role.
type Side uint8

const (
	SideA Side = iota
	SideB
)

func (s Side) String() string {
	if s == SideB {
		return "b"
	}
	return "a"
}

// Counters are what one fibre metered, as flows left the cache.
type Counters struct {
	Flows, Packets, Bytes uint64
}

type counters struct{ flows, packets, bytes atomic.Uint64 }

// Meters keeps each fibre's counters by port name, so that they outlive
// the Annotators a configuration change replaces. Safe for concurrent use.
type Meters struct {
	mu    sync.Mutex
	ports map[string]*counters
	// cleared is each port's total at the last Clear: the CLI counts from
	// there, Prometheus from the start.
	cleared map[string]Counters
}

func (m *Meters) of(port string) *counters {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ports == nil {
		m.ports = map[string]*counters{}
	}
	c := m.ports[port]
	if c == nil {
		c = &counters{}
		m.ports[port] = c
	}
	return c
}

// rowKey names a link's side among the ports' names: no port's name has
// a slash.
func rowKey(link uint32, s Side) string {
	return "tap-row/" + strconv.FormatUint(uint64(link), 10) + "/" + s.String()
}

// Row returns what the link's side metered since the daemon started,
// whichever ports it came in on: FLOWTAP-MIB's flowtapFibreTable row,
// whose Counter64s must never go back when the side's port is replaced,
// renamed or taken off.
func (m *Meters) Row(link uint32, s Side) Counters { return m.Total(rowKey(link, s)) }

// Port returns what the fibre on port metered since the last Clear.
func (m *Meters) Port(port string) Counters {
	t := m.Total(port)
	m.mu.Lock()
	b := m.cleared[port]
	m.mu.Unlock()
	return Counters{Flows: t.Flows - b.Flows, Packets: t.Packets - b.Packets, Bytes: t.Bytes - b.Bytes}
}

// Total returns what the fibre on port metered since the daemon started
// (with what an earlier one saved), whatever Clear did: the counters a
// scraper reads, which never go back.
func (m *Meters) Total(port string) Counters {
	c := m.of(port)
	return Counters{Flows: c.flows.Load(), Packets: c.packets.Load(), Bytes: c.bytes.Load()}
}

// Save returns every fibre's counters by port, for the next daemon: they
// go back to zero only on clear, as the cache statistics they sit beside.
func (m *Meters) Save() map[string]Counters {
	m.mu.Lock()
	names := make([]string, 0, len(m.ports))
	for n := range m.ports {
		names = append(names, n)
	}
	m.mu.Unlock()
	out := map[string]Counters{}
	for _, n := range names {
		if c := m.Port(n); c != (Counters{}) {
			out[n] = c
		}
	}
	return out
}

// Restore adds what a previous daemon's Save returned.
func (m *Meters) Restore(saved map[string]Counters) {
	for n, s := range saved {
		c := m.of(n)
		c.flows.Add(s.Flows)
		c.packets.Add(s.Packets)
		c.bytes.Add(s.Bytes)
	}
}

// Clear zeroes every fibre's counters (`clear ip flow stats`).
func (m *Meters) Clear() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cleared == nil {
		m.cleared = map[string]Counters{}
	}
	for n, c := range m.ports {
		m.cleared[n] = Counters{Flows: c.flows.Load(), Packets: c.packets.Load(), Bytes: c.bytes.Load()}
	}
}

type fibre struct {
	link int
	side Side
	n    *counters
	row  *counters
}

func (c *counters) add(r *flow.Record) {
	c.flows.Add(1)
	c.packets.Add(r.Packets)
	c.bytes.Add(r.Bytes)
}

// Annotator rewrites the records of tap fibres; the others pass to Next
// unchanged. Safe for concurrent use.
type Annotator struct {
	links  []Link
	fibres map[uint32]*fibre
	// Next annotates every record after the tap's rewrite (prefix-to-AS).
	Next interface{ Annotate(*flow.Record) }
	// History is what the ports meant before configuration changes: a
	// flow that started before one leaves as it was metered.
	History History
	m       *Meters
}

// NewAnnotator indexes the links by port; m counts each fibre's traffic.
func NewAnnotator(links []Link, m *Meters) *Annotator {
	a := &Annotator{links: append([]Link(nil), links...), fibres: map[uint32]*fibre{}, m: m}
	for i, l := range a.links {
		if l.FibreA.Index != 0 {
			a.fibres[l.FibreA.Index] = &fibre{link: i, side: SideA, n: m.of(l.FibreA.Name), row: m.of(rowKey(l.IfIndex, SideA))}
		}
		if l.FibreB.Index != 0 {
			a.fibres[l.FibreB.Index] = &fibre{link: i, side: SideB, n: m.of(l.FibreB.Name), row: m.of(rowKey(l.IfIndex, SideB))}
		}
	}
	// A port's former indexes after every current one, and retired
	// fibres last: an index a fibre has now is that fibre's, whatever
	// another port once had.
	for i, l := range a.links {
		for _, f := range [...]struct {
			p    Port
			side Side
		}{{l.FibreA, SideA}, {l.FibreB, SideB}} {
			for _, x := range f.p.Former {
				if _, taken := a.fibres[x]; !taken && x != 0 {
					a.fibres[x] = &fibre{link: i, side: f.side, n: m.of(f.p.Name), row: m.of(rowKey(l.IfIndex, f.side))}
				}
			}
		}
	}
	for i, l := range a.links {
		for _, r := range l.Retired {
			for _, x := range append([]uint32{r.Port.Index}, r.Port.Former...) {
				if _, taken := a.fibres[x]; !taken && x != 0 {
					a.fibres[x] = &fibre{link: i, side: r.Side, n: m.of(r.Port.Name), row: m.of(rowKey(l.IfIndex, r.Side))}
				}
			}
		}
	}
	return a
}

// Annotate implements flowcache.Annotator.
func (a *Annotator) Annotate(r *flow.Record) {
	if e := a.History.at(r.InputIf, r.Start); e != nil {
		if e.Link != 0 {
			a.m.of(e.Port).add(r)
			a.m.of(rowKey(e.Link, e.Side)).add(r)
			rewrite(r, e.Link, e.Side)
		}
	} else if f := a.fibres[r.InputIf]; f != nil {
		f.n.add(r)
		f.row.add(r)
		rewrite(r, a.links[f.link].IfIndex, f.side)
	}
	if a.Next != nil {
		a.Next.Annotate(r)
	}
}

// Rewrite applies the direction of a fibre's record without counting it:
// for records read, not expired (show commands).
func (a *Annotator) Rewrite(r *flow.Record) {
	if e := a.History.at(r.InputIf, r.Start); e != nil {
		if e.Link != 0 {
			rewrite(r, e.Link, e.Side)
		}
	} else if f := a.fibres[r.InputIf]; f != nil {
		rewrite(r, a.links[f.link].IfIndex, f.side)
	}
}

func rewrite(r *flow.Record, link uint32, s Side) {
	if s == SideA {
		r.InputIf, r.OutputIf, r.Direction = link, 0, flow.DirIngress
		return
	}
	r.InputIf, r.OutputIf, r.Direction = 0, link, flow.DirEgress
}

// Links returns the configured links.
func (a *Annotator) Links() []Link { return append([]Link(nil), a.links...) }
