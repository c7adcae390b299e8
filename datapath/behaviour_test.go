package datapath

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
)

// onOneCPU pins the calling goroutine's thread to CPU 0 so per-CPU state
// (deterministic sampler, cache-full event arming) is the same each run.
func onOneCPU(t *testing.T) {
	t.Helper()
	runtime.LockOSThread()
	var was unix.CPUSet
	if err := unix.SchedGetaffinity(0, &was); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = unix.SchedSetaffinity(0, &was) // unpinned again before the thread goes back
		runtime.UnlockOSThread()
	})
	var set unix.CPUSet
	set.Set(0)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		t.Fatalf("pin to CPU 0: %v", err)
	}
}

func udp4(src, dst [4]byte, sport, dport uint16, tos uint8) []byte {
	return cat(ethHdr(0x0800), ip4{src: netipFrom4(src), dst: netipFrom4(dst), proto: 17, tos: tos}.bytes(udpHdr(sport, dport, 4)))
}

func feed(t testing.TB, d *Datapath, fr []byte, ifindex uint32) {
	t.Helper()
	if _, err := d.Feed(fr, ifindex); err != nil {
		t.Fatal(err)
	}
}

func TestFlowMasks(t *testing.T) {
	a, b, c := [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, [4]byte{10, 0, 0, 3}
	// Packets that differ in one key field at a time (the input interface
	// is covered by the veth test, where there are two).
	pkts := [][]byte{
		udp4(a, b, 1000, 53, 0),
		udp4(a, b, 1000, 53, 0),    // same flow
		udp4(a, b, 1000, 53, 0x20), // ToS differs
		udp4(a, b, 1001, 53, 0),    // src port differs
		udp4(a, c, 1000, 53, 0),    // destination differs
		udp4(c, b, 1000, 53, 0),    // source differs
		cat(ethHdr(0x0800), ip4{src: netipFrom4(a), dst: netipFrom4(b), proto: 6}.bytes(tcpHdr(1000, 53, tcpSYN))), // protocol differs
	}
	tests := []struct {
		mask  platform.Mask
		flows int
	}{
		{platform.MaskSevenTuple, 6},        // 7-tuple: every variation but the repeat is a flow
		{platform.MaskFull, 5},              // ToS is not a key on the PFC
		{platform.MaskInterfaceFull, 5},     // one input interface here
		{platform.MaskDestinationSource, 3}, // a>b, a>c, c>b
		{platform.MaskInterfaceDestinationSource, 3},
		{platform.MaskSource, 2},      // a, c
		{platform.MaskDestination, 2}, // b, c
	}
	d := openTest(t, 1024)
	for _, tc := range tests {
		t.Run(tc.mask.String(), func(t *testing.T) {
			if err := d.SetMask(tc.mask, nil); err != nil {
				t.Fatal(err)
			}
			for _, p := range pkts {
				feed(t, d, p, 1)
			}
			recs := harvestAll(t, d)
			if len(recs) != tc.flows {
				t.Fatalf("%d flows, want %d: %+v", len(recs), tc.flows, recs)
			}
			var pk uint64
			k := keeps(tc.mask)
			for _, r := range recs {
				pk += r.Packets
				// Fields the mask does not keep are exported as zero, as NDE does.
				if (!k.src && r.SrcAddr.As4() != [4]byte{}) || (!k.dst && r.DstAddr.As4() != [4]byte{}) ||
					(!k.ports && (r.SrcPort != 0 || r.DstPort != 0)) || (!k.proto && r.Proto != 0) ||
					(!k.ifindex && r.InputIf != 0) {
					t.Errorf("mask %s left a field it does not keep: %+v", tc.mask, r.Key)
				}
			}
			if pk != uint64(len(pkts)) {
				t.Errorf("%d packets over the flows, want %d", pk, len(pkts))
			}
		})
	}
}

func TestMaskChangePurgesCache(t *testing.T) {
	d := openTest(t, 1024)
	feed(t, d, udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1, 2, 0), 1)
	feed(t, d, udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 3}, 1, 2, 0), 1)
	var purged []flow.Record
	if err := d.SetMask(platform.MaskSource, func(r *flow.Record) { purged = append(purged, *r) }); err != nil {
		t.Fatal(err)
	}
	if len(purged) != 2 || purged[0].EndReason != flow.EndForced {
		t.Fatalf("mask change exported %+v, want the 2 old flows, forced", purged)
	}
	if used, _, _ := d.Usage(); used != 0 {
		t.Fatalf("%d entries left after the purge", used)
	}
	// Setting the same mask again purges nothing.
	purged = nil
	feed(t, d, udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1, 2, 0), 1)
	if err := d.SetMask(platform.MaskSource, func(r *flow.Record) { purged = append(purged, *r) }); err != nil || len(purged) != 0 {
		t.Fatalf("same mask: %v %+v", err, purged)
	}
}

