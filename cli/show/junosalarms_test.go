package show

import (
	"strings"
	"testing"
	"time"
)

func TestSystemAlarmsLayout(t *testing.T) {
	var b strings.Builder
	SystemAlarms(&b, nil)
	at := time.Date(2026, 12, 7, 10, 0, 3, 0, time.UTC)
	SystemAlarms(&b, []Alarm{{Time: at, Class: "Major", Description: "eth1: Link Down"}})
	want := `No alarms currently active
1 alarms currently active
Alarm time               Class  Description
2026-12-07 10:00:03 UTC  Major  eth1: Link Down
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
