package daemon

import (
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/tap"
)

// TestFibreFormerIndexesForgotten: a tap fibre's port deleted and added
// again every 10 minutes for six months (a USB NIC that drops off, a
// driver that reloads), by the ports' own 5-second passes with the clock
// compressed. The fibre keeps the former ifindexes under which flows can
// still be cached (the last 30 minutes' active timeout and a minute's
// margin) and they stay its own; before, every index the port ever had
// was kept for the daemon's life (over 26,000 after six months).
func TestFibreFormerIndexesForgotten(t *testing.T) {
	index := uint32(4)
	d := &Daemon{log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		settings: Settings{
			Aging: flowcache.Aging{Active: 30 * time.Minute, Inactive: 15 * time.Second},
			Ports: []Port{{Name: "eth1", Meter: true}, {Name: "eth2", Meter: true}},
			Taps: []tap.Link{{Name: "uplink", IfIndex: 64001,
				FibreA: tap.Port{Name: "eth1", Index: 3}, FibreB: tap.Port{Name: "eth2", Index: index}}},
		},
		lookupPort: func(name string) (uint32, bool) {
			if name == "eth1" {
				return 3, true
			}
			return index, true
		},
	}
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	const flap = 10 * time.Minute
	var now time.Time
	var formers []uint32 // each index eth2 had before, in order
	for at := time.Duration(0); at <= 183*24*time.Hour; at += 5 * time.Second {
		now = t0.Add(at)
		if at > 0 && at%flap == 0 {
			formers = append(formers, index)
			index++
		}
		d.portsTick(now)
	}
	b := d.settings.Taps[0].FibreB
	if b.Index != index {
		t.Fatalf("fibre B's port has ifindex %d, want its device's now, %d", b.Index, index)
	}
	// The indexes the port lost within the last 31 minutes: at the last
	// flap (just now), 10, 20 and 30 minutes before.
	want := formers[len(formers)-4:]
	if !slices.Equal(b.Former, want) {
		t.Errorf("after %d deletes and adds fibre B keeps %d former ifindexes, want the %d under which flows may still be cached\n got %v\nwant %v",
			len(formers), len(b.Former), len(want), clip(b.Former), want)
	}
	if len(d.formerAt) != len(want) {
		t.Errorf("the daemon remembers when %d indexes became former ones, want %d", len(d.formerAt), len(want))
	}
	// A flow still cached under the oldest index kept is the link's
	// (fibre B: output on it); one under an index forgotten is its
	// port's own.
	a := tap.NewAnnotator(d.settings.Taps, &tap.Meters{})
	for _, tc := range []struct{ in, wantIn, wantOut uint32 }{
		{want[0], 0, 64001}, {index, 0, 64001}, {want[0] - 1, want[0] - 1, 0},
	} {
		r := flow.Record{Packets: 1, Bytes: 40}
		r.InputIf = tc.in
		a.Annotate(&r)
		if r.InputIf != tc.wantIn || r.OutputIf != tc.wantOut {
			t.Errorf("flow metered under ifindex %d: in %d out %d, want in %d out %d", tc.in, r.InputIf, r.OutputIf, tc.wantIn, tc.wantOut)
		}
	}

	// With neither timeout flows never leave the table: nothing is
	// forgotten.
	d.settings.Aging = flowcache.Aging{}
	kept := len(d.settings.Taps[0].FibreB.Former)
	for range 20 {
		formers = append(formers, index)
		index++
		now = now.Add(time.Hour)
		d.portsTick(now)
	}
	if got := len(d.settings.Taps[0].FibreB.Former); got != kept+20 {
		t.Errorf("with no timeout fibre B keeps %d former ifindexes, want all %d", got, kept+20)
	}
}

// clip shortens a long list for a failure message.
func clip(x []uint32) []uint32 {
	if len(x) > 8 {
		return x[len(x)-8:]
	}
	return x
}