func TestSampling(t *testing.T) {
	onOneCPU(t)
	d := openTest(t, 1024)
	fr := udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1, 2, 0)
	if err := d.SetSampling(Sampling{Mode: SampleDeterministic, Interval: 4}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		feed(t, d, fr, 1)
	}
	st, _ := d.Stats()
	recs := harvestAll(t, d)
	if st.MeteredPackets != 25 || st.SampledOut != 75 || len(recs) != 1 || recs[0].Packets != 25 {
		t.Fatalf("deterministic 1-in-4 of 100: metered %d, sampled out %d, records %+v", st.MeteredPackets, st.SampledOut, recs)
	}
	if got := d.Sampling(); got.Mode != SampleDeterministic || got.Interval != 4 {
		t.Fatalf("sampling reads back %+v", got)
	}

	if err := d.SetSampling(Sampling{Mode: SampleRandom, Interval: 4}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4000; i++ {
		feed(t, d, fr, 1)
	}
	st2, _ := d.Stats()
	got := st2.MeteredPackets - st.MeteredPackets
	// Binomial(4000, 1/4): mean 1000, sd 27; 7 sd either side.
	if got < 810 || got > 1190 {
		t.Fatalf("random 1-in-4 of 4000 metered %d", got)
	}
	if err := d.SetSampling(Sampling{Mode: SampleNone}); err != nil {
		t.Fatal(err)
	}
	harvestAll(t, d)
	for i := 0; i < 10; i++ {
		feed(t, d, fr, 1)
	}
	if recs := harvestAll(t, d); len(recs) != 1 || recs[0].Packets != 10 {
		t.Fatalf("sampling off: %+v", recs)
	}
}

