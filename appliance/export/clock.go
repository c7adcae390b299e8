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
