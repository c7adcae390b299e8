package ios

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
)

var (
	weekdays = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	months   = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September",
		"October", "November", "December"}
)

// clock is `clock timezone NAME HOURS [MINUTES]` and `clock summer-time
// NAME recurring [WEEK DAY MONTH HH:MM WEEK DAY MONTH HH:MM [OFFSET]]`.
func (x *cmd) clock() {
	c := &x.cfg.Clock
	switch x.c.Keyword("summer-time", "timezone") {
	case "timezone":
		if x.neg {
			x.c.Skip()
			c.Zone, c.Offset = "", 0
			return
		}
		name := x.c.Name("WORD", checkZoneName)
		x.touch("clock.zone")
		h, word := x.signed("<-23 - 23>", -23, 23)
		var m uint64
		if x.c.More() {
			m = x.c.Uint(0, 59)
		} else {
			x.c.Offer("<0-59>")
		}
		x.c.End()
		if x.c.Err != nil {
			return
		}
		off := time.Duration(max(h, -h))*time.Hour + time.Duration(m)*time.Minute
		if strings.HasPrefix(word, "-") { // -0 30 is half an hour west
			off = -off
		}
		c.Zone, c.Offset = name, off
	case "summer-time":
		if x.neg {
			x.c.Skip()
			c.Summer = config.SummerTime{}
			return
		}
		var s config.SummerTime
		s.Zone = x.c.Name("WORD", checkZoneName)
		x.touch("clock.summer.zone")
		x.c.Keyword("recurring")
		x.c.Offer("<1-4>", "first", "last")
		if x.c.More() {
			s.Start = x.summerRule()
			s.End = x.summerRule()
			x.c.Offer("<1-1440>")
			if x.c.More() {
				s.Offset = time.Duration(x.c.Uint(1, 1440)) * time.Minute
			}
		}
		x.c.End()
		if x.c.Err == nil {
			c.Summer = s
		}
	}
}

// signed reads a whole number in lo..hi that may carry a minus sign; word
// is as typed.
func (x *cmd) signed(desc string, lo, hi int) (n int, word string) {
	s := x.c.Name(desc, func(w string) error {
		n, err := strconv.Atoi(w)
		if err != nil || n < lo || n > hi {
			return errors.New("")
		}
		return nil
	})
	n, _ = strconv.Atoi(s)
	return n, s
}

// summerRule reads WEEK DAY MONTH HH:MM.
func (x *cmd) summerRule() config.SummerRule {
	var r config.SummerRule
	switch x.c.TryKeyword("first", "last") {
	case "first":
		r.Week = 1
	case "last":
		r.Week = config.LastWeek
	default:
		r.Week = int(x.c.Uint(1, 4))
	}
	d := x.c.Keyword(weekdays...)
	for i, n := range weekdays {
		if n == d {
			r.Day = time.Weekday(i)
		}
	}
	mo := x.c.Keyword(months...)
	for i, n := range months {
		if n == mo {
			r.Month = time.Month(i + 1)
		}
	}
	hm := x.c.Name("hh:mm", func(w string) error {
		_, err := parseHHMM(w)
		return err
	})
	r.At, _ = parseHHMM(hm)
	return r
}

