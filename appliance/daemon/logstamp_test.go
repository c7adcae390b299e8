package daemon

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

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
		b.SetTimestamps(c.LogTimestamps, c.Clock)
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
