package daemon

import (
	"encoding/binary"
	"net"
	"os"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/datapath"
	"github.com/flowtap/flowtap/datapath/datapathtest"
	"github.com/flowtap/flowtap/internal/testnet"
)

// v5Listener collects NetFlow v5 records' packet counts from a loopback
// socket: what a collector received.
type v5Listener struct {
	conn    *net.UDPConn
	mu      sync.Mutex
	packets uint64
	records int
}

func listenV5(t *testing.T) *v5Listener {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	l := &v5Listener{conn: c}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			count := int(binary.BigEndian.Uint16(buf[2:]))
			l.mu.Lock()
			for i := 0; i < count && 24+48*(i+1) <= n; i++ {
				l.packets += uint64(binary.BigEndian.Uint32(buf[24+48*i+16:]))
				l.records++
			}
			l.mu.Unlock()
		}
	}()
	return l
}

func (l *v5Listener) counts() (uint64, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.packets, l.records
}

func (l *v5Listener) dest(t *testing.T) export.DestinationConfig {
	boot, err := datapath.BootTime()
	if err != nil {
		t.Fatal(err)
	}
	return export.DestinationConfig{Collector: l.conn.LocalAddr().(*net.UDPAddr).AddrPort(),
		Encoder: export.EncoderConfig{Version: export.V5, BootTime: boot}}
}

func waitPackets(t *testing.T, l *v5Listener, want uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, _ := l.counts()
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("collector got %d packets, want %d", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func udpFrame(src byte) []byte {
	b := make([]byte, 14+28)
	b[12], b[13] = 0x08, 0x00
	ip := b[14:]
	ip[0], ip[3], ip[8], ip[9] = 0x45, 28, 64, 17
	copy(ip[12:], []byte{10, 0, 0, src})
	copy(ip[16:], []byte{10, 0, 0, 200})
	return b
}

func feed(t *testing.T, d *Daemon, src byte, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := datapathtest.Feed(d.Datapath().Program(), udpFrame(src), 1); err != nil {
			t.Fatal(err)
		}
	}
}

// TestApplyLive: exporters, mask and cache size change while the daemon
// runs, and every metered packet reaches exactly one collector.
func TestApplyLive(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test loads BPF programs: run it as root (make test does)")
	}
	a, b := listenV5(t), listenV5(t)
	s := Settings{CacheEntries: 1024, Mask: platform.MaskSevenTuple, Aging: flowcache.Aging{Inactive: time.Hour},
		Exports: []export.DestinationConfig{a.dest(t)}}
	d, err := New(Options{}, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	feed(t, d, 1, 3)
	feed(t, d, 2, 4)

	// A mask change purges the cache to the collector in use.
	s.Mask = platform.MaskDestination
	if err := d.Apply(s); err != nil {
		t.Fatal(err)
	}
	waitPackets(t, a, 7)

	// New destination: later flows go to b only, a's exporter is flushed
	// and closed.
	feed(t, d, 3, 5)
	s.Exports = []export.DestinationConfig{b.dest(t)}
	if err := d.Apply(s); err != nil {
		t.Fatal(err)
	}
	feed(t, d, 4, 6) // same destination-only key as the 5 before: one flow of 11

	// A new cache size rebuilds the table: what it held is exported.
	s.CacheEntries = 2048
	if err := d.Apply(s); err != nil {
		t.Fatal(err)
	}
	if got := d.Datapath().Capacity(); got != 2048 {
		t.Fatalf("capacity %d after apply", got)
	}
	waitPackets(t, b, 11)
	feed(t, d, 5, 2)
	if err := d.Close(false); err != nil {
		t.Fatal(err)
	}
	waitPackets(t, b, 13)
	if pa, _ := a.counts(); pa != 7 {
		t.Fatalf("old collector got %d packets after it was replaced, want 7", pa)
	}
}

// TestCloseKeepsPinnedCache: a daemon that exits to be restarted leaves its
// flows in the pinned table; the next one exports them.
func TestCloseKeepsPinnedCache(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test loads BPF programs: run it as root (make test does)")
	}
	pin := testnet.PinDir(t, "daemon-test")
	l := listenV5(t)
	s := Settings{CacheEntries: 1024, Aging: flowcache.Aging{Inactive: time.Hour}, Exports: []export.DestinationConfig{l.dest(t)}}
	d1, err := New(Options{PinDir: pin}, s)
	if err != nil {
		t.Fatal(err)
	}
	d1.Start()
	feed(t, d1, 1, 9)
	if err := d1.Close(true); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if got, _ := l.counts(); got != 0 {
		t.Fatalf("a restart exported %d packets; the cache should stay", got)
	}
	d2, err := New(Options{PinDir: pin}, s)
	if err != nil {
		t.Fatal(err)
	}
	d2.Start()
	feed(t, d2, 1, 1)
	if err := d2.Close(false); err != nil {
		t.Fatal(err)
	}
	waitPackets(t, l, 10)
	if _, recs := l.counts(); recs != 1 {
		t.Fatalf("%d records for one flow that lived across the restart, want 1", recs)
	}
}

