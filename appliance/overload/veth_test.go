package overload_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/overload"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/datapath"
	"github.com/flowtap/flowtap/internal/syncbuf"
	"github.com/flowtap/flowtap/internal/testnet"
)

// floodConfig writes a trafgen configuration of 60-byte UDP frames, each
// from a random source: every packet a new flow.
func floodConfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "flood.cfg")
	conf := "{ eth(da=02:00:00:00:00:01, sa=02:00:00:00:00:02), ipv4(sa=10.0.0.0, da=198.51.100.7, sa=drnd()), udp(sp=40000, dp=53), fill(0, 18) }\n"
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// poll calls ok every 20 ms until it holds or a generous deadline passes.
func poll(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestFloodOnVeth runs the real meter natively on a veth with the
// controller driving it: a random-source flood from trafgen into a small
// cache engages overload sampling, which rises to its maximum and is
// logged; when the flood ends it steps back to off. Every frame is
// accounted for: in a flow, refused by the cache, or sampled out.
func TestFloodOnVeth(t *testing.T) {
	if _, err := exec.LookPath("trafgen"); err != nil {
		t.Fatal("trafgen not found: install Debian's netsniff-ng (make deps)")
	}
	v := testnet.Enter(t)
	d, err := datapath.Open(datapath.Options{Entries: 1024})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Attach(v.Mon, datapath.ModeNative, datapath.PortSettings{Verdict: platform.Passive, Meter: true}); err != nil {
		t.Fatal(err)
	}
	var logs syncbuf.Buffer
	var announced []uint32
	announce := make(chan uint32, 64)
	r := overload.NewRunner(overload.Config{Threshold: 5, MaxRate: 8, Interval: 100 * time.Millisecond},
		overload.Datapath{D: d}, func(rate uint32) { announce <- rate }, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	// Bursts of the flood until the rate is at its maximum: trafgen
	// runs to the end of each, so nothing is left sending after.
	cfg := floodConfig(t)
	poll(t, "overload sampling at its maximum, 1 in 8", func() bool {
		if n, err := d.OverloadRate(); err == nil && n == 8 && r.Status().Active {
			return true
		}
		out, err := exec.Command("trafgen", "-i", cfg, "-o", v.Src, "--cpus", "1", "-n", "20000", "-q", "--no-sock-mem").CombinedOutput()
		if err != nil {
			t.Fatalf("trafgen: %v\n%s", err, out)
		}
		return false
	})
	if !strings.Contains(logs.String(), "%FLOW-4-OVERLOAD: Flow cache overloaded (") ||
		!strings.Contains(logs.String(), "sampling 1 in 2 packets") {
		t.Fatalf("no overload log line:\n%s", logs.String())
	}
	poll(t, "overload sampling off after the flood", func() bool {
		n, err := d.OverloadRate()
		return err == nil && n == 0 && !r.Status().Active
	})
	if !strings.Contains(logs.String(), "%FLOW-5-OVERLOAD_END: Flow cache overload ended") {
		t.Fatalf("no log line for the end of the overload:\n%s", logs.String())
	}
	for len(announce) > 0 {
		announced = append(announced, <-announce)
	}
	if want := []uint32{2, 4, 8, 4, 2, 0}; fmt.Sprint(announced) != fmt.Sprint(want) {
		t.Errorf("rates announced %v, want %v", announced, want)
	}

	// Exact accounting: frames = in flows + refused + sampled out.
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	oc, err := d.OverloadCounts()
	if err != nil {
		t.Fatal(err)
	}
	var inFlows, underOverload uint64
	if _, err := d.Harvest(datapath.HarvestRequest{Force: true}, func(rec *flow.Record) {
		inFlows += rec.Packets
		if rec.SamplerID == datapath.OverloadSamplerBase {
			underOverload += rec.Packets
		}
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("frames %d: in flows %d (%d under overload), refused %d, sampled out %d (overload %d, taken %d); status %+v",
		st.Frames, inFlows, underOverload, st.CreateFailPackets, st.SampledOut, oc.SampledOut, oc.Taken, r.Status())
	if st.Frames == 0 || inFlows+st.CreateFailPackets+st.SampledOut != st.Frames || st.UnparsedTotal() != 0 {
		t.Errorf("frames %d != in flows %d + refused %d + sampled out %d (unparsed %d)",
			st.Frames, inFlows, st.CreateFailPackets, st.SampledOut, st.UnparsedTotal())
	}
	if oc.SampledOut == 0 || oc.SampledOut != st.SampledOut {
		t.Errorf("overload sampled out %d, meter sampled out %d: want equal and non-zero", oc.SampledOut, st.SampledOut)
	}
	if s := r.Status(); s.Entered != 1 || s.SampledOut != oc.SampledOut || s.Time <= 0 {
		t.Errorf("status %+v: want one overload with its %d packets", s, oc.SampledOut)
	}
}

// TestBudgetOnVeth: with a per-packet budget below what the meter costs,
// traffic that fits the cache engages overload sampling too (the runner
// turns on the kernel's BPF run statistics itself), and it ends when the
// traffic does.
func TestBudgetOnVeth(t *testing.T) {
	if _, err := exec.LookPath("trafgen"); err != nil {
		t.Fatal("trafgen not found: install Debian's netsniff-ng (make deps)")
	}
	v := testnet.Enter(t)
	d, err := datapath.Open(datapath.Options{Entries: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Attach(v.Mon, datapath.ModeNative, datapath.PortSettings{Verdict: platform.Passive, Meter: true}); err != nil {
		t.Fatal(err)
	}
	var logs syncbuf.Buffer
	r := overload.NewRunner(overload.Config{Threshold: 100, MaxRate: 4, Interval: 100 * time.Millisecond, Budget: time.Nanosecond},
		overload.Datapath{D: d}, nil, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	// 100 flows over and over: the cache holds them, nothing is refused.
	path := filepath.Join(t.TempDir(), "flows.cfg")
	conf := fmt.Sprintf("{ eth(da=02:00:00:00:00:01, sa=02:00:00:00:00:02), ipv4(sa=10.0.0.0, da=198.51.100.7, sa=dinc(%d, %d)), udp(sp=40000, dp=53), fill(0, 18) }\n", 10<<24, 10<<24+99)
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	poll(t, "overload sampling for the budget", func() bool {
		if r.Status().Active {
			return true
		}
		if out, err := exec.Command("trafgen", "-i", path, "-o", v.Src, "--cpus", "1", "-n", "20000", "-q", "--no-sock-mem").CombinedOutput(); err != nil {
			t.Fatalf("trafgen: %v\n%s", err, out)
		}
		return false
	})
	if !strings.Contains(logs.String(), "per packet over the 1ns budget") {
		t.Errorf("the log does not give the budget as the reason:\n%s", logs.String())
	}
	poll(t, "overload sampling off once the traffic ends", func() bool { return !r.Status().Active })
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.CreateFailPackets != 0 {
		t.Errorf("%d packets refused: the budget alone was to engage it", st.CreateFailPackets)
	}
}
