package snmp

import (
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/syncbuf"
)

// TestRateLimitLoggedLessAsItGoesOn: a manager polling too fast, its
// requests dropped every second for 30 days, is logged at the first drop,
// after 1, 2, 4 ... 64 minutes, then hourly: 726 lines, not one a minute
// (43,200), which left nothing else in show logging. A flood that comes
// back after an hour's quiet is logged at once.
func TestRateLimitLoggedLessAsItGoesOn(t *testing.T) {
	var out syncbuf.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := testConfig(newFakeBackend())
	cfg.Listen, cfg.Logger = nil, slog.New(slog.NewTextHandler(&out, nil))
	cfg.Now = func() time.Time { return now }
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	from := netip.MustParseAddrPort("192.0.2.9:40000")
	start := now
	for ; now.Sub(start) < 30*24*time.Hour; now = now.Add(time.Second) {
		a.logLimited(from)
	}
	const line = `msg="snmp: requests over the rate limit are dropped"`
	if n := strings.Count(out.String(), line); n != 726 {
		t.Errorf("%d lines for 30 days of drops, want 726", n)
	}
	// Each line says since when it counts: the line before.
	var since []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n")[1:9] {
		_, v, _ := strings.Cut(l, "since=")
		since = append(since, strings.TrimPrefix(v, "2026-01-01T"))
	}
	if want := "00:00:00Z 00:01:00Z 00:02:00Z 00:04:00Z 00:08:00Z 00:16:00Z 00:32:00Z 01:04:00Z"; strings.Join(since, " ") != want {
		t.Errorf("logged at %v, want %s", since, want)
	}
	before := strings.Count(out.String(), line)
	now = now.Add(2 * time.Hour)
	a.logLimited(from)
	if strings.Count(out.String(), line) != before+1 {
		t.Error("a flood back after two quiet hours is not logged at once")
	}
}
