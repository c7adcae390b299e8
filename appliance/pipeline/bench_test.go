package pipeline

import (
	"encoding/binary"
	"fmt"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/spool"
	"github.com/flowtap/flowtap/datapath"
	"github.com/flowtap/flowtap/datapath/datapathtest"
)

// wireConfig is one export configuration BenchmarkHarvestToWire measures.
type wireConfig struct {
	name    string
	metric  string // its part of the benchmark's metric names
	version export.Version
	v6      bool
}

var wireConfigs = []wireConfig{
	{"NetFlow v9, IPv4 flows", "v9-ipv4", export.V9, false},
	{"IPFIX, IPv4 flows", "ipfix-ipv4", export.IPFIX, false},
	{"NetFlow v9, IPv6 flows", "v9-ipv6", export.V9, true},
}

// wireResult is a configuration's figures, averaged over its runs.
type wireResult struct {
	wire, harvest            float64 // ns per flow
	packets, records, perPkt float64 // per run
}

// BenchmarkHarvestToWire measures, per export configuration, what one
// flow costs from the datapath's table to a collector's socket: 100K
// flows are metered (BPF_PROG_TEST_RUN, untimed), then harvested, encoded
// and sent over UDP on loopback to a real socket that reads them, timed
// from the harvest's start until the collector has read the last packet.
// In the same run, the same 100K flows metered again are harvested alone
// (emit does nothing), so the difference is what encoding and sending
// add. Issue 14's harvest target (<= 150 ns/entry) is BenchmarkDatapath's
// harvest figure, a full 256K-entry map; this table is 76% full and was
// filled by a test run per flow, and its harvest costs more per flow.
//
// The sends are unpaced (MaxRate -1): the default pacing (4000 packets/s)
// would make the figure the configured rate, not the cost. The
// collector's receive buffer is forced large enough to hold the whole
// burst, so no packet is lost on loopback; the benchmark checks that it
// read every packet the exporter counts as sent, and that the exporter
// sent a record per flow. Three runs per configuration, averaged, with
// -benchtime 1x (make bench): the figures are printed once, from one b.N.
// Both harvests write each record to the export spool, as the daemon's
// do, and the exporter marks its packets sent in it.
func BenchmarkHarvestToWire(b *testing.B) {
	const (
		flows = 100_000
		reps  = 3
	)
	d, err := datapath.Open(datapath.Options{Entries: 128 << 10})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	// As the daemon harvests: each record goes to the export spool before
	// its entry is freed, and the exporter marks what it sent.
	sp, err := datapath.OpenSpool("", spool.DefaultSlots) // the daemon's kind, unpinned
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	d.SetSpool(sp)
	boot, _ := datapath.BootTime()
	results := make([]wireResult, len(wireConfigs))
	for i := 0; i < b.N; i++ {
		for ci, c := range wireConfigs {
			frames := wireFrames(flows, c.v6)
			var r wireResult
			for range reps {
				meter(b, d, frames)
				start := time.Now()
				n, err := d.Harvest(datapath.HarvestRequest{Force: true}, func(*flow.Record) {})
				el := time.Since(start)
				if err != nil || n != flows {
					b.Fatalf("harvested %d of %d: %v", n, flows, err)
				}
				r.harvest += float64(el.Nanoseconds()) / flows / reps

				meter(b, d, frames)
				w := harvestToWire(b, d, sp, c, boot, flows)
				r.wire += w.ns / flows / reps
				r.packets += float64(w.packets) / reps
				r.records += float64(w.records) / reps
			}
			r.perPkt = r.records / r.packets
			results[ci] = r
		}
	}
	fmt.Printf("\nharvest to wire: 100K flows harvested from a 128K-entry datapath, encoded and sent unpaced over UDP to a\n" +
		"collector socket on loopback that reads them (its goroutine on the same 2 CPUs), timed until it has read the\n" +
		"last packet; harvest alone = the same 100K flows metered again and harvested with nothing done per record,\n" +
		"the baseline of the same run; 3 runs each, averaged:\n")
	fmt.Printf("  %-24s %14s %15s %9s %8s %12s\n", "configuration", "harvest alone", "harvest to wire", "ms/100K", "packets", "flows/packet")
	for ci, c := range wireConfigs {
		r := results[ci]
		fmt.Printf("  %-24s %8.0f ns/fl %9.0f ns/fl %9.1f %8.0f %12.1f\n", c.name, r.harvest, r.wire, r.wire*flows/1e6, r.packets, r.perPkt)
		b.ReportMetric(r.wire, "ns/flow-wire-"+c.metric)
		b.ReportMetric(r.harvest, "ns/flow-harvest-"+c.metric)
	}
	fmt.Printf("  spool appends that waited for room: %d\n", sp.Waits())
	fmt.Printf("  (harvest to wire = harvest + encode + send to a real UDP socket, per flow, wall time; ms/100K of wall time\n" +
		"   per second is the share of a core an exporter of 100K flows/s needs; harvest to wire - harvest alone is\n" +
		"   what encoding and sending add. Issue 14's harvest target, <= 150 ns/entry, is BenchmarkDatapath's\n" +
		"   \"harvest, 256K-entry map\" line: a full map filled in one test run. Harvest alone here is a 128K cache\n" +
		"   76%% full, filled by 100K test runs just before, and costs more per flow. The two IPv4 rows harvest the\n" +
		"   same entries: their difference in harvest alone is this machine's noise)\n")
}

