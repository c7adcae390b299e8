package ios

import (
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestClockLines: clock timezone, clock summer-time and service
// timestamps read as IOS writes them, render back and take `no`.
func TestClockLines(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{"clock timezone PST -8", "clock timezone PST -8 0"},
		{"clock timezone IST 5 30", "clock timezone IST 5 30"},
		{"clock timezone NST -3 30", "clock timezone NST -3 30"},
		{"clock summer-time PDT recurring", "clock summer-time PDT recurring"},
		{"clock summer-time CEST recurring last Sun Mar 2:00 last Sunday oct 3:00", "clock summer-time CEST recurring last Sun Mar 2:00 last Sun Oct 3:00"},
		{"clock summer-time NZDT recurring last Sun Sep 2:00 first Sun Apr 3:00 30", "clock summer-time NZDT recurring last Sun Sep 2:00 1 Sun Apr 3:00 30"},
		{"service timestamps log datetime msec localtime show-timezone", "service timestamps log datetime msec localtime show-timezone"},
		{"service timestamps log datetime year", "service timestamps log datetime year"},
		{"service timestamps log uptime", "service timestamps log uptime"},
		{"no service timestamps log", "no service timestamps log"},
		{"service timestamps debug datetime msec localtime show-timezone", "service timestamps debug datetime msec localtime show-timezone"},
		{"service timestamps debug datetime", "service timestamps debug datetime"},
		{"service timestamps debug uptime", "service timestamps debug uptime"},
		{"service timestamps debug", "service timestamps debug uptime"},
		{"service timestamps", "service timestamps debug uptime"},
		{"no service timestamps debug", "no service timestamps debug"},
		{"no service timestamps", "no service timestamps debug"},
	} {
		c, err := Parse("t", []byte(tc.in+"\n"))
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		got := RunningConfig(c)
		if !strings.Contains(got, "\n"+tc.out+"\n") {
			t.Errorf("%s rendered:\n%s", tc.in, got)
		}
		back, err := Parse("back", []byte(got))
		if err != nil || back.Clock != c.Clock || back.LogTimestamps != c.LogTimestamps || back.DebugTimestamps != c.DebugTimestamps {
			t.Errorf("%s read back: %+v %+v %+v, %v", tc.in, back.Clock, back.LogTimestamps, back.DebugTimestamps, err)
		}
	}
	c, _ := Parse("t", []byte("clock timezone NST -3 30\n"))
	if c.Clock.Offset != -(3*time.Hour + 30*time.Minute) {
		t.Errorf("NST offset %v", c.Clock.Offset)
	}
	s := NewSession(c, "console")
	if h := strings.Join(helpLabels(s.Help("clock timezone PST ")), "|"); h != "  <-23 - 23>" {
		t.Errorf("? after the zone name: %q", h)
	}
	if h := strings.Join(s.Help("clock summer-time PDT recurring last "), "|"); !strings.Contains(h, "Sunday") || !strings.Contains(h, "Saturday") {
		t.Errorf("? after recurring: %q", h)
	}
	for _, l := range []string{"no clock timezone", "no service timestamps log", "default service timestamps log"} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	if s.Config().Clock != (config.Clock{}) {
		t.Errorf("after no clock timezone: %+v", s.Config().Clock)
	}
	for _, bad := range []string{"clock timezone PST -24", "clock timezone PST 1 60", "clock timezone TOOLONGNAME 1",
		"clock summer-time X recurring 5 Sun Mar 2:00 last Sun Oct 3:00", "clock summer-time X recurring last Sun Mar 2:00",
		"clock summer-time X recurring last Sun Mar 25:00 last Sun Oct 3:00", "service timestamps log datetime sometimes",
		"service timestamps debug datetime sometimes", "service timestamps trace uptime", "service timestamps debug uptime msec"} {
		if _, err := Parse("bad", []byte(bad+"\n")); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

// TestClockIn: standard and summer time on both hemispheres, at the
// edges of the summer.
func TestClockIn(t *testing.T) {
	us := config.Clock{Zone: "PST", Offset: -8 * time.Hour, Summer: config.SummerTime{Zone: "PDT"}}
	eu := config.Clock{Zone: "CET", Offset: time.Hour, Summer: config.SummerTime{Zone: "CEST",
		Start: config.SummerRule{Week: config.LastWeek, Day: time.Sunday, Month: time.March, At: 2 * time.Hour},
		End:   config.SummerRule{Week: config.LastWeek, Day: time.Sunday, Month: time.October, At: 3 * time.Hour}}}
	nz := config.Clock{Zone: "NZST", Offset: 12 * time.Hour, Summer: config.SummerTime{Zone: "NZDT",
		Start: config.SummerRule{Week: config.LastWeek, Day: time.Sunday, Month: time.September, At: 2 * time.Hour},
		End:   config.SummerRule{Week: 1, Day: time.Sunday, Month: time.April, At: 3 * time.Hour}}}
	for _, tc := range []struct {
		c    config.Clock
		utc  string
		want string
	}{
		{config.Clock{}, "2026-12-06T04:27:26Z", "04:27:26 UTC"},
		{us, "2026-12-06T04:27:26Z", "20:27:26 PST"},
		{us, "2026-03-08T09:59:59Z", "01:59:59 PST"}, // 8 March 2026 is the second Sunday
		{us, "2026-03-08T10:00:00Z", "03:00:00 PDT"},
		{us, "2026-11-01T08:59:59Z", "01:59:59 PDT"}, // the first Sunday of November
		{us, "2026-11-01T09:00:00Z", "01:00:00 PST"},
		{eu, "2026-03-29T00:59:59Z", "01:59:59 CET"},
		{eu, "2026-03-29T01:00:00Z", "03:00:00 CEST"},
		{eu, "2026-10-25T00:59:59Z", "02:59:59 CEST"},
		{eu, "2026-10-25T01:00:00Z", "02:00:00 CET"},
		{nz, "2026-01-15T00:00:00Z", "13:00:00 NZDT"},
		{nz, "2026-07-15T00:00:00Z", "12:00:00 NZST"},
	} {
		at, _ := time.Parse(time.RFC3339, tc.utc)
		if got := tc.c.In(at).Format("15:04:05 MST"); got != tc.want {
			t.Errorf("%s in %s: %s, want %s", tc.utc, tc.c.Zone, got, tc.want)
		}
	}
	ts := config.LogTimestamps{Localtime: true, ShowTimezone: true, Year: true}
	at, _ := time.Parse(time.RFC3339, "2026-12-06T04:27:26.5Z")
	if got := ts.Stamp(at, 0, us, config.ClockSynced); got != "Dec  5 2026 20:27:26.500 PST" {
		t.Errorf("stamp %q", got)
	}
	if got := (config.LogTimestamps{}).Stamp(at, 0, us, config.ClockSynced); got != "Dec  6 04:27:26.500" {
		t.Errorf("default stamp %q", got)
	}
	// A time of day from a clock no time source set is marked "*", from
	// one NTP set and no longer keeps "."; uptime never is.
	if got := ts.Stamp(at, 0, us, config.ClockUnset); got != "*Dec  5 2026 20:27:26.500 PST" {
		t.Errorf("unset clock's stamp %q", got)
	}
	if got := (config.LogTimestamps{}).Stamp(at, 0, us, config.ClockSyncLost); got != ".Dec  6 04:27:26.500" {
		t.Errorf("lost sync's stamp %q", got)
	}
	if got := (config.LogTimestamps{Off: true}).Stamp(at, 0, us, config.ClockUnset); got != "" {
		t.Errorf("timestamps off: %q", got)
	}
	for up, want := range map[time.Duration]string{90 * time.Second: "00:01:30", 26 * time.Hour: "1d02h", 9 * 24 * time.Hour: "1w2d"} {
		if got := (config.LogTimestamps{Uptime: true}).Stamp(at, up, us, config.ClockUnset); got != want {
			t.Errorf("uptime %v: %q, want %q", up, got, want)
		}
	}
}