func TestTCPFlagsAndEndOfFlowEvents(t *testing.T) {
	onOneCPU(t)
	d := openTest(t, 1024)
	seg := func(flags uint8) []byte {
		return cat(ethHdr(0x0800), ip4{src: v4a, dst: v4b, proto: 6}.bytes(tcpHdr(40000, 80, flags)))
	}
	for _, f := range []uint8{tcpSYN, tcpACK, tcpACK | tcpPSH, tcpFIN | tcpACK, tcpFIN | tcpACK, tcpRST} {
		feed(t, d, seg(f), 1)
	}
	other := cat(ethHdr(0x0800), ip4{src: v4b, dst: v4a, proto: 6}.bytes(tcpHdr(80, 40000, tcpSYN|tcpACK)))
	feed(t, d, other, 1)
	st, _ := d.Stats()
	if st.FinEvents != 1 {
		t.Fatalf("%d end-of-flow events for one flow with 2 FINs and a RST, want 1", st.FinEvents)
	}
	// An end-of-flow harvest takes the FIN/RST flow and leaves the other.
	var got []flow.Record
	if _, err := d.Harvest(HarvestRequest{EndOfFlow: true}, func(r *flow.Record) { got = append(got, *r) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].TCPFlags != tcpSYN|tcpACK|tcpPSH|tcpFIN|tcpRST || got[0].Packets != 6 || got[0].EndReason != flow.EndOfFlow {
		t.Fatalf("end-of-flow harvest %+v", got)
	}
	rest := harvestAll(t, d)
	if len(rest) != 1 || rest[0].SrcPort != 80 || rest[0].TCPFlags != tcpSYN|tcpACK {
		t.Fatalf("remaining %+v", rest)
	}
	// A flow whose first packet is a RST sends its event at creation.
	feed(t, d, seg(tcpRST), 1)
	if st2, _ := d.Stats(); st2.FinEvents != 2 {
		t.Fatalf("RST-first flow: %d events, want 2", st2.FinEvents)
	}
}

func TestTTLRangeAndAttributes(t *testing.T) {
	d := openTest(t, 1024)
	for _, ttl := range []uint8{64, 3, 250, 64} {
		feed(t, d, cat(ethHdr(0x8100), vlanTag(42, 0x0800), ip4{src: v4a, dst: v4b, proto: 17, ttl: ttl}.bytes(udpHdr(1, 2, 0))), 1)
	}
	r := harvestAll(t, d)
	if len(r) != 1 || r[0].MinTTL != 3 || r[0].MaxTTL != 250 || r[0].VLAN != 42 || r[0].Bytes != 4*28 {
		t.Fatalf("%+v", r)
	}
}

func TestCacheFull(t *testing.T) {
	onOneCPU(t)
	d := openTest(t, 16)
	for i := 0; i < 20; i++ {
		feed(t, d, udp4([4]byte{10, 0, 1, byte(i)}, [4]byte{10, 0, 0, 2}, 1, 2, 0), 1)
	}
	// A packet of an existing flow still counts when the map is full.
	feed(t, d, udp4([4]byte{10, 0, 1, 0}, [4]byte{10, 0, 0, 2}, 1, 2, 0), 1)
	st, _ := d.Stats()
	used, capacity, err := d.Usage()
	if err != nil {
		t.Fatal(err)
	}
	if used != 16 || capacity != 16 || st.FlowsCreated != 16 || st.CreateFailPackets != 4 || st.CreateFailBytes != 4*32 ||
		st.CreateFailFull != 4 {
		t.Fatalf("used %d/%d, created %d, failures %d pkts %d bytes", used, capacity, st.FlowsCreated, st.CreateFailPackets, st.CreateFailBytes)
	}
	if st.FullEvents != 1 {
		t.Fatalf("%d cache-full events for 4 failures on one CPU, want 1", st.FullEvents)
	}
	// One pool for both families, as `ip flow-cache entries`: IPv4 filled
	// it, so a new IPv6 flow fails too.
	feed(t, d, cat(ethHdr(0x86dd), ip6{src: v6a, dst: v6b, nh: 17}.bytes(udpHdr(1, 2, 0))), 1)
	if st, _ = d.Stats(); st.CreateFailFull != 5 || st.IPv6 != 1 {
		t.Fatalf("IPv6 flow in a cache full of IPv4 flows: %d failures, want 5", st.CreateFailFull)
	}
	if err := d.AckCacheFull(); err != nil {
		t.Fatal(err)
	}
	feed(t, d, udp4([4]byte{10, 0, 2, 0}, [4]byte{10, 0, 0, 2}, 1, 2, 0), 1)
	if st, _ := d.Stats(); st.FullEvents != 2 {
		t.Fatalf("after ack: %d events, want 2", st.FullEvents)
	}
	recs := harvestAll(t, d)
	var pk uint64
	for _, r := range recs {
		pk += r.Packets
	}
	if len(recs) != 16 || pk != 17 {
		t.Fatalf("harvested %d flows %d packets, want 16 and 17", len(recs), pk)
	}
}

func TestVerdict(t *testing.T) {
	d := openTest(t, 64)
	fr := udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1, 2, 0)
	if v, _ := d.Feed(fr, 1); v != XDPDrop {
		t.Fatalf("passive port verdict %d, want XDP_DROP", v)
	}
	if err := d.SetPort(1, PortSettings{Verdict: platform.Inline, Meter: true}); err != nil {
		t.Fatal(err)
	}
	if v, _ := d.Feed(fr, 1); v != XDPPass {
		t.Fatalf("inline port verdict %d, want XDP_PASS", v)
	}
	if err := d.SetPort(1, PortSettings{Verdict: platform.Inline, Meter: false}); err != nil {
		t.Fatal(err)
	}
	feed(t, d, fr, 1)
	if r := harvestAll(t, d); len(r) != 1 || r[0].Packets != 2 {
		t.Fatalf("metering off must not count: %+v", r)
	}
}

