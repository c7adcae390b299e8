package datapath

import (
	"fmt"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/internal/testproc"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowtap/flowtap/datapath/datapathtest"
	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
	"golang.org/x/sys/unix"
)

// raceFeed runs frame through the meter perCPU times on each of the
// machine's first two CPUs at once (BPF_PROG_TEST_RUN loops in the
// kernel on the caller's CPU), and returns how long the two runs
// overlapped: the race the sampler must survive.
func raceFeed(t *testing.T, d *Datapath, frame []byte, perCPU uint32) time.Duration {
	t.Helper()
	return racePaced(t, d, frame, perCPU, perCPU, 0)
}

// racePaced is raceFeed in chunks of chunk packets, gap apart: a steady
// rate from each CPU over several seconds.
func racePaced(t *testing.T, d *Datapath, frame []byte, perCPU, chunk uint32, gap time.Duration) time.Duration {
	t.Helper()
	if runtime.NumCPU() < 2 {
		t.Skip("needs two CPUs to race")
	}
	var wg, ready sync.WaitGroup
	ready.Add(2)
	start := make(chan struct{})
	spans := make([][2]time.Time, 2)
	errs := make([]error, 2)
	for cpu := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Locked to the end: the thread ends with the goroutine, and
			// its pin with it (feeds on a thread left pinned would meter
			// on that CPU: datapathtest.FeedRepeat).
			runtime.LockOSThread()
			var set unix.CPUSet
			set.Set(cpu)
			err := unix.SchedSetaffinity(0, &set)
			ready.Done() // running on its CPU (or failed): both start together
			if err != nil {
				errs[cpu] = fmt.Errorf("pin to CPU %d: %w", cpu, err)
				return
			}
			<-start
			spans[cpu][0] = time.Now()
			// The kernel caps one test run's repeat; loop in chunks.
			next := time.Now()
			for left := perCPU; left > 0; {
				n := min(left, chunk, 50_000)
				if _, err := datapathtest.FeedRepeat(d.objs.FlowtapMeter, frame, 1, n); err != nil {
					errs[cpu] = err
					return
				}
				left -= n
				if gap > 0 {
					next = next.Add(gap)
					time.Sleep(time.Until(next))
				}
			}
			spans[cpu][1] = time.Now()
		}()
	}
	ready.Wait()
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	end, begin := spans[0][1], spans[0][0]
	if spans[1][1].Before(end) {
		end = spans[1][1]
	}
	if spans[1][0].After(begin) {
		begin = spans[1][0]
	}
	overlap := end.Sub(begin)
	t.Logf("CPU 0 ran %v, CPU 1 ran %v, overlapping %v", spans[0][1].Sub(spans[0][0]), spans[1][1].Sub(spans[1][0]), overlap)
	return overlap
}

// raced runs reset then run until the two CPUs' runs overlap: on a busy
// machine a pinned thread may wait for its CPU past the other's run, and
// then no race was tested.
func raced(t *testing.T, reset func() error, run func() time.Duration) {
	t.Helper()
	for try := 0; try < 5; try++ {
		if err := reset(); err != nil {
			t.Fatal(err)
		}
		if run() > 0 {
			return
		}
	}
	t.Fatal("in 5 tries the two CPUs' runs never overlapped: no race was tested")
}

