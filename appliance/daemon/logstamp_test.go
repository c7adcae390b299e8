package daemon

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
)

// TestLogTimestamps: messages carry the timestamp `service timestamps log`
// asks for, in UTC unless `localtime`, in the clock's zone (summer time
// included) with it, the zone's name with `show-timezone`, nothing with
// `no service timestamps log`.
func TestLogTimestamps(t *testing.T) {
	at := time.Date(2026, 12, 6, 4, 27, 26, 123e6, time.UTC)
	summer := time.Date(2026, 7, 6, 4, 27, 26, 123e6, time.UTC)
	for _, tc := range []struct {
		config string
		at     time.Time
		want   string
	}{
		{"", at, "Dec  6 04:27:26.123: %SYS-5-CONFIG_I: x"},
		{"clock timezone PST -8\n", at, "Dec  6 04:27:26.123: %SYS-5-CONFIG_I: x"},
		{"clock timezone PST -8\nservice timestamps log datetime msec localtime show-timezone\n", at, "Dec  5 20:27:26.123 PST: %SYS-5-CONFIG_I: x"},
		{"clock timezone PST -8\nclock summer-time PDT recurring\nservice timestamps log datetime localtime show-timezone year\n", summer, "Jul  5 2026 21:27:26 PDT: %SYS-5-CONFIG_I: x"},
		{"service timestamps log datetime msec show-timezone\n", at, "Dec  6 04:27:26.123 UTC: %SYS-5-CONFIG_I: x"},
		{"no service timestamps log\n", at, "%SYS-5-CONFIG_I: x"},
	} {
		c, err := ios.Parse("t", []byte(tc.config))
		if err != nil {
			t.Fatal(err)
		}
		b := NewLogBuffer(4096)
		b.SetTimestamps(c.LogTimestamps, c.DebugTimestamps, c.Clock)
		h := b.Handler(slog.DiscardHandler)
		r := slog.NewRecord(tc.at, slog.LevelInfo, "x", 0)
		r.AddAttrs(slog.String(iosKey, "SYS-5-CONFIG_I"))
		h.Handle(context.Background(), r)
		shown := b.Show()
		if !strings.HasSuffix(shown, "\n"+tc.want+"\n") {
			t.Errorf("%q: show logging ends\n%s\nwant %q", tc.config, shown[strings.LastIndex(shown[:len(shown)-1], "\n")+1:], tc.want)
		}
	}
}

// TestLogTimestampMarksAndDebug: a time of day is marked "*" while no
// time source set the clock and "." once NTP has lost it, as IOS marks
// them; severity 7 (debug) messages take `service timestamps debug`'s
// form, the others `service timestamps log`'s.
func TestLogTimestampMarksAndDebug(t *testing.T) {
	c, err := ios.Parse("t", []byte("service timestamps debug uptime\nservice timestamps log datetime msec year\n"))
	if err != nil {
		t.Fatal(err)
	}
	b := NewLogBuffer(4096)
	b.SetTimestamps(c.LogTimestamps, c.DebugTimestamps, c.Clock)
	var sync config.ClockSync
	b.SetClockSync(func() config.ClockSync { return sync })
	h := b.Handler(slog.DiscardHandler)
	at := time.Date(2026, 12, 6, 4, 27, 26, 123e6, time.UTC)
	last := func(r slog.Record) string {
		h.Handle(context.Background(), r)
		shown := strings.TrimSuffix(b.Show(), "\n")
		return shown[strings.LastIndex(shown, "\n")+1:]
	}
	config5 := func() slog.Record {
		r := slog.NewRecord(at, slog.LevelInfo, "x", 0)
		r.AddAttrs(slog.String(iosKey, "SYS-5-CONFIG_I"))
		return r
	}
	for _, tc := range []struct {
		sync config.ClockSync
		want string
	}{
		{config.ClockUnset, "*Dec  6 2026 04:27:26.123: %SYS-5-CONFIG_I: x"},
		{config.ClockSynced, "Dec  6 2026 04:27:26.123: %SYS-5-CONFIG_I: x"},
		{config.ClockSyncLost, ".Dec  6 2026 04:27:26.123: %SYS-5-CONFIG_I: x"},
	} {
		sync = tc.sync
		if got := last(config5()); got != tc.want {
			t.Errorf("clock %d: %q, want %q", tc.sync, got, tc.want)
		}
	}
	// A debug message: uptime, which no clock state marks.
	sync = config.ClockUnset
	r := slog.NewRecord(b.started.Add(90*time.Second), slog.LevelInfo, "%IPFLOW-7-EXPORT: flow sent", 0)
	if got, want := last(r), "00:01:30: %IPFLOW-7-EXPORT: flow sent"; got != want {
		t.Errorf("debug message: %q, want %q", got, want)
	}
	// `no service timestamps debug` drops its stamp only.
	c2, _ := ios.Parse("t", []byte("no service timestamps debug\n"))
	b.SetTimestamps(c2.LogTimestamps, c2.DebugTimestamps, c2.Clock)
	if got, want := last(r), "%IPFLOW-7-EXPORT: flow sent"; got != want {
		t.Errorf("debug message without debug stamps: %q, want %q", got, want)
	}
	// Made before the debug lines, it is shown before them (the buffer
	// is in time order), once, with the year gone.
	h.Handle(context.Background(), config5())
	if shown, want := b.Show(), "*Dec  6 04:27:26.123: %SYS-5-CONFIG_I: x\n"; strings.Count(shown, want) != 1 || strings.Index(shown, want) > strings.Index(shown, "%IPFLOW-7-EXPORT") {
		t.Errorf("log message: want %q once, before the debug lines:\n%s", want, shown)
	}
}
