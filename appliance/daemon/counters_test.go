package daemon

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/internal/testnet"
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
	if n := sizeTotal(t, d); n != 12 {
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

// TestSizeHistogramStartsWithTheDaemon: the packet-size distribution is
// a statistic of `show ip cache flow`, which starts with the daemon. The
// meter's counters are pinned and go on across a restart (show ip flow
// datapath); the distribution must not bring back, after a restart, the
// packets a `clear ip flow stats` cleared before it.
func TestSizeHistogramStartsWithTheDaemon(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test loads BPF programs: run it as root (make test does)")
	}
	pin := testnet.PinDir(t, "daemon-test")
	l := listenV5(t)
	s := Settings{CacheEntries: 1024, Aging: flowcache.Aging{Inactive: time.Hour}, Exports: []export.DestinationConfig{l.dest(t)}}
	d1, err := New(Options{PinDir: pin}, s)
	if err != nil {
		t.Fatal(err)
	}
	d1.Start()
	feed(t, d1, 1, 5)
	d1.ClearSizeHistogram()
	feed(t, d1, 1, 3)
	if got := sizeTotal(t, d1); got != 3 {
		t.Fatalf("after clear ip flow stats the distribution holds %d packets, want 3", got)
	}
	if err := d1.Close(false); err != nil {
		t.Fatal(err)
	}
	d2, err := New(Options{PinDir: pin}, s)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close(false)
	d2.Start()
	if got := sizeTotal(t, d2); got != 0 {
		t.Errorf("a restarted daemon's distribution holds %d packets, want 0 as its cache statistics", got)
	}
	feed(t, d2, 2, 2)
	if got := sizeTotal(t, d2); got != 2 {
		t.Errorf("the distribution holds %d packets after 2 more, want 2", got)
	}
	st, err := d2.DatapathStats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Frames != 10 {
		t.Errorf("the pinned datapath counters say %d frames, want 10 across the restart", st.Frames)
	}
}

// TestCacheStatisticsGoOnAcrossARestart: with a state directory, a
// daemon restarted over the pinned maps goes on with the statistics of
// `show ip cache flow` the previous one saved as it stopped: the expired
// flows, the added count, the clear and the size distribution since it.
// The file is read once: a crash after that starts from zero.
func TestCacheStatisticsGoOnAcrossARestart(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test loads BPF programs: run it as root (make test does)")
	}
	pin := testnet.PinDir(t, "daemon-test")
	state := t.TempDir()
	l := listenV5(t)
	s := Settings{CacheEntries: 1024, Aging: flowcache.Aging{Inactive: time.Hour}, Exports: []export.DestinationConfig{l.dest(t)}}
	d1, err := New(Options{PinDir: pin, StateDir: state}, s)
	if err != nil {
		t.Fatal(err)
	}
	d1.Start()
	feed(t, d1, 1, 5)
	d1.ClearSizeHistogram()
	feed(t, d1, 1, 3)
	// An orderly stop exports the flow: 1 expired flow of 8 packets.
	if err := d1.Close(false); err != nil {
		t.Fatal(err)
	}
	d2, err := New(Options{PinDir: pin, StateDir: state}, s)
	if err != nil {
		t.Fatal(err)
	}
	d2.Start()
	st := d2.Engine().StatsNow()
	if st.ExpiredTotal() != 1 || st.Added != 1 || st.Total().Packets != 8 || sizeTotal(t, d2) != 3 {
		t.Errorf("restarted: %d expired, %d added, %d packets, distribution %d; want 1, 1, 8, 3",
			st.ExpiredTotal(), st.Added, st.Total().Packets, sizeTotal(t, d2))
	}
	if _, err := os.Stat(filepath.Join(state, cacheStatsFile)); !os.IsNotExist(err) {
		t.Errorf("the saved statistics are still there after the start (%v): a crash would bring them back", err)
	}
	if err := d2.Close(false); err != nil {
		t.Fatal(err)
	}
}

// sizeTotal is how many packets the two families' size distributions
// hold since the last clear.
func sizeTotal(t *testing.T, d *Daemon) uint64 {
	t.Helper()
	four, six, err := d.SizeHistograms()
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	for i := range four {
		n += four[i] + six[i]
	}
	return n
}
