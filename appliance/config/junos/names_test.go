package junos

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/dnsmasq"
)

// TestFlowServerHostName: a flow-server may be a host name, resolved as
// the line is entered with the system's static host mappings and name
// servers (a real dnsmasq); the server keeps the address, and the name
// service is shown under system. A link-local server names its link.
func TestFlowServerHostName(t *testing.T) {
	ns := dnsmasq.Addr(21)
	dnsmasq.Start(t, ns, "flowtap.test", map[string]netip.Addr{"cfd.flowtap.test": netip.MustParseAddr("192.0.2.88")})
	src := `set system name-server ` + ns.String() + `
set system domain-name flowtap.test
set system static-host-mapping nfc inet 198.51.100.9
set forwarding-options sampling family inet output flow-server cfd port 2055
set forwarding-options sampling family inet output flow-server nfc port 9995
set forwarding-options sampling family inet output flow-server fe80::9%eth1 port 4739
`
	c, err := Parse("t.set", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range c.Export.Destinations {
		got = append(got, d.Addr.String())
	}
	if strings.Join(got, " ") != "192.0.2.88:2055 198.51.100.9:9995 [fe80::9%eth1]:4739" {
		t.Errorf("flow-servers %v", got)
	}
	set := RenderSet(c)
	for _, l := range []string{"set system domain-name flowtap.test", "set system name-server " + ns.String(),
		"set system static-host-mapping nfc inet 198.51.100.9",
		"flow-server 192.0.2.88 port 2055", "flow-server fe80::9%eth1 port 4739"} {
		if !strings.Contains(set, l) {
			t.Errorf("rendered configuration lacks %q:\n%s", l, set)
		}
	}
	if back, err := Parse("back.set", []byte(set)); err != nil || len(back.Export.Destinations) != 3 || len(back.Names.Hosts) != 1 {
		t.Errorf("read back: %+v, %v", back.Export.Destinations, err)
	}
	if _, err := Parse("t.set", []byte("set system name-server "+ns.String()+"\nset forwarding-options sampling family inet output flow-server nosuch.flowtap.test port 2055\n")); err == nil {
		t.Errorf("a flow-server nobody resolves was taken")
	}
}
