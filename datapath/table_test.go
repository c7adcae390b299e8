package datapath

import (
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/appliance/flow"
)

// TestContentionFill sends 1M distinct keys (the bench object's new-flow
// program salts each packet's source address) into a 512K cache and
// finds how full the cache is at the first creation refused for hash
// contention (all four candidate buckets of a key full), as issue 14
// asks: only above 95%. The seed is fixed, so the figure is
// deterministic. IPv6 entries share tail slots (two entries in three
// slots), so the pool holds 125% of the cache in IPv6 entries and every
// traffic mix, all-IPv6 included, reaches the cache's size without a
// contention failure (before shared tails all-IPv6 met its first at
// 84.4%, capped at 93.75%).
func TestContentionFill(t *testing.T) {
	if testing.Short() {
		t.Skip("1M packets per family")
	}
	const entries, keys, chunk = 512 << 10, 1 << 20, 4096
	v4 := udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1, 2, 0)
	v6 := cat(ethHdr(0x86dd), ip6{src: v6a, dst: v6b, nh: 17}.bytes(udpHdr(1, 2, 0)))
	for _, fam := range []struct {
		name   string
		frames [][]byte // sent a chunk each in turn
		min    float64  // fill at the first contention failure, at least
	}{
		{"IPv4", [][]byte{v4}, 0.95},
		{"IPv6", [][]byte{v6}, 0.95},
		{"mix", [][]byte{v4, v6}, 0.95},           // half IPv4, half IPv6
		{"mix25", [][]byte{v4, v6, v6, v6}, 0.95}, // a quarter IPv4
	} {
		t.Run(fam.name, func(t *testing.T) {
			// One CPU: the program's salt is a per-CPU counter, and a
			// subtest's goroutine may move.
			onOneCPU(t)
			d := openBench(t, entries)
			d.mu.Lock()
			*d.tab.seed() = 0x5eed14
			err := d.setCfg(func(c *meterMeterCfg) { c.Seed = *d.tab.seed() })
			d.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			fillAt := -1.0
			for sent := 0; sent < keys; sent += chunk {
				frame := fam.frames[(sent/chunk)%len(fam.frames)]
				if _, _, err := d.progs.BenchMeterNewflow.Benchmark(frame, chunk, nil); err != nil {
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

// TestOpenDrainsLegacyTable pins a table of the layout before issue 14
// (per family a slots array and a tag word per 8 slots) with one IPv4 and
// one IPv6 flow in it, as a daemon of that version leaves it, and opens
// the meter over the pin directory: both flows come out through OnResize,
// ended as forced, and the new table starts empty with a fresh live count.
func TestOpenDrainsLegacyTable(t *testing.T) {
	requireRoot(t)
	pin := tempPinDir(t, "flowtap-table-test-")
	mk := func(name string, value, entries uint32) *ebpf.Map {
		m, err := ebpf.NewMap(&ebpf.MapSpec{Name: name, Type: ebpf.Array, KeySize: 4, ValueSize: value, MaxEntries: entries, Flags: unix.BPF_F_MMAPABLE})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		if err := m.Pin(filepath.Join(pin, name)); err != nil {
			t.Fatal(err)
		}
		return m
	}
	slots4, tags4 := mk("slots4", uint32(slot4Size), 64), mk("tags4", 8, 8)
	slots6, tags6 := mk("slots6", uint32(slot6Size), 64), mk("tags6", 8, 8)
	counters := mk("counters", 8, 4)
	if err := counters.Put(uint32(ctrLive), uint64(2)); err != nil {
		t.Fatal(err)
	}
	put := func(slots, tags *ebpf.Map, size, slot int, key []byte) {
		v := make([]byte, size)
		binary.LittleEndian.PutUint64(v[offPackets:], 3)
		binary.LittleEndian.PutUint64(v[offBytes:], 300)
		binary.LittleEndian.PutUint32(v[offFirst:], 100)
		binary.LittleEndian.PutUint32(v[offLast:], 200)
		copy(v[offKey:], key)
		if err := slots.Put(uint32(slot), v); err != nil {
			t.Fatal(err)
		}
		if err := tags.Put(uint32(slot/8), uint64(0x80|0x15)<<(8*(slot%8))); err != nil {
			t.Fatal(err)
		}
	}
	k4 := make([]byte, 20)
	copy(k4[key4Saddr:], []byte{192, 0, 2, 1})
	copy(k4[key4Daddr:], []byte{198, 51, 100, 7})
	k4[key4Proto] = 17
	put(slots4, tags4, slot4Size, 13, k4)
	k6 := make([]byte, 44)
	a := v6a.As16()
	copy(k6[key6Saddr:], a[:])
	k6[key6Proto] = 6
	put(slots6, tags6, slot6Size, 42, k6)

	var got []flow.Record
	d, err := Open(Options{PinDir: pin, Entries: 256, OnResize: func(r *flow.Record) { got = append(got, *r) }})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if len(got) != 2 {
		t.Fatalf("drained %d flows from the old table, want 2: %+v", len(got), got)
	}
	for i, want := range []netip.Addr{netip.MustParseAddr("192.0.2.1"), v6a} {
		r := got[i]
		if r.SrcAddr != want || r.Packets != 3 || r.Bytes != 300 || r.EndReason != flow.EndForced {
			t.Errorf("flow %d: %v %d packets %d bytes reason %v, want %v 3 300 forced", i, r.SrcAddr, r.Packets, r.Bytes, r.EndReason, want)
		}
	}
	if used, _, err := d.Usage(); err != nil || used != 0 {
		t.Errorf("new table: %d flows in use (%v), want 0", used, err)
	}
	for _, name := range []string{"slots4", "tags4", "slots6", "tags6"} {
		if _, err := os.Stat(filepath.Join(pin, name)); err == nil {
			t.Errorf("old %s still pinned", name)
		}
	}
	if _, err := os.Stat(filepath.Join(pin, flowsMapName)); err != nil {
		t.Errorf("new table not pinned: %v", err)
	}
}
