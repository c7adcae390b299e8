package export

import "time"

// Clock supplies the current time. Encoders read it for header times and
// template refresh, caches and exporters for timeouts; tests inject a fake.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

func clockOrSystem(c Clock) Clock {
	if c == nil {
		return SystemClock{}
	}
	return c
}

// UptimeClock is a Clock that also says how long the box has been up by a
// clock that the wall clock's steps do not move. The system clock needs
// none (time.Now carries a monotonic reading, and BootTime one too);
// tests give one to step their wall clock as NTP does.
type UptimeClock interface {
	Clock
	Uptime() time.Duration
}
