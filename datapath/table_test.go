package datapath

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/flow"
)

// TestContentionFill sends 1M distinct keys (the bench object's new-flow
// program salts each packet's source address) into a 512K cache and
// finds how full the cache is at the first creation refused for hash
// contention (both buckets of a key full), as issue 14 asks: only above
// 95%. The seed is fixed, so the figure is deterministic. IPv4 must never
// meet contention before the cache is at its size; an IPv6 entry takes
// two slots, and the pool (two lines per configured flow) holds at most
// 15/16 of the cache in IPv6 entries, so that figure is logged only.
func TestContentionFill(t *testing.T) {
	if testing.Short() {
		t.Skip("1M packets per family")
	}
	const entries, keys, chunk = 512 << 10, 1 << 20, 4096
	for _, fam := range []struct {
		name  string
		frame []byte
		min   float64 // fill at the first contention failure, at least
	}{
		{"IPv4", udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1, 2, 0), 0.95},
		{"IPv6", cat(ethHdr(0x86dd), ip6{src: v6a, dst: v6b, nh: 17}.bytes(udpHdr(1, 2, 0))), 0},
	} {
		t.Run(fam.name, func(t *testing.T) {
			// One CPU: the program's salt is a per-CPU counter, and a
			// subtest's goroutine may move.
			onOneCPU(t)
			d := openBench(t, entries)
			d.mu.Lock()
			*d.tab.seed() = 0x5eed14
			d.cfg.Seed = *d.tab.seed()
			err := d.writeCfg()
			d.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			fillAt := -1.0
			for sent := 0; sent < keys; sent += chunk {
				if _, _, err := d.progs.BenchMeterNewflow.Benchmark(fam.frame, chunk, nil); err != nil {
					t.Fatal(err)
				}
				st, err := d.Stats()
				if err != nil {
					t.Fatal(err)
				}
				if st.CreateFailContention > 0 && fillAt < 0 {
					used, _, _ := d.Usage()
					fillAt = float64(used) / entries
				}
			}
			st, _ := d.Stats()
			used, _, err := d.Usage()
			if err != nil {
				t.Fatal(err)
			}
			if fillAt < 0 {
				fillAt = float64(used) / entries // no contention at all
			}
			t.Logf("%s: %d keys into %d entries: created %d, refused %d full + %d contention; cache %.2f%% full at the first contention failure (%.2f%% at the end)",
				fam.name, st.FlowsCreated+st.CreateFailFull+st.CreateFailContention, entries, st.FlowsCreated, st.CreateFailFull,
				st.CreateFailContention, 100*fillAt, 100*float64(used)/entries)
			if fillAt < fam.min {
				t.Errorf("%s: first contention failure at %.2f%% fill, want above %.0f%%", fam.name, 100*fillAt, 100*fam.min)
			}
			if uint64(used) != st.FlowsCreated {
				t.Errorf("%d flows in the cache, %d created", used, st.FlowsCreated)
			}
			// Every entry comes out once, with its one packet.
			var n, pk uint64
			if _, err := d.Harvest(HarvestRequest{Force: true}, func(r *flow.Record) { n++; pk += r.Packets }); err != nil {
				t.Fatal(err)
			}
			if n != st.FlowsCreated || pk != st.FlowsCreated {
				t.Errorf("harvested %d records of %d packets, want %d of 1 packet each", n, pk, st.FlowsCreated)
			}
			if used, _, _ := d.Usage(); used != 0 {
				t.Errorf("%d flows left after harvesting everything", used)
			}
		})
	}
}
