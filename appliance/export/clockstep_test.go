package export_test

import (
	"encoding/binary"
	"sync"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
)

// stepClock is a wall clock that NTP can step, and the uptime beside it,
// which no step moves (the kernel's CLOCK_MONOTONIC).
type stepClock struct {
	mu   sync.Mutex
	wall time.Time
	up   time.Duration
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall
}

func (c *stepClock) Uptime() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.up
}

// run lets d pass on both clocks.
func (c *stepClock) run(d time.Duration) {
	c.mu.Lock()
	c.wall, c.up = c.wall.Add(d), c.up+d
	c.mu.Unlock()
}

// step sets the wall clock by d, as ntp server does with --ntp-step.
func (c *stepClock) step(d time.Duration) {
	c.mu.Lock()
	c.wall = c.wall.Add(d)
	c.mu.Unlock()
}

// TestSysUptimeAcrossClockSteps: the exporter opens (its boot instant read
// by the wall clock), then NTP steps the wall clock, and a flow metered
// after the step is exported. The header's sysUptime is the box's uptime,
// as on a router whatever its clock says, and a collector dates the flow
// (unix_secs - (sysUptime - First)) where it was, for v5 and v9, near
// sysUptime's 2^32 wrap too. Before, First and Last were counted from the
// boot instant by the wall clock: a step back past it (a clock kept in
// local time, set right by NTP as the box boots) exported every First,
// Last and v9 sysUptime as 0 until the uptime caught up; a step forward
// moved v9's sysUptime with it, and v5's records off their header (dated
// off by the step, for the life of the exporter).
func TestSysUptimeAcrossClockSteps(t *testing.T) {
	const wrap = 1 << 32 * time.Millisecond
	for _, tc := range []struct {
		name   string
		uptime time.Duration // when the exporter opens
		step   time.Duration
	}{
		{"stepped back 8 hours an hour after boot", time.Hour, -8 * time.Hour},
		{"stepped forward 3 hours", time.Hour, 3 * time.Hour},
		{"stepped back across sysUptime's wrap", wrap - 3*time.Second, -time.Hour},
		{"not stepped, over the wrap", wrap - 3*time.Second, 0},
	} {
		for _, v := range []export.Version{export.V5, export.V9} {
			t.Run(tc.name+"/"+v.String(), func(t *testing.T) {
				wall := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
				clk := &stepClock{wall: wall, up: tc.uptime}
				cfg := export.EncoderConfig{Version: v, BootTime: wall.Add(-tc.uptime), Clock: clk}
				if v == export.V9 {
					cfg = v9Config
					cfg.Sampler, cfg.InterfaceNames = export.Sampler{}, nil
					cfg.BootTime, cfg.Clock = wall.Add(-tc.uptime), clk
				}
				enc, c := newEncoder(t, cfg)
				clk.run(10 * time.Second)
				clk.step(tc.step)
				clk.run(10 * time.Second)
				// A flow of the last 6 s, ended 1.5 s ago, as the harvest
				// dates it: by the wall clock.
				r := tcpRecord()
				r.Start, r.End = clk.Now().Add(-6*time.Second), clk.Now().Add(-1500*time.Millisecond)
				mustAdd(t, enc, r)
				mustFlush(t, enc)
				p := c.pkts[0]
				up, secs := binary.BigEndian.Uint32(p[4:]), binary.BigEndian.Uint32(p[8:])
				var first, last uint32
				var ms int64 // unix_secs and, in v5, unix_nsecs, in milliseconds
				if v == export.V5 {
					first, last = binary.BigEndian.Uint32(p[24+24:]), binary.BigEndian.Uint32(p[24+28:])
					ms = int64(secs)*1000 + int64(binary.BigEndian.Uint32(p[12:]))/1e6
				} else {
					rec := p[len(p)-64:]
					first, last = binary.BigEndian.Uint32(rec[36:]), binary.BigEndian.Uint32(rec[40:])
					ms = int64(secs) * 1000
				}
				// The header is taken at the flush, now, or (v9) at the
				// second after.
				upNow := uint32((clk.Uptime()).Milliseconds())
				if d := up - upNow; d > 1000 {
					t.Errorf("sysUptime %d, want the uptime %d (up to a second after)", up, upNow)
				}
				// A collector subtracts in 32 bits, so a wrap between First
				// and sysUptime does not matter.
				if got, want := ms-int64(up-first), r.Start.UnixMilli(); got != want {
					t.Errorf("collector dates the start at %v, want %v (sysUptime %d, First %d)",
						time.UnixMilli(got).UTC(), r.Start, up, first)
				}
				if got, want := ms-int64(up-last), r.End.UnixMilli(); got != want {
					t.Errorf("collector dates the end at %v, want %v (sysUptime %d, Last %d)",
						time.UnixMilli(got).UTC(), r.End, up, last)
				}
			})
		}
	}
}
