package biflow

import (
	"fmt"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

var t0 = time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC)

func rec(src, dst string, sport, dport uint16, dir flow.Direction, pkts uint64, start time.Duration, flags uint8, why flow.EndReason) flow.Record {
	r := flow.Record{Key: flow.Key{SrcAddr: netip.MustParseAddr(src), DstAddr: netip.MustParseAddr(dst), SrcPort: sport, DstPort: dport, Proto: 6},
		Packets: pkts, Bytes: 100 * pkts, Start: t0.Add(start), End: t0.Add(start + time.Second), TCPFlags: flags, EndReason: why, Direction: dir}
	if dir == flow.DirIngress {
		r.InputIf = 64001
	} else {
		r.OutputIf = 64001
	}
	return r
}

func collect() (*Pairer, *[]flow.Record) {
	var out []flow.Record
	return New(15*time.Second, func(r *flow.Record) { out = append(out, *r) }), &out
}

// TestPairsOrientAndEnd: the initiator leads whichever side arrives
// first; a lone SYN beats the clock; FIN from either side ends the pair;
// a tie is arbitrary with fibre A leading.
func TestPairsOrientAndEnd(t *testing.T) {
	for _, tc := range []struct {
		name    string
		first   flow.Record
		second  flow.Record
		fwdSrc  string
		dir     flow.BiflowDirection
		fwdPkts uint64
		revPkts uint64
		end     flow.EndReason
	}{
		{"responder expires first", rec("10.0.0.2", "10.0.0.1", 80, 4000, flow.DirEgress, 3, 10*time.Millisecond, 0x12, flow.EndIdle),
			rec("10.0.0.1", "10.0.0.2", 4000, 80, flow.DirIngress, 5, 0, 0x1b, flow.EndOfFlow), "10.0.0.1", flow.BiflowInitiator, 5, 3, flow.EndOfFlow},
		{"SYN beats an earlier mid-stream packet", rec("10.0.0.2", "10.0.0.1", 80, 4000, flow.DirEgress, 3, 0, 0x10, flow.EndIdle),
			rec("10.0.0.1", "10.0.0.2", 4000, 80, flow.DirIngress, 5, time.Second, 0x02, flow.EndIdle), "10.0.0.1", flow.BiflowInitiator, 5, 3, flow.EndIdle},
		{"tie: the well-known port answers", rec("10.0.0.1", "10.0.0.2", 4000, 80, flow.DirIngress, 5, 0, 0x12, flow.EndForced),
			rec("10.0.0.2", "10.0.0.1", 80, 4000, flow.DirEgress, 3, 0, 0x12, flow.EndForced), "10.0.0.1", flow.BiflowArbitrary, 5, 3, flow.EndForced},
		{"tie: fibre A leads", rec("10.0.0.2", "10.0.0.1", 5000, 4000, flow.DirEgress, 3, 0, 0x12, flow.EndForced),
			rec("10.0.0.1", "10.0.0.2", 4000, 5000, flow.DirIngress, 5, 0, 0x12, flow.EndForced), "10.0.0.1", flow.BiflowArbitrary, 5, 3, flow.EndForced},
		{"B initiates", rec("10.0.0.1", "10.0.0.2", 4000, 80, flow.DirIngress, 5, time.Millisecond, 0x12, flow.EndIdle),
			rec("10.0.0.2", "10.0.0.1", 80, 4000, flow.DirEgress, 3, 0, 0x1a, flow.EndIdle), "10.0.0.2", flow.BiflowInitiator, 3, 5, flow.EndIdle},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, out := collect()
			p.Add(&tc.first, t0)
			if len(*out) != 0 || p.Waiting() != 1 {
				t.Fatalf("after one side: %d out, %d waiting", len(*out), p.Waiting())
			}
			p.Add(&tc.second, t0.Add(time.Second))
			if len(*out) != 1 || p.Waiting() != 0 {
				t.Fatalf("after both: %d out, %d waiting", len(*out), p.Waiting())
			}
			g := (*out)[0]
			if g.SrcAddr.String() != tc.fwdSrc || g.Biflow != tc.dir || g.Packets != tc.fwdPkts || g.Reverse.Packets != tc.revPkts ||
				g.Bytes != 100*tc.fwdPkts || g.Reverse.Bytes != 100*tc.revPkts || g.EndReason != tc.end {
				t.Errorf("got src %s dir %d fwd %d/%d rev %d/%d end %v; want src %s dir %d fwd %d rev %d end %v",
					g.SrcAddr, g.Biflow, g.Packets, g.Bytes, g.Reverse.Packets, g.Reverse.Bytes, g.EndReason, tc.fwdSrc, tc.dir, tc.fwdPkts, tc.revPkts, tc.end)
			}
		})
	}
}