func TestAging(t *testing.T) {
	d := openTest(t, 64)
	fr := udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1, 2, 0)
	for i := 0; i < 3; i++ {
		feed(t, d, fr, 1)
	}
	var got []flow.Record
	collect := func(r *flow.Record) { got = append(got, *r) }
	past := time.Now().Add(-time.Hour)
	// Nothing is idle or old an hour ago.
	if n, err := d.Harvest(HarvestRequest{IdleBefore: past, ActiveBefore: past}, collect); err != nil || n != 0 {
		t.Fatalf("harvest of nothing: %d %v", n, err)
	}
	// Active timeout: the entry ends like any other expiry (the harvest
	// never writes a live entry's counters: an entry's CPU adds to them
	// without atomics), and the flow's next packet makes a new entry, as
	// on IOS.
	future := time.Now().Add(time.Hour)
	before, _ := d.Stats()
	if _, err := d.Harvest(HarvestRequest{ActiveBefore: future}, collect); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Packets != 3 || got[0].EndReason != flow.EndActive {
		t.Fatalf("active timeout: %+v", got)
	}
	if used, _, _ := d.Usage(); used != 0 {
		t.Fatalf("entry kept after its active timeout: %d used", used)
	}
	time.Sleep(5 * time.Millisecond)
	feed(t, d, fr, 1)
	feed(t, d, fr, 1)
	if after, _ := d.Stats(); after.FlowsCreated != before.FlowsCreated+1 {
		t.Fatalf("flows created %d -> %d: the packets after the active timeout made no new entry", before.FlowsCreated, after.FlowsCreated)
	}
	got = nil
	if _, err := d.Harvest(HarvestRequest{IdleBefore: future, Emergency: true}, collect); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Packets != 2 || got[0].EndReason != flow.EndNoResource {
		t.Fatalf("emergency idle harvest after the active timeout: %+v", got)
	}
	if got[0].Start.After(got[0].End) || time.Since(got[0].End) > time.Minute {
		t.Fatalf("times %v .. %v", got[0].Start, got[0].End)
	}
	if used, _, _ := d.Usage(); used != 0 {
		t.Fatalf("%d entries after idle harvest", used)
	}
	// A flow ended by the active timeout leaves nothing for the idle
	// pass after it.
	feed(t, d, fr, 1)
	got = nil
	d.Harvest(HarvestRequest{ActiveBefore: future}, collect)
	d.Harvest(HarvestRequest{IdleBefore: future}, collect)
	if len(got) != 1 || got[0].Packets != 1 {
		t.Fatalf("husk: %+v", got)
	}
	// Fast aging: a flow of 1 packet created before the cut, threshold 2.
	feed(t, d, fr, 1)
	got = nil
	d.Harvest(HarvestRequest{FastBefore: future, FastThreshold: 2}, collect)
	if len(got) != 1 || got[0].EndReason != flow.EndIdle {
		t.Fatalf("fast aging: %+v", got)
	}
}

// TestNoIncrementLostToHarvest hammers a few flows from every CPU while
// another goroutine harvests as hard as it can, splitting and draining the
// same entries. Every packet must come out exactly once.
func TestNoIncrementLostToHarvest(t *testing.T) {
	d := openTest(t, 1024)
	frames := [][]byte{
		udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1, 2, 0),
		udp4([4]byte{10, 0, 0, 3}, [4]byte{10, 0, 0, 4}, 1, 2, 0),
		cat(ethHdr(0x86dd), ip6{src: v6a, dst: v6b, nh: 17}.bytes(udpHdr(1, 2, 0))),
	}
	r := raceHarvest(t, d, frames, 20000, func(i, w int) int { return i + w }, func(pass int, future time.Time) HarvestRequest {
		if pass%2 == 1 {
			return HarvestRequest{IdleBefore: future}
		}
		return HarvestRequest{ActiveBefore: future}
	})
	d.Harvest(HarvestRequest{Force: true}, r.collect)
	st, _ := d.Stats()
	t.Logf("sent %d, harvested %d, flows created %d", r.sent.Load(), r.harvested, st.FlowsCreated)
	r.check(t, st)
}

