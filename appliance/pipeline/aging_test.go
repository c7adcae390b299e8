package pipeline

import (
	"context"
	"encoding/binary"
	"sync"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/datapath"
	"github.com/flowtap/flowtap/datapath/datapathtest"
)

type recorder struct {
	mu   sync.Mutex
	recs []flow.Record
}

func (r *recorder) Export(rec *flow.Record) {
	r.mu.Lock()
	r.recs = append(r.recs, *rec)
	r.mu.Unlock()
}

func (r *recorder) snapshot() []flow.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]flow.Record(nil), r.recs...)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ipv4Frame builds Ethernet/IPv4 with a TCP or UDP header.
func ipv4Frame(src, dst [4]byte, proto uint8, sport, dport uint16, tcpFlags uint8, payload int) []byte {
	l4 := 8
	if proto == 6 {
		l4 = 20
	}
	b := make([]byte, 14+20+l4+payload)
	b[12], b[13] = 0x08, 0x00
	ip := b[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+l4+payload))
	ip[8], ip[9] = 64, proto
	copy(ip[12:], src[:])
	copy(ip[16:], dst[:])
	l := ip[20:]
	binary.BigEndian.PutUint16(l[0:], sport)
	binary.BigEndian.PutUint16(l[2:], dport)
	if proto == 6 {
		l[12] = 5 << 4
		l[13] = tcpFlags
	}
	return b
}

func startPipeline(t *testing.T, d *datapath.Datapath, aging flowcache.Aging) (*recorder, *Pipeline, func()) {
	t.Helper()
	rec := &recorder{}
	p, err := New(Config{Datapath: d, Sinks: []flowcache.Sink{rec}, Aging: aging, AgerInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return rec, p, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("pipeline: %v", err)
		}
	}
}

