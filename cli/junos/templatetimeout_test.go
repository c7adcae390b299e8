package junos

import (
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
)

// TestOutputTimeoutUnderTemplateIsRefused: with a flow-server naming a
// version9 template, an output-level flow-active-timeout is refused
// with where the value belongs, and the template's value still runs.
// Before, the line was taken, commit check succeeded and the commit
// dropped it: the operator's timeout vanished without a word.
func TestOutputTimeoutUnderTemplateIsRefused(t *testing.T) {
	base, err := junosconf.Parse("base", []byte(`set system host-name mx1
set flowtap platform cflowd
set chassis fpc 0 sampling-instance S1
set services flow-monitoring version9 template T1 flow-inactive-timeout 15
set services flow-monitoring version9 template T1 ipv4-template
set forwarding-options sampling instance S1 input rate 1
set forwarding-options sampling instance S1 family inet output flow-server 192.0.2.7 port 2055
set forwarding-options sampling instance S1 family inet output flow-server 192.0.2.7 version9 template T1
`))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(f, "ops")
	got := transcript(s, `
configure
set forwarding-options sampling instance S1 family inet output flow-active-timeout 120
show | compare
set services flow-monitoring version9 template T1 flow-active-timeout 120
commit`)
	want := `ops@mx1> configure
Entering configuration mode

[edit]
ops@mx1# set forwarding-options sampling instance S1 family inet output flow-active-timeout 120
set forwarding-options sampling instance S1 family inet output flow-active-timeout 120
error: flow-server 192.0.2.7 uses template T1, whose timeouts apply: set services flow-monitoring version9 template T1 flow-active-timeout 120

[edit]
ops@mx1# show | compare

[edit]
ops@mx1# set services flow-monitoring version9 template T1 flow-active-timeout 120

[edit]
ops@mx1# commit
commit complete
`
	if got != want {
		t.Fatalf("screen:\n%s\nwant:\n%s", got, want)
	}
	if a := f.Running().Cache.Active; a != 120*time.Second {
		t.Errorf("active timeout %v after the template's commit, want 2m0s", a)
	}
}