// raceCount is what raceHarvest's writers sent and its harvests took:
// packets and IP bytes.
type raceCount struct {
	writers                   int
	sent, sentBytes           atomic.Uint64
	harvested, harvestedBytes uint64
}

// collect counts a harvested record.
func (r *raceCount) collect(rec *flow.Record) {
	r.harvested += rec.Packets
	r.harvestedBytes += rec.Bytes
}

// check fails the test unless every packet sent came out exactly once
// and no entry failed to be created.
func (r *raceCount) check(t *testing.T, st Stats) {
	t.Helper()
	if r.harvested != r.sent.Load() || r.harvestedBytes != r.sentBytes.Load() || st.CreateFailPackets != 0 {
		t.Fatalf("sent %d packets %d bytes; harvested %d/%d; creation failures %d", r.sent.Load(), r.sentBytes.Load(),
			r.harvested, r.harvestedBytes, st.CreateFailPackets)
	}
}

// raceHarvest has a writer on every CPU feed perWriter frames, writer w's
// i-th being frames[pick(i, w) % len(frames)], while a goroutine harvests
// as hard as it can (pass i asks for req(i, an hour ahead)) until the
// writers are done. The caller takes what is left with r.collect.
func raceHarvest(t *testing.T, d *Datapath, frames [][]byte, perWriter int, pick func(i, w int) int,
	req func(pass int, future time.Time) HarvestRequest) *raceCount {
	t.Helper()
	r := &raceCount{writers: runtime.NumCPU()}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		var err error
		for i := 0; err == nil; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			_, err = d.Harvest(req(i, time.Now().Add(time.Hour)), r.collect)
		}
		done <- err
	}()
	for w := 0; w < r.writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			// Writer w on CPU w: a flow's entries are per CPU (meter.h),
			// and each CPU races the harvest on its own. Locked to the
			// end, so the pinned thread ends with the goroutine.
			runtime.LockOSThread()
			var set unix.CPUSet
			set.Set(w % runtime.NumCPU())
			if err := unix.SchedSetaffinity(0, &set); err != nil {
				t.Error(err)
				return
			}
			for i := 0; i < perWriter; i++ {
				fr := frames[pick(i, w)%len(frames)]
				if _, err := d.Feed(fr, 1); err != nil {
					t.Error(err)
					return
				}
				r.sent.Add(1)
				r.sentBytes.Add(uint64(len(fr) - 14))
			}
		}(w)
	}
	wg.Wait()
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return r
}

// TestUptimeExact: a record's times, taken back to CLOCK_MONOTONIC through
// BootTime, fall within the coarse clock's tick of when the packet was fed.
func TestUptimeExact(t *testing.T) {
	d := openTest(t, 64)
	boot, err := BootTime()
	if err != nil {
		t.Fatal(err)
	}
	// The packet is fed between two readings of the clock: a loaded
	// machine may deschedule the test between the first and the run (a
	// CI run dated the record 10.5 ms after the first reading).
	mono := func() time.Duration {
		var ts unix.Timespec
		unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
		return time.Duration(ts.Nano())
	}
	before := mono()
	feed(t, d, udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1, 2, 0), 1)
	after := mono()
	r := harvestAll(t, d)
	if len(r) != 1 {
		t.Fatal(r)
	}
	up := r[0].Start.Sub(boot)
	// The coarse clock lags by at most a tick (4 ms at HZ=250, 10 ms at
	// HZ=100); stamps are in 1.048576 ms units; times are cut to ms.
	if up < before-15*time.Millisecond || up > after+3*time.Millisecond {
		t.Fatalf("record start is %v after boot, packet fed between %v and %v", up, before, after)
	}
}

