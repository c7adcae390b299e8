package config

import (
	"fmt"
	"time"
)

// Clock is `clock timezone NAME HOURS [MINUTES]` and `clock summer-time
// NAME recurring [...]`: the zone the CLI's wall-clock times are shown
// in. The zero value is UTC, IOS's default. The system clock itself
// stays UTC.
type Clock struct {
	Zone   string        // "" is UTC
	Offset time.Duration // east of UTC, whole minutes, within ±23:59
	Summer SummerTime
}

// SummerTime is `clock summer-time NAME recurring [START END [OFFSET]]`:
// each year from START (in standard time) to END (in summer time) the
// clock runs OFFSET ahead and is named NAME. Zero Start and End are
// IOS's default rules, the United States' since 2007.
type SummerTime struct {
	Zone       string // "" is no summer time
	Start, End SummerRule
	Offset     time.Duration // whole minutes, 1..1440; 0 is DefaultSummerOffset
}

// SummerRule is one end of the summer: WEEK DAY MONTH HH:MM.
type SummerRule struct {
	Week  int // 1..4, or LastWeek
	Day   time.Weekday
	Month time.Month    // 0: the rule is not given (the defaults apply)
	At    time.Duration // time of day, whole minutes
}

// LastWeek is `last` in a summer-time rule.
const LastWeek = 5

// DefaultSummerOffset is what summer time adds unless told.
const DefaultSummerOffset = time.Hour

// US rules, IOS's default for `clock summer-time NAME recurring`.
var (
	usSummerStart = SummerRule{Week: 2, Day: time.Sunday, Month: time.March, At: 2 * time.Hour}
	usSummerEnd   = SummerRule{Week: 1, Day: time.Sunday, Month: time.November, At: 2 * time.Hour}
)

// Rules are the summer's start and end with the defaults filled in.
func (s SummerTime) Rules() (start, end SummerRule, offset time.Duration) {
	start, end, offset = s.Start, s.End, s.Offset
	if start.Month == 0 {
		start, end = usSummerStart, usSummerEnd
	}
	if offset == 0 {
		offset = DefaultSummerOffset
	}
	return start, end, offset
}

// standard is the zone outside summer time.
func (c Clock) standard() *time.Location {
	if c.Zone == "" {
		return time.UTC
	}
	return time.FixedZone(c.Zone, int(c.Offset/time.Second))
}

// In is t on the configured clock: in standard time or, within the
// summer, summer time, the location named as the zone is (its
// abbreviation prints with Go's "MST" layout).
func (c Clock) In(t time.Time) time.Time {
	std := t.In(c.standard())
	if c.Summer.Zone == "" {
		return std
	}
	start, end, offset := c.Summer.Rules()
	y := std.Year()
	// Start is read on the standard clock, end on the summer clock: both
	// as instants.
	from := start.instant(y, c.Offset)
	to := end.instant(y, c.Offset+offset)
	in := !t.Before(from) && t.Before(to)
	if from.After(to) { // southern hemisphere: the summer spans new year
		in = !t.Before(from) || t.Before(to)
	}
	if !in {
		return std
	}
	return t.In(time.FixedZone(c.Summer.Zone, int((c.Offset+offset)/time.Second)))
}

// instant is the rule's moment in year y on a clock offset from UTC.
func (r SummerRule) instant(y int, offset time.Duration) time.Time {
	first := time.Date(y, r.Month, 1, 0, 0, 0, 0, time.UTC)
	day := 1 + (int(r.Day)-int(first.Weekday())+7)%7 // the first such weekday
	if r.Week == LastWeek {
		days := time.Date(y, r.Month+1, 0, 0, 0, 0, 0, time.UTC).Day()
		for day+7 <= days {
			day += 7
		}
	} else {
		day += 7 * (r.Week - 1)
	}
	return time.Date(y, r.Month, day, 0, 0, 0, 0, time.UTC).Add(r.At - offset)
}

// String is the rule as IOS writes it: `last Sun Oct 3:00`.
func (r SummerRule) String() string {
	w := fmt.Sprint(r.Week)
	if r.Week == LastWeek {
		w = "last"
	}
	return fmt.Sprintf("%s %s %s %d:%02d", w, r.Day.String()[:3], r.Month.String()[:3], int(r.At/time.Hour), int(r.At%time.Hour/time.Minute))
}

