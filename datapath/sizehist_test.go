package datapath

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/flowtap/flowtap/appliance/flow"
)

// The packet size distribution of each family, from real frames of both:
// IPv6 packets are counted in size_hist6 as well as in the whole
// histogram, IPv4 ones in the whole alone, so each family's screen reads
// its own packets. Both ways a packet reaches the table: metered
// directly (a small cache) and buffered (a batched one), where the IPv6
// count follows the push's early return.
func TestSizeHistogramPerFamily(t *testing.T) {
	requireRoot(t)
	for _, entries := range []int{64, 1 << 16} {
		t.Run(fmt.Sprint(entries), func(t *testing.T) {
			d, err := Open(Options{Entries: entries})
			if err != nil {
				t.Fatalf("open datapath: %v", err)
			}
			t.Cleanup(func() { d.Close() })
			v4 := func(port uint16, payload int) []byte {
				return cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 17}.bytes(udpHdr(port, 53, payload)))
			}
			v6 := func(port uint16, payload int) []byte {
				return cat(ethHdr(0x86DD), ip6{src: v6a, dst: v6b, nh: 17}.bytes(udpHdr(port, 53, payload)))
			}
			// IP lengths: IPv4 38 (bucket 1, "64") and 528 (16, "544");
			// IPv6 58 (1, "64") and 1448 (19, "1536").
			for i := 0; i < 3; i++ {
				feed(t, d, v4(1000, 10), 1)
			}
			for i := 0; i < 2; i++ {
				feed(t, d, v4(1001, 500), 1)
			}
			for i := 0; i < 4; i++ {
				feed(t, d, v6(2000, 10), 1)
			}
			feed(t, d, v6(2001, 1400), 1)
			st, err := d.Stats()
			if err != nil {
				t.Fatal(err)
			}
			var all, six, four [26]uint64
			all[1], all[16], all[19] = 7, 2, 1
			six[1], six[19] = 4, 1
			four[1], four[16] = 3, 2
			if st.SizeHistogram != all || st.SizeHistogram6 != six || st.SizeHistogram4() != four {
				t.Errorf("size distribution:\n  both %v\n  IPv6 %v\n  IPv4 %v\nwant\n  both %v\n  IPv6 %v\n  IPv4 %v",
					st.SizeHistogram, st.SizeHistogram6, st.SizeHistogram4(), all, six, four)
			}
		})
	}
}

// TestSizeHistogram6Pinned: the IPv6 distribution is pinned beside the
// stats map it is the share of, so both go on across a restart and a
// resize; and a resize over pins of a version without it (the slower
// path, which loads with pinning off) pins it too, or the next start
// would count IPv6 from zero against a stats map that goes on.
func TestSizeHistogram6Pinned(t *testing.T) {
	requireRoot(t)
	pins := tempPinDir(t, "sizehist6")
	open := func(entries int) *Datapath {
		t.Helper()
		d, err := Open(Options{Entries: entries, PinDir: pins, OnResize: func(*flow.Record) {}})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	six := func(d *Datapath) uint64 {
		t.Helper()
		st, err := d.Stats()
		if err != nil {
			t.Fatal(err)
		}
		return st.SizeHistogram6[1]
	}
	fr := cat(ethHdr(0x86DD), ip6{src: v6a, dst: v6b, nh: 17}.bytes(udpHdr(2000, 53, 10)))
	d := open(64)
	feed(t, d, fr, 1)
	d.Close()
	d = open(64)
	feed(t, d, fr, 1)
	if n := six(d); n != 2 {
		t.Errorf("after a restart: %d IPv6 packets in the distribution, want 2", n)
	}
	d.Close()
	// As an older version left it, then a resize.
	if err := os.Remove(filepath.Join(pins, meterMapSizeHist6)); err != nil {
		t.Fatal(err)
	}
	d = open(128)
	feed(t, d, fr, 1)
	d.Close()
	if _, err := os.Stat(filepath.Join(pins, meterMapSizeHist6)); err != nil {
		t.Fatalf("the IPv6 distribution was not pinned by a resize over older pins: %v", err)
	}
	d = open(128)
	defer d.Close()
	if n := six(d); n != 1 {
		t.Errorf("after the resize and a restart: %d IPv6 packets, want the 1 since the older pins", n)
	}
}
