package main

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/dnsmasq"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSOperatorGaps: over the control socket against a real
// flowtapd, what a Junos operator types after a commit: deactivate and
// annotate show as Junos's `!` line and signed comment in show |
// compare, apply-groups where a value goes is refused at its word, the
// commit's change reads back from show system rollback 0 compare 1, and
// show interfaces lo brief is the header alone.
func TestJunOSOperatorGaps(t *testing.T) {
	d := startDaemon(t, "hostname gaps\nusername admin privilege 15 secret letmein\n")
	if out := d.cli(t, "junos", "configure\nset flowtap platform cflowd\nset forwarding-options sampling input rate 100\ncommit and-quit\n"); !strings.Contains(out, "commit complete") {
		t.Fatalf("commit:\n%s", out)
	}
	got := d.cli(t, "junos", `configure
deactivate forwarding-options sampling input rate
annotate forwarding-options sampling input rate "halved soon"
show | compare
set forwarding-options sampling input rate apply-groups G
commit and-quit
show system rollback 0 compare 1
show interfaces lo brief
`)
	want := `Entering configuration mode

[edit forwarding-options sampling input]
+   /* halved soon */
!   inactive: rate 100;
set forwarding-options sampling input rate apply-groups G
                                           ^
syntax error.
commit complete
Exiting configuration mode
[edit forwarding-options sampling input]
+   /* halved soon */
!   inactive: rate 100;
Physical interface: lo, Enabled, Physical link is Up
  Type: Loopback, Link-level type: Unspecified, MTU: 65536
  Device flags   : Present Running
`
	if got != want {
		t.Errorf("session:\n%s\nwant:\n%s", got, want)
	}
}

// TestJunOSShowHostReverse: `show host ADDRESS` on a real flowtapd
// answers from the static host mappings, else from the configured name
// server's PTR records (a real dnsmasq), in the host utility's words.
func TestJunOSShowHostReverse(t *testing.T) {
	testnet.Enter(t)
	ns := dnsmasq.Addr(63)
	dnsmasq.Start(t, ns, "rev.test", map[string]netip.Addr{"collector.rev.test": netip.MustParseAddr("192.0.2.63")})
	d := startDaemon(t, "hostname rev\nusername admin privilege 15 secret letmein\nip name-server "+ns.String()+"\nip host spare 192.0.2.55\n")
	got := d.cli(t, "junos", "show host 192.0.2.63\nshow host 192.0.2.55\n")
	want := "63.2.0.192.in-addr.arpa domain name pointer collector.rev.test.\n" +
		"55.2.0.192.in-addr.arpa domain name pointer spare\n"
	if got != want {
		t.Errorf("show host:\n%s\nwant:\n%s", got, want)
	}
}
