package datapath

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// clockPair ties the kernel's CLOCK_MONOTONIC (what bpf_ktime_get_ns reads)
// to the wall clock at one instant, so flow times convert exactly.
type clockPair struct {
	monoMs int64
	wall   time.Time
}

func readClocks() (clockPair, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return clockPair{}, fmt.Errorf("read CLOCK_MONOTONIC: %w", err)
	}
	return clockPair{monoMs: ts.Nano() / 1e6, wall: time.Now()}, nil
}

// widen turns the 32-bit millisecond stamp the datapath stores into a
// full monotonic millisecond value; stamps are never 49 days old.
func (c clockPair) widen(ms32 uint32) int64 {
	return c.monoMs - int64(uint32(c.monoMs)-ms32)
}

// wallOf converts a datapath stamp to wall-clock time (ms precision).
func (c clockPair) wallOf(ms32 uint32) time.Time {
	return c.wall.Add(-time.Duration(c.monoMs-c.widen(ms32)) * time.Millisecond).Truncate(time.Millisecond)
}

// stampOf converts a wall-clock time to the datapath's 32-bit stamp.
func (c clockPair) stampOf(t time.Time) uint32 {
	return uint32(c.monoMs - c.wall.Sub(t).Milliseconds())
}
