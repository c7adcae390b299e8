package pipeline

import (
	"context"
	"github.com/flowtap/flowtap/appliance/platform"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/datapath"
	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// burstFrames is one UDP frame for each of n flows (10.x.y.z:sport ->
// 192.0.2.9:53), sent packets times each, sized so bytes differ per flow.
func burstFrames(n, packets int) [][]byte {
	frames := make([][]byte, 0, n*packets)
	for p := 0; p < packets; p++ {
		for i := 0; i < n; i++ {
			src := [4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}
			f := ipv4Frame(src, [4]byte{192, 0, 2, 9}, 17, uint16(1024+i%50000), 53, 0, i%64)
			copy(f, []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}) // unicast MACs: the veth drops a zero source
			frames = append(frames, f)
		}
	}
	return frames
}

// runToCollector meters traffic sent into a veth with the real datapath,
// ages it with the flow cache and exports it as v9 to a live nfcapd. It
// returns what nfcapd stored, what the meter counted and the exporter's
// counters.
type burstRun struct {
	veth  *testnet.Veth
	dp    *datapath.Datapath
	nf    *collector.Nfcapd
	dests *export.Destinations
	pipe  *Pipeline
	stop  func()
}

func startBurstRun(t *testing.T, entries int) *burstRun {
	t.Helper()
	r := &burstRun{veth: testnet.Enter(t)}
	d, err := datapath.Open(datapath.Options{Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	r.dp = d
	port, err := d.Attach(r.veth.Mon, datapath.ModeBest, datapath.PortSettings{Verdict: platform.Passive, Meter: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { port.Release() }) // and keeps the link's descriptor alive until then
	return r
}

// run starts the ager and exporters.
func (r *burstRun) run(t *testing.T, aging flowcache.Aging) {
	t.Helper()
	var err error
	r.nf = collector.StartNfcapd(t)
	r.dests, err = export.NewDestinations([]export.DestinationConfig{{Collector: r.nf.Addr,
		Encoder: export.EncoderConfig{Version: export.V9, BootTime: time.Now().Add(-time.Hour)}}})
	if err != nil {
		t.Fatal(err)
	}
	r.pipe, err = New(Config{Datapath: r.dp, Sinks: []flowcache.Sink{r.dests}, Aging: aging, AgerInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.pipe.Run(ctx) }()
	r.stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("pipeline: %v", err)
		}
		if err := r.dests.Close(); err != nil {
			t.Errorf("close exporters: %v", err)
		}
	}
}

// waitMetered polls the meter until it has seen frames frames (the veth
// may drop some under load: those the meter never saw are not its to
// export) and returns its counters.
func (r *burstRun) waitSettled(t *testing.T) datapath.Stats {
	t.Helper()
	var last datapath.Stats
	for stable := 0; stable < 5; {
		time.Sleep(100 * time.Millisecond)
		st, err := r.dp.Stats()
		if err != nil {
			t.Fatal(err)
		}
		if st.Frames == last.Frames {
			stable++
		} else {
			stable = 0
		}
		last = st
	}
	return last
}

// TestExpiryBurstLosesNothing: 100,000 flows metered from a veth expire
// in the ager's first pass while nfcapd listens. The old exporter had a 64-packet queue and lost
// most of them ("flows failed due to lack of export packet"); the export
// now waits for the collector, so nfcapd stores every metered packet.
func TestExpiryBurstLosesNothing(t *testing.T) {
	const flows, packets = 100000, 3
	r := startBurstRun(t, 262144)
	frames := burstFrames(flows, packets)
	t0 := time.Now()
	r.veth.Send(t, frames)
	st := r.waitSettled(t)
	t.Logf("sent %d frames in %v; meter: %d frames, %d metered, %d flows created, %d creation failures",
		len(frames), time.Since(t0).Round(time.Millisecond), st.Frames, st.MeteredPackets, st.FlowsCreated, st.CreateFailPackets)
	if st.CreateFailPackets != 0 || st.UnparsedTotal() != 0 || st.MeteredPackets != st.Frames {
		t.Fatalf("meter did not meter every frame: %+v", st)
	}
	time.Sleep(time.Second) // every flow idle for longer than the inactive timeout
	r.run(t, flowcache.Aging{Inactive: time.Second, Active: 30 * time.Minute})
	deadline := time.Now().Add(60 * time.Second)
	for {
		used, _, _ := r.dp.Usage()
		s := r.dests.Stats()[0]
		if used == 0 && s.Records+s.LostRecords >= st.FlowsCreated {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("flows not expired and exported in 60 s: %d in the cache, exporter %+v", used, s)
		}
		time.Sleep(200 * time.Millisecond)
	}
	es := r.pipe.Engine().Stats()
	r.stop()
	got, log := r.nf.Stop(t)
	s := r.dests.Stats()[0]
	t.Logf("ager: %d polls, %d flows expired; exporter: %d packets, %d records, %d lost", es.AgerPolls, es.ExpiredTotal(), s.Packets, s.Records, s.LostRecords)
	total := got.Total()
	if total.Packets != st.MeteredPackets || total.Bytes != st.MeteredBytes {
		t.Errorf("nfcapd stored %d packets %d bytes; the meter counted %d packets %d bytes", total.Packets, total.Bytes, st.MeteredPackets, st.MeteredBytes)
	}
	if uint64(len(got)) != st.FlowsCreated || s.Records != st.FlowsCreated || s.LostRecords != 0 || s.Errors != 0 || s.Dropped != 0 {
		t.Errorf("nfcapd has %d tuples, meter created %d flows; exporter %+v", len(got), st.FlowsCreated, s)
	}
	t.Logf("nfcapd: %d tuples, %d packets\n%s", len(got), total.Packets, log)
}
