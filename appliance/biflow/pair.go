// Package biflow joins the two directions of a conversation into one
// RFC 5103 biflow record for the IPFIX destinations that ask for them.
//
// The datapath meters and ages each direction on its own; a Pairer sits
// after the cache, in front of one exporter. A direction that leaves the
// cache waits (at most Hold, the inactive timeout) for the other one at
// the same observation point (the tap's link, or the port) and in the
// same VLANs (the records' outer and inner VIDs), then both go
// out as one record: its own counters are the initiator's, Reverse the
// responder's. Directions of one conversation expire together when it
// falls idle, ends (FIN or RST from either side ends both with the same
// harvest) or reaches the active timeout (both started within a round
// trip), so the pair's timeouts are those of its two halves; a direction
// whose partner is still active after Hold goes out alone, with zero
// reverse counters, and the partner later as a record of its own. No
// packet is held back for longer than Hold, and none is lost: Flush sends
// everything still waiting.
package biflow

import (
	"net/netip"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

const tcpSYN = 0x02

type end struct {
	addr netip.Addr
	port uint16
}

type key struct {
	obs    uint32
	lo, hi end
	proto  uint8
	// query is an ICMP query's request type*256+code (echo, timestamp,
	// information, address mask; ICMPv6 echo), 0 for other traffic: its
	// request and reply carry different types where a port pair would be
	// the same one swapped, so they are keyed by the query, requester
	// first.
	query uint16
	// vlan and inner are the records' 802.1Q VIDs (outer, inner): on a
	// trunk both directions of a conversation carry its VLAN, and one
	// 5-tuple in two VLANs is two conversations (address spaces of two
	// customers, two VRFs), as nProbe and ipt-netflow key them.
	vlan, inner uint16
}

// icmpQuery maps an ICMP or ICMPv6 type*256+code to its query's request
// type, and says whether it is the request.
func icmpQuery(proto uint8, typeCode uint16) (request uint16, isRequest, ok bool) {
	var pairs [][2]uint8
	switch proto {
	case 1:
		pairs = [][2]uint8{{8, 0}, {13, 14}, {15, 16}, {17, 18}}
	case 58:
		pairs = [][2]uint8{{128, 129}}
	default:
		return 0, false, false
	}
	t := uint8(typeCode >> 8)
	for _, p := range pairs {
		switch t {
		case p[0]:
			return uint16(p[0]) << 8, true, true
		case p[1]:
			return uint16(p[0]) << 8, false, true
		}
	}
	return 0, false, false
}

type held struct {
	rec      flow.Record
	deadline time.Time
	gen      uint64
}

type queued struct {
	k   key
	gen uint64
}

// Pairer pairs expired records. Not safe for concurrent use: the exporter
// calls it under its own lock.
type Pairer struct {
	hold  time.Duration
	out   func(*flow.Record)
	held  map[key]*held
	queue []queued // arrival order, so deadlines are in order too
	gen   uint64
}

// New returns a pairer that hands each biflow to out (valid during the
// call only).
func New(hold time.Duration, out func(*flow.Record)) *Pairer {
	return &Pairer{hold: hold, out: out, held: map[key]*held{}}
}

// ObservationPoint is where a record was seen: a tap's link, or the port.
func ObservationPoint(r *flow.Record) uint32 {
	if r.Direction == flow.DirEgress {
		return r.OutputIf
	}
	return r.InputIf
}

func keyOf(r *flow.Record) (key, bool) {
	s, d := end{r.SrcAddr, r.SrcPort}, end{r.DstAddr, r.DstPort}
	k := key{obs: ObservationPoint(r), proto: r.Proto, vlan: r.VLAN, inner: r.InnerVLAN}
	if q, req, ok := icmpQuery(r.Proto, r.DstPort); ok {
		// The requester leads; a reply is the swapped direction.
		k.query = q
		if req {
			k.lo, k.hi = end{addr: r.SrcAddr}, end{addr: r.DstAddr}
			return k, false
		}
		k.lo, k.hi = end{addr: r.DstAddr}, end{addr: r.SrcAddr}
		return k, true
	}
	if less(d, s) {
		k.lo, k.hi = d, s
		return k, true
	}
	k.lo, k.hi = s, d
	return k, false
}

func less(a, b end) bool {
	if c := a.addr.Compare(b.addr); c != 0 {
		return c < 0
	}
	return a.port < b.port
}

// Add takes one expired direction at time now.
func (p *Pairer) Add(r *flow.Record, now time.Time) {
	k, swapped := keyOf(r)
	if h := p.held[k]; h != nil {
		delete(p.held, k)
		if _, hs := keyOf(&h.rec); hs != swapped {
			p.emitPair(&h.rec, r)
			return
		}
		// The same direction again (an active-timeout record, or a
		// conversation with itself): the waiting one goes out alone.
		p.emitAlone(&h.rec)
	}
	p.gen++
	p.held[k] = &held{rec: *r, deadline: now.Add(p.hold), gen: p.gen}
	p.queue = append(p.queue, queued{k, p.gen})
}

// Expire sends, alone, every direction that waited Hold for its partner.
func (p *Pairer) Expire(now time.Time) {
	n := 0
	for ; n < len(p.queue); n++ {
		q := p.queue[n]
		h := p.held[q.k]
		if h == nil || h.gen != q.gen {
			continue // paired or replaced meanwhile
		}
		if now.Before(h.deadline) {
			break
		}
		delete(p.held, q.k)
		p.emitAlone(&h.rec)
	}
	p.queue = append(p.queue[:0], p.queue[n:]...)
}

// Flush sends every waiting direction alone.
func (p *Pairer) Flush() {
	for _, q := range p.queue {
		if h := p.held[q.k]; h != nil && h.gen == q.gen {
			delete(p.held, q.k)
			p.emitAlone(&h.rec)
		}
	}
	p.queue = p.queue[:0]
}

// Waiting is the number of directions waiting for their partner.
func (p *Pairer) Waiting() int { return len(p.held) }

func (p *Pairer) emitAlone(r *flow.Record) {
	out := *r
	out.Biflow = flow.BiflowInitiator
	out.Reverse = flow.Reverse{}
	p.out(&out)
}

// emitPair orients the pair. Where only one side sent a SYN, it is the
// initiator (the other was seen mid-conversation); otherwise the side
// with the first packet is. The datapath stamps packets in ticks of
// about a millisecond, so a query answered within the same tick is a
// tie: the record says so (biflowDirection 0, arbitrary) and the side
// on a well-known port (below 1024, the other not) is taken as the
// responder, else fibre A's side leads. An ICMP query's request and its
// reply (echo, timestamp, information, address mask; ICMPv6 echo) are
// one conversation, the requester's leading. The pair ended by FIN or
// RST if either side did.
func (p *Pairer) emitPair(a, b *flow.Record) {
	fwd, rev, dir := initiator(a, b)
	out := *fwd
	out.Biflow = dir
	out.Reverse = flow.Reverse{Packets: rev.Packets, Bytes: rev.Bytes, Start: rev.Start, End: rev.End,
		TCPFlags: rev.TCPFlags, MinTTL: rev.MinTTL, MaxTTL: rev.MaxTTL, CacheSeq: rev.CacheSeq}
	if rev.EndReason == flow.EndOfFlow {
		out.EndReason = flow.EndOfFlow
	}
	p.out(&out)
}

func initiator(a, b *flow.Record) (fwd, rev *flow.Record, dir flow.BiflowDirection) {
	// An ICMP query's requester initiated it, whatever the clock says.
	if _, req, ok := icmpQuery(a.Proto, a.DstPort); ok {
		if req {
			return a, b, flow.BiflowInitiator
		}
		return b, a, flow.BiflowInitiator
	}
	if a.Proto == 6 {
		synA, synB := a.TCPFlags&tcpSYN != 0, b.TCPFlags&tcpSYN != 0
		if synA != synB {
			if synA {
				return a, b, flow.BiflowInitiator
			}
			return b, a, flow.BiflowInitiator
		}
	}
	switch {
	case a.Start.Before(b.Start):
		return a, b, flow.BiflowInitiator
	case b.Start.Before(a.Start):
		return b, a, flow.BiflowInitiator
	case a.SrcPort < 1024 && b.SrcPort >= 1024 && a.Proto != 1 && a.Proto != 58:
		return b, a, flow.BiflowArbitrary
	case b.SrcPort < 1024 && a.SrcPort >= 1024 && a.Proto != 1 && a.Proto != 58:
		return a, b, flow.BiflowArbitrary
	case b.Direction == flow.DirIngress:
		return b, a, flow.BiflowArbitrary
	}
	return a, b, flow.BiflowArbitrary
}

// Join pairs a snapshot of live flows (`show ip cache biflow`): every
// direction with its partner, if the snapshot has it, else alone.
func Join(recs []flow.Record) []flow.Record {
	var out []flow.Record
	p := New(0, func(r *flow.Record) { out = append(out, *r) })
	for i := range recs {
		p.Add(&recs[i], time.Time{})
	}
	p.Flush()
	return out
}
