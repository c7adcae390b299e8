package junos

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
)

// TestSetSecondPortWarns: a Junos operator moves a flow-server to
// another port with `set ... flow-server A port P`; flowtap adds a
// second collector instead, so it says so, with the delete that moves
// it. A set on the port the server has, or a new address, says nothing.
// Before, the line added a double export without a word.
func TestSetSecondPortWarns(t *testing.T) {
	base, err := junosconf.Parse("base", []byte(`set system host-name mx1
set flowtap platform cflowd
set forwarding-options sampling input rate 1
set forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055
`))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(f, "ops")
	got := transcript(s, `
configure
set forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055
set forwarding-options sampling family inet output flow-server 192.0.2.8 port 2055
set forwarding-options sampling family inet output flow-server 192.0.2.7 port 9995
delete forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055
show | display set`)
	want := `ops@mx1> configure
Entering configuration mode

[edit]
ops@mx1# set forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055

[edit]
ops@mx1# set forwarding-options sampling family inet output flow-server 192.0.2.8 port 2055

[edit]
ops@mx1# set forwarding-options sampling family inet output flow-server 192.0.2.7 port 9995
warning: flow-server 192.0.2.7 now exports to port 9995 as well as 2055: each port gets every flow; to move the server instead, delete flow-server 192.0.2.7 port 2055

[edit]
ops@mx1# delete forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055

[edit]
ops@mx1# show | display set
set system host-name mx1
set flowtap platform cflowd
set forwarding-options sampling input rate 1
set forwarding-options sampling family inet output flow-server 192.0.2.8 port 2055
set forwarding-options sampling family inet output flow-server 192.0.2.7 port 9995
`
	if got != want {
		t.Fatalf("screen:\n%s\nwant:\n%s", got, want)
	}
}