func openDatapath(t *testing.T, entries int) *datapath.Datapath {
	t.Helper()
	d, err := datapath.Open(datapath.Options{Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func feed(t *testing.T, d *datapath.Datapath, fr []byte, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := datapathtest.Feed(d.Program(), fr, 1); err != nil {
			t.Fatal(err)
		}
	}
}

func sum(recs []flow.Record, match func(*flow.Record) bool) (packets uint64, n int) {
	for i := range recs {
		if match(&recs[i]) {
			packets += recs[i].Packets
			n++
		}
	}
	return packets, n
}

func TestAgingEndToEnd(t *testing.T) {
	d := openDatapath(t, 1024)
	rec, p, stop := startPipeline(t, d, flowcache.Aging{Inactive: time.Second, Active: 0})
	a, b := [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}
	udpFlow := ipv4Frame(a, b, 17, 5000, 53, 0, 20)
	feed(t, d, udpFlow, 5)
	feed(t, d, ipv4Frame(a, b, 6, 40000, 80, 0x02, 0), 1)
	feed(t, d, ipv4Frame(a, b, 6, 40000, 80, 0x10, 100), 3)
	start := time.Now()
	feed(t, d, ipv4Frame(a, b, 6, 40000, 80, 0x11, 0), 1) // FIN

	isTCP := func(r *flow.Record) bool { return r.Proto == 6 }
	isUDP := func(r *flow.Record) bool { return r.Proto == 17 }
	// The FIN ends the TCP flow at the next tick, long before it is idle.
	waitFor(t, "end-of-flow export", 900*time.Millisecond, func() bool { _, n := sum(rec.snapshot(), isTCP); return n == 1 })
	recs := rec.snapshot()
	if pk, _ := sum(recs, isUDP); pk != 0 {
		t.Fatalf("UDP flow exported before its inactive timeout: %+v", recs)
	}
	for _, r := range recs {
		if r.Proto == 6 && (r.EndReason != flow.EndOfFlow || r.Packets != 5 || r.TCPFlags != 0x13) {
			t.Fatalf("TCP record %+v", r)
		}
	}
	// The UDP flow leaves as idle once a second has passed.
	waitFor(t, "idle export", 3*time.Second, func() bool { _, n := sum(rec.snapshot(), isUDP); return n == 1 })
	if time.Since(start) < time.Second {
		t.Fatalf("idle flow exported after %v, before the 1 s inactive timeout", time.Since(start))
	}
	for _, r := range rec.snapshot() {
		if r.Proto == 17 && (r.EndReason != flow.EndIdle || r.Packets != 5) {
			t.Fatalf("UDP record %+v", r)
		}
	}
	if st := p.Engine().Stats(); st.Active != 0 || st.ExpiredTotal() != 2 {
		t.Fatalf("engine stats: active %d, expired %d", st.Active, st.ExpiredTotal())
	}
	stop()
}

func TestActiveTimeoutSplitsAndRestarts(t *testing.T) {
	d := openDatapath(t, 1024)
	rec, _, stop := startPipeline(t, d, flowcache.Aging{Inactive: 10 * time.Second, Active: 500 * time.Millisecond})
	fr := ipv4Frame([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 17, 1, 2, 0, 50)
	// At least 15 rounds (1.5 s: three active timeouts), and on until two
	// splits were exported: a loaded machine may run the ager late.
	const per = 10
	splitsSoFar := func() (n int) {
		for _, r := range rec.snapshot() {
			if r.EndReason == flow.EndActive {
				n++
			}
		}
		return n
	}
	rounds := 0
	for ; rounds < 15 || (splitsSoFar() < 2 && rounds < 600); rounds++ {
		feed(t, d, fr, per)
		time.Sleep(100 * time.Millisecond)
	}
	stop() // the final flush exports the rest as forced
	recs := rec.snapshot()
	var total uint64
	splits := 0
	for i, r := range recs {
		total += r.Packets
		if r.EndReason == flow.EndActive {
			splits++
		}
		if i > 0 && r.Start.Before(recs[i-1].End) {
			t.Errorf("record %d starts %v before the previous one ended %v: counters did not restart", i, r.Start, recs[i-1].End)
		}
	}
	// The last record is the final flush's (forced), unless the ager's
	// tick split the flow after the last packet and before stop: then
	// nothing was left to flush, and the total says nothing was lost.
	if last := recs[len(recs)-1].EndReason; total != uint64(rounds*per) || splits < 2 || last != flow.EndForced && last != flow.EndActive {
		t.Fatalf("%d records (%d active splits), %d packets; want %d packets, >= 2 splits, a forced or active last: %+v", len(recs), splits, total, rounds*per, recs)
	}
}

func TestCacheFullTriggersEmergency(t *testing.T) {
	d := openDatapath(t, 64)
	rec, p, stop := startPipeline(t, d, flowcache.Aging{Inactive: time.Hour})
	p.Engine().SetEmergency(flowcache.Emergency{Mode: flowcache.EmergencyFewFree})
	for i := 0; i < 80; i++ {
		feed(t, d, ipv4Frame([4]byte{10, 1, 0, byte(i)}, [4]byte{10, 0, 0, 2}, 17, 1, 2, 0, 0), 1)
	}
	time.Sleep(50 * time.Millisecond)
	// The ager frees room early although nothing is an hour idle.
	waitFor(t, "emergency expiry", 3*time.Second, func() bool { return len(rec.snapshot()) > 0 })
	for _, r := range rec.snapshot() {
		if r.EndReason != flow.EndNoResource {
			t.Fatalf("emergency expiry reason %v, want lack-of-resources", r.EndReason)
		}
	}
	stop()
	st, _ := d.Stats()
	var exported uint64
	for _, r := range rec.snapshot() {
		exported += r.Packets
	}
	if exported+st.CreateFailPackets != 80 || p.Engine().Stats().AllocFailures != st.CreateFailPackets {
		t.Fatalf("exported %d + creation failures %d != 80 fed (engine alloc failures %d)", exported, st.CreateFailPackets, p.Engine().Stats().AllocFailures)
	}
}