// TestApplyKeepsUnchangedExporters: a change that leaves a destination's
// configuration as it was keeps its exporter (socket, sequence numbers,
// counters), even though the settings are derived afresh, boot time
// included; changing one destination opens only that one.
func TestApplyKeepsUnchangedExporters(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test loads BPF programs: run it as root (make test does)")
	}
	a, b, c := listenV5(t), listenV5(t), listenV5(t)
	s := Settings{CacheEntries: 1024, Mask: platform.MaskSevenTuple, Aging: flowcache.Aging{Inactive: time.Hour},
		Exports: []export.DestinationConfig{a.dest(t), b.dest(t)}}
	d, err := New(Options{}, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	defer d.Close(false)
	before := d.Exporters()
	feed(t, d, 1, 3)
	if err := d.Purge(); err != nil {
		t.Fatal(err)
	}
	waitPackets(t, a, 3)
	// A sent packet counts as exported once no ICMP error came back for
	// it (export.ConfirmAfter): wait for the counters before the change.
	deadline := time.Now().Add(5 * time.Second)
	for st := d.ExportStats(); st[0].Records != 1 || st[1].Records != 1; st = d.ExportStats() {
		if time.Now().After(deadline) {
			t.Fatalf("counters before the change: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// The same destinations, derived again (a fresh boot time each time,
	// as SettingsFrom computes it), and another setting changed.
	s.Exports = []export.DestinationConfig{a.dest(t), b.dest(t)}
	s.Aging.Active = 10 * time.Minute
	if err := d.Apply(s); err != nil {
		t.Fatal(err)
	}
	after := d.Exporters()
	if len(after) != 2 || after[0] != before[0] || after[1] != before[1] {
		t.Fatalf("an unrelated change replaced the exporters: %p %p -> %p", before[0], before[1], after)
	}
	if st := d.ExportStats(); st[0].Records != 1 || st[1].Records != 1 {
		t.Fatalf("counters after an unrelated change: %+v", st)
	}

	// Replace b by c: a stays.
	s.Exports = []export.DestinationConfig{a.dest(t), c.dest(t)}
	if err := d.Apply(s); err != nil {
		t.Fatal(err)
	}
	after = d.Exporters()
	if after[0] != before[0] || after[1] == before[1] {
		t.Fatalf("changing the second destination: first %p (was %p), second %p (was %p)", after[0], before[0], after[1], before[1])
	}
	if st := d.ExportStats(); st[0].Records != 1 || st[1].Records != 0 {
		t.Fatalf("counters after changing the second destination: %+v", st)
	}

	// clear ip flow stats: the CLI's counters start again, the exporter's
	// own (SNMP's) go on.
	d.ClearExportStats()
	if st := d.ExportStats(); st[0].Records != 0 || st[0].Packets != 0 {
		t.Fatalf("after clear: %+v", st[0])
	}
	if raw := after[0].Stats(); raw.Records != 1 {
		t.Fatalf("clear reset the exporter's own counter: %+v", raw)
	}
}

// TestSinceClearEveryCounter: clear ip flow stats starts every counter of
// show ip flow export from 0, those added later too.
func TestSinceClearEveryCounter(t *testing.T) {
	var s, base export.Stats
	sv, bv := reflect.ValueOf(&s).Elem(), reflect.ValueOf(&base).Elem()
	n := 0
	for i := range sv.NumField() {
		if sv.Field(i).Kind() == reflect.Uint64 {
			sv.Field(i).SetUint(uint64(10 + i))
			bv.Field(i).SetUint(uint64(i))
			n++
		}
	}
	got := reflect.ValueOf(sinceClear(s, base))
	for i := range got.NumField() {
		if f := got.Field(i); f.Kind() == reflect.Uint64 && f.Uint() != 10 {
			t.Errorf("%s: %d since the clear, want 10", got.Type().Field(i).Name, f.Uint())
		}
	}
	if n < 8 {
		t.Fatalf("only %d counters in export.Stats", n)
	}
}

// TestApplyKeepsUnchangedAggregations: an aggregation cache whose
// configuration did not change is kept (its entries and exporters) when
// another one is added or the main cache's destinations change.
func TestApplyKeepsUnchangedAggregations(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test loads BPF programs: run it as root (make test does)")
	}
	a, b := listenV5(t), listenV5(t)
	agg := func(scheme platform.Scheme, l *v5Listener) Aggregation {
		dc := l.dest(t)
		dc.Encoder.Version, dc.Encoder.Scheme = export.V8, scheme
		return Aggregation{Cache: export.AggregationConfig{Scheme: scheme}, Destinations: []export.DestinationConfig{dc}}
	}
	s := Settings{CacheEntries: 1024, Mask: platform.MaskSevenTuple, Aging: flowcache.Aging{Inactive: time.Hour},
		Aggregations: []Aggregation{agg(platform.SchemeProtocolPort, a)}}
	d, err := New(Options{}, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	defer d.Close(false)
	first := d.aggs[0]
	s.Aggregations = []Aggregation{agg(platform.SchemeProtocolPort, a), agg(platform.SchemeAS, b)}
	s.Exports = []export.DestinationConfig{b.dest(t)}
	if err := d.Apply(s); err != nil {
		t.Fatal(err)
	}
	if len(d.aggs) != 2 || d.aggs[0] != first || d.aggs[1] == first {
		t.Fatalf("aggregation caches after adding one: %v (first was %p)", d.aggs, first)
	}
	s.Aggregations = s.Aggregations[1:]
	if err := d.Apply(s); err != nil {
		t.Fatal(err)
	}
	if len(d.aggs) != 1 || d.aggs[0] == first {
		t.Fatalf("the removed aggregation cache is still there: %v", d.aggs)
	}
}

// TestAggSinceClearEveryCounter: clear ip flow stats starts every counter
// of an aggregation cache's screen from 0, and leaves its gauges.
func TestAggSinceClearEveryCounter(t *testing.T) {
	var s, base export.AggregationStats
	sv, bv := reflect.ValueOf(&s).Elem(), reflect.ValueOf(&base).Elem()
	for i := range sv.NumField() {
		if sv.Field(i).Kind() == reflect.Uint64 {
			sv.Field(i).SetUint(uint64(10 + i))
			bv.Field(i).SetUint(uint64(i))
		}
	}
	s.Entries, s.Capacity, s.Bytes = 3, 4096, 99
	got := aggSinceClear(s, base)
	gv := reflect.ValueOf(got)
	for i := range gv.NumField() {
		if f := gv.Field(i); f.Kind() == reflect.Uint64 && f.Uint() != 10 {
			t.Errorf("%s: %d since the clear, want 10", gv.Type().Field(i).Name, f.Uint())
		}
	}
	if got.Entries != 3 || got.Capacity != 4096 || got.Bytes != 99 {
		t.Errorf("gauges changed: %+v", got)
	}
}

// seqCollector is a v5 collector that notes each packet's flow
// sequence and source port.
type seqCollector struct {
	conn  *net.UDPConn
	mu    sync.Mutex
	seqs  []uint32
	ports []int
}

func newSeqCollector(t *testing.T) *seqCollector {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	sc := &seqCollector{conn: c}
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := c.ReadFromUDP(buf)
			if err != nil {
				return
			}
			if n >= 24 {
				sc.mu.Lock()
				sc.seqs = append(sc.seqs, binary.BigEndian.Uint32(buf[16:]))
				sc.ports = append(sc.ports, from.Port)
				sc.mu.Unlock()
			}
		}
	}()
	return sc
}

// dest is a destination of version v (and scheme, for v8) to sc.
func (sc *seqCollector) dest(t *testing.T, v export.Version, scheme platform.Scheme) export.DestinationConfig {
	t.Helper()
	boot, err := datapath.BootTime()
	if err != nil {
		t.Fatal(err)
	}
	return export.DestinationConfig{Collector: sc.conn.LocalAddr().(*net.UDPAddr).AddrPort(),
		Encoder: export.EncoderConfig{Version: v, Scheme: scheme, BootTime: boot}}
}

// wait returns the sequences and ports of the first n packets.
func (sc *seqCollector) wait(t *testing.T, n int) ([]uint32, []int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		sc.mu.Lock()
		got := len(sc.seqs)
		if got >= n {
			defer sc.mu.Unlock()
			return slices.Clone(sc.seqs[:n]), slices.Clone(sc.ports[:n])
		}
		sc.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("the collector got %d packets, want %d", got, n)
		}
	}
}