// TestSamplerPPSCapRace: two CPUs feed a burst of 10x a sampler's cap at
// once. The window word is changed only by compare-and-swap, so no
// window takes more than the cap; a CPU that loses every try gives its
// packet up and counts it, so every packet is taken or capped, and a
// saturated window takes at least the cap less those.
func TestSamplerPPSCapRace(t *testing.T) {
	d := openTest(t, 4096)
	const capPPS, perCPU = 20_000, 100_000 // 10x the cap in all
	if err := d.SetPortSelect(1, PortSelect{Sampler: 7}); err != nil {
		t.Fatal(err)
	}
	raced(t, func() error { return d.SetSampler(7, SamplerConfig{Mode: SampleNone, MaxPPS: capPPS}) }, func() time.Duration {
		return raceFeed(t, d, udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1000, 53, 0), perCPU)
	})
	s, err := d.SamplerStats(7)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FIGURE pps cap %d, burst %d on 2 CPUs: %d taken in %d window(s), %d capped, %d lost races", capPPS, 2*perCPU, s.Taken, s.Windows, s.Capped, s.LostRaces)
	if s.Seen != 2*perCPU || s.Taken+s.Capped != s.Seen {
		t.Errorf("sampler %+v: taken and capped do not add up to the %d offered", s, 2*perCPU)
	}
	if s.Windows == 0 || s.Taken > capPPS*s.Windows {
		t.Errorf("%d taken in %d window(s): over the cap of %d", s.Taken, s.Windows, capPPS)
	}
	// The burst lasts well under a second, so its first window is
	// saturated: it takes the cap, less only the races given up.
	if s.Taken+s.LostRaces < capPPS {
		t.Errorf("%d taken + %d lost races: a saturated window took less than the cap of %d", s.Taken, s.LostRaces, capPPS)
	}
	if float64(s.Taken) < 0.95*float64(capPPS*s.Windows) && s.Windows == 1 {
		t.Errorf("%d taken: not within 5%% of the cap of %d", s.Taken, capPPS)
	}
}

// TestSamplerPPSCapSustained: two CPUs offer 10x the cap for about 2.5
// s. Every one-second window is saturated but the last, so the samplers
// take exactly the cap per window: between cap x (windows-1) and
// cap x windows, less only races given up.
func TestSamplerPPSCapSustained(t *testing.T) {
	d := openTest(t, 4096)
	const capPPS = 2_000
	if err := d.SetPortSelect(1, PortSelect{Sampler: 6}); err != nil {
		t.Fatal(err)
	}
	// 1,000 packets per CPU every 100 ms: 20,000 a second in all.
	raced(t, func() error { return d.SetSampler(6, SamplerConfig{Mode: SampleNone, MaxPPS: capPPS}) }, func() time.Duration {
		return racePaced(t, d, udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1000, 53, 0), 25_000, 1_000, 100*time.Millisecond)
	})
	s, err := d.SamplerStats(6)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FIGURE pps cap %d, 10x offered from 2 CPUs for ~2.5 s: %d taken in %d windows, %d capped, %d lost races", capPPS, s.Taken, s.Windows, s.Capped, s.LostRaces)
	if s.Seen != 50_000 || s.Taken+s.Capped != s.Seen {
		t.Errorf("sampler %+v: taken and capped do not add up to the 50000 offered", s)
	}
	if s.Windows < 2 || s.Taken > capPPS*s.Windows || s.Taken+s.LostRaces < capPPS*(s.Windows-1) {
		t.Errorf("%d taken in %d windows: not between %d and %d", s.Taken, s.Windows, capPPS*(s.Windows-1), capPPS*s.Windows)
	}
}

// TestSamplerRunLengthRace: a deterministic 1-in-10 sampler with a
// run-length of 2 takes exactly 3 of every 10 packets with two CPUs
// racing.
func TestSamplerRunLengthRace(t *testing.T) {
	d := openTest(t, 4096)
	const perCPU = 100_000
	if err := d.SetPortSelect(1, PortSelect{Sampler: 5}); err != nil {
		t.Fatal(err)
	}
	frame := udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1000, 53, 0)
	raced(t, func() error {
		return d.SetSampler(5, SamplerConfig{Mode: SampleDeterministic, Interval: 10, RunLength: 2})
	},
		func() time.Duration { return raceFeed(t, d, frame, perCPU) })
	s, err := d.SamplerStats(5)
	if err != nil {
		t.Fatal(err)
	}
	if want := uint64(2 * perCPU * 3 / 10); s.Taken != want || s.Taken+s.Skipped != s.Seen {
		t.Errorf("deterministic 1-in-10, run-length 2: %+v, want %d taken of %d", s, want, 2*perCPU)
	}
}