// meter runs each frame through the meter once: a flow per frame.
func meter(b *testing.B, d *datapath.Datapath, frames [][]byte) {
	b.Helper()
	for _, f := range frames {
		if _, err := datapathtest.Feed(d.Program(), f, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// wireRun is one harvest to wire.
type wireRun struct {
	ns               float64 // harvest start to the collector's read of the last packet
	packets, records uint64
}

// harvestToWire harvests d's flows into a new exporter sending to a new
// collector socket, and times it until the collector has read every
// packet the exporter sent.
func harvestToWire(b *testing.B, d *datapath.Datapath, sp *spool.Spool, c wireConfig, boot time.Time, flows int) wireRun {
	b.Helper()
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer sink.Close()
	// The whole burst fits in the collector's buffer, so loopback drops
	// nothing even when the reader is descheduled (SO_RCVBUFFORCE: root,
	// this socket only, the host's limits untouched).
	raw, err := sink.SyscallConn()
	if err != nil {
		b.Fatal(err)
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, 256<<20)
	}); err != nil || serr != nil {
		b.Fatalf("collector socket's receive buffer (SO_RCVBUFFORCE needs root): %v %v", err, serr)
	}
	var got atomic.Uint64
	var last atomic.Int64 // time.Now().UnixNano() of the last read
	go func() {
		buf := make([]byte, 65536)
		for {
			_, err := sink.Read(buf)
			if err != nil {
				return
			}
			last.Store(time.Now().UnixNano())
			got.Add(1)
		}
	}()
	dests, err := export.NewDestinations([]export.DestinationConfig{{
		Collector: sink.LocalAddr().(*net.UDPAddr).AddrPort(), MaxRate: -1,
		Encoder: export.EncoderConfig{Version: c.version, BootTime: boot},
	}})
	if err != nil {
		b.Fatal(err)
	}
	if err := dests.Exporters()[0].UseSpool(sp); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	n, err := d.Harvest(datapath.HarvestRequest{Force: true}, func(r *flow.Record) { dests.Export(r) })
	if err == nil {
		err = dests.Flush()
	}
	if err != nil || n != flows {
		dests.Close()
		b.Fatalf("harvested %d of %d: %v", n, flows, err)
	}
	// Close waits until the sender has sent every queued packet and
	// counted it (after the ICMP-error window), so its counters are
	// final; the time that takes is not measured: the clock stops at the
	// collector's read of the last packet.
	if err := dests.Close(); err != nil {
		b.Fatal(err)
	}
	st := dests.Stats()[0]
	if st.Records != uint64(flows) || st.Errors != 0 || st.Dropped != 0 {
		b.Fatalf("%s: exporter sent %d records of %d flows (%d packets lost to errors, %d dropped)", c.name, st.Records, flows, st.Errors, st.Dropped)
	}
	for deadline := time.Now().Add(10 * time.Second); got.Load() < st.Packets; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("%s: the collector read %d of the %d packets sent", c.name, got.Load(), st.Packets)
		}
	}
	return wireRun{ns: float64(last.Load() - start.UnixNano()), packets: st.Packets, records: st.Records}
}

// wireFrames builds a UDP frame per flow, each from its own source: IPv4
// from 10.0.0.0/8 or IPv6 from 2001:db8::/96.
func wireFrames(flows int, v6 bool) [][]byte {
	frames := make([][]byte, flows)
	for i := range frames {
		if v6 {
			frames[i] = ipv6UDPFrame(uint32(i), 40)
		} else {
			frames[i] = ipv4Frame([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}, [4]byte{192, 0, 2, 1}, 17, 1000, 53, 0, 40)
		}
	}
	return frames
}

// ipv6UDPFrame is Ethernet/IPv6/UDP from 2001:db8::<low> to 2001:db8:1::7.
func ipv6UDPFrame(low uint32, payload int) []byte {
	b := make([]byte, 14+40+8+payload)
	b[12], b[13] = 0x86, 0xdd
	ip := b[14:]
	ip[0] = 0x60
	binary.BigEndian.PutUint16(ip[4:], uint16(8+payload))
	ip[6], ip[7] = 17, 64
	copy(ip[8:], []byte{0x20, 0x01, 0x0d, 0xb8})
	binary.BigEndian.PutUint32(ip[20:], low)
	copy(ip[24:], []byte{0x20, 0x01, 0x0d, 0xb8, 0, 1})
	ip[39] = 7
	l := ip[40:]
	binary.BigEndian.PutUint16(l[0:], 1000)
	binary.BigEndian.PutUint16(l[2:], 53)
	binary.BigEndian.PutUint16(l[4:], uint16(8+payload))
	return b
}