// TestLoneDirectionsWaitHoldThenLeave: a direction without a partner goes
// out alone after Hold, not before; the same direction again pushes the
// waiting one out; Flush empties everything.
func TestLoneDirectionsWaitHoldThenLeave(t *testing.T) {
	p, out := collect()
	a := rec("10.0.0.1", "10.0.0.2", 4000, 80, flow.DirIngress, 5, 0, 0x02, flow.EndActive)
	p.Add(&a, t0)
	p.Expire(t0.Add(15*time.Second - time.Millisecond))
	if len(*out) != 0 {
		t.Fatalf("left before Hold: %v", *out)
	}
	a2 := a
	a2.Packets = 7
	p.Add(&a2, t0.Add(time.Second)) // the active-timeout successor
	if len(*out) != 1 || (*out)[0].Packets != 5 || (*out)[0].Reverse != (flow.Reverse{}) || (*out)[0].Biflow != flow.BiflowInitiator {
		t.Fatalf("same direction again: %+v", *out)
	}
	p.Expire(t0.Add(16 * time.Second))
	if len(*out) != 2 || (*out)[1].Packets != 7 || p.Waiting() != 0 {
		t.Fatalf("after Hold: %d out, %d waiting", len(*out), p.Waiting())
	}
	other := rec("10.0.0.9", "10.0.0.2", 4000, 80, flow.DirIngress, 1, 0, 0, flow.EndIdle)
	p.Add(&other, t0.Add(20*time.Second))
	p.Flush()
	if len(*out) != 3 || !reflect.DeepEqual((*out)[2].Key, other.Key) || p.Waiting() != 0 {
		t.Fatalf("Flush: %d out, %d waiting", len(*out), p.Waiting())
	}
}

// TestObservationPointsDoNotMix: the same addresses on two links are two
// conversations.
func TestObservationPointsDoNotMix(t *testing.T) {
	p, out := collect()
	a := rec("10.0.0.1", "10.0.0.2", 4000, 80, flow.DirIngress, 5, 0, 0, flow.EndIdle)
	b := rec("10.0.0.2", "10.0.0.1", 80, 4000, flow.DirEgress, 3, 0, 0, flow.EndIdle)
	b.OutputIf = 64002
	p.Add(&a, t0)
	p.Add(&b, t0)
	if len(*out) != 0 || p.Waiting() != 2 {
		t.Fatalf("paired across links: %+v", *out)
	}
}

// TestJoinSnapshot: a snapshot pairs what it holds and keeps the rest.
func TestJoinSnapshot(t *testing.T) {
	a := rec("10.0.0.1", "10.0.0.2", 4000, 80, flow.DirIngress, 5, 0, 0x02, flow.EndIdle)
	b := rec("10.0.0.2", "10.0.0.1", 80, 4000, flow.DirEgress, 3, time.Millisecond, 0x12, flow.EndIdle)
	c := rec("10.0.0.9", "10.0.0.2", 4001, 80, flow.DirIngress, 1, 0, 0x02, flow.EndIdle)
	got := Join([]flow.Record{a, c, b})
	if len(got) != 2 || got[0].SrcAddr != a.SrcAddr || got[0].Reverse.Packets != 3 || got[1].SrcAddr != c.SrcAddr || got[1].Reverse.Packets != 0 {
		t.Fatalf("Join: %+v", got)
	}
}

