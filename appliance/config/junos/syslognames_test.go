package junos

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/dnsmasq"
)

// TestSyslogHostName: `system syslog host NAME` resolves as a
// flow-server does (static host mappings, then the name servers: a real
// dnsmasq) and the configuration keeps the address; a name nobody
// resolves is refused with its file:line.
func TestSyslogHostName(t *testing.T) {
	ns := dnsmasq.Addr(22)
	dnsmasq.Start(t, ns, "flowtap.test", map[string]netip.Addr{"syslog.flowtap.test": netip.MustParseAddr("192.0.2.91")})
	src := `set system name-server ` + ns.String() + `
set system domain-name flowtap.test
set system static-host-mapping spare inet 198.51.100.19
set system syslog host syslog any warning
set system syslog host spare port 5514
`
	c, err := Parse("t.set", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Addr{netip.MustParseAddr("192.0.2.91"), netip.MustParseAddr("198.51.100.19")}
	if len(c.Logging.Hosts) != 2 || c.Logging.Hosts[0] != want[0] || c.Logging.Hosts[1] != want[1] {
		t.Errorf("syslog hosts %v, want %v", c.Logging.Hosts, want)
	}
	set := RenderSet(c)
	for _, l := range []string{"set system syslog host 192.0.2.91 any warning", "set system syslog host 198.51.100.19 port 5514"} {
		if !strings.Contains(set, l) {
			t.Errorf("rendered configuration lacks %q:\n%s", l, set)
		}
	}
	_, err = Parse("t.set", []byte("set system name-server "+ns.String()+"\nset system syslog host nosuch.flowtap.test any info\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "t.set:2:") || !strings.Contains(err.Error(), "unknown host") {
		t.Errorf("a syslog host nobody resolves: %v", err)
	}
}
