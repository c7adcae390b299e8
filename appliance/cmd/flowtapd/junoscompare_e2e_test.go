package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// junosDaemon starts flowtapd from an IOS startup-config and switches it
// to the JunOS persona as an operator does, by committing `set flowtap
// platform cflowd`.
func junosDaemon(t *testing.T, startup string) *runningDaemon {
	t.Helper()
	d := startDaemon(t, startup)
	if out := d.cli(t, "junos", "configure\nset flowtap platform cflowd\ncommit and-quit\n"); !strings.Contains(out, "commit complete") {
		t.Fatalf("persona change:\n%s", out)
	}
	return d
}

// TestJunOSCompareOrderAndLeafDeactivate: `show | compare` walks the
// configuration in order, as Junos prints it: a changed system, then the
// [edit] banner again for a new snmp, then forwarding-options (the new
// top-level statements all came first, under one [edit], before any
// other banner). A leaf whose removal leaves its container empty (a
// port's sampling input) or a default in its place (the host name) is
// deactivated, where flowtap refused "this statement cannot be
// deactivated on its own"; the commit stops the port's sampling and the
// saved configuration keeps the inactive statements.
func TestJunOSCompareOrderAndLeafDeactivate(t *testing.T) {
	v := testnet.Enter(t)
	d := junosDaemon(t, "hostname e2e\nusername admin privilege 15 secret adminpass\n")
	base := d.cli(t, "junos", "configure\n"+fmt.Sprintf(`set system host-name jtap
set interfaces %s unit 0 family inet sampling input
set forwarding-options sampling input rate 100
set forwarding-options sampling family inet output flow-server 192.0.2.7 port 2055
`, v.Mon)+"commit and-quit\n")
	if !strings.Contains(base, "commit complete") {
		t.Fatalf("commit:\n%s", base)
	}
	d.waitMetering(t, v.Mon)
	got := d.cli(t, "junos", fmt.Sprintf(`configure
set system host-name jtap2
set snmp location lab
set forwarding-options sampling input rate 200
deactivate interfaces %s unit 0 family inet sampling input
show | compare
commit and-quit
configure
deactivate system host-name
show system | display set | match host-name
show | compare
`, v.Mon))
	want := fmt.Sprintf(`Entering configuration mode

[edit system]
-   host-name jtap;
+   host-name jtap2;
[edit interfaces %s unit 0 family inet sampling]
!   inactive: input;
[edit]
+   snmp {
+       location lab;
+   }
[edit forwarding-options sampling input]
-   rate 100;
+   rate 200;
commit complete
Exiting configuration mode
Entering configuration mode

set system host-name jtap2
deactivate system host-name
[edit system]
!   inactive: host-name jtap2;
`, v.Mon)
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	set := d.cli(t, "junos", "show configuration interfaces | display set\n")
	if want := fmt.Sprintf("set interfaces %[1]s unit 0 family inet sampling input\ndeactivate interfaces %[1]s unit 0 family inet sampling input\n", v.Mon); set != want {
		t.Errorf("show configuration interfaces | display set:\n%s\nwant:\n%s", set, want)
	}
	if run := d.cli(t, "ios", "show running-config\n"); strings.Contains(run, "ip flow ingress") {
		t.Errorf("the inactive sampling input still samples the port:\n%s", run)
	}
}
