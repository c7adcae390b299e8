package datapath

import (
	"testing"
	"time"
)

// wallOf must give what the time.Time arithmetic it replaced gave: the
// wall reading moved back by the stamp's age, truncated to the
// millisecond, the same Time (location, no monotonic reading), for stamps
// behind and ahead of the reading, across the 2^32 wrap, with wall times
// off the millisecond and before 1970.
func TestWallOfAsTimeArithmetic(t *testing.T) {
	byTime := func(c clockPair, t32 uint32) time.Time {
		return c.wall.Add(-time.Duration(c.monoNs - c.widen(t32)<<timeShift)).Truncate(time.Millisecond)
	}
	walls := []time.Time{
		time.Now(), // with a monotonic reading, as readClocks takes it
		time.Unix(1_765_000_000, 999_999_999),
		time.Unix(1_765_000_000, 0),
		time.Unix(0, 1_234_567), // a stamp's age takes it before 1970
		time.Unix(-5, 123),
	}
	monos := []int64{1 << 20, 123_456_789_012, 1<<(32+timeShift) + 777, 5<<(32+timeShift) - 3}
	n := 0
	for _, w := range walls {
		for _, m := range monos {
			c := clockPair{monoNs: m, wall: w}
			now := uint32(m >> timeShift)
			for _, d := range []uint32{0, 1, 2, 1000, 1 << 19, aheadWindow - 1, aheadWindow, 1 << 31, 1<<32 - 1} {
				for _, t32 := range []uint32{now - d, now + d} {
					got, want := c.wallOf(t32), byTime(c, t32)
					if got != want || got.Location() != want.Location() {
						t.Fatalf("wall %v mono %d stamp %d: %v (%s), want %v (%s)", w, m, t32, got, got.Location(), want, want.Location())
					}
					n++
				}
			}
		}
	}
	// A clock pair as SpooledRecord rebuilds it from the spool.
	c := clockPair{monoNs: 987_654_321_000, wall: time.Unix(0, time.Now().UnixNano())}
	for t32 := uint32(c.monoNs>>timeShift) - 5000; t32 != uint32(c.monoNs>>timeShift)+5000; t32++ {
		if got, want := c.wallOf(t32), byTime(c, t32); got != want {
			t.Fatalf("stamp %d: %v, want %v", t32, got, want)
		}
		n++
	}
	t.Logf("%d stamps", n)
}
