package main

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/dnsmasq"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestBootManagementNames: the startup-config names its syslog host, NTP
// server and trap receiver by host name; flowtapd resolves them at boot
// on the configured name server (a real dnsmasq) and the running-config
// shows the addresses. A logging host nobody resolves is logged with its
// file:line and why, and every other line applies.
func TestBootManagementNames(t *testing.T) {
	testnet.Enter(t)
	ns := dnsmasq.Addr(61)
	dnsmasq.Start(t, ns, "flowtap.test", map[string]netip.Addr{
		"syslog.flowtap.test": netip.MustParseAddr("192.0.2.61"),
		"ntp1.flowtap.test":   netip.MustParseAddr("192.0.2.62"),
		"nms.flowtap.test":    netip.MustParseAddr("192.0.2.63"),
	})
	d := startDaemon(t, fmt.Sprintf(`hostname e2e
username admin privilege 15 secret letmein
ip domain name flowtap.test
ip name-server %s
logging host nosuch
logging host syslog
ntp server ntp1 prefer
snmp-server community public RO
snmp-server host nms version 2c public
`, ns))
	startup := filepath.Join(d.dir, "startup-config")
	want := fmt.Sprintf(`at=%s:5 line="logging host nosuch" reason="unknown host nosuch`, startup)
	if !strings.Contains(d.log.String(), want) {
		t.Errorf("the boot log lacks %q:\n%s", want, d.log)
	}
	got := d.cli(t, "ios", "show running-config | include ^(logging host|ntp server|snmp-server host)\n")
	if want := "logging host 192.0.2.61\nsnmp-server host 192.0.2.63 version 2c public\nntp server 192.0.2.62 prefer\n"; got != want {
		t.Errorf("running-config:\n%s\nwant:\n%s", got, want)
	}
}
