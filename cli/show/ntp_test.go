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

// TestNTPAssociationsScreen: `show ntp associations` in IOS's columns
// for the server in use, a backup whose reach register shows misses, and
// a server never heard from (IOS's .INIT. line); with no server, only the
// header and the legend.
func TestNTPAssociationsScreen(t *testing.T) {
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	v := ClockView{Synced: true, NTP: NTPStatus{Servers: 3, Poll: 64 * time.Second, Associations: []NTPAssociation{
		{Address: "10.0.2.2", InUse: true, Reach: 0o377, Heard: true, Since: 12*time.Second + 900*time.Millisecond,
			RefID: ".GPS.", Stratum: 1, Delay: ms(0.512), Offset: ms(0.113), Dispersion: ms(0.062)},
		{Address: "192.0.2.123", Reach: 0o356, Heard: true, Since: 1234 * time.Second,
			RefID: "198.51.100.7", Stratum: 2, Delay: ms(23.5), Offset: ms(-1.25), Dispersion: ms(0.4)},
		{Address: "2001:db8::123", Reach: 0},
	}}}
	want := `  address         ref clock       st   when   poll reach  delay  offset   disp
*~10.0.2.2        .GPS.            1     12     64   377  0.512   0.113  0.062
 ~192.0.2.123     198.51.100.7     2   1234     64   356 23.500  -1.250  0.400
 ~2001:db8::123   .INIT.          16      -     64     0  0.000   0.000 16000.
 * sys.peer, # selected, + candidate, - outlyer, x falseticker, ~ configured
`
	var b bytes.Buffer
	NTPAssociations(&b, v)
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	NTPAssociations(&b, ClockView{})
	if want := "  address         ref clock       st   when   poll reach  delay  offset   disp\n * sys.peer, # selected, + candidate, - outlyer, x falseticker, ~ configured\n"; b.String() != want {
		t.Errorf("no server:\n%s", b.String())
	}
}