// TestSamplerPPSCapVethTwoCPUs: the cap with real frames, sent by
// trafgen from two CPUs into a two-queue veth, so the meter runs on both
// CPUs' receive paths (the per-CPU counters say where it ran).
func TestSamplerPPSCapVethTwoCPUs(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs two CPUs")
	}
	collector.RequireTool(t, "trafgen", "netsniff-ng")
	v := testnet.EnterQueues(t, 2)
	liveQdisc(t, v)
	d := openTest(t, 4096)
	p, err := d.Attach(v.Mon, ModeNative, PortSettings{Verdict: platform.Passive, Meter: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Detach(p)
	const capPPS, burst = 2000, 20_000
	if err := d.SetSampler(9, SamplerConfig{Mode: SampleNone, MaxPPS: capPPS}); err != nil {
		t.Fatal(err)
	}
	if err := d.SetPortSelect(v.MonIndex, PortSelect{Sampler: 9}); err != nil {
		t.Fatal(err)
	}
	// Two packets in the configuration, one per CPU (trafgen splits the
	// packets it is given between its CPUs), and no -b: trafgen paces
	// with one CPU only.
	cfg := filepath.Join(t.TempDir(), "two.cfg")
	pkt := "{ eth(da=02:00:00:00:00:01, sa=02:00:00:00:00:02), ipv4(sa=10.0.0.%d, da=198.51.100.7), udp(sp=4000%d, dp=53), fill(0, 18) }\n"
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(pkt, 1, 1)+fmt.Sprintf(pkt, 2, 2)), 0o644); err != nil {
		t.Fatal(err)
	}
	// Two senders can outrun the socket's send buffer (the host's
	// net.core.wmem_default, which a test leaves alone): trafgen then gives
	// up with "Flushing TX_RING failed: Resource temporarily unavailable"
	// part way, on a loaded machine in about one run in three. What it
	// sent still reached the meter, so the meter's frames, once settled,
	// are the burst, and trafgen sends again until there was one.
	args := []string{"-i", cfg, "-o", v.Src, "--cpus", "2", "-n", fmt.Sprint(burst), "-q", "--no-sock-mem"}
	var st Stats
	for st.Frames < burst {
		out, err := testproc.CombinedOutput(exec.Command("trafgen", args...))
		if err != nil && !strings.Contains(string(out), "TX_RING failed: Resource temporarily unavailable") {
			t.Fatalf("trafgen %v: %v\n%s", args, err, out)
		}
		st = settledFrames(t, d)
		if err != nil {
			t.Logf("trafgen gave up on a full send buffer; the meter has seen %d frames", st.Frames)
		}
	}
	sent := st.Frames
	var per []meterMeterStats
	if err := d.objs.Stats.Lookup(uint32(0), &per); err != nil {
		t.Fatal(err)
	}
	var frames []uint64
	for _, c := range per {
		frames = append(frames, c.Frames)
	}
	s, err := d.SamplerStats(9)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FIGURE veth, trafgen on 2 CPUs, frames per CPU %v: cap %d/s, burst %d: %d taken in %d window(s), %d capped, %d lost races",
		frames, capPPS, sent, s.Taken, s.Windows, s.Capped, s.LostRaces)
	for cpu, n := range frames[:2] {
		if n == 0 {
			t.Errorf("CPU %d metered no frame: the meter did not run on two CPUs", cpu)
		}
	}
	if s.Seen != sent || s.Taken+s.Capped != sent || st.MeteredPackets != s.Taken || st.SampledOut != s.Capped {
		t.Errorf("sampler %+v, meter metered %d sampled out %d: do not add up to %d", s, st.MeteredPackets, st.SampledOut, sent)
	}
	if s.Windows == 0 || s.Taken > capPPS*s.Windows {
		t.Errorf("%d taken over %d window(s): over the cap of %d/s", s.Taken, s.Windows, capPPS)
	}
	if s.Taken+s.LostRaces < capPPS || float64(s.Taken) < 0.95*capPPS {
		t.Errorf("%d taken (%d lost races): the saturated first window is not within 5%% of the cap of %d", s.Taken, s.LostRaces, capPPS)
	}
}

// settledFrames waits until the meter's frame count has stopped moving
// for 200 ms (what a generator sent has all been received) and returns
// its counters.
func settledFrames(t *testing.T, d *Datapath) Stats {
	t.Helper()
	var last Stats
	for still := 0; still < 20; {
		time.Sleep(10 * time.Millisecond)
		st, err := d.Stats()
		if err != nil {
			t.Fatal(err)
		}
		if st.Frames == last.Frames {
			still++
		} else {
			still = 0
		}
		last = st
	}
	return last
}