func parseHHMM(w string) (time.Duration, error) {
	h, m, ok := strings.Cut(w, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 || len(m) != 2 {
		return 0, errors.New("want hh:mm")
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, nil
}

// checkZoneName accepts a time zone's name as IOS shows it: letters,
// digits, + and -, up to 7 characters.
func checkZoneName(w string) error {
	if len(w) < 1 || len(w) > 7 {
		return errors.New("a time zone name is 1 to 7 characters")
	}
	for _, r := range w {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+' || r == '-') {
			return errors.New("a time zone name is letters, digits, + and -")
		}
	}
	return nil
}

// passwordEncryption is `[no] service password-encryption`. Turning it
// on shows every line password set as type 7 from then on, as IOS
// encrypts them at once; turning it off leaves them so (IOS decrypts
// none) and only passwords set later are shown in clear.
func (x *cmd) passwordEncryption() {
	x.c.End()
	if x.c.Err != nil {
		return
	}
	x.touch("service.password-encryption")
	if x.neg {
		x.cfg.PasswordEncryption = false
		return
	}
	x.cfg.PasswordEncryption = true
	x.cfg.EnablePassword = x.cfg.EnablePassword.Encrypted()
	x.cfg.Console.Password = x.cfg.Console.Password.Encrypted()
	x.cfg.VTY.Password = x.cfg.VTY.Password.Encrypted()
	for i := range x.cfg.VTY.Ranges {
		x.cfg.VTY.Ranges[i].Password = x.cfg.VTY.Ranges[i].Password.Encrypted()
	}
}

// service is `service timestamps debug|log uptime | datetime [msec]
// [localtime] [show-timezone] [year]`; `no service timestamps debug|log`
// turns those timestamps off. `service timestamps` alone is, as on IOS,
// `service timestamps debug uptime`.
func (x *cmd) service() {
	if x.c.Keyword("password-encryption", "timestamps") == "password-encryption" {
		x.passwordEncryption()
		return
	}
	dst, named := &x.cfg.DebugTimestamps, false
	x.c.Offer("debug", "log")
	if x.c.More() {
		if x.c.Keyword("debug", "log") == "log" {
			dst = &x.cfg.LogTimestamps
		}
		if x.c.Err != nil {
			return
		}
		named = true
	}
	if x.neg {
		x.c.Skip()
		*dst = config.LogTimestamps{Off: true}
		return
	}
	if !x.c.More() {
		// IOS: `service timestamps [debug|log]` alone is uptime.
		if named {
			x.c.Offer("datetime", "uptime")
		}
		*dst = config.LogTimestamps{Uptime: true}
		return
	}
	if x.c.Keyword("datetime", "uptime") == "uptime" {
		x.c.End()
		if x.c.Err == nil {
			*dst = config.LogTimestamps{Uptime: true}
		}
		return
	}
	ts := config.LogTimestamps{NoMsec: true}
	defer x.c.Offer("localtime", "msec", "show-timezone", "year")
	for x.c.More() {
		switch x.c.Keyword("localtime", "msec", "show-timezone", "year") {
		case "localtime":
			ts.Localtime = true
		case "msec":
			ts.NoMsec = false
		case "show-timezone":
			ts.ShowTimezone = true
		case "year":
			ts.Year = true
		}
	}
	if x.c.Err == nil {
		*dst = ts
	}
}

// renderTimestamps writes `service timestamps WHICH ...` (debug or log)
// unless it is the default.
func renderTimestamps(r *iosWriter, which string, ts config.LogTimestamps) {
	switch {
	case ts == config.LogTimestamps{}:
	case ts.Off:
		r.line("no service timestamps %s", which)
	case ts.Uptime:
		r.line("service timestamps %s uptime", which)
	default:
		l := "service timestamps " + which + " datetime"
		for _, f := range []struct {
			on   bool
			word string
		}{{!ts.NoMsec, "msec"}, {ts.Localtime, "localtime"}, {ts.ShowTimezone, "show-timezone"}, {ts.Year, "year"}} {
			if f.on {
				l += " " + f.word
			}
		}
		r.line("%s", l)
	}
}

// renderClock writes the clock lines as IOS does: the minutes always.
func renderClock(r *iosWriter, c config.Clock) {
	if c.Zone != "" {
		h, m := int(c.Offset/time.Hour), int(c.Offset%time.Hour/time.Minute)
		hs := fmt.Sprint(h)
		if c.Offset < 0 && h == 0 {
			hs = "-0"
		}
		r.line("clock timezone %s %s %d", c.Zone, hs, max(m, -m))
	}
	if s := c.Summer; s.Zone != "" {
		l := "clock summer-time " + s.Zone + " recurring"
		if s.Start.Month != 0 {
			l += " " + s.Start.String() + " " + s.End.String()
			if s.Offset != 0 {
				l += fmt.Sprintf(" %d", int(s.Offset/time.Minute))
			}
		}
		r.line("%s", l)
	}
}
