package show

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// fraction prints n/total as IOS does in the size distribution: ".xxx",
// "1.00" for all of it.
func fraction(n, total uint64) string {
	if total == 0 {
		return ".000"
	}
	if n == total {
		return "1.00"
	}
	s := fmt.Sprintf("%.3f", float64(n)/float64(total))
	return strings.TrimPrefix(s, "0")
}

// perSec is a count spread over an interval, 0 for an empty one.
func perSec(n uint64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func div(a, b uint64) uint64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// hms prints the time since since as IOS prints an elapsed time
// ("never" for zero): hh:mm:ss within a day, then 1d02h, from a week on
// 2w3d and from a year on 1y4w, so that a counter cleared months ago
// does not read 2160:00:00.
func hms(since time.Time, now time.Time) string {
	if since.IsZero() {
		return "never"
	}
	d := now.Sub(since)
	if d < 0 {
		d = 0
	}
	const day, week, year = 24 * time.Hour, 7 * 24 * time.Hour, 365 * 24 * time.Hour
	switch {
	case d >= year:
		return fmt.Sprintf("%dy%dw", d/year, d%year/week)
	case d >= week:
		return fmt.Sprintf("%dw%dd", d/week, d%week/day)
	case d >= day:
		return fmt.Sprintf("%dd%02dh", d/day, d%day/time.Hour)
	}
	s := int(d / time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

// abbrev shortens a count as top talkers print bytes: 349K, 12M.
func abbrev(n uint64) string {
	switch {
	case n >= 10_000_000:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 10_000:
		return fmt.Sprintf("%dK", n/1_000)
	}
	return fmt.Sprint(n)
}

// cut truncates s to width so columns stay aligned.
func cut(s string, width int) string {
	if len(s) > width {
		return s[:width]
	}
	return s
}

func addr(a netip.Addr) string {
	if !a.IsValid() {
		return "0.0.0.0"
	}
	return a.String()
}

// Thousandths is n/total in thousandths, rounded as the screens' fraction
// columns round it, so that SNMP's cnfPSPacketSizeDistribution carries
// the figures `show ip cache flow` prints.
func Thousandths(n, total uint64) uint16 {
	if total == 0 {
		return 0
	}
	f, _ := strconv.ParseFloat(fmt.Sprintf("%.3f", float64(n)/float64(total)), 64)
	return uint16(math.Round(f * 1000))
}
