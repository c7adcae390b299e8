package show

import (
	"bytes"
	"testing"
	"time"
)

// TestNTPStatusScreen: `show ntp status` in IOS's words for a clock NTP
// keeps, one whose server stopped answering, and one with no server.
func TestNTPStatusScreen(t *testing.T) {
	when := time.Date(2026, 12, 6, 13, 17, 12, 567e6, time.UTC)
	for _, c := range []struct {
		name string
		v    ClockView
		want string
	}{
		{"synced", ClockView{Synced: true, NTP: NTPStatus{Servers: 1, Server: "10.0.2.2", Stratum: 2, Offset: 120831115834 * time.Nanosecond, When: when}},
			"Clock is synchronized, stratum 3, reference is 10.0.2.2\nreference time is 13:17:12.567 UTC Sun Dec 6 2026\nclock offset is 120831.1158 msec\n"},
		{"lost", ClockView{SyncLost: true, NTP: NTPStatus{Servers: 1, Server: "10.0.2.2", When: when, Err: "no answer"}},
			"Clock is unsynchronized, stratum 16, no reference clock\nlast poll 13:17:12.567 UTC Sun Dec 6 2026: no time from 10.0.2.2 (no answer)\n"},
		{"none", ClockView{},
			"Clock is unsynchronized, stratum 16, no reference clock\nNo NTP server is configured (ntp server ADDRESS)\n"},
		{"not yet", ClockView{NTP: NTPStatus{Servers: 2}},
			"Clock is unsynchronized, stratum 16, no reference clock\nNo NTP server polled yet\n"},
	} {
		var b bytes.Buffer
		NTPStatusScreen(&b, c.v)
		if b.String() != c.want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", c.name, b.String(), c.want)
		}
	}
}
