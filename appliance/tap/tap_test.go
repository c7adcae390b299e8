package tap

import (
	"net/netip"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
)

type mark struct{ n int }

func (m *mark) Annotate(*flow.Record) { m.n++ }

// TestFibresGiveDirection: fibre A's records are input on the link,
// fibre B's output on it; other ports pass unchanged; every record
// reaches Next; the counters outlive the annotator.
func TestFibresGiveDirection(t *testing.T) {
	var m Meters
	next := &mark{}
	a := NewAnnotator([]Link{{Name: "uplink", IfIndex: 64001, FibreA: Port{Name: "eth1", Index: 3}, FibreB: Port{Name: "eth2", Index: 4}}}, &m)
	a.Next = next
	key := flow.Key{SrcAddr: netip.MustParseAddr("192.0.2.1"), DstAddr: netip.MustParseAddr("10.0.0.1"), Proto: 6}
	for _, tc := range []struct {
		in      uint32
		wantIn  uint32
		wantOut uint32
		wantDir flow.Direction
	}{{3, 64001, 0, flow.DirIngress}, {4, 0, 64001, flow.DirEgress}, {7, 7, 0, flow.DirUnknown}} {
		r := flow.Record{Key: key, Packets: 10, Bytes: 1000}
		r.InputIf = tc.in
		a.Annotate(&r)
		if r.InputIf != tc.wantIn || r.OutputIf != tc.wantOut || r.Direction != tc.wantDir {
			t.Errorf("port %d: in %d out %d dir %d, want %d %d %d", tc.in, r.InputIf, r.OutputIf, r.Direction, tc.wantIn, tc.wantOut, tc.wantDir)
		}
	}
	if next.n != 3 {
		t.Errorf("Next saw %d records, want 3", next.n)
	}
	b := NewAnnotator(a.Links(), &m) // a configuration change
	r := flow.Record{Key: key, Packets: 1, Bytes: 40}
	r.InputIf = 4
	b.Annotate(&r)
	if got := m.Port("eth1"); got != (Counters{1, 10, 1000}) {
		t.Errorf("eth1 %+v", got)
	}
	if got := m.Port("eth2"); got != (Counters{2, 11, 1040}) {
		t.Errorf("eth2 %+v", got)
	}
	m.Clear()
	if got := m.Port("eth2"); got != (Counters{}) {
		t.Errorf("after Clear %+v", got)
	}
	// Clear is the CLI's: the totals since the start go on.
	r = flow.Record{Key: key, Packets: 1, Bytes: 40}
	r.InputIf = 4
	b.Annotate(&r)
	if got, total := m.Port("eth2"), m.Total("eth2"); got != (Counters{1, 1, 40}) || total != (Counters{3, 12, 1080}) {
		t.Errorf("after Clear and one more flow: since clear %+v, total %+v", got, total)
	}
}

// TestFormerIndexesStayTheFibres: a fibre's port deleted and added again
// has a new ifindex; flows metered under the old one are still the
// fibre's (counted, given the link), unless another fibre has that index
// now.
func TestFormerIndexesStayTheFibres(t *testing.T) {
	var m Meters
	a := NewAnnotator([]Link{
		{Name: "uplink", IfIndex: 64001, FibreA: Port{Name: "eth1", Index: 3}, FibreB: Port{Name: "eth2", Index: 9, Former: []uint32{4, 5}}},
		{Name: "other", IfIndex: 64002, FibreA: Port{Name: "eth3", Index: 5}},
	}, &m)
	for _, tc := range []struct {
		in, wantIn, wantOut uint32
	}{{4, 0, 64001}, {9, 0, 64001}, {5, 64002, 0}} {
		r := flow.Record{Packets: 2, Bytes: 80}
		r.InputIf = tc.in
		a.Annotate(&r)
		if r.InputIf != tc.wantIn || r.OutputIf != tc.wantOut {
			t.Errorf("port %d: in %d out %d, want %d %d", tc.in, r.InputIf, r.OutputIf, tc.wantIn, tc.wantOut)
		}
	}
	if got := m.Port("eth2"); got != (Counters{2, 4, 160}) {
		t.Errorf("eth2 %+v", got)
	}
}

// TestMetersSaveRestore: what a daemon saves at an orderly stop, the next
// adds to whatever it counted before it read them.
func TestMetersSaveRestore(t *testing.T) {
	var m, n Meters
	a := NewAnnotator([]Link{{Name: "uplink", IfIndex: 64001, FibreA: Port{Name: "eth1", Index: 3}, FibreB: Port{Name: "eth2", Index: 4}}}, &m)
	r := flow.Record{Packets: 3, Bytes: 120}
	r.InputIf = 3
	a.Annotate(&r)
	saved := m.Save()
	if len(saved) != 2 || saved["eth1"] != (Counters{1, 3, 120}) || saved[rowKey(64001, SideA)] != (Counters{1, 3, 120}) {
		t.Fatalf("saved %+v", saved)
	}
	b := NewAnnotator(a.Links(), &n)
	r = flow.Record{Packets: 1, Bytes: 40}
	r.InputIf = 3
	b.Annotate(&r)
	n.Restore(saved)
	if got := n.Port("eth1"); got != (Counters{2, 4, 160}) {
		t.Errorf("eth1 after restore %+v", got)
	}
	if got := n.Row(64001, SideA); got != (Counters{2, 4, 160}) {
		t.Errorf("link 64001 side a after restore %+v", got)
	}
}

// TestRowCountsWhicheverPortFeedsIt: a link side's row counts on when its
// port is replaced, and a flow metered under a former mapping counts to
// the row it was metered for.
func TestRowCountsWhicheverPortFeedsIt(t *testing.T) {
	var m Meters
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	up := Link{Name: "uplink", IfIndex: 64001, FibreA: Port{Name: "eth1", Index: 3}, FibreB: Port{Name: "eth2", Index: 4}}
	moved := Link{Name: "uplink", IfIndex: 64001, FibreA: Port{Name: "eth5", Index: 5}, FibreB: Port{Name: "eth2", Index: 4}}
	annotate := func(a *Annotator, in uint32, packets uint64, start time.Time) {
		r := flow.Record{Packets: packets, Bytes: 40 * packets, Start: start}
		r.InputIf = in
		a.Annotate(&r)
	}
	annotate(NewAnnotator([]Link{up}, &m), 3, 3, t0)
	b := NewAnnotator([]Link{moved}, &m)
	b.History = History{}.Change([]Link{up}, []Link{moved}, t0.Add(time.Second), time.Time{})
	annotate(b, 5, 2, t0.Add(2*time.Second))
	annotate(b, 3, 4, t0) // eth1's, metered before the change
	if got := m.Row(64001, SideA); got != (Counters{3, 9, 360}) {
		t.Errorf("row a %+v, want 3 flows, 9 packets", got)
	}
	if got := m.Port("eth5"); got != (Counters{1, 2, 80}) {
		t.Errorf("eth5 %+v", got)
	}
}