// runAcrossChange exports 2 flows, applies change to the settings, then
// exports 2 more, with one v5 destination to sc.
func runAcrossChange(t *testing.T, sc *seqCollector, change func(*export.DestinationConfig)) (before, after []*export.Exporter) {
	t.Helper()
	dest := sc.dest(t, export.V5, platform.SchemeNone)
	s := Settings{CacheEntries: 1024, Mask: platform.MaskSevenTuple, Aging: flowcache.Aging{Inactive: time.Hour},
		Exports: []export.DestinationConfig{dest}}
	d, err := New(Options{}, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close(false) })
	before = d.Exporters()
	feed(t, d, 1, 3)
	feed(t, d, 2, 3)
	if err := d.Purge(); err != nil {
		t.Fatal(err)
	}
	change(&s.Exports[0])
	if err := d.Apply(s); err != nil {
		t.Fatal(err)
	}
	after = d.Exporters()
	feed(t, d, 3, 2)
	feed(t, d, 4, 2)
	if err := d.Purge(); err != nil {
		t.Fatal(err)
	}
	return before, after
}

// TestEncoderChangeKeepsExporter: a change of what a destination's
// packets carry (here the sampler a v5 header names, as a
// flow-sampler-map's rate change does) changes its exporter in place:
// the same exporter, socket and counters, and v5's flow sequence goes
// on, so the collector counts no lost packets. A new exporter started
// the sequence over.
func TestEncoderChangeKeepsExporter(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test loads BPF programs: run it as root (make test does)")
	}
	sc := newSeqCollector(t)
	before, after := runAcrossChange(t, sc, func(d *export.DestinationConfig) {
		d.Encoder.Sampler = export.Sampler{ID: 1, Mode: export.SamplingRandom, Interval: 10}
	})
	if len(after) != 1 || after[0] != before[0] {
		t.Fatalf("a sampler change replaced the exporter: %p -> %v", before[0], after)
	}
	if got := after[0].Config().Encoder.Sampler.Interval; got != 10 {
		t.Errorf("the exporter announces a sampler of 1 in %d, want 10", got)
	}
	// v5's flow sequence counts the flows sent before the packet.
	if seqs, ports := sc.wait(t, 2); seqs[0] != 0 || seqs[1] != 2 || ports[0] != ports[1] {
		t.Errorf("flow sequence %v from ports %v, want [0 2] from one port", seqs, ports)
	}
}

