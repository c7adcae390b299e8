package show

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/platform"
)

func TestSystemScreens(t *testing.T) {
	var b bytes.Buffer
	Version(&b, VersionView{Arch: "amd64", Version: "1.2", GoVersion: "go1.24", Kernel: "6.12.117+deb12-amd64", Hostname: "tap1",
		SystemUptime: 26*time.Hour + 3*time.Minute, Uptime: 3723400 * time.Millisecond, Persona: "ios",
		Model: "QEMU Standard PC (i440FX + PIIX, 1996)", MemoryKB: 1003896, Serial: "FTX1234A5BC", ReloadReason: "power-on"})
	Platform(&b, PlatformView{Name: "sup720", Description: "Catalyst 6500 Sup720 PFC3", CacheEntries: 131072, TableBytes: 8388608,
		Mask: "interface-full", Ports: map[string]string{"eth2": "generic", "eth1": "native"}})
	IPFlowInterface(&b, []FlowInterface{{Name: "eth1", Ingress: true, Sampler: "s1"}, {Name: "eth2", Ingress: true, Egress: true}})
	MLSNDE(&b, NDEView{Enabled: true, Version: 5, Mask: "full", Destinations: []netip.AddrPort{netip.MustParseAddrPort("192.0.2.10:2055")}, TCPFlagsZeroed: true})
	MLSNDE(&b, NDEView{Version: 9, Mask: "destination"})
	MLSNDE(&b, NDEView{Enabled: true, Version: 5, Mask: "full", Destinations: []netip.AddrPort{netip.MustParseAddrPort("192.0.2.10:2055")},
		Include: platform.NDEFlowFilter{Destination: netip.MustParsePrefix("192.0.2.0/24"), Protocol: 6}, Filtered: 3, FilteredPackets: 28})
	Logging(&b, LoggingView{Size: 4096, Logged: 3, BufferLevel: "debugging", TrapLevel: "informational", TrapLogged: 3,
		Facility: "local5", Source: "Loopback0", SourceState: "192.0.2.1", Lines: []string{"a", "b"}, Hosts: []LoggingHost{
			{Addr: "192.0.2.20", Port: 514, Sent: 3}, {Addr: "2001:db8::20", Port: 5514, Sent: 1, Failed: 2},
			{Addr: "198.51.100.1", Port: 514, NotOpened: "network is unreachable"}}})
	want := `flowtap Software (amd64), Version 1.2
Compiled with go1.24
Kernel: Linux 6.12.117+deb12-amd64

tap1 uptime is 1 day, 2 hours, 3 minutes
flowtapd uptime is 1 hour, 2 minutes
Platform persona: ios
Last reload reason: power-on

QEMU Standard PC (i440FX + PIIX, 1996) with 1003896K bytes of memory.
Processor board ID FTX1234A5BC
Platform: sup720 (Catalyst 6500 Sup720 PFC3)
  Flow table: 131072 entries (8388608 bytes), flow mask interface-full
  eth1: XDP native mode
  eth2: XDP generic mode
eth1
 ip flow ingress
 flow-sampler s1
eth2
 ip flow ingress
 ip flow egress
Netflow Data Export enabled
  Exporting flows to 1 destination(s), version 5
    192.0.2.10 (2055)
  Current flow mask is full
  TCP flags exported as 0 (mls nde tcp-flags not configured)
Netflow Data Export disabled
  Exporting flows to 0 destination(s), version 9
  Current flow mask is destination
  TCP flags exported
Netflow Data Export enabled
  Exporting flows to 1 destination(s), version 5
    192.0.2.10 (2055)
  Current flow mask is full
  TCP flags exported
  Netflow Data Export filter:
    Include filter: destination 192.0.2.0 255.255.255.0 protocol tcp
    Exclude filter not configured
  3 flows (28 packets) were not exported, filtered by NDE flow filter
Syslog logging: enabled
    Buffer logging:  level debugging, 3 messages logged
    Trap logging: level informational, 3 message lines logged
        Logging facility: local5
        Logging Source-Interface: Loopback0 (192.0.2.1)
        Logging to 192.0.2.20  (udp port 514), 3 message lines logged
        Logging to 2001:db8::20  (udp port 5514), 1 message lines logged, 2 message lines failed
        Logging to 198.51.100.1  (udp port 514, not opened: network is unreachable), 0 message lines logged

Log Buffer (4096 bytes):

a
b
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestUptime: show version's uptime in IOS's words, not Go's duration.
func TestUptime(t *testing.T) {
	const day = 24 * time.Hour
	for d, want := range map[time.Duration]string{
		0:                "0 minutes",
		59 * time.Second: "0 minutes",
		time.Minute:      "1 minute",
		time.Hour + 2*time.Minute + 3*time.Second: "1 hour, 2 minutes",
		2 * time.Hour:                      "2 hours, 0 minutes",
		day + 5*time.Minute:                "1 day, 0 hours, 5 minutes",
		15*day + 3*time.Hour + time.Minute: "2 weeks, 1 day, 3 hours, 1 minute",
		400 * day:                          "1 year, 5 weeks, 0 days, 0 hours, 0 minutes",
	} {
		if got := Uptime(d); got != want {
			t.Errorf("Uptime(%v) = %q, want %q", d, got, want)
		}
	}
}
