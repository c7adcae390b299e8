package junos

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
)

// TestShowHost: `show host NAME` answers from the box's resolver in the
// host utility's words, a name nobody knows as NXDOMAIN, an address
// by its reverse name (the static mapping's name here); `?` names the
// value.
func TestShowHost(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\nset system static-host-mapping collector inet 192.0.2.9\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(&fakeBackend{history: []config.Config{base}}, "ops")
	if h := strings.Join(shell{s}.Help("show host "), "\n"); h != "Possible completions:\n  <hostname>           Hostname or address to find" {
		t.Errorf("show host ?:\n%s", h)
	}
	got := transcript(s, `
show host collector
show host nosuch
show host 192.0.2.9
show host 192.0.2.10`)
	want := `ops@jtap> show host collector
collector has address 192.0.2.9
ops@jtap> show host nosuch
Host nosuch not found: 3(NXDOMAIN)
ops@jtap> show host 192.0.2.9
9.2.0.192.in-addr.arpa domain name pointer collector
ops@jtap> show host 192.0.2.10
Host 10.2.0.192.in-addr.arpa. not found: 3(NXDOMAIN)
`
	if got != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", got, want)
	}
}
