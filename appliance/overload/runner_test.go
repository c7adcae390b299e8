package overload

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/syncbuf"
)

// fakeMeter is a datapath whose counters the test sets.
type fakeMeter struct {
	r    Reading
	rate uint32
}

func (m *fakeMeter) OverloadReading() (Reading, error) { return m.r, nil }
func (m *fakeMeter) SetOverloadRate(n uint32) error    { m.rate = n; return nil }

// TestRunnerLogs: entering is logged at once, rate changes at most once
// per RateLogEvery (the rate then in force), leaving at once; the meter
// gets the rate every step and the exporters each change.
func TestRunnerLogs(t *testing.T) {
	m := &fakeMeter{}
	var logs syncbuf.Buffer
	var announced []uint32
	r := NewRunner(Config{Threshold: 1, MaxRate: 64, Interval: time.Second}, m, func(n uint32) { announced = append(announced, n) },
		slog.New(slog.NewTextHandler(&logs, nil)))
	now := time.Unix(1000, 0)
	r.now = func() time.Time { return now }
	step := func(metered, refused uint64) {
		now = now.Add(time.Second)
		m.r.Metered += metered
		m.r.Refused += refused
		r.step()
	}
	step(0, 0)
	for range 11 { // 2, 4, 8, 16, 32, then 64 six times
		step(1000, 1000)
	}
	// A lower maximum applies, and is announced, at the next step.
	r.Reconfigure(Config{Threshold: 1, MaxRate: 16, Interval: time.Second})
	step(1000, 1000)
	if m.rate != 16 {
		t.Errorf("after the maximum went down to 16: meter at 1 in %d", m.rate)
	}
	for range 4 { // 8, 4, 2, off
		step(1000, 0)
	}
	if m.rate != 0 {
		t.Errorf("meter left at 1 in %d", m.rate)
	}
	if got, want := fmt.Sprint(announced), "[2 4 8 16 32 64 16 8 4 2 0]"; got != want {
		t.Errorf("announced %s, want %s", got, want)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		i := strings.Index(l, "msg=")
		got = append(got, l[i+4:])
	}
	want := []string{
		`"%FLOW-4-OVERLOAD: Flow cache overloaded (1000 of 1000 packets refused by the cache in 1s): sampling 1 in 2 packets"`,
		// 10 s after entering: the rate then; the steps down come
		// within the next 10 s, so none of them is logged.
		`"%FLOW-5-OVERLOAD_RATE: Flow cache overload: sampling 1 in 64 packets"`,
		`"%FLOW-5-OVERLOAD_END: Flow cache overload ended: sampling off after 15s, 0 packets sampled out for overload in all"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
