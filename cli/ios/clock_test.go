package ios

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestClockCommands: `clock timezone`, `clock summer-time` and `service
// timestamps debug|log` with their `?` help (and a bad word's caret), the
// running-config lines in IOS's order and `show clock [detail]` on a fixed
// clock (13:23:45.678 UTC, Sunday 22 November 2026).
func TestClockCommands(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	s := NewSession(f, true)
	got := transcript(s, `
show clock
configure terminal
clock ?
clock timezone ?
clock timezone CET ?
clock timezone CET 1 ?
clock timezone CET 1
clock summer-time CEST ?
clock summer-time CEST recurring ?
clock summer-time CEST recurring last ?
clock summer-time CEST recurring last Sun Mar 2:00 last Sun Oct 3:00
service timestamps log datetime ?
service timestamps log datetime msec localtime show-timezone
service timestamps ?
service timestamps debug ?
service timestamps debug datetime sometimes
service timestamps debug datetime localtime
end
show running-config | include clock|service
show clock
show clock detail
configure terminal
clock timezone PST -8
clock summer-time PDT recurring
end
show clock detail`)
	want := `tap1#show clock
*13:23:45.678 UTC Sun Nov 22 2026
tap1#configure terminal
Enter configuration commands, one per line.  End with CNTL/Z.
tap1(config)#clock ?
  summer-time  Configure summer (daylight savings) time
  timezone     Configure time zone
tap1(config)#clock timezone ?
  WORD  name of time zone
tap1(config)#clock timezone CET ?
  <-23 - 23>  Hours offset from UTC
tap1(config)#clock timezone CET 1 ?
  <0-59>  Minutes offset from UTC
  <cr>
tap1(config)#clock timezone CET 1
tap1(config)#clock summer-time CEST ?
  recurring  Configure recurring summer time
tap1(config)#clock summer-time CEST recurring ?
  <1-4>  Week number to start
  first  First week of the month
  last   Last week of the month
  <cr>
tap1(config)#clock summer-time CEST recurring last ?
  Friday     Day of the week
  Monday     Day of the week
  Saturday   Day of the week
  Sunday     Day of the week
  Thursday   Day of the week
  Tuesday    Day of the week
  Wednesday  Day of the week
tap1(config)#clock summer-time CEST recurring last Sun Mar 2:00 last Sun Oct 3:00
tap1(config)#service timestamps log datetime ?
  localtime      Use local time zone for timestamps
  msec           Include milliseconds in timestamp
  show-timezone  Add time zone information to timestamp
  year           Include year in timestamp
  <cr>
tap1(config)#service timestamps log datetime msec localtime show-timezone
tap1(config)#service timestamps ?
  debug  Timestamp debug messages
  log    Timestamp log messages
  <cr>
tap1(config)#service timestamps debug ?
  datetime  Timestamp with date and time
  uptime    Timestamp with system uptime
  <cr>
tap1(config)#service timestamps debug datetime sometimes
                                               ^
% Invalid input detected at '^' marker.
tap1(config)#service timestamps debug datetime localtime
tap1(config)#end
tap1#show running-config | include clock|service
service timestamps debug datetime localtime
service timestamps log datetime msec localtime show-timezone
clock timezone CET 1 0
clock summer-time CEST recurring last Sun Mar 2:00 last Sun Oct 3:00
tap1#show clock
*14:23:45.678 CET Sun Nov 22 2026
tap1#show clock detail
*14:23:45.678 CET Sun Nov 22 2026
No time source
Summer time starts 02:00:00 CET Sun Mar 28 2027
Summer time ends 03:00:00 CEST Sun Oct 31 2027
tap1#configure terminal
Enter configuration commands, one per line.  End with CNTL/Z.
tap1(config)#clock timezone PST -8
tap1(config)#clock summer-time PDT recurring
tap1(config)#end
tap1#show clock detail
*05:23:45.678 PST Sun Nov 22 2026
No time source
Summer time starts 02:00:00 PST Sun Mar 14 2027
Summer time ends 02:00:00 PDT Sun Nov 7 2027
`
	if got != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", got, want)
	}
}
