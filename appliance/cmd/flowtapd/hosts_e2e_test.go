package main

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/dnsmasq"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/mgmt/dhcplease"
)

const hostsLegend = `
Codes: UN - unknown, EX - expired, OK - OK, ?? - revalidate
       temp - temporary, perm - permanent
       NA - Not Applicable None - Not defined

Host                      Port  Flags      Age Type   Address(es)
`

// TestHostsFromDHCPLease: with no `ip name-server` the startup-config's
// collector name resolves on the DHCP lease's server (a real dnsmasq),
// the lease's domain appended; show hosts says where the servers and
// domain came from and lists the answer as a temp entry beside the ip
// host table. A renewal that moves to another server and domain counts
// at the next lookup, without a restart; clear host drops temp entries
// only; a configured name server wins over the lease's; JunOS's show
// host answers from the same resolver.
func TestHostsFromDHCPLease(t *testing.T) {
	testnet.Enter(t)
	a, b := dnsmasq.Addr(51), dnsmasq.Addr(52)
	dnsmasq.Start(t, a, "lease.test", map[string]netip.Addr{"collector.lease.test": netip.MustParseAddr("127.0.0.71")})
	dnsmasq.Start(t, b, "other.test", map[string]netip.Addr{"collector2.other.test": netip.MustParseAddr("127.0.0.72")})
	lf := filepath.Join(t.TempDir(), dhcplease.Name("eth0"))
	lease := dhcplease.Lease{Interface: "eth0", Addr: netip.MustParsePrefix("10.0.2.15/24"), Server: netip.MustParseAddr("10.0.2.2"),
		Obtained: time.Now(), NameServers: []netip.Addr{a}, Domain: "lease.test"}
	if err := dhcplease.Write(lf, lease); err != nil {
		t.Fatal(err)
	}
	d := startDaemonArgs(t, `hostname e2e
username admin privilege 15 secret letmein
ip host spare 192.0.2.55
ip flow-export version 9
ip flow-export destination collector 2055
`, "--dhcp-lease", lf)

	if got, want := d.cli(t, "ios", "show running-config | include ^ip (flow-export destination|name-server|domain|host)\n"),
		"ip host spare 192.0.2.55\nip flow-export destination 127.0.0.71 2055\n"; got != want {
		t.Errorf("running-config:\n%s\nwant:\n%s", got, want)
	}
	want := `Default domain is lease.test (DHCP)
Name/address lookup uses domain service
Name servers are 127.0.53.51 (DHCP)
` + hostsLegend + `spare                     None  (perm, OK)  0   IP    192.0.2.55
collector.lease.test      None  (temp, OK)  0   IP    127.0.0.71
`
	if got := d.cli(t, "ios", "show hosts\n"); got != want {
		t.Errorf("show hosts:\n%s\nwant:\n%s", got, want)
	}

	// Renewal: another server, another domain.
	lease.NameServers, lease.Domain = []netip.Addr{b}, "other.test"
	if err := dhcplease.Write(lf, lease); err != nil {
		t.Fatal(err)
	}
	out := d.cli(t, "ios", "configure terminal\nip flow-export destination collector2 2057\nend\nshow ip flow export | include Destination\n")
	if !strings.Contains(out, "Destination(2)  127.0.0.72 (2057)") {
		t.Errorf("collector2 did not resolve on the renewed lease's server:\n%s", out)
	}
	want = `Default domain is other.test (DHCP)
Name/address lookup uses domain service
Name servers are 127.0.53.52 (DHCP)
` + hostsLegend + `spare                     None  (perm, OK)  0   IP    192.0.2.55
collector.lease.test      None  (temp, OK)  0   IP    127.0.0.71
collector2.other.test     None  (temp, OK)  0   IP    127.0.0.72
`
	if got := d.cli(t, "ios", "show hosts\n"); got != want {
		t.Errorf("show hosts after the renewal:\n%s\nwant:\n%s", got, want)
	}
	if got := d.cli(t, "junos", "show host collector.lease.test\n"); !strings.Contains(got, "collector.lease.test has address 127.0.0.71\n") {
		t.Errorf("junos show host:\n%s", got)
	}
	// A JunOS candidate resolves through the same cache and lease: the
	// flow-server's name is the cached entry, no new one appears.
	out = d.cli(t, "junos", "configure\nset forwarding-options sampling family inet output flow-server collector2 port 2058\ncommit and-quit\nshow configuration forwarding-options\n")
	if !strings.Contains(strings.Join(strings.Fields(out), " "), "flow-server 127.0.0.72 { port 2057; port 2058; }") {
		t.Errorf("junos flow-server collector2:\n%s", out)
	}

	// clear host NAME takes the name as typed (the domain appended), and
	// spares the ip host entry; clear host * takes the rest.
	if got := d.cli(t, "ios", "clear host collector2\nclear host spare\nshow hosts | include temp|perm\n"); got !=
		"       temp - temporary, perm - permanent\n"+
			"spare                     None  (perm, OK)  0   IP    192.0.2.55\n"+
			"collector.lease.test      None  (temp, OK)  0   IP    127.0.0.71\n" {
		t.Errorf("after clear host collector2:\n%s", got)
	}
	if got := d.cli(t, "ios", "clear host *\nshow hosts | include temp,\n"); got != "" {
		t.Errorf("temp entries left after clear host *:\n%s", got)
	}

	// A configured server and domain win over the lease's.
	out = d.cli(t, "ios", fmt.Sprintf("configure terminal\nip name-server %s\nip domain name lease.test\nend\nshow hosts | include ^(Default|Name servers)\n", a))
	if want := "Enter configuration commands, one per line.  End with CNTL/Z.\nDefault domain is lease.test\nName servers are 127.0.53.51\n"; out != want {
		t.Errorf("with ip name-server:\n%s\nwant:\n%s", out, want)
	}
}

// TestBootNameWithoutDNS: a pasted startup-config names its collector but
// the name server it names does not answer at boot. The line is logged
// with its file:line and why, every other line applies (the ip host
// line's collector among them), and the running-config shows addresses
// only, so a write memory saves a configuration that boots without DNS.
func TestBootNameWithoutDNS(t *testing.T) {
	testnet.Enter(t)
	dead := dnsmasq.Addr(59) // nothing listens there
	d := startDaemon(t, fmt.Sprintf(`hostname e2e
username admin privilege 15 secret letmein
ip domain name flowtap.test
ip name-server %s
ip host spare 192.0.2.55
ip flow-export version 9
ip flow-export destination collector 2055
ip flow-export destination spare 2056
snmp-server location rack 9
`, dead))
	startup := filepath.Join(d.dir, "startup-config")
	want := fmt.Sprintf(`at=%s:7 line="ip flow-export destination collector 2055" reason="unknown host collector: collector.flowtap.test: server %s: port 53 unreachable: connection refused"`, startup, dead)
	if !strings.Contains(d.log.String(), want) {
		t.Errorf("the boot log lacks %q:\n%s", want, d.log)
	}
	got := d.cli(t, "ios", "show running-config | include ^(ip flow-export destination|snmp-server location)\n")
	if want := "ip flow-export destination 192.0.2.55 2056\nsnmp-server location rack 9\n"; got != want {
		t.Errorf("running-config:\n%s\nwant:\n%s", got, want)
	}
}
