package datapath

import (
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/datapath/datapathtest"
)

// ownerCounts reads the table's live entries as owner byte -> packets,
// bytes (owner 0: an entry every CPU adds to atomically).
func ownerCounts(t *testing.T, d *Datapath) map[byte][2]uint64 {
	t.Helper()
	if err := d.FlushBatches(); err != nil {
		t.Fatal(err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	got := map[byte][2]uint64{}
	d.tab.forEachUsed(func(e entry) {
		k := d.tab.key(e)
		owner := k[key4Owner]
		if e.v6 {
			owner = k[key6Owner]
		}
		if _, dup := got[owner]; dup {
			t.Errorf("two live entries of owner %d", owner)
		}
		off := e.off()
		got[owner] = [2]uint64{*d.tab.slots.u64(off + offPackets), *d.tab.slots.u64(off + offBytes)}
	})
	return got
}

// hammer feeds fr from goroutines pinned to cpus (one each), each calls
// runs of repeat packets (BPF_PROG_TEST_RUN loops in the kernel), and
// returns the packets sent per CPU.
func hammer(t *testing.T, d *Datapath, fr []byte, cpus []int, calls int, repeat uint32) map[int]uint64 {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(cpus))
	for _, cpu := range cpus {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread() // to the end: the thread and its pin end with the goroutine
			var set unix.CPUSet
			set.Set(cpu)
			if err := unix.SchedSetaffinity(0, &set); err != nil {
				errs <- err
				return
			}
			for range calls {
				if _, err := datapathtest.FeedRepeat(d.objs.FlowtapMeter, fr, 1, repeat); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	sent := map[int]uint64{}
	for _, cpu := range cpus {
		sent[cpu] += uint64(calls) * uint64(repeat)
	}
	return sent
}

// TestSingleWriterOwners: an entry's counters are written by one CPU, its
// owner (the high byte of the key's pad), with plain adds. Four threads
// pinned to one CPU hammer one flow through BPF_PROG_TEST_RUN, which runs
// each program with bottom halves disabled (so neither preemption nor a
// softirq can interleave two runs on a CPU): one entry, owner CPU+1,
// exact. Then threads on every CPU: one entry per CPU, each exact to what
// its CPU sent (a plain add raced by another CPU would lose increments).
// Then the same with a harvest ending the entries at their active timeout
// as fast as it can: every packet is exported exactly once, whatever CPU
// metered it, and no record shows the owner in its sampler id.
func TestSingleWriterOwners(t *testing.T) {
	singleWriterOwners(t, 1024, 5000)
}

// singleWriterOwners is TestSingleWriterOwners in a cache of entries,
// each call feeding repeat packets.
func singleWriterOwners(t *testing.T, entries int, repeat uint32) {
	fr := udp4([4]byte{10, 9, 0, 1}, [4]byte{10, 9, 0, 2}, 7, 8, 0)
	const ipLen = 32 // udp4's IP total length
	const calls = 40

	d := openTest(t, entries)
	sent := hammer(t, d, fr, []int{0, 0, 0, 0}, calls, repeat)
	got := ownerCounts(t, d)
	if want := map[byte][2]uint64{1: {sent[0], sent[0] * ipLen}}; len(got) != 1 || got[1] != want[1] {
		t.Fatalf("four threads on CPU 0: entries by owner %v, want %v", got, want)
	}
	if rs := harvestAll(t, d); len(rs) != 1 || rs[0].SamplerID != 0 || rs[0].Packets != sent[0] {
		t.Fatalf("records %+v, want one of %d packets, sampler 0", rs, sent[0])
	}

	n := min(runtime.NumCPU(), 8)
	if n < 2 {
		t.Skip("one CPU: no second writer to race")
	}
	var cpus []int
	for c := range n {
		cpus = append(cpus, c, c) // two threads per CPU
	}
	sent = hammer(t, d, fr, cpus, calls, repeat)
	got = ownerCounts(t, d)
	if len(got) != n {
		t.Errorf("%d entries for one flow metered on %d CPUs: %v", len(got), n, got)
	}
	for c := range n {
		if w := [2]uint64{sent[c], sent[c] * ipLen}; got[byte(c+1)] != w {
			t.Errorf("CPU %d's entry: %v, sent %v", c, got[byte(c+1)], w)
		}
	}
	var total uint64
	for _, r := range harvestAll(t, d) {
		if r.SamplerID != 0 {
			t.Errorf("record with sampler %d: the owner leaked into it", r.SamplerID)
		}
		total += r.Packets
	}
	if total != uint64(n)*2*calls*uint64(repeat) {
		t.Fatalf("harvested %d packets of %d", total, uint64(n)*2*calls*uint64(repeat))
	}

	// Racing a harvest that ends the entries (active timeout, idle).
	var recs []flow.Record
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			req := HarvestRequest{ActiveBefore: time.Now().Add(time.Hour)}
			if i%3 == 2 {
				req = HarvestRequest{IdleBefore: time.Now().Add(time.Hour)}
			}
			if _, err := d.Harvest(req, func(r *flow.Record) { recs = append(recs, *r) }); err != nil {
				done <- err
				return
			}
		}
	}()
	sent = hammer(t, d, fr, cpus, calls, repeat/10)
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	recs = append(recs, harvestAll(t, d)...)
	var pk, by uint64
	reasons := map[flow.EndReason]int{}
	for _, r := range recs {
		pk += r.Packets
		by += r.Bytes
		reasons[r.EndReason]++
	}
	var want uint64
	for _, s := range sent {
		want += s
	}
	if pk != want || by != want*ipLen {
		t.Fatalf("racing harvests: exported %d packets %d bytes, sent %d (%d bytes)", pk, by, want, want*ipLen)
	}
	if reasons[flow.EndActive] == 0 {
		t.Errorf("no active-timeout record in %d: %v", len(recs), reasons)
	}
	if st, err := d.Stats(); err != nil || st.CreateFailPackets != 0 {
		t.Fatalf("creation failures %d (%v)", st.CreateFailPackets, err)
	}
	t.Logf("%d records over %d CPUs, by reason %v", len(recs), n, slices.Sorted(func(yield func(flow.EndReason) bool) {
		for r := range reasons {
			if !yield(r) {
				return
			}
		}
	}))
}

// TestActiveTimeoutContinuationRefused: the active timeout ends the entry,
// so a flow's next packet needs a new one; when the cache has filled in
// between, the continuation is refused and counted as a creation failure
// with its packets and bytes (not exported, its reason "full"), as any new
// flow would be. The exported part is whole.
func TestActiveTimeoutContinuationRefused(t *testing.T) {
	const capacity = 64
	d := openTest(t, capacity)
	flowOf := func(i int) []byte {
		return udp4([4]byte{10, 8, byte(i >> 8), byte(i)}, [4]byte{10, 8, 255, 1}, 9, 9, 0)
	}
	for i := range capacity {
		feed(t, d, flowOf(i), 1)
	}
	feed(t, d, flowOf(0), 1) // flow 0: 2 packets
	var recs []flow.Record
	if _, err := d.Harvest(HarvestRequest{ActiveBefore: time.Now().Add(time.Hour)}, func(r *flow.Record) { recs = append(recs, *r) }); err != nil {
		t.Fatal(err)
	}
	var pk uint64
	for _, r := range recs {
		pk += r.Packets
		if r.EndReason != flow.EndActive {
			t.Errorf("record %v ended %v, want active", r.SrcAddr, r.EndReason)
		}
	}
	if len(recs) != capacity || pk != capacity+1 {
		t.Fatalf("active timeout: %d records, %d packets; want %d and %d", len(recs), pk, capacity, capacity+1)
	}
	// Other flows fill the cache before flow 0's next packet.
	for i := range capacity {
		feed(t, d, flowOf(1000+i), 1)
	}
	before, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	feed(t, d, flowOf(0), 1)
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.CreateFailPackets-before.CreateFailPackets != 1 || st.CreateFailFull-before.CreateFailFull != 1 ||
		st.CreateFailBytes-before.CreateFailBytes != 32 || st.FlowsCreated != before.FlowsCreated {
		t.Fatalf("continuation in a full cache: refused %d packets (%d bytes, %d full), created %d; want 1 (32, 1), 0",
			st.CreateFailPackets-before.CreateFailPackets, st.CreateFailBytes-before.CreateFailBytes,
			st.CreateFailFull-before.CreateFailFull, st.FlowsCreated-before.FlowsCreated)
	}
}
