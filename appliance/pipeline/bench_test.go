package pipeline

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/datapath"
	"github.com/flowtap/flowtap/datapath/datapathtest"
)

// BenchmarkHarvestToWire: 100K flows in the datapath are harvested,
// encoded as NetFlow v9 and sent to a collector on loopback. The figure is
// the time per 100K flows, i.e. the share of one core a probe needs to
// export 100K flows/s.
func BenchmarkHarvestToWire(b *testing.B) {
	const flows = 100_000
	d, err := datapath.Open(datapath.Options{Entries: 128 << 10})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer sink.Close()
	go func() {
		buf := make([]byte, 65536)
		for {
			if _, err := sink.Read(buf); err != nil {
				return
			}
		}
	}()
	boot, _ := datapath.BootTime()
	dests, err := export.NewDestinations([]export.DestinationConfig{{
		Collector: sink.LocalAddr().(*net.UDPAddr).AddrPort(), QueueLen: 8192,
		Encoder: export.EncoderConfig{Version: export.V9, BootTime: boot},
	}})
	if err != nil {
		b.Fatal(err)
	}
	defer dests.Close()
	frames := make([][]byte, flows)
	for i := range frames {
		frames[i] = ipv4Frame([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}, [4]byte{192, 0, 2, 1}, 17, 1000, 53, 0, 40)
	}
	var perFlow float64
	for i := 0; i < b.N; i++ {
		for _, f := range frames {
			if _, err := datapathtest.Feed(d.Program(), f, 1); err != nil {
				b.Fatal(err)
			}
		}
		start := time.Now()
		n, err := d.Harvest(datapath.HarvestRequest{Force: true}, func(r *flow.Record) { dests.Export(r) })
		if err == nil {
			err = dests.Flush()
		}
		el := time.Since(start)
		if err != nil || n != flows {
			b.Fatalf("harvested %d of %d: %v", n, flows, err)
		}
		perFlow += float64(el.Nanoseconds()) / flows
	}
	perFlow /= float64(b.N)
	st := dests.Stats()[0]
	b.ReportMetric(perFlow, "ns/flow")
	b.ReportMetric(perFlow*flows/1e6, "ms/100K-flows")
	fmt.Printf("\nharvest to wire (v9 over UDP): %.0f ns/flow = %.1f ms per 100K flows = %.1f%% of a core at 100K flows/s (%d packets sent, %d dropped)\n",
		perFlow, perFlow*flows/1e6, perFlow*flows/1e7, st.Packets, st.Dropped)
}