// TestFlowClockPerTick: the meter reads the coarse clock once per tick
// and CPU (flow_time in meter.c); a flow's last time, stamped by a packet
// fed between two readings of CLOCK_MONOTONIC_COARSE, must lie between
// them, over many ticks, as when every packet read the clock.
func TestFlowClockPerTick(t *testing.T) {
	onOneCPU(t)
	d := openTest(t, 64)
	fr := udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1, 2, 0)
	coarse := func() uint32 {
		var ts unix.Timespec
		if err := unix.ClockGettime(unix.CLOCK_MONOTONIC_COARSE, &ts); err != nil {
			t.Fatal(err)
		}
		return uint32(uint64(ts.Nano()) >> 20)
	}
	lastT := func() (last uint32, n int) {
		d.tab.forEachUsed(func(e entry) {
			last = atomic.LoadUint32(d.tab.slots.u32(e.off() + offLast))
			n++
		})
		return last, n
	}
	start := coarse()
	deadline := time.Now().Add(300 * time.Millisecond)
	packets := 0
	for time.Now().Before(deadline) {
		before := coarse()
		feed(t, d, fr, 1)
		after := coarse()
		last, n := lastT()
		if n != 1 {
			t.Fatalf("%d entries, want 1", n)
		}
		if last < before || last > after {
			t.Fatalf("packet %d: last time %d, clock read %d before and %d after", packets, last, before, after)
		}
		packets++
	}
	// 300 ms is 75 ticks at HZ=250: the cached readings were used across
	// many ticks, not one.
	if units := coarse() - start; units < 100 {
		t.Fatalf("the clock moved %d units in 300 ms", units)
	}
	t.Logf("%d packets over %d clock units", packets, coarse()-start)
}

// TestCacheSizeAcrossCPUs fills the cache from two CPUs in turn. Each CPU
// takes units of the cache's size in batches for its own new flows, so
// the cache must still hold exactly its size, refuse the rest, and report
// its use without the units a CPU holds in reserve.
func TestCacheSizeAcrossCPUs(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs two CPUs")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var was unix.CPUSet
	if err := unix.SchedGetaffinity(0, &was); err != nil {
		t.Fatal(err)
	}
	// The thread goes back unpinned: later tests' feeds would meter on
	// the CPU it was left on (datapathtest.FeedRepeat).
	defer unix.SchedSetaffinity(0, &was) //nolint:errcheck // restoring what it read
	const capacity, sent = 256, 300
	d := openTest(t, capacity)
	for i := range sent {
		var set unix.CPUSet
		set.Set(i % 2)
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			t.Fatal(err)
		}
		if i == 10 {
			// Early on, with most of the cache free, the CPUs hold units
			// in reserve: they are not flows.
			used, _, err := d.Usage()
			if err != nil || used != 10 {
				t.Fatalf("after 10 flows: %d used (%v), want 10", used, err)
			}
		}
		feed(t, d, udp4([4]byte{10, 3, byte(i >> 8), byte(i)}, [4]byte{10, 0, 0, 2}, 1, 2, 0), 1)
	}
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	used, _, err := d.Usage()
	if err != nil {
		t.Fatal(err)
	}
	if st.FlowsCreated != capacity || st.CreateFailFull != sent-capacity || st.CreateFailContention != 0 || used != capacity {
		t.Fatalf("created %d, refused %d full + %d contention, used %d; want %d, %d, 0, %d",
			st.FlowsCreated, st.CreateFailFull, st.CreateFailContention, used, capacity, sent-capacity, capacity)
	}
	if recs := harvestAll(t, d); len(recs) != capacity {
		t.Fatalf("harvested %d flows, want %d", len(recs), capacity)
	}
	if used, _, _ := d.Usage(); used != 0 {
		t.Fatalf("%d used after harvesting everything", used)
	}
}
