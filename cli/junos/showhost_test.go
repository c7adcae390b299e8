package junos

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
)

// TestShowHost: `show host NAME` answers from the box's resolver in the
// host utility's words, a name nobody knows as NXDOMAIN and an address
// without a reverse lookup; `?` names the value.
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
show host 192.0.2.9`)
	want := `ops@jtap> show host collector
collector has address 192.0.2.9
ops@jtap> show host nosuch
Host nosuch not found: 3(NXDOMAIN)
ops@jtap> show host 192.0.2.9
Host 192.0.2.9 not found: reverse lookups are not supported
`
	if got != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", got, want)
	}
}