// TestTransportChangeContinuesSequence: a change that needs a new socket
// (the TTL here; the source address, anonymisation alike) reopens the
// exporter, but the new one numbers its packets on from the old one's,
// as IOS's one exporter would.
func TestTransportChangeContinuesSequence(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test loads BPF programs: run it as root (make test does)")
	}
	sc := newSeqCollector(t)
	before, after := runAcrossChange(t, sc, func(d *export.DestinationConfig) { d.TTL = 9 })
	if len(after) != 1 || after[0] == before[0] {
		t.Fatalf("a TTL change kept the exporter %p: it needs a new socket", before[0])
	}
	if seqs, _ := sc.wait(t, 2); seqs[0] != 0 || seqs[1] != 2 {
		t.Errorf("flow sequence %v across the reopen, want [0 2]", seqs)
	}
}

// TestAggregationChangeContinuesSequence: a change of an aggregation
// cache's timeouts replaces the cache and its exporters; the new
// exporter numbers its v8 packets on from the old one's (IOS keeps one
// cache and one sequence), where it started over at 0 and nfcapd counted
// lost packets at each such change.
func TestAggregationChangeContinuesSequence(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test loads BPF programs: run it as root (make test does)")
	}
	sc := newSeqCollector(t)
	agg := Aggregation{Cache: export.AggregationConfig{Scheme: platform.SchemeProtocolPort, InactiveTimeout: time.Hour},
		Destinations: []export.DestinationConfig{sc.dest(t, export.V8, platform.SchemeProtocolPort)}}
	s := Settings{CacheEntries: 1024, Mask: platform.MaskSevenTuple, Aging: flowcache.Aging{Inactive: time.Hour},
		Aggregations: []Aggregation{agg}}
	d, err := New(Options{}, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	feed(t, d, 1, 3)
	if err := d.Purge(); err != nil {
		t.Fatal(err)
	}
	// The new timeout replaces the cache: the old one exports its one
	// aggregate as it closes.
	s.Aggregations[0].Cache.InactiveTimeout = 2 * time.Hour
	if err := d.Apply(s); err != nil {
		t.Fatal(err)
	}
	feed(t, d, 1, 2)
	if err := d.Purge(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(false); err != nil {
		t.Fatal(err)
	}
	if seqs, _ := sc.wait(t, 2); seqs[0] != 0 || seqs[1] != 1 {
		t.Errorf("v8 flow sequence %v across the cache's replacement, want [0 1]", seqs)
	}
}

// TestRemovedDestinationKeepsTotals: show ip flow export's totals are the
// cache's since the last clear; a destination removed after sending
// leaves the datagrams it counted in them (RemovedExportStats), where
// they went back by its share, until `clear ip flow stats`. The flows
// are the cache's ledger's, each once: the 2 flows both destinations
// sent are 2 flows exported (the destinations' sum said 4), before the
// removal and after it.
func TestRemovedDestinationKeepsTotals(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test loads BPF programs: run it as root (make test does)")
	}
	a, b := listenV5(t), listenV5(t)
	s := Settings{CacheEntries: 1024, Mask: platform.MaskSevenTuple, Aging: flowcache.Aging{Inactive: time.Hour},
		Exports: []export.DestinationConfig{a.dest(t), b.dest(t)}}
	d, err := New(Options{}, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	defer d.Close(false)
	feed(t, d, 1, 3)
	feed(t, d, 2, 3)
	if err := d.Purge(); err != nil {
		t.Fatal(err)
	}
	waitPackets(t, b, 6)
	deadline := time.Now().Add(5 * time.Second)
	for st := d.ExportStats(); st[1].Records != 2; st = d.ExportStats() {
		if time.Now().After(deadline) {
			t.Fatalf("counters before the removal: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for st := d.ExportStats(); st[0].Records != 2; st = d.ExportStats() {
		if time.Now().After(deadline) {
			t.Fatalf("counters before the removal: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if c := d.CacheExport(); c.Exported != 2 || c.ExportedPackets != 6 {
		t.Errorf("the cache exported %d flows (%d packets), want 2 (6)", c.Exported, c.ExportedPackets)
	}
	s.Exports = s.Exports[:1]
	if err := d.Apply(s); err != nil {
		t.Fatal(err)
	}
	if r := d.RemovedExportStats(); r.Records != 2 || r.Packets != 1 {
		t.Errorf("the removed destination left %d records in %d packets in the totals, want 2 in 1", r.Records, r.Packets)
	}
	if c := d.CacheExport(); c.Exported != 2 {
		t.Errorf("after the removal the cache exported %d flows, want 2", c.Exported)
	}
	d.ClearExportStats()
	if r := d.RemovedExportStats(); r.Records != 0 || r.Packets != 0 {
		t.Errorf("after clear ip flow stats the removed destination still counts %+v", r)
	}
	if c, total := d.CacheExport(), d.CacheExportTotal(); c.Exported != 0 || total.Exported != 2 {
		t.Errorf("after clear ip flow stats the CLI's flows exported %d (want 0), SNMP's %d (want 2)", c.Exported, total.Exported)
	}
}
