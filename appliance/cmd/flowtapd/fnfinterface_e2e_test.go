package main

import (
	"fmt"
	"testing"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestShowIPFlowInterfaceFNF: a port metered only through Flexible
// NetFlow monitors is listed by show ip flow interface with its monitor
// lines as configured, as IOS lists them; it was listed as `ip flow
// ingress` (the traditional command the monitors fold into), which the
// port does not have.
func TestShowIPFlowInterfaceFNF(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname fnfif
username admin privilege 15 secret letmein
flow exporter E
 destination %s
 transport udp %d
!
flow monitor M4
 exporter E
 record netflow ipv4 original-input
!
flow monitor M6
 exporter E
 record netflow ipv6 original-input
!
sampler S
 mode random 1 out-of 2
!
interface %s
 ip flow monitor M4 sampler S input
 ipv6 flow monitor M6 sampler S input
!
`, capd.Addr.Addr(), capd.Addr.Port(), v.Mon))
	d.waitMetering(t, v.Mon)
	want := fmt.Sprintf("%s\n ip flow monitor M4 sampler S input\n ipv6 flow monitor M6 sampler S input\n", v.Mon)
	if got := d.cli(t, "ios", "show ip flow interface\n"); got != want {
		t.Errorf("show ip flow interface:\n%s\nwant:\n%s", got, want)
	}
}
