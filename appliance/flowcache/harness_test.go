package flowcache_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/flowcache/flowcachetest"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// harness runs an engine over the fake datapath and clock; step drives it
// one ager pass at a time.
type harness struct {
	t   *testing.T
	clk *flowcachetest.Clock
	dp  *flowcachetest.Datapath
	rec *flowcachetest.Recorder
	eng *flowcache.Engine
}

func newHarness(t *testing.T, capacity int, configure func(*flowcache.Config)) *harness {
	t.Helper()
	h := &harness{
		t:   t,
		clk: flowcachetest.NewClock(t0),
		dp:  flowcachetest.NewDatapath(capacity),
		rec: &flowcachetest.Recorder{},
	}
	cfg := flowcache.Config{Datapath: h.dp, Sinks: []flowcache.Sink{h.rec}, Clock: h.clk}
	if configure != nil {
		configure(&cfg)
	}
	eng, err := flowcache.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.eng = eng
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	h.clk.WaitTickers(1)
	return h
}

// step advances the clock by d (at least the ager interval) and waits
// until the engine has finished the pass it triggers.
func (h *harness) step(d time.Duration) {
	h.t.Helper()
	before := h.eng.Stats().AgerPolls
	h.clk.Advance(d)
	deadline := time.Now().Add(10 * time.Second)
	for h.eng.Stats().AgerPolls == before {
		if time.Now().After(deadline) {
			h.t.Fatalf("no ager pass after advancing %v", d)
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// steps makes n passes d apart.
func (h *harness) steps(n int, d time.Duration) {
	h.t.Helper()
	for range n {
		h.step(d)
	}
}

// meter counts n packets of size bytes on k at the current time.
func (h *harness) meter(k flow.Key, n int, bytes uint64, flags uint8) {
	h.t.Helper()
	for range n {
		h.dp.Meter(flowcachetest.Packet{Key: k, Bytes: bytes, TCPFlags: flags, Time: h.clk.Now()})
	}
}

func tcpKey(i int, sport, dport uint16) flow.Key {
	return flow.Key{
		SrcAddr: netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}),
		DstAddr: netip.AddrFrom4([4]byte{192, 0, 2, 1}),
		SrcPort: sport, DstPort: dport, Proto: 6, InputIf: 2,
	}
}

func key(i int) flow.Key { return tcpKey(i, uint16(10000+i), 443) }

// short is a record reduced to what the aging tests compare.
type short struct {
	Key            int // index given to key()
	Reason         flow.EndReason
	Packets, Bytes uint64
}

func shorten(t *testing.T, recs []flow.Record) []short {
	t.Helper()
	out := make([]short, len(recs))
	for i, r := range recs {
		b := r.SrcAddr.As4()
		out[i] = short{Key: int(b[2])<<8 | int(b[3]), Reason: r.EndReason, Packets: r.Packets, Bytes: r.Bytes}
	}
	return out
}
