package show

import (
	"bytes"
	"testing"
	"time"
)

// TestUsersScreen: `show users` in IOS's columns, the asking line marked.
func TestUsersScreen(t *testing.T) {
	var b bytes.Buffer
	Users(&b, []UserLine{
		{Number: 0, Name: "con 0", Idle: 3*time.Hour + 25*time.Second},
		{Number: 1, Name: "vty 0", User: "admin", Idle: 1500 * time.Millisecond, Location: "192.0.2.7", Self: true},
		{Number: 2, Name: "vty 1", User: "noc-operator", Idle: 12*time.Minute + 3*time.Second, Location: "2001:db8::7"},
		{Number: -1, Name: "ctl 0", User: "root"},
	})
	golden(t, "show-users", b.Bytes())
}