// LogTimestamps is `service timestamps log|debug datetime [msec]
// [localtime] [show-timezone] [year]`, `service timestamps log|debug
// uptime` or `no service timestamps log|debug`: how log messages (or
// debug messages) are stamped. The zero value is IOS's default for both,
// `datetime msec`.
type LogTimestamps struct {
	Off          bool // no service timestamps log|debug
	Uptime       bool // time since the daemon started
	NoMsec       bool // datetime without msec
	Localtime    bool // the configured clock's zone rather than UTC
	ShowTimezone bool
	Year         bool
}

// ClockSync is how far the clock can be trusted, which IOS marks before
// a time of day it shows (`show clock`, datetime log and debug stamps).
// The zero value marks nothing.
type ClockSync uint8

const (
	ClockSynced   ClockSync = iota // a time source (NTP) keeps it: no mark
	ClockUnset                     // no time source has set it: "*", not authoritative
	ClockSyncLost                  // NTP set it but is not synchronised now: "."
)

// Mark is the character IOS writes before a time of day.
func (s ClockSync) Mark() string {
	switch s {
	case ClockUnset:
		return "*"
	case ClockSyncLost:
		return "."
	}
	return ""
}

// Stamp writes t (the daemon up for up) as a message's timestamp, without
// the colon after it; "" with timestamps off. A time of day carries the
// clock's mark (sync); uptime does not depend on the clock, so it has
// none.
func (s LogTimestamps) Stamp(t time.Time, up time.Duration, c Clock, sync ClockSync) string {
	switch {
	case s.Off:
		return ""
	case s.Uptime:
		return uptimeStamp(up)
	}
	if s.Localtime {
		t = c.In(t)
	} else {
		t = t.UTC()
	}
	layout := "Jan _2"
	if s.Year {
		layout += " 2006"
	}
	layout += " 15:04:05"
	if !s.NoMsec {
		layout += ".000"
	}
	if s.ShowTimezone {
		layout += " MST"
	}
	return sync.Mark() + t.Format(layout)
}

// uptimeStamp is IOS's uptime timestamp: hh:mm:ss within a day, then
// 1d02h, then 1w2d.
func uptimeStamp(up time.Duration) string {
	s := int64(up / time.Second)
	d, h := s/86400, s%86400/3600
	switch {
	case d >= 7:
		return fmt.Sprintf("%dw%dd", d/7, d%7)
	case d >= 1:
		return fmt.Sprintf("%dd%02dh", d, h)
	}
	return fmt.Sprintf("%02d:%02d:%02d", h, s%3600/60, s%60)
}

// check refuses a clock IOS could not have been told.
func (c Clock) check() error {
	day := 24 * time.Hour
	switch {
	case c.Zone == "" && c.Offset != 0:
		return fmt.Errorf("a time zone offset needs a name")
	case c.Offset <= -day || c.Offset >= day || c.Offset%time.Minute != 0:
		return fmt.Errorf("time zone offset %v is not whole minutes within 23:59 of UTC", c.Offset)
	case len(c.Zone) > 7 || len(c.Summer.Zone) > 7:
		return fmt.Errorf("a time zone name is at most 7 characters")
	}
	s := c.Summer
	if s.Offset < 0 || s.Offset > day || s.Offset%time.Minute != 0 {
		return fmt.Errorf("summer-time offset %v is not 1-1440 minutes", s.Offset)
	}
	if (s.Start.Month == 0) != (s.End.Month == 0) {
		return fmt.Errorf("summer-time needs both a start and an end")
	}
	for _, r := range []SummerRule{s.Start, s.End} {
		if r.Month == 0 {
			continue
		}
		if r.Week < 1 || r.Week > LastWeek || r.Day < time.Sunday || r.Day > time.Saturday || r.Month > time.December ||
			r.At < 0 || r.At >= day || r.At%time.Minute != 0 {
			return fmt.Errorf("summer-time rule %+v is not WEEK DAY MONTH HH:MM", r)
		}
	}
	return nil
}

// NextSummer is when summer time next starts and ends after t, each on
// the clock it is read on (`show clock detail`); zero times without
// summer time.
func (c Clock) NextSummer(t time.Time) (start, end time.Time) {
	if c.Summer.Zone == "" {
		return time.Time{}, time.Time{}
	}
	s, e, offset := c.Summer.Rules()
	summer := time.FixedZone(c.Summer.Zone, int((c.Offset+offset)/time.Second))
	y := t.In(c.standard()).Year()
	for i := -1; i <= 1 && (start.IsZero() || end.IsZero()); i++ {
		if at := s.instant(y+i, c.Offset); start.IsZero() && at.After(t) {
			start = at.In(c.standard())
		}
		if at := e.instant(y+i, c.Offset+offset); end.IsZero() && at.After(t) {
			end = at.In(summer)
		}
	}
	return start, end
}
