package daemon

import (
	"os"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/platform"
)

// TestUnpinnedResizeKeepsCounters: with nothing pinned, a resize replaces
// every counter map; the daemon's views go on from what the old datapath
// counted, and the flows the resize drained are counted as expired.
func TestUnpinnedResizeKeepsCounters(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test loads BPF programs: run it as root (make test does)")
	}
	l := listenV5(t)
	s := Settings{CacheEntries: 1024, Mask: platform.MaskSevenTuple, Aging: flowcache.Aging{Inactive: time.Hour},
		Exports: []export.DestinationConfig{l.dest(t)}}
	d, err := New(Options{}, s)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(false)
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	feed(t, d, 1, 3)
	feed(t, d, 2, 4)
	for _, entries := range []int{2048, 512} {
		s.CacheEntries = entries
		if err := d.Apply(s); err != nil {
			t.Fatal(err)
		}
	}
	feed(t, d, 3, 5)
	st, err := d.DatapathStats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Frames != 12 || st.MeteredPackets != 12 || st.FlowsCreated != 3 {
		t.Errorf("after two resizes: %d frames, %d metered, %d flows created; want 12, 12, 3", st.Frames, st.MeteredPackets, st.FlowsCreated)
	}
	if raw, _ := d.Datapath().Stats(); raw.Frames != 5 {
		t.Errorf("the new datapath's own count is %d frames, want 5 (nothing pinned)", raw.Frames)
	}
	h, err := d.SizeHistogram()
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	for _, v := range h {
		n += v
	}
	if n != 12 {
		t.Errorf("size histogram holds %d packets, want 12", n)
	}
	waitPackets(t, l, 7)
	es := d.Engine().Stats()
	if got := es.ExpiredTotal(); got != 2 {
		t.Errorf("the engine counts %d expired flows, want the 2 the first resize drained", got)
	}
	if got := es.Total().Packets; got != 7 {
		t.Errorf("the engine's protocol table holds %d packets, want 7", got)
	}
}