// TestICMPQueriesPair: a ping's echo requests (type 8, on fibre A) and
// replies (type 0, on fibre B) are one conversation, the requester's
// forward, whichever expires first and even when the reply's first
// packet is stamped first; two hosts pinging each other are two
// conversations, and an unreachable is not taken for a reply.
func TestICMPQueriesPair(t *testing.T) {
	icmp := func(src, dst string, typeCode uint16, dir flow.Direction, pkts uint64, start time.Duration) flow.Record {
		r := rec(src, dst, 0, typeCode, dir, pkts, start, 0, flow.EndIdle)
		r.Proto = 1
		return r
	}
	p, out := collect()
	p.Add(ptr(icmp("10.0.0.9", "192.0.2.1", 0x0000, flow.DirEgress, 4, 0)), t0)            // X's replies to Y
	p.Add(ptr(icmp("192.0.2.1", "10.0.0.9", 0x0800, flow.DirIngress, 4, time.Second)), t0) // Y pings X
	p.Add(ptr(icmp("10.0.0.9", "192.0.2.1", 0x0800, flow.DirEgress, 2, 0)), t0)            // X pings Y
	p.Add(ptr(icmp("192.0.2.1", "10.0.0.9", 0x0303, flow.DirIngress, 1, 0)), t0)           // port unreachable
	p.Add(ptr(icmp("192.0.2.1", "10.0.0.9", 0x0000, flow.DirIngress, 2, 0)), t0)           // Y's replies to X
	p.Flush()
	var got []string
	for _, r := range *out {
		got = append(got, fmt.Sprintf("%s>%s %04X %d/%d initiator=%v", r.SrcAddr, r.DstAddr, r.DstPort, r.Packets, r.Reverse.Packets, r.Biflow == flow.BiflowInitiator))
	}
	want := []string{"192.0.2.1>10.0.0.9 0800 4/4 initiator=true", "10.0.0.9>192.0.2.1 0800 2/2 initiator=true", "192.0.2.1>10.0.0.9 0303 1/0 initiator=true"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func ptr(r flow.Record) *flow.Record { return &r }

// TestVLANsAreConversationsOfTheirOwn: one 5-tuple in two VLANs on a
// trunk is two conversations, each direction alone; in one VLAN (outer
// and inner alike) it pairs.
func TestVLANsAreConversationsOfTheirOwn(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		vlanA, innerA          uint16
		vlanB, innerB          uint16
		wantRecords, wantPairs int
	}{
		{"one vlan", 10, 0, 10, 0, 1, 1},
		{"two vlans", 10, 0, 20, 0, 2, 0},
		{"one outer, two inner", 10, 100, 10, 200, 2, 0},
		{"untagged and tagged", 0, 0, 10, 0, 2, 0},
	} {
		p, out := collect()
		a := rec("192.0.2.1", "198.51.100.1", 40000, 443, flow.DirIngress, 3, 0, 0, flow.EndIdle)
		b := rec("198.51.100.1", "192.0.2.1", 443, 40000, flow.DirEgress, 2, time.Millisecond, 0, flow.EndIdle)
		a.VLAN, a.InnerVLAN, b.VLAN, b.InnerVLAN = tc.vlanA, tc.innerA, tc.vlanB, tc.innerB
		p.Add(&a, t0)
		p.Add(&b, t0)
		p.Flush()
		pairs := 0
		for _, r := range *out {
			if r.Reverse.Packets != 0 {
				pairs++
			}
		}
		if len(*out) != tc.wantRecords || pairs != tc.wantPairs {
			t.Errorf("%s: %d records, %d pairs; want %d, %d", tc.name, len(*out), pairs, tc.wantRecords, tc.wantPairs)
		}
		if got := Join([]flow.Record{a, b}); len(got) != tc.wantRecords {
			t.Errorf("%s: Join made %d records, want %d", tc.name, len(got), tc.wantRecords)
		}
	}
}
