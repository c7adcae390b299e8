package pipeline

import (
	"encoding/binary"
	"github.com/flowtap/flowtap/appliance/platform"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/datapath"
)

type aggRecorder struct {
	mu   sync.Mutex
	aggs []export.Aggregate
}

func (r *aggRecorder) ExportAggregate(a *export.Aggregate) {
	r.mu.Lock()
	r.aggs = append(r.aggs, *a)
	r.mu.Unlock()
}

// TestAggregationFedFromMainCache: the main cache's expired flows feed a
// protocol-port aggregation cache, whose aggregates sum to what was
// metered, per protocol and port.
func TestAggregationFedFromMainCache(t *testing.T) {
	d := openDatapath(t, 1024)
	aggs := &aggRecorder{}
	cache, err := export.NewAggregationCache(export.AggregationConfig{Scheme: platform.SchemeProtocolPort}, aggs)
	if err != nil {
		t.Fatal(err)
	}
	main := &recorder{}
	p, err := New(Config{Datapath: d, Sinks: []flowcache.Sink{main, AggregationSink{cache}},
		Aging: flowcache.Aging{Inactive: time.Hour}, AgerInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// 10 DNS clients (3 packets each) and 4 web clients (5 each).
	for i := 0; i < 10; i++ {
		feed(t, d, ipv4Frame([4]byte{10, 0, 0, byte(i)}, [4]byte{192, 0, 2, 53}, 17, uint16(30000+i), 53, 0, 30), 3)
	}
	for i := 0; i < 4; i++ {
		feed(t, d, ipv4Frame([4]byte{10, 0, 1, byte(i)}, [4]byte{192, 0, 2, 80}, 6, uint16(40000+i), 80, 0x10, 200), 5)
	}
	if _, err := p.Engine().Flush(); err != nil {
		t.Fatal(err)
	}
	cache.FlushAll()
	type key struct {
		proto uint8
		port  uint16
	}
	got := map[key][2]uint64{}
	for _, a := range aggs.aggs {
		k := key{a.Proto, a.DstPort}
		v := got[k]
		v[0] += a.Packets
		v[1] += a.Flows
		got[k] = v
	}
	if len(main.snapshot()) != 14 {
		t.Fatalf("main cache exported %d flows, want 14", len(main.snapshot()))
	}
	if got[key{17, 53}] != [2]uint64{30, 10} || got[key{6, 80}] != [2]uint64{20, 4} {
		t.Fatalf("protocol-port aggregates %v: want udp/53 30 packets of 10 flows, tcp/80 20 of 4", got)
	}
}

// TestSamplingReachesExporter: the datapath's 1-in-4 deterministic sampler
// is what the v5 header announces.
func TestSamplingReachesExporter(t *testing.T) {
	d := openDatapath(t, 1024)
	if err := d.SetSampling(datapath.Sampling{Mode: datapath.SampleDeterministic, Interval: 4}); err != nil {
		t.Fatal(err)
	}
	boot, err := datapath.BootTime()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	dests, err := export.NewDestinations([]export.DestinationConfig{{
		Collector: l.LocalAddr().(*net.UDPAddr).AddrPort(),
		Encoder:   export.EncoderConfig{Version: export.V5, BootTime: boot, Sampler: ExportSampler(d.Sampling(), 1)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	feed(t, d, ipv4Frame([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 17, 1, 2, 0, 0), 8)
	p, err := New(Config{Datapath: d, Sinks: []flowcache.Sink{dests}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Engine().Flush(); err != nil {
		t.Fatal(err)
	}
	dests.Close()
	buf := make([]byte, 2048)
	l.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := l.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != 24+48 || binary.BigEndian.Uint16(buf[22:]) != 1<<14|4 || binary.BigEndian.Uint32(buf[24+16:]) != 2 {
		t.Fatalf("v5 packet %x: want sampling field 0x4004 and 2 sampled packets", buf[:n])
	}
}
