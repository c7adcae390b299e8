package datapath

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// timeShift is TIME_SHIFT in meter.h: datapath stamps count 2^20 ns.
const timeShift = 20

// clockPair ties the kernel's CLOCK_MONOTONIC (what the datapath's stamps
// count) to the wall clock at one instant, so flow times convert exactly.
type clockPair struct {
	monoNs int64
	wall   time.Time
}

func readClocks() (clockPair, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return clockPair{}, fmt.Errorf("read CLOCK_MONOTONIC: %w", err)
	}
	return clockPair{monoNs: ts.Nano(), wall: time.Now()}, nil
}

// aheadWindow is how far (ticks, about 18 minutes) a stamp may be ahead of
// a clock reading and still be taken as later than it: the datapath goes
// on metering while a harvest pass runs, so an entry it reads may carry a
// packet stamped after the pass read the clock. Read as an age modulo
// 2^32 such a stamp was 52 days old: the flow was expired as idle while
// busy, and exported with its last packet dated 52 days back (a v9
// LAST_SWITCHED before boot; nfdump showed 1970).
const aheadWindow = 1 << 20

// ticksSince is how many ticks stamp t is older than now's stamp: its age
// modulo 2^32 (a stamp more than 52 days old reads a multiple of 52 days
// younger; the harvest empties the table after a longer absence,
// harvest.go's safeWindow), negative for a stamp less than aheadWindow
// ahead of now.
func ticksSince(now, t uint32) int64 {
	if ahead := t - now; ahead < aheadWindow {
		return -int64(ahead)
	}
	return int64(now - t)
}

// widen turns the 32-bit stamp the datapath stores into a full one (see
// ticksSince).
func (c clockPair) widen(t32 uint32) int64 {
	now := c.monoNs >> timeShift
	return now - ticksSince(uint32(now), t32)
}

// wallOf converts a datapath stamp to wall-clock time (ms precision):
// the time the stamp's CLOCK_MONOTONIC reading was, on the wall clock,
// floored to the millisecond. Integer nanoseconds since 1970 rather than
// time.Time's Add and Truncate, which took a quarter of the harvest's CPU
// (two conversions an entry); the result is the same Time, in time.Local
// as c.wall is (readClocks, SpooledRecord): TestWallOfAsTimeArithmetic.
func (c clockPair) wallOf(t32 uint32) time.Time {
	ns := c.wall.UnixNano() - (c.monoNs - c.widen(t32)<<timeShift)
	ms := ns / 1e6
	if ns%1e6 < 0 {
		ms-- // floored, as Truncate does, for a time before 1970
	}
	return time.UnixMilli(ms)
}

// BootTime is the wall-clock instant the datapath's clock (CLOCK_MONOTONIC)
// counts from. Exporters compute sysUptime against it, so a flow's First
// and Last in v5/v9 are exactly the stamps the meter wrote.
func BootTime() (time.Time, error) {
	c, err := readClocks()
	if err != nil {
		return time.Time{}, err
	}
	return c.wall.Add(-time.Duration(c.monoNs)), nil
}
