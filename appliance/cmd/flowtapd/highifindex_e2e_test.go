package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestPortsPastIfindex65535ShareOneSetting: two tap ports numbered past
// the datapath's port table (ifIndex 65536 up, reached on a box whose
// links came and went for long), one with ip flow ingress and one with
// ip flow egress alone, configured in that order. The datapath keeps one
// setting for every port past the table, and the last port set wrote it:
// the ingress port metered nothing while show ip flow interface said ip
// flow ingress. Now they share the union (metered if any is), the
// ingress port's frames are in the cache, and show ip flow interface and
// the log say that the egress port shares the setting.
func TestPortsPastIfindex65535ShareOneSetting(t *testing.T) {
	v := testnet.Enter(t)
	for _, args := range [][]string{
		{"-n", v.NS, "link", "add", "big1", "index", "70001", "type", "veth", "peer", "name", "bsrc1", "index", "70002"},
		{"-n", v.NS, "link", "add", "big2", "index", "70003", "type", "veth", "peer", "name", "bsrc2", "index", "70004"},
	} {
		if out, err := testproc.CombinedOutput(exec.Command("ip", args...)); err != nil {
			t.Fatalf("ip %v: %v\n%s", args, err, out)
		}
	}
	for _, l := range []string{"big1", "bsrc1", "big2", "bsrc2"} {
		if out, err := testproc.CombinedOutput(exec.Command("ip", "-n", v.NS, "link", "set", l, "up")); err != nil {
			t.Fatalf("ip link set %s up: %v\n%s", l, err, out)
		}
	}
	d := startDaemon(t, `hostname big
username admin privilege 15 secret letmein
interface big1
 ip flow ingress
!
interface big2
 ip flow egress
!
`)
	d.waitMetering(t, "big1")
	d.waitMetering(t, "big2")
	if got, want := d.cli(t, "ios", "show logging | include PORT_SHARED\n"),
		"%FLOWTAP-4-PORT_SHARED: Interface big2: ifIndex 70003 is past 65535, where ports share one setting: metered, passive as big1\n"; !strings.HasSuffix(got, want) || strings.Count(got, "\n") != 1 {
		t.Errorf("show logging | include PORT_SHARED: %q, want one line ending %q", got, want)
	}
	want := "big1\n ip flow ingress\nbig2\n ip flow egress\n ifIndex 70003, past 65535, shares the setting of big1: metered, passive\n"
	if got := d.cli(t, "ios", "show ip flow interface\n"); got != want {
		t.Errorf("show ip flow interface:\n%s\nwant:\n%s", got, want)
	}

	big1 := *v
	big1.SrcIndex = 70002
	big1.Send(t, udpFrames([4]byte{10, 0, 9, 1}, 4000, 3))
	row := "big1          10.0.9.1        Null          192.0.2.9       11 0FA0 0035     3\n"
	if got := d.cliUntil(t, "ios", "show ip cache flow | include big1\n", row); got != row {
		t.Errorf("show ip cache flow | include big1: %q, want %q", got, row)
	}
}
